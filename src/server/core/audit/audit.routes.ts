import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context';
import { toPageRequest } from '../http/paging';
import { ErrorReply, Nullable, Page, PageQueryProps, Strict } from '../http/schemas';
import { ensureAuditHeadJob } from './audit.jobs';

const AuditItem = Type.Object({
  id: Type.Integer(), at: Type.String(), actorId: Nullable(Type.Integer()), actorName: Type.String(), ip: Nullable(Type.String()),
  action: Type.String(), entity: Type.String(), entityId: Nullable(Type.String()), diff: Nullable(Type.Unknown()),
});

const AuditQuery = Strict({
  ...PageQueryProps,
  actor: Type.Optional(Type.String({ maxLength: 64, description: 'User id or user name' })),
  entity: Type.Optional(Type.String({ maxLength: 64 })),
  entityId: Type.Optional(Type.String({ maxLength: 64 })),
  action: Type.Optional(Type.String({ maxLength: 64, description: 'Exact action, or a prefix ending in "." such as "user."' })),
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
});

/** Read-only: the trail has no write route at all. */
export async function auditRoutes(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  // The instance that runs the job worker logs the trail's head every night.
  if (ctx.config.runJobs) await ensureAuditHeadJob(ctx);
  r.get('/audit', {
    config: { permission: 'audit.read' },
    schema: { tags: ['audit'], summary: '审计日志 Audit trail, newest first', querystring: AuditQuery, response: { 200: Page(AuditItem), 400: ErrorReply } },
  }, async (req) => {
    const q = req.query;
    const page = toPageRequest(q, { at: 'id' as const }, '-at');
    let base = ctx.db.selectFrom('audit_log');
    if (q.actor) base = /^\d+$/.test(q.actor) ? base.where('actor_id', '=', Number(q.actor)) : base.where('actor_name', '=', q.actor.toLowerCase());
    if (q.entity) base = base.where('entity', '=', q.entity);
    if (q.entityId) base = base.where('entity_id', '=', q.entityId);
    if (q.action) base = q.action.endsWith('.') ? base.where('action', 'like', `${q.action}%`) : base.where('action', '=', q.action);
    if (q.from) base = base.where('at', '>=', new Date(q.from).toISOString());
    if (q.to) base = base.where('at', '<', new Date(q.to).toISOString());
    const [{ total }] = await base.select((eb) => eb.fn.countAll<number>().as('total')).execute();
    const rows = await base.selectAll().orderBy('id', page.sortDir).limit(page.pageSize).offset(page.offset).execute();
    return {
      items: rows.map((r) => ({ id: r.id, at: r.at, actorId: r.actor_id, actorName: r.actor_name, ip: r.ip, action: r.action, entity: r.entity, entityId: r.entity_id, diff: r.diff ? JSON.parse(r.diff) : null })),
      total: Number(total), page: page.page, pageSize: page.pageSize,
    };
  });
}
