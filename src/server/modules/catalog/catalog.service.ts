import type { AppContext } from '../../context';
import { recordAudit } from '../../core/audit/audit.service';
import type { DeadlineUnit } from '../../core/calendar';
import type { Tx } from '../../core/db/database';
import type { Actor } from '../../core/http/access';
import { fieldError, notFound } from '../../core/http/errors';
import * as repo from './catalog.repository';
import { buildXlsx } from '../../core/xlsx';
import { URGENCY_NAMES, type ChannelFamily, type Urgency } from './catalog.tables';

// ── channels 渠道 ─────────────────────────────────────────────────────────────────────────────────

const CHANNEL = { zh: '渠道', en: 'Channel' };
const FAMILY_NAMES: Record<ChannelFamily, string> = { phone: '电话', network: '网络' };

export async function listChannels(ctx: AppContext, filter: Parameters<typeof repo.listChannels>[1]) {
  return (await repo.listChannels(ctx.db, filter)).map(repo.toChannel);
}

export async function getChannel(ctx: AppContext, id: number) {
  const row = await repo.findChannel(ctx.db, id);
  if (!row) throw notFound(CHANNEL);
  return repo.toChannel(row);
}

/** A channel by its code ('phone', 'web', 'open311', …), for intake code that knows where a request came from. */
export async function getChannelByCode(db: Tx, code: string): Promise<repo.Channel | null> {
  const row = await repo.findChannelByCode(db, code);
  return row ? repo.toChannel(row) : null;
}

export async function createChannel(ctx: AppContext, actor: Actor, input: { code: string; name: string; family: ChannelFamily; sortOrder?: number }) {
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    if (await repo.findChannelByCode(trx, input.code)) throw fieldError('code', { zh: '渠道编码已被使用', en: 'is already used by another channel' }, 'CONFLICT');
    const row = await repo.insertChannel(trx, {
      code: input.code, name: input.name.trim(), family: input.family, active: 1, sort_order: input.sortOrder ?? 0,
      created_at: now.toISOString(), updated_at: now.toISOString(),
    });
    const channel = repo.toChannel(row);
    await recordAudit(trx, ctx.dialect, now, { actor, action: 'channel.create', entity: 'channel', entityId: row.id, after: channel });
    return channel;
  });
}

/** Channels are never deleted: each request keeps its original channel. Deactivate instead. */
export async function updateChannel(ctx: AppContext, actor: Actor, id: number, patch: { code?: string; name?: string; family?: ChannelFamily; active?: boolean; sortOrder?: number }) {
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const before = await repo.findChannel(trx, id);
    if (!before) throw notFound(CHANNEL);
    if (patch.code !== undefined && patch.code !== before.code && (await repo.findChannelByCode(trx, patch.code))) {
      throw fieldError('code', { zh: '渠道编码已被使用', en: 'is already used by another channel' }, 'CONFLICT');
    }
    await repo.updateChannel(trx, id, {
      ...(patch.code !== undefined && { code: patch.code }),
      ...(patch.name !== undefined && { name: patch.name.trim() }),
      ...(patch.family !== undefined && { family: patch.family }),
      ...(patch.active !== undefined && { active: patch.active ? 1 : 0 }),
      ...(patch.sortOrder !== undefined && { sort_order: patch.sortOrder }),
      updated_at: now.toISOString(),
    });
    const after = repo.toChannel((await repo.findChannel(trx, id))!);
    await recordAudit(trx, ctx.dialect, now, { actor, action: 'channel.update', entity: 'channel', entityId: id, before: repo.toChannel(before), after });
    return after;
  });
}

export async function exportChannelsXlsx(ctx: AppContext): Promise<Buffer> {
  return buildXlsx<repo.ChannelRow>('渠道 channels', [
    { header: '编码 code', width: 20, value: (c) => c.code },
    { header: '名称 name', width: 28, value: (c) => c.name },
    { header: '类别 family', width: 10, value: (c) => FAMILY_NAMES[c.family] ?? c.family },
    { header: '排序 sortOrder', width: 10, value: (c) => c.sort_order },
    { header: '状态 active', width: 10, value: (c) => (c.active ? '是' : '否') },
  ], await repo.listChannels(ctx.db));
}

