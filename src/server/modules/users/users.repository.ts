import type { Selectable } from 'kysely';
import { containsText, type Tx } from '../../core/db/database';
import type { UsersTable } from './users.tables';

export type UserRow = Selectable<UsersTable>;

export function findUser(db: Tx, id: number) {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findUserByUsername(db: Tx, username: string) {
  return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
}

export async function rolesOf(db: Tx, userIds: number[]): Promise<Map<number, string[]>> {
  const map = new Map<number, string[]>();
  if (!userIds.length) return map;
  const rows = await db.selectFrom('user_roles').select(['user_id', 'role']).where('user_id', 'in', userIds).orderBy('role').execute();
  for (const r of rows) map.set(r.user_id, [...(map.get(r.user_id) ?? []), r.role]);
  return map;
}

export async function setRoles(db: Tx, userId: number, roles: string[]): Promise<void> {
  await db.deleteFrom('user_roles').where('user_id', '=', userId).execute();
  if (roles.length) await db.insertInto('user_roles').values(roles.map((role) => ({ user_id: userId, role }))).execute();
}

export interface UserFilter {
  unitIds: number[] | null;
  unitId?: number;
  role?: string;
  q?: string;
  disabled?: boolean;
}

function filtered(db: Tx, f: UserFilter) {
  let q = db.selectFrom('users').innerJoin('units', 'units.id', 'users.unit_id');
  if (f.unitIds) q = q.where('users.unit_id', 'in', f.unitIds.length ? f.unitIds : [-1]);
  if (f.unitId) q = q.where('users.unit_id', '=', f.unitId);
  if (f.role) q = q.where('users.id', 'in', (eb) => eb.selectFrom('user_roles').select('user_id').where('role', '=', f.role!));
  if (f.disabled !== undefined) q = q.where('users.disabled', '=', f.disabled ? 1 : 0);
  if (f.q) q = q.where((eb) => eb.or([containsText('users.username', f.q!), containsText('users.display_name', f.q!)]));
  return q;
}

export async function pageUsers(db: Tx, f: UserFilter, page: { offset: number; pageSize: number; sortColumn: 'users.username' | 'users.display_name' | 'users.created_at' | 'users.last_login_at' | 'units.name'; sortDir: 'asc' | 'desc' }) {
  const [{ total }] = await filtered(db, f).select((eb) => eb.fn.countAll<number>().as('total')).execute();
  const rows = await filtered(db, f).selectAll('users').select('units.name as unit_name')
    .orderBy(page.sortColumn, page.sortDir).orderBy('users.id').limit(page.pageSize).offset(page.offset).execute();
  return { total: Number(total), rows };
}
