import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, apiRequest } from '../../shared/api';
import type { Msg } from '../../shared/i18n';

/** 考核指标: the figures of GET /requests/stats, exactly as the server computes them. */

export type GroupBy = 'unit' | 'category' | 'district' | 'channel' | 'type' | 'month' | 'day';
export type Kind = 'all' | 'enterprise' | 'citizen';

export interface KpiCounts {
  accepted: number;
  direct: number;
  replied: number;
  callbacks: number;
  resolved: number;
  satisfied: number;
  basic: number;
  dissatisfied: number;
  closed: number;
  closedOnTime: number;
  redone: number;
  orders: number;
  ordersSignedOnTime: number;
  ordersReturned: number;
}

/** 0–1, or null where the denominator is zero; score 0–100. */
export interface KpiRates {
  responseRate: number | null;
  resolutionRate: number | null;
  satisfactionRate: number | null;
  onTimeRate: number | null;
  returnRate: number | null;
  directRate: number | null;
  redoRate: number | null;
  score: number | null;
}

export type RateKey = keyof KpiRates;

export interface KpiSettings {
  basicSatisfiedWeight: number;
  weights: { response: number; resolution: number; satisfaction: number };
  satisfactionFloor: number;
}

export interface StatsGroup {
  /** null: requests without that attribute (e.g. not yet dispatched). */
  key: string | null;
  name: string;
  counts: KpiCounts;
  rates: KpiRates;
}

export interface StatsReply {
  from: string | null;
  to: string | null;
  groupBy: GroupBy;
  kind: Kind;
  settings: KpiSettings;
  definitions: Record<RateKey, Msg>;
  groups: StatsGroup[];
  total: { counts: KpiCounts; rates: KpiRates };
}

export interface StatsQuery {
  from: string;
  to: string;
  groupBy: GroupBy;
  kind: Kind;
}

export const STATS_PATH = '/requests/stats';
export const STATS_XLSX_PATH = '/requests/stats.xlsx';

export function fetchStats(q: StatsQuery, signal?: AbortSignal) {
  return api.get<StatsReply>(STATS_PATH, { from: q.from, to: q.to, groupBy: q.groupBy, kind: q.kind === 'all' ? undefined : q.kind }, signal);
}

/** The export takes the same query, so the file matches the table on screen. */
export function statsXlsxQuery(q: StatsQuery) {
  return { from: q.from, to: q.to, groupBy: q.groupBy, kind: q.kind === 'all' ? undefined : q.kind };
}

export function useStats(q: StatsQuery) {
  return useQuery({ queryKey: ['kpi', 'stats', q], queryFn: ({ signal }) => fetchStats(q, signal), placeholderData: keepPreviousData });
}

export const KPI_SETTINGS_KEY = ['kpi', 'settings'] as const;

export function useKpiSettings(enabled = true) {
  return useQuery({ queryKey: KPI_SETTINGS_KEY, queryFn: ({ signal }) => api.get<KpiSettings>('/requests/kpi-settings', undefined, signal), enabled });
}

export function useSaveKpiSettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (s: KpiSettings) => apiRequest<KpiSettings>('/requests/kpi-settings', { method: 'PUT', body: s }),
    // Every rate depends on the settings: refresh the dashboard's figures too.
    onSuccess: (saved) => {
      qc.setQueryData(KPI_SETTINGS_KEY, saved);
      return qc.invalidateQueries({ queryKey: ['kpi', 'stats'] });
    },
  });
}