// ── request types 诉求类型 ────────────────────────────────────────────────────────────────────────

export async function listRequestTypes(ctx: AppContext) {
  return (await repo.listRequestTypes(ctx.db)).map(repo.toRequestType);
}

// ── time limits 办理时限 ──────────────────────────────────────────────────────────────────────────

export interface Duration {
  amount: number;
  unit: DeadlineUnit;
}

export interface TimeLimits {
  /** Null only when no row exists and the built-in default was used. */
  id: number | null;
  /** Null = the row applies to any request type. */
  requestType: string | null;
  urgency: Urgency;
  /** 签收 sign-for, from dispatch. */
  sign: Duration;
  /** 回复 reply, from acceptance. */
  reply: Duration;
  /** 延期 the most one extension may add. */
  extensionMax: Duration;
  /** Whether the clock stops while an extension request waits for approval. */
  pauseOnExtension: boolean;
}

const TEN_WORKING_DAYS: Duration = { amount: 10, unit: 'working-days' };
/** The same defaults the migration writes; used only if an admin's table lacks a row. */
export const DEFAULT_TIME_LIMITS: Record<Urgency, Omit<TimeLimits, 'id' | 'requestType' | 'urgency'>> = {
  normal: { sign: { amount: 2, unit: 'working-hours' }, reply: { amount: 5, unit: 'working-days' }, extensionMax: TEN_WORKING_DAYS, pauseOnExtension: false },
  urgent: { sign: { amount: 2, unit: 'working-hours' }, reply: { amount: 24, unit: 'calendar-hours' }, extensionMax: TEN_WORKING_DAYS, pauseOnExtension: false },
  emergency: { sign: { amount: 0.5, unit: 'calendar-hours' }, reply: { amount: 2, unit: 'calendar-hours' }, extensionMax: TEN_WORKING_DAYS, pauseOnExtension: false },
  complex: { sign: { amount: 2, unit: 'working-hours' }, reply: { amount: 15, unit: 'working-days' }, extensionMax: TEN_WORKING_DAYS, pauseOnExtension: false },
};

/** The limits for a request: a row for its type and urgency beats the row for any type with that urgency. */
export async function getTimeLimits(db: Tx, q: { type: string; urgency: Urgency }): Promise<TimeLimits> {
  const rows = await repo.timeLimitCandidates(db, q.type, q.urgency);
  const row = rows.find((r) => r.request_type === q.type) ?? rows.find((r) => r.request_type === null);
  if (row) return repo.toTimeLimits(row);
  return { id: null, requestType: null, urgency: q.urgency, ...DEFAULT_TIME_LIMITS[q.urgency] };
}

export async function listTimeLimits(ctx: AppContext): Promise<TimeLimits[]> {
  return (await repo.listTimeLimits(ctx.db)).map(repo.toTimeLimits);
}

/** Whole days count whole days; hours may be fractional (0.5 h = 30 min). Names the field that is wrong. */
function checkDuration(field: string, d: Duration): void {
  if (!(d.amount > 0)) throw fieldError(`${field}.amount`, { zh: '应大于 0', en: 'must be greater than 0' });
  if ((d.unit === 'working-days' || d.unit === 'calendar-days') && !Number.isInteger(d.amount)) {
    throw fieldError(`${field}.amount`, { zh: '天数应为整数', en: 'days must be a whole number' });
  }
}

interface TimeLimitValues {
  sign: Duration;
  reply: Duration;
  extensionMax: Duration;
  pauseOnExtension: boolean;
}

function checkValues(v: TimeLimitValues): void {
  checkDuration('sign', v.sign);
  checkDuration('reply', v.reply);
  checkDuration('extensionMax', v.extensionMax);
}

function valueColumns(v: TimeLimitValues) {
  return {
    sign_amount: v.sign.amount, sign_unit: v.sign.unit, reply_amount: v.reply.amount, reply_unit: v.reply.unit,
    extension_max_amount: v.extensionMax.amount, extension_max_unit: v.extensionMax.unit, pause_on_extension: v.pauseOnExtension ? 1 : 0,
  };
}

