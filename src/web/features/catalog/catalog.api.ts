import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, apiRequest, type Paged, type PageQuery } from '../../shared/api';
import { uploadForm } from './transfer';

/** The request reference data (基础数据): channels, types, categories, dispatch catalogue, time limits. */

export type ChannelFamily = 'phone' | 'network';
export const CHANNEL_FAMILIES: ChannelFamily[] = ['phone', 'network'];

export interface Channel {
  id: number;
  code: string;
  name: string;
  family: ChannelFamily;
  active: boolean;
  sortOrder: number;
}

export interface RequestTypeItem {
  code: string;
  name: string;
  nameEn: string;
  sortOrder: number;
  active: boolean;
}

export type Urgency = 'normal' | 'urgent' | 'emergency' | 'complex';
export const URGENCIES: Urgency[] = ['normal', 'urgent', 'emergency', 'complex'];

export interface Category {
  id: number;
  parentId: number | null;
  level: number;
  code: string;
  name: string;
  path: string;
  active: boolean;
  sortOrder: number;
  defaultUrgency: Urgency | null;
}

export interface CategoryImportResult {
  rows: number;
  created: number;
  existing: number;
  reactivated: number;
  deactivated: number;
  replaceSkipped: boolean;
  errors: { line: number; message: string }[];
}

export interface NamedUnit {
  id: number;
  name: string;
}

export interface DispatchRule {
  id: number;
  categoryId: number | null;
  categoryCode: string | null;
  categoryPath: string | null;
  districtId: number | null;
  districtName: string | null;
  leadUnitId: number;
  leadUnitName: string;
  coUnitIds: number[];
  coUnits: NamedUnit[];
  districtCoUnit: boolean;
  note: string | null;
  active: boolean;
}

export interface DispatchRuleInput {
  categoryId: number | null;
  districtId: number | null;
  leadUnitId: number;
  coUnitIds: number[];
  districtCoUnit: boolean;
  note: string | null;
  active: boolean;
}

export interface DispatchResolution {
  lead: { id: number; code: string; name: string };
  coUnits: { id: number; code: string; name: string }[];
  ruleId: number | null;
  fallback: boolean;
}

export type DeadlineUnit = 'working-days' | 'working-hours' | 'calendar-hours' | 'calendar-days';
export const DEADLINE_UNITS: DeadlineUnit[] = ['working-days', 'working-hours', 'calendar-hours', 'calendar-days'];

export interface Duration {
  amount: number;
  unit: DeadlineUnit;
}

export interface TimeLimit {
  id: number | null;
  /** null: the row for any request type. */
  requestType: string | null;
  urgency: Urgency;
  sign: Duration;
  reply: Duration;
  extensionMax: Duration;
  pauseOnExtension: boolean;
}

export type TimeLimitValues = Pick<TimeLimit, 'sign' | 'reply' | 'extensionMax' | 'pauseOnExtension'>;

const KEY = ['catalog'] as const;
export const CHANNELS_KEY = [...KEY, 'channels'] as const;
export const TYPES_KEY = [...KEY, 'request-types'] as const;
export const CATEGORIES_KEY = [...KEY, 'categories'] as const;
export const RULES_KEY = [...KEY, 'dispatch-rules'] as const;
export const LIMITS_KEY = [...KEY, 'time-limits'] as const;

interface Items<T> {
  items: T[];
  total: number;
}

// ── channels ──
export function useChannels() {
  return useQuery({ queryKey: CHANNELS_KEY, queryFn: ({ signal }) => api.get<Items<Channel>>('/catalog/channels', undefined, signal), staleTime: 60_000 });
}

export function useSaveChannel() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: Partial<Omit<Channel, 'id'>> & { id?: number }) =>
      id ? api.patch<Channel>(`/catalog/channels/${id}`, body) : api.post<Channel>('/catalog/channels', body),
    onSuccess: () => qc.invalidateQueries({ queryKey: CHANNELS_KEY }),
  });
}

// ── request types ──
export function fetchRequestTypes(signal?: AbortSignal) {
  return api.get<Items<RequestTypeItem>>('/catalog/request-types', undefined, signal);
}

export function useRequestTypes(enabled = true) {
  return useQuery({ queryKey: TYPES_KEY, queryFn: ({ signal }) => fetchRequestTypes(signal), staleTime: 10 * 60_000, enabled });
}

// ── categories ──
export function useCategories() {
  return useQuery({ queryKey: CATEGORIES_KEY, queryFn: ({ signal }) => api.get<Items<Category>>('/catalog/categories', undefined, signal), staleTime: 60_000 });
}

export function useCreateCategory() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { parentId: number | null; name: string }) => api.post<Category>('/catalog/categories', body),
    onSuccess: () => qc.invalidateQueries({ queryKey: CATEGORIES_KEY }),
  });
}

export function useUpdateCategory() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...patch }: { id: number; name?: string; active?: boolean; defaultUrgency?: Urgency | null }) => api.patch<Category>(`/catalog/categories/${id}`, patch),
    // A rename changes the paths of the subtree and of the dispatch rules that name them.
    onSuccess: () => Promise.all([qc.invalidateQueries({ queryKey: CATEGORIES_KEY }), qc.invalidateQueries({ queryKey: RULES_KEY })]),
  });
}

export function useImportCategories(csrfToken: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ file, replace }: { file: File; replace: boolean }) => {
      const form = new FormData();
      form.append('replace', replace ? 'true' : 'false');
      form.append('file', file, file.name);
      return uploadForm<CategoryImportResult>('/catalog/categories/import', form, csrfToken);
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: CATEGORIES_KEY }),
  });
}

// ── dispatch catalogue ──
export interface RuleQuery extends PageQuery {
  categoryId?: number;
  districtId?: number;
  leadUnitId?: number;
}

export function useDispatchRules(q: RuleQuery) {
  return useQuery({
    queryKey: [...RULES_KEY, 'list', q],
    queryFn: ({ signal }) => api.get<Paged<DispatchRule>>('/catalog/dispatch-rules', { ...q }, signal),
    placeholderData: keepPreviousData,
  });
}

export function useSaveDispatchRule() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: DispatchRuleInput & { id?: number }) =>
      id ? api.patch<DispatchRule>(`/catalog/dispatch-rules/${id}`, body) : api.post<DispatchRule>('/catalog/dispatch-rules', body),
    onSuccess: () => qc.invalidateQueries({ queryKey: RULES_KEY }),
  });
}

export function useDeleteDispatchRule() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete(`/catalog/dispatch-rules/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: RULES_KEY }),
  });
}

export function resolveDispatch(q: { categoryId?: number; districtId?: number }) {
  return api.get<DispatchResolution>('/catalog/dispatch-rules/resolve', { ...q });
}

// ── time limits ──
export function useTimeLimits() {
  return useQuery({ queryKey: LIMITS_KEY, queryFn: ({ signal }) => api.get<Items<TimeLimit>>('/catalog/time-limits', undefined, signal) });
}

export function useSaveTimeLimit() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: TimeLimitValues & { id?: number; requestType?: string; urgency?: Urgency }) => {
      const values = { sign: v.sign, reply: v.reply, extensionMax: v.extensionMax, pauseOnExtension: v.pauseOnExtension };
      return v.id
        ? apiRequest<TimeLimit>(`/catalog/time-limits/${v.id}`, { method: 'PUT', body: values })
        : api.post<TimeLimit>('/catalog/time-limits', { ...values, requestType: v.requestType, urgency: v.urgency });
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: LIMITS_KEY }),
  });
}

export function useDeleteTimeLimit() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete(`/catalog/time-limits/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: LIMITS_KEY }),
  });
}
