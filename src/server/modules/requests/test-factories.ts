import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context';
import { tokenSession, unitIdByCode, type Session } from '../../test/harness';

/** Test factories named by the state they leave a request in, through the real API. */
export interface RequestWorld {
  app: FastifyInstance;
  ctx: AppContext;
  agent: Session;
  dispatcher: Session;
  handler: Session;
  phoneChannelId: number;
  donghuId: number;
}

export async function createWorld(app: FastifyInstance, ctx: AppContext): Promise<RequestWorld> {
  const [agent, dispatcher, handler] = [await tokenSession(app, ctx, 'agent1'), await tokenSession(app, ctx, 'dispatcher1'), await tokenSession(app, ctx, 'donghu.handler1')];
  const channel = await ctx.db.selectFrom('channels').select('id').where('family', '=', 'phone').where('active', '=', 1).orderBy('id').executeTakeFirstOrThrow();
  return { app, ctx, agent, dispatcher, handler, phoneChannelId: channel.id, donghuId: await unitIdByCode(ctx, 'QC-D01') };
}

export async function buildAcceptedRequest(w: RequestWorld, extra: Record<string, unknown> = {}) {
  const res = await w.agent.post('/api/v1/requests', {
    channelId: w.phoneChannelId, type: 'complaint', title: '小区楼道灯长期不亮', content: '东湖区花园街道幸福小区3栋楼道灯坏了一个月，物业不修。',
    districtId: w.donghuId, address: '幸福小区3栋', requester: { name: '张三', phone: '13812345678' }, ...extra,
  });
  if (res.statusCode !== 201) throw new Error(`accept failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

export async function act(s: Session, id: number, action: string, body: Record<string, unknown> = {}) {
  const res = await s.post(`/api/v1/requests/${id}/actions/${action}`, body);
  if (res.statusCode !== 200) throw new Error(`${action} by ${s.username} failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

export async function buildDispatchedRequest(w: RequestWorld, extra: Record<string, unknown> = {}) {
  const r = await buildAcceptedRequest(w, extra);
  return act(w.dispatcher, r.id, 'dispatch', { leadUnitId: w.donghuId });
}

export async function buildSignedRequest(w: RequestWorld, extra: Record<string, unknown> = {}) {
  const r = await buildDispatchedRequest(w, extra);
  return act(w.handler, r.id, 'sign');
}

export async function buildRepliedRequest(w: RequestWorld, extra: Record<string, unknown> = {}) {
  const r = await buildSignedRequest(w, extra);
  return act(w.handler, r.id, 'reply', { result: 'resolved', text: '已协调物业更换楼道灯，现已恢复照明。' });
}

export async function buildAwaitingCallback(w: RequestWorld, extra: Record<string, unknown> = {}) {
  const r = await buildRepliedRequest(w, extra);
  return act(w.dispatcher, r.id, 'review', { decision: 'accept' });
}

/** A request through callback with the given answer, closed unless the callback asks for a redo. */
export async function buildClosedRequest(w: RequestWorld, callback: { resolved: boolean; satisfaction: 'satisfied' | 'basic' | 'dissatisfied' }, extra: Record<string, unknown> = {}) {
  const r = await buildAwaitingCallback(w, extra);
  await act(w.agent, r.id, 'callback', { reached: true, ...callback });
  return act(w.dispatcher, r.id, 'close');
}
