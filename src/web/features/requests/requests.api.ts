import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, buildUrl, toApiError, type Paged, type PageQuery } from '../../shared/api';
import { getLang } from '../../shared/i18n';

/** The lifecycle states of a request (see request-workflow.ts on the server). */
export type RequestStatus = 'accepted' | 'returned' | 'dispatched' | 'handling' | 'replied' | 'callback' | 'visited' | 'closed' | 'merged' | 'withdrawn';

export const REQUEST_STATUSES: RequestStatus[] = ['accepted', 'returned', 'dispatched', 'handling', 'replied', 'callback', 'visited', 'closed', 'merged', 'withdrawn'];

export type RequestAction =
  | 'dispatch'
  | 'forward'
  | 'sign'
  | 'return'
  | 'request-extension'
  | 'approve-extension'
  | 'deny-extension'
  | 'urge'
  | 'supervise'
  | 'reply'
  | 'review'
  | 'callback'
  | 'redo'
  | 'close'
  | 'merge'
  | 'withdraw';

/** Inbox and worklist boxes the list endpoint knows. */
export type Box = 'to-sign' | 'handling' | 'to-reply' | 'due-soon' | 'overdue' | 'to-dispatch' | 'to-review' | 'to-callback';

export type Urgency = 'normal' | 'urgent' | 'emergency' | 'complex';
export type ReplyResult = 'resolved' | 'partly' | 'unresolved';
export type Satisfaction = 'satisfied' | 'basic' | 'dissatisfied';
export type ClockName = 'sign' | 'reply' | 'overall';
export type ClockState = 'green' | 'yellow' | 'red' | 'done' | 'paused';

/** One row of the list (GET /requests). Requester fields are masked or null as the server decides. */
export interface RequestSummary {
  id: number;
  number: string;
  kind: 'citizen' | 'enterprise';
  type: string;
  urgency: Urgency;
  status: RequestStatus;
  title: string | null;
  content: string;
  channelId: number;
  channelName: string | null;
  categoryId: number | null;
  categoryPath: string | null;
  districtId: number | null;
  districtName: string | null;
  address: string | null;
  leadUnitId: number | null;
  handlingUnitId: number | null;
  handlingUnitName: string | null;
  requesterName: string | null;
  requesterPhone: string | null;
  isConfidential: boolean;
  isOverdue: boolean;
  acceptedAt: string;
  replyDueAt: string | null;
  dueAt: string | null;
  closedAt: string | null;
  version: number;
}

export interface DeadlineClock {
  name: ClockName;
  startedAt: string;
  dueAt: string;
  state: ClockState;
  used: number;
}

export interface RequestOrder {
  id: number;
  unitId: number;
  unitName: string;
  role: 'lead' | 'co' | 'forward' | string;
  status: string;
  dispatchedAt: string | null;
  signDueAt: string | null;
  signedAt: string | null;
  signedOnTime: boolean | null;
  returnedAt: string | null;
  returnReason: string | null;
}

export interface TimelineEvent {
  id: number;
  action: string;
  from: string | null;
  to: string;
  actorId: number | null;
  actorName: string;
  unitId: number | null;
  unitName?: string | null;
  at: string;
  payload: Record<string, unknown> | null;
}

export interface RequestDetail extends RequestSummary {
  streetId: number | null;
  lat: number | null;
  lng: number | null;
  /** null: confidential and hidden from the caller. */
  requester: { name: string | null; phone: string | null; anonymous: boolean; masked: boolean } | null;
  enterprise: { name: string; creditCode: string | null } | null;
  isDirect: boolean;
  reply: { result: ReplyResult | null; text: string | null; at: string | null } | null;
  callback: { attempts: number; resolved: boolean | null; satisfaction: Satisfaction | null; unreachable: boolean; at: string | null };
  extension: { pending: boolean; requestedDays: number | null; reason: string | null; grantedDays: number };
  counters: { returns: number; redos: number; urges: number; supervised: boolean };
  mergedIntoId: number | null;
  orders: RequestOrder[];
  clocks: DeadlineClock[];
  timeline: TimelineEvent[];
  attachments: { id: number; filename: string; mimeType: string; size: number; purpose: string; createdAt: string }[];
  allowedActions: RequestAction[];
}

export interface RequestListQuery extends PageQuery {
  status?: string;
  type?: string;
  channel?: number;
  category?: number;
  district?: number;
  unit?: number;
  overdue?: boolean;
  enterprise?: boolean;
  from?: string;
  to?: string;
  q?: string;
  box?: Box;
}

export type InboxCounts = Partial<Record<Box, number>>;

