import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, type Paged, type PageQuery } from '../../shared/api';

/** One row of the tamper-evident audit trail (审计日志). */
export interface AuditEvent {
  id: number;
  at: string;
  actorId: number | null;
  actorName: string;
  ip: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  /** { field: [before, after] }, plus `_note` for facts that are not field changes. */
  diff: Record<string, unknown> | null;
}

export interface AuditQuery extends PageQuery {
  actor?: string;
  entity?: string;
  entityId?: string;
  action?: string;
  from?: string;
  to?: string;
}

export function fetchAudit(query: AuditQuery, signal?: AbortSignal) {
  return api.get<Paged<AuditEvent>>('/audit', { ...query }, signal);
}

export function useAudit(query: AuditQuery) {
  return useQuery({ queryKey: ['audit', 'list', query], queryFn: ({ signal }) => fetchAudit(query, signal), placeholderData: keepPreviousData });
}