const TIME_LIMIT = { zh: '时限', en: 'Time limit' };

/** Replaces the values of one row (its type and urgency stay: they are what the row is for). */
export async function updateTimeLimit(ctx: AppContext, actor: Actor, id: number, v: TimeLimitValues): Promise<TimeLimits> {
  checkValues(v);
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const before = await repo.findTimeLimit(trx, id);
    if (!before) throw notFound(TIME_LIMIT);
    await repo.updateTimeLimit(trx, id, { ...valueColumns(v), updated_at: now.toISOString() });
    const after = repo.toTimeLimits((await repo.findTimeLimit(trx, id))!);
    await recordAudit(trx, ctx.dialect, now, { actor, action: 'time_limit.update', entity: 'time_limit', entityId: id, before: repo.toTimeLimits(before), after });
    return after;
  });
}

/** Adds a row for one request type (e.g. complaints answered in 3 working days), overriding the any-type row. */
export async function createTimeLimit(ctx: AppContext, actor: Actor, input: TimeLimitValues & { requestType: string; urgency: Urgency }): Promise<TimeLimits> {
  checkValues(input);
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const types = await repo.listRequestTypes(trx);
    if (!types.some((t) => t.code === input.requestType)) throw fieldError('requestType', { zh: '诉求类型不存在', en: 'no such request type' });
    if (await repo.findTimeLimitFor(trx, input.requestType, input.urgency)) {
      throw fieldError('urgency', { zh: '该类型与紧急程度已有时限', en: 'a row for this type and urgency already exists' }, 'CONFLICT');
    }
    const row = await repo.insertTimeLimit(trx, { request_type: input.requestType, urgency: input.urgency, ...valueColumns(input), updated_at: now.toISOString() });
    const after = repo.toTimeLimits(row);
    await recordAudit(trx, ctx.dialect, now, { actor, action: 'time_limit.create', entity: 'time_limit', entityId: row.id, after });
    return after;
  });
}

/** Removes a type-specific row; the any-type rows are the floor every request falls back to and stay. */
export async function deleteTimeLimit(ctx: AppContext, actor: Actor, id: number): Promise<void> {
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const before = await repo.findTimeLimit(trx, id);
    if (!before) throw notFound(TIME_LIMIT);
    if (before.request_type === null) throw fieldError('id', { zh: '通用时限不能删除，只能修改', en: 'a row for any request type cannot be deleted, only changed' });
    await repo.deleteTimeLimit(trx, id);
    await recordAudit(trx, ctx.dialect, now, { actor, action: 'time_limit.delete', entity: 'time_limit', entityId: id, before: repo.toTimeLimits(before) });
  });
}

const UNIT_NAMES: Record<DeadlineUnit, string> = { 'working-days': '工作日', 'working-hours': '工作小时', 'calendar-hours': '自然小时', 'calendar-days': '自然日' };

export async function exportTimeLimitsXlsx(ctx: AppContext): Promise<Buffer> {
  const types = new Map((await repo.listRequestTypes(ctx.db)).map((t) => [t.code, t.name]));
  const fmt = (d: Duration) => `${d.amount} ${UNIT_NAMES[d.unit] ?? d.unit}`;
  return buildXlsx<TimeLimits>('办理时限 time limits', [
    { header: '诉求类型 requestType', width: 14, value: (t) => (t.requestType ? types.get(t.requestType) ?? t.requestType : '（任意）') },
    { header: '紧急程度 urgency', width: 12, value: (t) => URGENCY_NAMES[t.urgency]?.zh ?? t.urgency },
    { header: '签收时限 sign', width: 16, value: (t) => fmt(t.sign) },
    { header: '回复时限 reply', width: 16, value: (t) => fmt(t.reply) },
    { header: '最长延期 extensionMax', width: 16, value: (t) => fmt(t.extensionMax) },
    { header: '延期审批期间暂停计时 pauseOnExtension', width: 20, value: (t) => (t.pauseOnExtension ? '是' : '否') },
  ], await listTimeLimits(ctx));
}
