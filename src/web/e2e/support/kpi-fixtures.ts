/**
 * API sessions and request fixtures for the KPI and reference-data browser tests: the same calls a
 * person makes through the screens, so every figure the dashboard shows comes from real handling.
 */
import { DEMO_PASSWORD } from './zhengtong';

export interface ApiSession {
  username: string;
  call<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
}

/** Logs in with the password form (cookie + CSRF token), as the browser does. */
export async function apiLogin(baseUrl: string, username: string, password = DEMO_PASSWORD): Promise<ApiSession> {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`login ${username}: HTTP ${res.status} ${await res.text()}`);
  const me = (await res.json()) as { csrfToken: string };
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return {
    username,
    async call<T>(method: string, path: string, body?: unknown): Promise<T> {
      const headers: Record<string, string> = { cookie, 'x-csrf-token': me.csrfToken, accept: 'application/json' };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const r = await fetch(`${baseUrl}/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await r.text();
      if (!r.ok) throw new Error(`${method} ${path} as ${username}: HTTP ${r.status} ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    },
  };
}

interface Unit {
  id: number;
  code: string;
  name: string;
}

export interface KpiWorld {
  agent: ApiSession;
  dispatcher: ApiSession;
  handler: ApiSession;
  donghuId: number;
  channelId: number;
}

export async function kpiWorld(baseUrl: string): Promise<KpiWorld> {
  const [agent, dispatcher, handler] = await Promise.all([apiLogin(baseUrl, 'agent1'), apiLogin(baseUrl, 'dispatcher1'), apiLogin(baseUrl, 'donghu.handler1')]);
  const units = await dispatcher.call<{ items: Unit[] }>('GET', '/units');
  const donghu = units.items.find((u) => u.code === 'QC-D01');
  if (!donghu) throw new Error('demo city: 东湖区 (QC-D01) missing');
  const channels = await agent.call<{ items: Array<{ id: number; family: string; active: boolean }> }>('GET', '/catalog/channels');
  const phone = channels.items.find((c) => c.family === 'phone' && c.active);
  if (!phone) throw new Error('demo city: no active phone channel');
  return { agent, dispatcher, handler, donghuId: donghu.id, channelId: phone.id };
}

type Detail = { id: number };

async function act(s: ApiSession, id: number, action: string, body: Record<string, unknown> = {}) {
  return s.call<Detail>('POST', `/requests/${id}/actions/${action}`, body);
}

/** How far a fixture request goes through its life. */
export type Stage = 'accepted' | 'dispatched' | 'returned' | 'signed' | 'closed';

export async function buildRequest(
  w: KpiWorld,
  stage: Stage,
  opts: { type?: string; callback?: { resolved: boolean; satisfaction: 'satisfied' | 'basic' | 'dissatisfied' } } = {},
): Promise<number> {
  const r = await w.agent.call<Detail>('POST', '/requests', {
    channelId: w.channelId,
    type: opts.type ?? 'complaint',
    title: '小区楼道灯长期不亮',
    content: '东湖区花园街道幸福小区3栋楼道灯坏了一个月，物业不修。',
    districtId: w.donghuId,
    address: '幸福小区3栋',
    requester: { name: '张三', phone: '13812345678' },
  });
  if (stage === 'accepted') return r.id;
  await act(w.dispatcher, r.id, 'dispatch', { leadUnitId: w.donghuId });
  if (stage === 'dispatched') return r.id;
  if (stage === 'returned') {
    await act(w.handler, r.id, 'return', { reason: '不属于本单位职责' });
    return r.id;
  }
  await act(w.handler, r.id, 'sign');
  if (stage === 'signed') return r.id;
  await act(w.handler, r.id, 'reply', { result: 'resolved', text: '已协调物业更换楼道灯，现已恢复照明。' });
  await act(w.dispatcher, r.id, 'review', { decision: 'accept' });
  await act(w.agent, r.id, 'callback', { reached: true, ...(opts.callback ?? { resolved: true, satisfaction: 'satisfied' }) });
  await act(w.dispatcher, r.id, 'close');
  return r.id;
}
