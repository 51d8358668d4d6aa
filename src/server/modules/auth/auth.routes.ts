import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context';
import type { Actor } from '../../core/http/access';
import { ErrorReply, IdParams } from '../../core/http/schemas';
import { ChangePasswordBody, CreateTokenBody, LoginBody, MeReply, TokenItem } from './auth.schema';
import * as auth from './auth.service';

const tags = ['auth'];

async function buildMe(ctx: AppContext, actor: Actor) {
  const row = await ctx.db.selectFrom('users').innerJoin('units', 'units.id', 'users.unit_id')
    .select(['users.must_change_password', 'units.id as unitId', 'units.code', 'units.name', 'units.kind'])
    .where('users.id', '=', actor.userId!).executeTakeFirstOrThrow();
  return {
    user: {
      id: actor.userId!, username: actor.username, displayName: actor.displayName, unitId: row.unitId, roles: actor.roles,
      dataScope: actor.dataScope, mustChangePassword: !!row.must_change_password,
    },
    unit: { id: row.unitId, code: row.code, name: row.name, kind: row.kind },
    permissions: [...actor.permissions].sort(),
    csrfToken: actor.csrfToken ?? '',
    sessionExpiresAt: await auth.sessionExpiry(ctx, actor.sessionId),
  };
}

function cookieOptions(ctx: AppContext) {
  return { path: '/', httpOnly: true, sameSite: 'strict' as const, secure: ctx.config.isProduction };
}

/** Resolves the caller on every request; routes then check permissions by their config. */
export function installAuthentication(app: FastifyInstance, ctx: AppContext): void {
  app.addHook('onRequest', async (req: FastifyRequest) => {
    const header = req.headers.authorization;
    const bearer = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const cookie = req.cookies?.[auth.SESSION_COOKIE];
    if (!bearer && !cookie) return;
    const { actor, error } = await auth.authenticate(ctx, { bearer, cookie, ip: req.ip });
    req.actor = actor;
    req.authError = error;
  });
}

export async function authRoutes(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post('/auth/login', {
    config: { permission: 'public' },
    schema: { tags, summary: '登录 Log in', body: LoginBody, response: { 200: MeReply, 401: ErrorReply, 423: ErrorReply } },
  }, async (req, reply) => {
    const result = await auth.login(ctx, { ...req.body, ip: req.ip, userAgent: req.headers['user-agent'] ?? null });
    reply.setCookie(auth.SESSION_COOKIE, result.sessionToken, { ...cookieOptions(ctx), expires: result.expiresAt });
    const me = await buildMe(ctx, { ...result.actor, sessionId: undefined });
    return { ...me, sessionExpiresAt: new Date(Math.min(result.expiresAt.getTime(), ctx.clock.now().getTime() + auth.SESSION_IDLE_MS)).toISOString() };
  });

  r.post('/auth/logout', {
    config: { permission: 'authenticated', duringPasswordChange: true },
    schema: { tags, summary: '退出 Log out', response: { 204: Type.Null() } },
  }, async (req, reply) => {
    await auth.logout(ctx, req.actor!);
    reply.clearCookie(auth.SESSION_COOKIE, cookieOptions(ctx));
    return reply.status(204).send(null);
  });

  r.get('/auth/me', {
    config: { permission: 'authenticated', duringPasswordChange: true },
    schema: { tags, summary: '当前用户 The caller: user, unit, roles, permissions', response: { 200: MeReply, 401: ErrorReply } },
  }, async (req) => buildMe(ctx, req.actor!));

  r.post('/auth/password', {
    config: { permission: 'authenticated', duringPasswordChange: true },
    schema: { tags, summary: '修改密码 Change own password', body: ChangePasswordBody, response: { 204: Type.Null(), 400: ErrorReply } },
  }, async (req, reply) => {
    await auth.changePassword(ctx, req.actor!, req.body.currentPassword, req.body.newPassword);
    return reply.status(204).send(null);
  });

  r.get('/tokens', {
    config: { permission: 'tokens.manage' },
    schema: { tags: ['tokens'], summary: 'API 令牌列表 API tokens', response: { 200: Type.Object({ items: Type.Array(TokenItem), total: Type.Integer() }) } },
  }, async () => {
    const items = await auth.listApiTokens(ctx);
    return { items, total: items.length };
  });

  r.post('/tokens', {
    config: { permission: 'tokens.manage' },
    schema: {
      tags: ['tokens'], summary: '创建 API 令牌 Create an API token (shown once)', body: CreateTokenBody,
      response: { 201: Type.Object({ id: Type.Integer(), name: Type.String(), token: Type.String() }) },
    },
  }, async (req, reply) => {
    const created = await auth.createApiToken(ctx, req.actor!, { name: req.body.name, userId: req.body.userId ?? req.actor!.userId! });
    return reply.status(201).send(created);
  });

  r.delete('/tokens/:id', {
    config: { permission: 'tokens.manage' },
    schema: { tags: ['tokens'], summary: '吊销 API 令牌 Revoke an API token', params: IdParams, response: { 204: Type.Null(), 404: ErrorReply } },
  }, async (req, reply) => {
    await auth.revokeApiToken(ctx, req.actor!, req.params.id);
    return reply.status(204).send(null);
  });
}
