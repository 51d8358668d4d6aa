import { createHash, createHmac, randomBytes } from 'node:crypto';
import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2';
import { sql } from 'kysely';
import type { AppContext } from '../../context';
import { recordAudit } from '../../core/audit/audit.service';
import { runPrepared } from '../../core/db/prepared';
import { sharedRead } from '../../core/db/shared-read';
import { defaultScopeOf, permissionsOf, systemActor, type Actor } from '../../core/http/access';
import { AppError, fieldError } from '../../core/http/errors';
import { isStrongPassword } from './password-policy';

// @node-rs/argon2's Algorithm is a const enum (unusable with isolatedModules); 2 is Argon2id.
const ARGON2ID = 2;

export const SESSION_COOKIE = 'zt_session';
export const SESSION_IDLE_MS = 30 * 60 * 1000;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;
export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 15 * 60 * 1000;
// Session rows are touched at most this often, so reads do not turn into writes on every request.
const TOUCH_INTERVAL_MS = 30 * 1000;

// Verified against when the user does not exist, so timing does not reveal which names are taken.
let dummyHash: Promise<string> | null = null;

export function hashPassword(password: string): Promise<string> {
  return argonHash(password, { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 });
}

export function assertPasswordPolicy(password: string, field = 'password'): void {
  if (!isStrongPassword(password)) throw fieldError(field, {
    zh: '密码至少 10 位，且包含大写字母、小写字母、数字、符号中的三类',
    en: 'needs at least 10 characters from 3 of: upper case, lower case, digits, symbols',
  }, 'PASSWORD_POLICY');
}

function sessionIdHash(ctx: AppContext, token: string): string {
  return createHmac('sha256', ctx.config.sessionSecret).update(token).digest('hex');
}

export function apiTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface LoginResult {
  sessionToken: string;
  actor: Actor;
  expiresAt: Date;
}

/** 登录 log in: counts attempts per typed name (existing or not) and locks after five failures. */
export async function login(ctx: AppContext, input: { username: string; password: string; ip: string | null; userAgent: string | null }): Promise<LoginResult> {
  const now = ctx.clock.now();
  const name = input.username.trim().toLowerCase();
  const { attempt, lockedUntil } = await reserveAttempt(ctx, name, now);
  if (lockedUntil) throw new AppError('AUTH_ACCOUNT_LOCKED', { extra: { lockedUntil } });
  const user = await ctx.db.selectFrom('users').selectAll().where('username', '=', name).executeTakeFirst();
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  const ok = await argonVerify(user?.password_hash ?? (await dummyHash), input.password).catch(() => false);
  if (!user || !ok || user.is_service_account) {
    const locked = attempt >= MAX_FAILED_LOGINS ? await lockName(ctx, name, now) : null;
    await ctx.db.transaction().execute((trx) =>
      recordAudit(trx, ctx.dialect, now, {
        actor: { ...systemActor(name.slice(0, 64)), ip: input.ip }, action: 'auth.login-failed', entity: 'user', entityId: user?.id ?? null,
      }),
    );
    if (locked) throw new AppError('AUTH_ACCOUNT_LOCKED', { extra: { lockedUntil: locked } });
    throw new AppError('AUTH_INVALID_CREDENTIALS');
  }
  if (user.disabled) throw new AppError('AUTH_ACCOUNT_DISABLED');

  const sessionToken = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_ABSOLUTE_MS);
  await ctx.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('login_failures').where('username', '=', name).execute();
    await trx.insertInto('sessions').values({
      id_hash: sessionIdHash(ctx, sessionToken), user_id: user.id, csrf_token: csrfToken, created_at: now.toISOString(),
      last_seen_at: now.toISOString(), expires_at: expiresAt.toISOString(), ended_at: null, ip: input.ip, user_agent: input.userAgent?.slice(0, 300) ?? null,
    }).execute();
    await trx.updateTable('users').set({ last_login_at: now.toISOString() }).where('id', '=', user.id).execute();
    await recordAudit(trx, ctx.dialect, now, { actor: { ...systemActor(user.username), userId: user.id, ip: input.ip }, action: 'auth.login', entity: 'user', entityId: user.id });
  });
  const actor = await loadActor(ctx, user.id, 'session', input.ip);
  if (!actor) throw new AppError('AUTH_INVALID_CREDENTIALS');
  return { sessionToken, actor: { ...actor, csrfToken }, expiresAt };
}

