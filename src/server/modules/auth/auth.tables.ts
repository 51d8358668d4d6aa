import type { Generated } from 'kysely';
import type { Id } from '../../core/db/tables';

export interface LoginFailuresTable {
  username: string;
  failed_count: number;
  last_failed_at: string;
  locked_until: string | null;
}

export interface SessionsTable {
  /** SHA-256 of the cookie value: a stolen database row cannot be replayed as a cookie. */
  id_hash: string;
  user_id: Id;
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  ended_at: string | null;
  ip: string | null;
  user_agent: string | null;
}

export interface ApiTokensTable {
  id: Generated<Id>;
  name: string;
  user_id: Id;
  token_hash: string;
  created_by: Id | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface AuthTables {
  login_failures: LoginFailuresTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
}
