import type { AppContext } from '../../context';
import { recordAudit } from '../../core/audit/audit.service';
import { can, defaultScopeOf, isKnownRole, listRoles, type Actor } from '../../core/http/access';
import { AppError, fieldError } from '../../core/http/errors';
import { maskPhone } from '../../core/http/mask';
import { toPageRequest } from '../../core/http/paging';
import { isUnitPathVisible, visibleUnitIds } from '../../core/http/scope';
import { assertPasswordPolicy, hashPassword } from '../auth/auth.service';
import { findUnit } from '../org/org.repository';
import * as repo from './users.repository';
import type { DataScope } from './users.tables';

const USER_NOT_FOUND = { message: { zh: '用户不存在', en: 'User not found' } };

function toUser(r: repo.UserRow & { unit_name?: string }, roles: string[], showPersonal: boolean) {
  return {
    id: r.id, username: r.username, displayName: r.display_name, unitId: r.unit_id, unitName: r.unit_name ?? '',
    roles, dataScope: r.data_scope, phone: showPersonal ? r.phone : maskPhone(r.phone), disabled: !!r.disabled,
    lockedUntil: null as string | null, lastLoginAt: r.last_login_at, createdAt: r.created_at,
  };
}

function assertRoles(roles: string[]): void {
  const unknown = roles.filter((r) => !isKnownRole(r));
  if (unknown.length) throw fieldError('roles', { zh: `未知角色：${unknown.join(', ')}`, en: `unknown roles: ${unknown.join(', ')}` });
}

export function listRoleDefinitions() {
  return listRoles().map((r) => ({ role: r.role, name: r.name, nameEn: r.nameEn, defaultScope: r.defaultScope, permissions: [...r.permissions].sort() }));
}

const SORTABLE = { username: 'users.username', displayName: 'users.display_name', createdAt: 'users.created_at', lastLoginAt: 'users.last_login_at', unitName: 'units.name' } as const;

export async function listUsers(ctx: AppContext, actor: Actor, q: { page?: number; pageSize?: number; sort?: string; unit?: number; role?: string; q?: string; disabled?: boolean }) {
  const page = toPageRequest(q, SORTABLE, 'username');
  const unitIds = await visibleUnitIds(ctx, actor);
  const { total, rows } = await repo.pageUsers(ctx.db, { unitIds, unitId: q.unit, role: q.role, q: q.q, disabled: q.disabled }, page);
  const roles = await repo.rolesOf(ctx.db, rows.map((r) => r.id));
  const locks = await lockedUntilOf(ctx, rows.map((r) => r.username));
  const showPersonal = can(actor, 'users.personal');
  const items = rows.map((r) => ({ ...toUser(r, roles.get(r.id) ?? [], showPersonal), lockedUntil: locks.get(r.username) ?? null }));
  return { items, total, page: page.page, pageSize: page.pageSize };
}

async function lockedUntilOf(ctx: AppContext, usernames: string[]): Promise<Map<string, string>> {
  const now = ctx.clock.now().toISOString();
  if (!usernames.length) return new Map();
  const rows = await ctx.db.selectFrom('login_failures').select(['username', 'locked_until'])
    .where('username', 'in', usernames).where('locked_until', '>', now).execute();
  return new Map(rows.map((r) => [r.username, r.locked_until!]));
}

/** Reads one user; outside the caller's scope it does not exist. */
export async function getUser(ctx: AppContext, actor: Actor, id: number) {
  const row = await repo.findUser(ctx.db, id);
  const unit = row ? await findUnit(ctx.db, row.unit_id) : undefined;
  if (!row || !unit || !isUnitPathVisible(actor, unit.id, unit.path)) throw new AppError('NOT_FOUND', USER_NOT_FOUND);
  const roles = (await repo.rolesOf(ctx.db, [id])).get(id) ?? [];
  const locks = await lockedUntilOf(ctx, [row.username]);
  return { ...toUser({ ...row, unit_name: unit.name }, roles, can(actor, 'users.personal')), lockedUntil: locks.get(row.username) ?? null };
}

export interface CreateUserInput {
  username: string;
  displayName: string;
  unitId: number;
  roles: string[];
  dataScope?: DataScope;
  phone?: string | null;
  password: string;
  mustChangePassword?: boolean;
  isServiceAccount?: boolean;
}

