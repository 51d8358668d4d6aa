import type { Generated } from 'kysely';
import type { Id } from '../../core/db/tables';

export type DataScope = 'unit' | 'subtree' | 'all';

export interface UsersTable {
  id: Generated<Id>;
  username: string;
  display_name: string;
  unit_id: Id;
  password_hash: string;
  data_scope: DataScope;
  phone: string | null;
  disabled: number;
  must_change_password: number;
  is_service_account: number;
  last_login_at: string | null;
  password_changed_at: string | null;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}

export interface UserRolesTable {
  user_id: Id;
  role: string;
}

export interface UsersTables {
  users: UsersTable;
  user_roles: UserRolesTable;
}