/**
 * Takes a number for this attempt before the password is checked: were failures only counted after the
 * (slow) check, a burst of parallel guesses would all be checked before the first failure was written.
 * Returns the lock in force, if any; an attempt past the fifth is refused unchecked and locks the name.
 */
async function reserveAttempt(ctx: AppContext, name: string, now: Date): Promise<{ attempt: number; lockedUntil: string | null }> {
  const iso = now.toISOString();
  const row = await ctx.db.insertInto('login_failures').values({ username: name, failed_count: 1, last_failed_at: iso, locked_until: null })
    .onConflict((oc) => oc.column('username').doUpdateSet({
      // While a lock runs nothing moves; a lock that has run out starts a fresh count.
      failed_count: sql<number>`case when login_failures.locked_until is null then login_failures.failed_count + 1 when login_failures.locked_until <= ${iso} then 1 else login_failures.failed_count end`,
      locked_until: sql<string | null>`case when login_failures.locked_until <= ${iso} then null else login_failures.locked_until end`,
      last_failed_at: iso,
    }))
    .returning(['failed_count', 'locked_until']).executeTakeFirstOrThrow();
  if (row.locked_until) return { attempt: row.failed_count, lockedUntil: row.locked_until };
  if (row.failed_count > MAX_FAILED_LOGINS) return { attempt: row.failed_count, lockedUntil: await lockName(ctx, name, now) };
  return { attempt: row.failed_count, lockedUntil: null };
}

/** Locks a name for 15 minutes, or keeps the lock a parallel attempt set first; returns when it ends. */
async function lockName(ctx: AppContext, name: string, now: Date): Promise<string> {
  const until = new Date(now.getTime() + LOCKOUT_MS).toISOString();
  await ctx.db.updateTable('login_failures').set({ locked_until: until }).where('username', '=', name).where('locked_until', 'is', null).execute();
  const row = await ctx.db.selectFrom('login_failures').select('locked_until').where('username', '=', name).executeTakeFirst();
  return row?.locked_until ?? until;
}

export async function logout(ctx: AppContext, actor: Actor): Promise<void> {
  if (!actor.sessionId) return;
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('sessions').set({ ended_at: now.toISOString() }).where('id_hash', '=', actor.sessionId!).execute();
    await recordAudit(trx, ctx.dialect, now, { actor, action: 'auth.logout', entity: 'user', entityId: actor.userId });
  });
}

/** Builds the actor for a user id: roles, permissions, unit path. Null when the user is gone or disabled. */
export async function loadActor(ctx: AppContext, userId: number, via: Actor['via'], ip: string | null): Promise<Actor | null> {
  const user = await ctx.db.selectFrom('users').innerJoin('units', 'units.id', 'users.unit_id')
    .select(['users.id', 'users.username', 'users.display_name', 'users.unit_id', 'users.data_scope', 'users.disabled', 'users.must_change_password', 'units.path'])
    .where('users.id', '=', userId).executeTakeFirst();
  if (!user || user.disabled) return null;
  const roles = (await ctx.db.selectFrom('user_roles').select('role').where('user_id', '=', userId).execute()).map((r) => r.role);
  return {
    userId: user.id, username: user.username, displayName: user.display_name, unitId: user.unit_id, unitPath: user.path,
    roles, permissions: permissionsOf(roles), dataScope: user.data_scope ?? defaultScopeOf(roles), via, ip,
    ...(user.must_change_password ? { mustChangePassword: true } : {}),
  };
}

interface TokenActorRow {
  token_id: number;
  revoked_at: string | null;
  last_used_at: string | null;
  user_id: number;
  username: string;
  display_name: string;
  unit_id: number;
  data_scope: Actor['dataScope'] | null;
  disabled: number;
  path: string;
  /** The user's roles joined by commas (role names are identifiers). */
  roles: string | null;
}