export const REQUESTS_KEY = ['requests'] as const;
const REF_KEY = ['requests-ref'] as const;

export function fetchRequests(query: RequestListQuery, signal?: AbortSignal) {
  // totalCapped: a text search counted its matches only up to `total` (the list shows "10000+").
  return api.get<Paged<RequestSummary> & { totalCapped?: boolean }>('/requests', { ...query }, signal);
}

export function useRequests(query: RequestListQuery, enabled = true) {
  return useQuery({
    queryKey: [...REQUESTS_KEY, 'list', query],
    queryFn: ({ signal }) => fetchRequests(query, signal),
    placeholderData: keepPreviousData,
    enabled,
    // Work queues change under the user's feet: ask again on every visit and return to the window.
    staleTime: 0,
    refetchOnWindowFocus: true,
  });
}

export function fetchInboxCounts(signal?: AbortSignal) {
  return api.get<InboxCounts>('/requests/inbox-counts', undefined, signal);
}

export function useInboxCounts(enabled = true) {
  return useQuery({ queryKey: [...REQUESTS_KEY, 'inbox-counts'], queryFn: ({ signal }) => fetchInboxCounts(signal), enabled, staleTime: 0, refetchOnWindowFocus: true });
}

export function requestKey(id: number) {
  return [...REQUESTS_KEY, 'detail', id] as const;
}

export function useRequest(id: number) {
  return useQuery({
    queryKey: requestKey(id),
    queryFn: ({ signal }) => api.get<RequestDetail>(`/requests/${id}`, undefined, signal),
    enabled: Number.isInteger(id) && id > 0,
    // Several people work on one request: every visit and every return to the window shows its state now.
    staleTime: 0,
    refetchOnWindowFocus: true,
  });
}

/** Everything a list or card needs to run an action: the record and the version the user saw. */
export type ActionTarget = Pick<RequestSummary, 'id' | 'number' | 'version' | 'categoryId' | 'districtId' | 'handlingUnitId' | 'replyDueAt'> & {
  extension?: RequestDetail['extension'];
};

export type ActionBody = Record<string, unknown>;

/**
 * Runs one lifecycle action with the version the user saw (a concurrent change is a 409). The
 * reply is the new detail; every list, count and dashboard figure is refreshed.
 */
export function useRequestAction() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, action, version, body }: { id: number; action: RequestAction; version: number; body: ActionBody }) =>
      api.post<RequestDetail>(`/requests/${id}/actions/${action}`, { ...body, version }),
    onSuccess: (detail) => {
      qc.setQueryData(requestKey(detail.id), detail);
      void qc.invalidateQueries({ queryKey: REQUESTS_KEY, predicate: (q) => q.queryKey[1] !== 'detail' || q.queryKey[2] !== detail.id });
      void qc.invalidateQueries({ queryKey: ['dashboard'] });
    },
  });
}

export interface AcceptInput {
  channelId: number;
  type: string;
  urgency?: Urgency;
  title?: string;
  content: string;
  categoryId?: number | null;
  districtId?: number | null;
  streetId?: number | null;
  address?: string | null;
  requester?: { name?: string | null; phone?: string | null; anonymous?: boolean; confidential?: boolean };
  enterprise?: { name: string; creditCode: string } | null;
  directAnswer?: string | null;
}

/** 受理: the Idempotency-Key makes a double click or a retried network call create one request. */
export function useAcceptRequest() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ input, idempotencyKey }: { input: AcceptInput; idempotencyKey: string }) =>
      api.post<RequestDetail>('/requests', input, { headers: { 'Idempotency-Key': idempotencyKey } }),
    onSuccess: (detail) => {
      qc.setQueryData(requestKey(detail.id), detail);
      void qc.invalidateQueries({ queryKey: REQUESTS_KEY, predicate: (q) => q.queryKey[1] !== 'detail' });
      void qc.invalidateQueries({ queryKey: ['dashboard'] });
    },
  });
}

export interface CallerHistoryItem {
  id: number;
  number: string;
  title: string | null;
  content: string;
  status: RequestStatus;
  type: string;
  acceptedAt: string;
}

export function useCallerHistory(phone: string, enabled: boolean) {
  return useQuery({
    queryKey: [...REQUESTS_KEY, 'caller-history', phone],
    queryFn: ({ signal }) => api.get<{ items: CallerHistoryItem[] }>('/requests/caller-history', { phone }, signal),
    enabled: enabled && phone.length >= 5,
    staleTime: 30_000,
  });
}

// —— reference data (catalogue, units, calendar) ——

