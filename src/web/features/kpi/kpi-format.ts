/** How the dashboard writes the server's figures: rates as percentages with one decimal, "—" for none. */
export const NO_VALUE = '—';

export function formatRate(r: number | null | undefined): string {
  if (r === null || r === undefined || Number.isNaN(r)) return NO_VALUE;
  return `${(Math.round(r * 1000) / 10).toFixed(1)}%`;
}

export function formatScore(s: number | null | undefined): string {
  if (s === null || s === undefined || Number.isNaN(s)) return NO_VALUE;
  return (Math.round(s * 10) / 10).toFixed(1);
}

/** True when a unit's satisfaction rate is known and below the floor (both 0–1). */
export function belowFloor(rate: number | null, floor: number): boolean {
  return rate !== null && rate < floor;
}