/** An API token with what loadActor reads for its user; no row when the token, its user or the user's unit is missing. */
const tokenActorSql = (dialect: AppContext['dialect']) => `select t.id as token_id, t.revoked_at, t.last_used_at,
    u.id as user_id, u.username, u.display_name, u.unit_id, u.data_scope, u.disabled, un.path,
    (select ${dialect === 'sqlite' ? "group_concat(r.role, ',')" : "string_agg(r.role, ',')"} from user_roles r where r.user_id = u.id) as roles
  from api_tokens t inner join users u on u.id = t.user_id inner join units un on un.id = u.unit_id
  where t.token_hash = ?`;

/** Resolves the credential a request carries: a bearer API token, or the session cookie. */
export async function authenticate(ctx: AppContext, cred: { bearer?: string; cookie?: string; ip: string | null }): Promise<{ actor: Actor | null; error: 'AUTH_REQUIRED' | 'AUTH_SESSION_EXPIRED' | null }> {
  const now = ctx.clock.now();
  if (cred.bearer) {
    // Every API call runs this: token, user, unit and roles in one prepared statement. The token row is
    // never cached, so a revocation takes effect on the next request; calls with the same token that arrive
    // while its read is on the way share that read, and the touch of its last use that follows it
    // (sharedRead: an integration that sends the hotline's accepts over many connections with one token
    // makes one read per burst, not one per call, and one touch, not one per call that saw the old time).
    const hash = apiTokenHash(cred.bearer);
    const tok = await sharedRead(ctx.database, `api-token:${hash}`, async () => {
      const [row] = await ctx.db.connection().execute((conn) => runPrepared<TokenActorRow>(conn, ctx.database, tokenActorSql(ctx.dialect), [hash]));
      if (row && !row.revoked_at && (!row.last_used_at || now.getTime() - new Date(row.last_used_at).getTime() > TOUCH_INTERVAL_MS)) {
        await ctx.db.updateTable('api_tokens').set({ last_used_at: now.toISOString() }).where('id', '=', row.token_id).execute();
      }
      return row;
    });
    if (!tok || tok.revoked_at || tok.disabled) return { actor: null, error: 'AUTH_REQUIRED' };
    const roles = tok.roles ? tok.roles.split(',').sort() : [];
    const actor: Actor = {
      userId: tok.user_id, username: tok.username, displayName: tok.display_name, unitId: tok.unit_id, unitPath: tok.path,
      roles, permissions: permissionsOf(roles), dataScope: tok.data_scope ?? defaultScopeOf(roles), via: 'token', ip: cred.ip,
    };
    return { actor, error: null };
  }
  if (cred.cookie) {
    const idHash = sessionIdHash(ctx, cred.cookie);
    // A screen asks for several things at once: its calls share the session's read, the touch of its last use
    // and the read of its user (sharedRead, as API tokens do). Each call still judges the session by its own
    // clock, and acts from its own address.
    const { s, actor } = await sharedRead(ctx.database, `session:${idHash}`, async () => {
      const row = await ctx.db.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
      if (!row || row.ended_at || sessionLapsed(row, now)) return { s: row, actor: null };
      if (now.getTime() - new Date(row.last_seen_at).getTime() > TOUCH_INTERVAL_MS) {
        await ctx.db.updateTable('sessions').set({ last_seen_at: now.toISOString() }).where('id_hash', '=', idHash).execute();
      }
      return { s: row, actor: await loadActor(ctx, row.user_id, 'session', null) };
    });
    if (!s || s.ended_at || sessionLapsed(s, now)) return { actor: null, error: s ? 'AUTH_SESSION_EXPIRED' : 'AUTH_REQUIRED' };
    if (!actor) return { actor: null, error: 'AUTH_REQUIRED' };
    return { actor: { ...actor, ip: cred.ip, sessionId: idHash, csrfToken: s.csrf_token }, error: null };
  }
  return { actor: null, error: null };
}

type SessionTimes = { last_seen_at: string; expires_at: string };

/** When a session lapses unless used again (ms): after SESSION_IDLE_MS idle, or at its absolute end, whichever comes first. */
function sessionEndsAt(s: SessionTimes): number {
  return Math.min(new Date(s.last_seen_at).getTime() + SESSION_IDLE_MS, new Date(s.expires_at).getTime());
}

