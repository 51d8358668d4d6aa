import type { Generated } from 'kysely';
import type { OrgTables } from '../../modules/org/org.tables';
import type { UsersTables } from '../../modules/users/users.tables';
import type { AuthTables } from '../../modules/auth/auth.tables';
import type { CalendarTables } from '../../modules/calendar/calendar.tables';
import type { CatalogTables } from '../../modules/catalog/catalog.tables';
import type { RequestsTables } from '../../modules/requests/requests.tables';
import type { IntelligenceTables } from '../../modules/intelligence/intelligence.tables';
import type { Open311Tables } from '../../modules/open311/open311.tables';
import type { AnalysisTables } from '../../modules/intelligence/analysis.tables';

/** Ids are numbers on both dialects (PostgreSQL bigint is parsed to number in database.ts). */
export type Id = number;

export interface AuditLogTable {
  id: Generated<Id>;
  at: string;
  actor_id: Id | null;
  actor_name: string;
  ip: string | null;
  action: string;
  entity: string;
  entity_id: string | null;
  diff: string | null;
  prev_hash: string;
  hash: string;
}

export interface WorkflowEventsTable {
  id: Generated<Id>;
  entity: string;
  entity_id: Id;
  action: string;
  from_state: string | null;
  to_state: string;
  actor_id: Id | null;
  actor_name: string;
  unit_id: Id | null;
  at: string;
  payload: string | null;
}

export interface JobsTable {
  id: Generated<Id>;
  kind: string;
  dedupe_key: string | null;
  payload: string;
  run_at: string;
  status: 'pending' | 'running' | 'done' | 'failed' | 'cancelled';
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  locked_by: string | null;
  locked_until: string | null;
  last_error: string | null;
  created_at: string;
  finished_at: string | null;
}

export interface SettingsTable {
  key: string;
  value: string;
  updated_at: string;
  updated_by: Id | null;
}

export interface IdempotencyKeysTable {
  scope: string;
  key: string;
  body_hash: string;
  status: number;
  response: string;
  created_at: string;
}

export interface CoreTables {
  audit_log: AuditLogTable;
  workflow_events: WorkflowEventsTable;
  jobs: JobsTable;
  settings: SettingsTable;
  idempotency_keys: IdempotencyKeysTable;
}

/** The whole database: core tables plus each module's own (declared beside its repository). */
export interface DB extends CoreTables, OrgTables, UsersTables, AuthTables, CalendarTables, CatalogTables, RequestsTables, Open311Tables, AnalysisTables, IntelligenceTables {}
