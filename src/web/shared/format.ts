import dayjs from 'dayjs';

export function formatDateTime(iso: string | null | undefined, fallback = '—'): string {
  if (!iso) return fallback;
  const d = dayjs(iso);
  return d.isValid() ? d.format('YYYY-MM-DD HH:mm') : fallback;
}

export function formatDateTimeSeconds(iso: string | null | undefined, fallback = '—'): string {
  if (!iso) return fallback;
  const d = dayjs(iso);
  return d.isValid() ? d.format('YYYY-MM-DD HH:mm:ss') : fallback;
}

export function formatNumber(n: number): string {
  return new Intl.NumberFormat('zh-CN').format(n);
}