/** Whether a session has lapsed at `now` (an ended one is checked apart). */
function sessionLapsed(s: SessionTimes, now: Date): boolean {
  return now.getTime() >= sessionEndsAt(s);
}

export async function sessionExpiry(ctx: AppContext, sessionId: string | undefined): Promise<string | null> {
  if (!sessionId) return null;
  const s = await ctx.db.selectFrom('sessions').select(['expires_at', 'last_seen_at']).where('id_hash', '=', sessionId).executeTakeFirst();
  return s ? new Date(sessionEndsAt(s)).toISOString() : null;
}

/** 修改密码 change one's own password; other sessions of the user end. */
export async function changePassword(ctx: AppContext, actor: Actor, currentPassword: string, newPassword: string): Promise<void> {
  const user = await ctx.db.selectFrom('users').select(['id', 'password_hash']).where('id', '=', actor.userId!).executeTakeFirstOrThrow();
  if (!(await argonVerify(user.password_hash, currentPassword).catch(() => false))) throw fieldError('currentPassword', { zh: '当前密码不正确', en: 'is wrong' }, 'PASSWORD_WRONG');
  assertPasswordPolicy(newPassword, 'newPassword');
  if (newPassword === currentPassword) throw fieldError('newPassword', { zh: '新密码不能与当前密码相同', en: 'must differ from the current password' }, 'PASSWORD_POLICY');
  const passwordHash = await hashPassword(newPassword);
  const now = ctx.clock.now().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ password_hash: passwordHash, password_changed_at: now, must_change_password: 0, updated_at: now }).where('id', '=', user.id).execute();
    let q = trx.updateTable('sessions').set({ ended_at: now }).where('user_id', '=', user.id).where('ended_at', 'is', null);
    if (actor.sessionId) q = q.where('id_hash', '!=', actor.sessionId);
    await q.execute();
    await recordAudit(trx, ctx.dialect, new Date(now), { actor, action: 'auth.password-change', entity: 'user', entityId: user.id });
  });
}

// —— API tokens ——

export async function createApiToken(ctx: AppContext, actor: Actor, input: { name: string; userId: number }): Promise<{ id: number; name: string; token: string }> {
  const user = await ctx.db.selectFrom('users').select(['id', 'username']).where('id', '=', input.userId).executeTakeFirst();
  if (!user) throw fieldError('userId', { zh: '用户不存在', en: 'no such user' });
  const token = `zt_${randomBytes(30).toString('base64url')}`;
  const now = ctx.clock.now();
  const id = await ctx.db.transaction().execute(async (trx) => {
    const row = await trx.insertInto('api_tokens').values({
      name: input.name, user_id: user.id, token_hash: apiTokenHash(token), created_by: actor.userId, created_at: now.toISOString(), last_used_at: null, revoked_at: null,
    }).returning('id').executeTakeFirstOrThrow();
    await recordAudit(trx, ctx.dialect, now, { actor, action: 'token.create', entity: 'api_token', entityId: row.id, after: { name: input.name, user: user.username } });
    return row.id;
  });
  return { id, name: input.name, token };
}

export async function listApiTokens(ctx: AppContext) {
  const rows = await ctx.db.selectFrom('api_tokens').innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select(['api_tokens.id', 'api_tokens.name', 'api_tokens.user_id', 'users.username', 'api_tokens.created_at', 'api_tokens.last_used_at', 'api_tokens.revoked_at'])
    .orderBy('api_tokens.id', 'desc').execute();
  return rows.map((r) => ({ id: r.id, name: r.name, userId: r.user_id, username: r.username, createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at }));
}

export async function revokeApiToken(ctx: AppContext, actor: Actor, id: number): Promise<void> {
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const tok = await trx.selectFrom('api_tokens').select(['id', 'name', 'revoked_at']).where('id', '=', id).executeTakeFirst();
    if (!tok) throw new AppError('NOT_FOUND');
    if (tok.revoked_at) return;
    await trx.updateTable('api_tokens').set({ revoked_at: now.toISOString() }).where('id', '=', id).execute();
    await recordAudit(trx, ctx.dialect, now, { actor, action: 'token.revoke', entity: 'api_token', entityId: id, before: { revokedAt: null }, after: { revokedAt: now.toISOString() } });
  });
}