export async function createUser(ctx: AppContext, actor: Actor, input: CreateUserInput) {
  const username = input.username.trim().toLowerCase();
  assertRoles(input.roles);
  assertPasswordPolicy(input.password, 'password');
  const passwordHash = await hashPassword(input.password);
  const now = ctx.clock.now();
  const id = await ctx.db.transaction().execute(async (trx) => {
    const unit = await findUnit(trx, input.unitId);
    if (!unit) throw fieldError('unitId', { zh: '单位不存在', en: 'no such unit' });
    if (await repo.findUserByUsername(trx, username)) throw fieldError('username', { zh: '用户名已被使用', en: 'is already taken' }, 'CONFLICT');
    const row = await trx.insertInto('users').values({
      username, display_name: input.displayName, unit_id: input.unitId, password_hash: passwordHash,
      data_scope: input.dataScope ?? defaultScopeOf(input.roles), phone: input.phone ?? null, disabled: 0,
      must_change_password: input.mustChangePassword ? 1 : 0, is_service_account: input.isServiceAccount ? 1 : 0,
      last_login_at: null, password_changed_at: now.toISOString(), created_at: now.toISOString(), updated_at: now.toISOString(),
    }).returning('id').executeTakeFirstOrThrow();
    await repo.setRoles(trx, row.id, input.roles);
    await recordAudit(trx, ctx.dialect, now, {
      actor, action: 'user.create', entity: 'user', entityId: row.id,
      after: { username, displayName: input.displayName, unitId: input.unitId, roles: input.roles, dataScope: input.dataScope ?? defaultScopeOf(input.roles), phone: maskPhone(input.phone) },
    });
    return row.id;
  });
  return getUser(ctx, actor, id);
}

export async function updateUser(ctx: AppContext, actor: Actor, id: number, patch: { displayName?: string; unitId?: number; roles?: string[]; dataScope?: DataScope; phone?: string | null; disabled?: boolean }) {
  if (patch.roles) assertRoles(patch.roles);
  const before = await getUser(ctx, actor, id);
  if (patch.disabled && id === actor.userId) throw fieldError('disabled', { zh: '不能停用自己的账号', en: 'you cannot disable your own account' });
  // Nothing to change (an empty patch, or the values it already has): no write, no audit row.
  const sameRoles = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();
  const changes = (patch.displayName !== undefined && patch.displayName !== before.displayName)
    || (patch.unitId !== undefined && patch.unitId !== before.unitId)
    || (patch.roles !== undefined && !sameRoles(patch.roles, before.roles))
    || (patch.dataScope !== undefined && patch.dataScope !== before.dataScope)
    || (patch.disabled !== undefined && patch.disabled !== before.disabled)
    || patch.phone !== undefined;
  if (!changes) return before;
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    if (patch.unitId !== undefined && !(await findUnit(trx, patch.unitId))) throw fieldError('unitId', { zh: '单位不存在', en: 'no such unit' });
    const set = {
      ...(patch.displayName !== undefined && { display_name: patch.displayName }),
      ...(patch.unitId !== undefined && { unit_id: patch.unitId }),
      ...(patch.dataScope !== undefined && { data_scope: patch.dataScope }),
      ...(patch.phone !== undefined && { phone: patch.phone }),
      ...(patch.disabled !== undefined && { disabled: patch.disabled ? 1 : 0 }),
      updated_at: now.toISOString(),
    };
    await trx.updateTable('users').set((eb) => ({ ...set, version: eb('version', '+', 1) })).where('id', '=', id).execute();
    if (patch.roles) await repo.setRoles(trx, id, patch.roles);
    // A disabled account's sessions end at once.
    if (patch.disabled) await trx.updateTable('sessions').set({ ended_at: now.toISOString() }).where('user_id', '=', id).where('ended_at', 'is', null).execute();
    await recordAudit(trx, ctx.dialect, now, {
      actor, action: 'user.update', entity: 'user', entityId: id,
      before: { displayName: before.displayName, unitId: before.unitId, roles: before.roles, dataScope: before.dataScope, phone: maskPhone(before.phone), disabled: before.disabled },
      after: {
        displayName: patch.displayName ?? before.displayName, unitId: patch.unitId ?? before.unitId, roles: patch.roles ?? before.roles,
        dataScope: patch.dataScope ?? before.dataScope, phone: patch.phone !== undefined ? maskPhone(patch.phone) : maskPhone(before.phone), disabled: patch.disabled ?? before.disabled,
      },
    });
  });
  return getUser(ctx, actor, id);
}

/** An administrator sets a new password; the user must change it at next login, and is unlocked. */
export async function resetPassword(ctx: AppContext, actor: Actor, id: number, newPassword: string): Promise<void> {
  const user = await getUser(ctx, actor, id);
  assertPasswordPolicy(newPassword, 'newPassword');
  const passwordHash = await hashPassword(newPassword);
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ password_hash: passwordHash, must_change_password: 1, password_changed_at: now.toISOString(), updated_at: now.toISOString() }).where('id', '=', id).execute();
    await trx.updateTable('sessions').set({ ended_at: now.toISOString() }).where('user_id', '=', id).where('ended_at', 'is', null).execute();
    await trx.deleteFrom('login_failures').where('username', '=', user.username).execute();
    await recordAudit(trx, ctx.dialect, now, { actor, action: 'user.reset-password', entity: 'user', entityId: id });
  });
}