export interface Channel {
  id: number;
  code: string;
  name: string;
  family: 'phone' | 'network' | string;
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

export interface UnitRef {
  id: number;
  code: string;
  name: string;
}

export interface DispatchSuggestion {
  lead: UnitRef;
  coUnits: UnitRef[];
  ruleId: number | null;
  fallback: boolean;
}

export interface PlainUnit {
  id: number;
  parentId: number | null;
  code: string;
  name: string;
  kind: string;
  sortOrder: number;
  active: boolean;
}

const REF_STALE = 5 * 60_000;

export function useChannels(enabled = true) {
  return useQuery({
    queryKey: [...REF_KEY, 'channels'],
    queryFn: ({ signal }) => api.get<{ items: Channel[] }>('/catalog/channels', undefined, signal),
    staleTime: REF_STALE,
    enabled,
  });
}

export function useRequestTypes(enabled = true) {
  return useQuery({
    queryKey: [...REF_KEY, 'types'],
    queryFn: ({ signal }) => api.get<{ items: RequestTypeItem[] }>('/catalog/request-types', undefined, signal),
    staleTime: REF_STALE,
    enabled,
  });
}

export function useCategories(enabled = true) {
  return useQuery({
    queryKey: [...REF_KEY, 'categories'],
    queryFn: ({ signal }) => api.get<{ items: Category[] }>('/catalog/categories', undefined, signal),
    staleTime: REF_STALE,
    enabled,
  });
}

export function useDispatchSuggestion(categoryId: number | null | undefined, districtId: number | null | undefined, enabled = true) {
  return useQuery({
    queryKey: [...REF_KEY, 'dispatch', categoryId ?? null, districtId ?? null],
    queryFn: ({ signal }) => api.get<DispatchSuggestion>('/catalog/dispatch-rules/resolve', { categoryId, districtId }, signal),
    enabled: enabled && (!!categoryId || !!districtId),
    staleTime: 60_000,
  });
}

export function useUnitsWhere(filter: { kind?: string; parentId?: number | null }, enabled = true) {
  return useQuery({
    queryKey: [...REF_KEY, 'units', filter.kind ?? null, filter.parentId ?? null],
    queryFn: ({ signal }) => api.get<{ items: PlainUnit[] }>('/units', { kind: filter.kind, parentId: filter.parentId ?? undefined, active: true }, signal),
    enabled: enabled && (filter.parentId === undefined || filter.parentId !== null),
    staleTime: REF_STALE,
  });
}

/** The deadline `amount` working days after `start` by the working calendar (for the extension preview). */
export function useDeadlinePreview(start: string | null | undefined, amount: number | null | undefined) {
  return useQuery({
    queryKey: [...REF_KEY, 'deadline', start ?? null, amount ?? null],
    queryFn: ({ signal }) => api.get<{ due: string }>('/calendar/deadline', { start: start!, amount: amount!, unit: 'working-days' }, signal),
    enabled: !!start && typeof amount === 'number' && amount > 0,
    staleTime: 60_000,
  });
}

/** Downloads the filtered list as .xlsx through the session (errors come back as ApiError). */
export async function downloadRequestsXlsx(query: RequestListQuery): Promise<void> {
  const res = await fetch(buildUrl('/requests/export.xlsx', { ...query }), {
    credentials: 'include',
    headers: { 'Accept-Language': getLang() === 'en' ? 'en' : 'zh-CN' },
  });
  if (!res.ok) {
    let body: Record<string, unknown> | null = null;
    try {
      body = (await res.json()) as Record<string, unknown>;
    } catch {
      body = null;
    }
    throw toApiError(res.status, body);
  }
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `requests-${new Date().toISOString().slice(0, 10)}.xlsx`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A random v4 UUID; crypto.randomUUID needs a secure context, which an intranet http:// page is not. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function' && globalThis.isSecureContext) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The number in each queue, for tab badges and home cards (one page-size-1 list call each). */
export function useBoxTotals(boxes: Box[]): Partial<Record<Box, number>> {
  const results = useQueries({
    queries: boxes.map((box) => ({
      queryKey: [...REQUESTS_KEY, 'box-total', box],
      queryFn: ({ signal }: { signal: AbortSignal }) => fetchRequests({ box, page: 1, pageSize: 1 }, signal),
      staleTime: 0,
      refetchOnWindowFocus: true,
    })),
  });
  const out: Partial<Record<Box, number>> = {};
  boxes.forEach((box, i) => {
    const total = results[i].data?.total;
    if (total !== undefined) out[box] = total;
  });
  return out;
}
