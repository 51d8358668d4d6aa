import type { AppContext } from '../../context';
import { formatInstantWithOffset, toLocalDate, type DeadlineUnit, type WorkingCalendar } from '../../core/calendar';
import type { Tx } from '../../core/db/database';
import { can, grantPermissions, systemActor, type Actor } from '../../core/http/access';
import { AppError, fieldError } from '../../core/http/errors';
import { maskName, maskPhone } from '../../core/http/mask';
import { visibleUnitIds } from '../../core/http/scope';
import { cancelJob, registerJobHandler, scheduleJob } from '../../core/jobs';
import { indexRequest } from '../../core/search';
import { allowedActions, applyTransition, readTimeline, type TimelineEvent } from '../../core/workflow';
import { getWorkingCalendar } from '../calendar/calendar.service';
import { getTimeLimits, resolveDispatch } from '../catalog';
import { findUnit } from '../org/org.repository';
import { clockState, type DeadlineClock } from './request-rules';
import { isNonUserAction, requestWorkflow, type UserAction } from './request-workflow';
import * as repo from './requests.repository';
import { applyContributionDelta, currentContribution } from './requests.rollup';
import type { ReplyResult, RequestStatus, Satisfaction } from './requests.tables';

grantPermissions({
  admin: ['requests.read'],
  hotline_agent: ['requests.read', 'requests.accept', 'requests.callback', 'requests.personal', 'requests.confidential'],
  dispatcher: ['requests.read', 'requests.accept', 'requests.dispatch', 'requests.supervise', 'requests.callback', 'requests.stats', 'requests.personal', 'requests.confidential', 'requests.export'],
  unit_handler: ['requests.read', 'requests.handle'],
  unit_leader: ['requests.read', 'requests.handle', 'requests.stats', 'requests.export'],
  supervisor: ['requests.read', 'requests.supervise', 'requests.stats', 'requests.export'],
  leader: ['requests.read', 'requests.stats'],
  analyst: ['requests.read', 'requests.stats', 'requests.export'],
});

const NOT_FOUND = { message: { zh: '诉求不存在', en: 'Request not found' } };
export const CALLBACK_MAX_ATTEMPTS = 3;
const OPEN_STATES: RequestStatus[] = ['accepted', 'returned', 'dispatched', 'handling', 'replied', 'callback', 'visited'];

// —— accept 受理 (requests.intake.ts) ——

import type { AcceptedRequest } from './requests.intake';

export { acceptRequest, type AcceptedRequest, type AcceptInput, type AcceptOutcome, type OnAccepted } from './requests.intake';

/**
 * The detail of a request just accepted, as getRequest would read it back, built from what the accept
 * wrote: no orders, no attachments, the one creation event. Falls back to getRequest when the caller's
 * data scope needs the visibility check (a unit-scoped caller sees no order on it yet).
 */
export async function describeAcceptedRequest(ctx: AppContext, actor: Actor, accepted: AcceptedRequest) {
  if ((await visibleUnitIds(ctx, actor)) !== null) return getRequest(ctx, actor, accepted.row.id);
  const unitNames = new Map<number, string>();
  if (accepted.event.unitId != null && accepted.actorUnitName != null) unitNames.set(accepted.event.unitId, accepted.actorUnitName);
  return describeRequest(ctx, actor, accepted.row, { orders: [], timeline: [accepted.event], attachments: [], names: accepted.names, unitNames });
}

// —— reading ——

export function canSeeRequester(actor: Actor, r: { is_confidential: number }): boolean {
  if (!can(actor, 'requests.personal')) return false;
  return !r.is_confidential || can(actor, 'requests.confidential');
}

/** Whether the caller may see this request at all: centre roles see all; units see what was sent to them. */
async function assertVisible(ctx: AppContext, actor: Actor, r: repo.RequestRow): Promise<void> {
  const units = await visibleUnitIds(ctx, actor);
  if (units === null) return;
  const orders = await ctx.db.selectFrom('request_orders').select('unit_id').where('request_id', '=', r.id).execute();
  const unitSet = new Set(units);
  if (!orders.some((o) => unitSet.has(o.unit_id))) throw new AppError('NOT_FOUND', NOT_FOUND);
}

async function loadForActor(ctx: AppContext, actor: Actor, id: number): Promise<repo.RequestRow> {
  const r = await repo.findRequest(ctx.db, id);
  if (!r) throw new AppError('NOT_FOUND', NOT_FOUND);
  await assertVisible(ctx, actor, r);
  return r;
}

function iso(d: string | null, tz: string): string | null {
  return d ? formatInstantWithOffset(new Date(d), tz) : null;
}

export function deadlineClocks(r: repo.RequestRow, calendar: WorkingCalendar, now: Date): DeadlineClock[] {
  const clocks: DeadlineClock[] = [];
  const tz = calendar.timeZone;
  const stoppedAt = (d: string | null) => (d ? new Date(d) : null);
  const terminal = ['closed', 'merged', 'withdrawn'].includes(r.status);
  if (r.dispatched_at && r.sign_due_at) {
    const s = clockState(calendar, new Date(r.dispatched_at), new Date(r.sign_due_at), now, stoppedAt(r.signed_at) ?? (terminal ? stoppedAt(r.updated_at) : null));
    clocks.push({ name: 'sign', startedAt: iso(r.dispatched_at, tz)!, dueAt: iso(r.sign_due_at, tz)!, ...s });
  }
  if (r.dispatched_at && r.reply_due_at) {
    const s = clockState(calendar, new Date(r.dispatched_at), new Date(r.reply_due_at), now, stoppedAt(r.replied_at) ?? (terminal ? stoppedAt(r.updated_at) : null), !!r.extension_pending);
    clocks.push({ name: 'reply', startedAt: iso(r.dispatched_at, tz)!, dueAt: iso(r.reply_due_at, tz)!, ...s });
  }
  if (r.due_at) {
    const s = clockState(calendar, new Date(r.accepted_at), new Date(r.due_at), now, stoppedAt(r.closed_at) ?? (terminal ? stoppedAt(r.updated_at) : null));
    clocks.push({ name: 'overall', startedAt: iso(r.accepted_at, tz)!, dueAt: iso(r.due_at, tz)!, ...s });
  }
  return clocks;
}

export function toRequestSummary(r: repo.RequestRow & { unit_name?: string | null; category_path?: string | null; channel_name?: string | null; district_name?: string | null }, actor: Actor, tz: string, now: Date) {
  const show = canSeeRequester(actor, r);
  return {
    id: r.id, number: r.number, kind: r.kind, type: r.type, urgency: r.urgency, status: r.status, title: r.title,
    content: r.content.length > 200 ? `${r.content.slice(0, 200)}…` : r.content,
    channelId: r.channel_id, channelName: r.channel_name ?? null, categoryId: r.category_id, categoryPath: r.category_path ?? null,
    districtId: r.district_unit_id, districtName: r.district_name ?? null, address: r.address,
    leadUnitId: r.lead_unit_id, handlingUnitId: r.handling_unit_id, handlingUnitName: r.unit_name ?? null,
    requesterName: r.is_confidential && !show ? null : show ? r.requester_name : maskName(r.requester_name),
    requesterPhone: r.is_confidential && !show ? null : show ? r.requester_phone : maskPhone(r.requester_phone),
    isConfidential: !!r.is_confidential, isOverdue: !!r.is_overdue || (!!r.reply_due_at && !r.replied_at && OPEN_STATES.includes(r.status) && new Date(r.reply_due_at) <= now),
    acceptedAt: iso(r.accepted_at, tz)!, replyDueAt: iso(r.reply_due_at, tz), dueAt: iso(r.due_at, tz), closedAt: iso(r.closed_at, tz),
    version: r.version,
  };
}

type RequestNames = Awaited<ReturnType<typeof lookupNames>>;
type AttachmentRow = { id: number; filename: string; mime_type: string; size: number; sha256: string; purpose: string; created_at: string };

export async function getRequest(ctx: AppContext, actor: Actor, id: number) {
  const r = await loadForActor(ctx, actor, id);
  const [orders, timeline, attachments, names] = await Promise.all([
    repo.ordersOf(ctx.db, id),
    readTimeline(ctx.db, 'request', id),
    ctx.db.selectFrom('request_attachments').select(['id', 'filename', 'mime_type', 'size', 'sha256', 'purpose', 'created_at']).where('request_id', '=', id).orderBy('id').execute(),
    lookupNames(ctx, r),
  ]);
  return describeRequest(ctx, actor, r, { orders, timeline, attachments, names });
}

/** The request detail from its parts; `unitNames` may bring names already known (the rest are read). */
async function describeRequest(ctx: AppContext, actor: Actor, r: repo.RequestRow, parts: {
  orders: repo.OrderRow[]; timeline: TimelineEvent[]; attachments: AttachmentRow[]; names: RequestNames; unitNames?: Map<number, string>;
}) {
  const { orders, timeline, attachments, names } = parts;
  const now = ctx.clock.now();
  const tz = ctx.config.timeZone;
  // A request with no deadline yet (just accepted) has no clocks and needs no calendar.
  const needsCalendar = !!r.due_at || !!(r.dispatched_at && (r.sign_due_at || r.reply_due_at));
  const [calendar, sections] = await Promise.all([needsCalendar ? getWorkingCalendar(ctx) : null, loadDetailSections(ctx, actor, r)]);
  // Units named by the orders and by the timeline (the unit each step was taken in).
  const unitName = new Map(parts.unitNames);
  const unitIds = [...new Set([...orders.map((o) => o.unit_id), ...timeline.flatMap((e) => (e.unitId == null ? [] : [e.unitId]))])].filter((u) => !unitName.has(u));
  const units = unitIds.length ? await ctx.db.selectFrom('units').select(['id', 'name']).where('id', 'in', unitIds).execute() : [];
  for (const u of units) unitName.set(u.id, u.name);
  const show = canSeeRequester(actor, r);
  const hideRequester = !!r.is_confidential && !show;
  return {
    ...toRequestSummary({ ...r, ...names }, actor, tz, now),
    content: r.content,
    streetId: r.street_unit_id, lat: r.lat, lng: r.lng,
    requester: hideRequester ? null : {
      name: show ? r.requester_name : maskName(r.requester_name), phone: show ? r.requester_phone : maskPhone(r.requester_phone),
      anonymous: !!r.is_anonymous, masked: !show,
    },
    enterprise: r.enterprise_name ? { name: r.enterprise_name, creditCode: r.enterprise_credit_code } : null,
    isDirect: !!r.is_direct,
    reply: r.replied_at ? { result: r.reply_result, text: r.reply_text, at: iso(r.replied_at, tz) } : null,
    callback: { attempts: r.callback_attempts, resolved: r.callback_resolved == null ? null : !!r.callback_resolved, satisfaction: r.callback_satisfaction, unreachable: !!r.callback_unreachable, at: iso(r.callback_at, tz) },
    extension: { pending: !!r.extension_pending, requestedDays: r.extension_days, reason: r.extension_reason, grantedDays: r.extension_days_granted },
    counters: { returns: r.return_count, redos: r.redo_count, urges: r.urge_count, supervised: !!r.is_supervised },
    mergedIntoId: r.merged_into_id,
    orders: orders.map((o) => ({
      id: o.id, unitId: o.unit_id, unitName: unitName.get(o.unit_id) ?? '', role: o.role, status: o.status, dispatchedAt: iso(o.dispatched_at, tz),
      signDueAt: iso(o.sign_due_at, tz), signedAt: iso(o.signed_at, tz), signedOnTime: o.signed_on_time == null ? null : !!o.signed_on_time,
      returnedAt: iso(o.returned_at, tz), returnReason: o.return_reason,
    })),
    clocks: calendar ? deadlineClocks(r, calendar, now) : [],
    timeline: timeline.map((e) => ({ ...e, unitName: e.unitId == null ? null : (unitName.get(e.unitId) ?? null), at: iso(e.at, tz)! })),
    attachments: attachments.map((a) => ({ id: a.id, filename: a.filename, mimeType: a.mime_type, size: a.size, sha256: a.sha256, purpose: a.purpose, createdAt: iso(a.created_at, tz)! })),
    allowedActions: allowedActions(requestWorkflow, r, actor).filter((a) => !isNonUserAction(a)),
    ...sections,
  };
}

/** A part of the request detail another module keeps (e.g. what an Open311 partner submitted); null = nothing to show. */
export type RequestDetailSection = (ctx: AppContext, actor: Actor, r: repo.RequestRow) => Promise<unknown>;
const detailSections = new Map<string, RequestDetailSection>();

/** Lets a module add `name` to the request detail without the requests module knowing that module. */
export function registerRequestDetailSection(name: string, load: RequestDetailSection): void {
  detailSections.set(name, load);
}

async function loadDetailSections(ctx: AppContext, actor: Actor, r: repo.RequestRow): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [name, load] of detailSections) {
    const section = await load(ctx, actor, r);
    if (section != null) out[name] = section;
  }
  return out;
}

async function lookupNames(ctx: AppContext, r: repo.RequestRow) {
  const [channel, category, district, unit] = await Promise.all([
    ctx.db.selectFrom('channels').select('name').where('id', '=', r.channel_id).executeTakeFirst(),
    r.category_id ? ctx.db.selectFrom('categories').select('path').where('id', '=', r.category_id).executeTakeFirst() : undefined,
    r.district_unit_id ? findUnit(ctx.db, r.district_unit_id) : undefined,
    r.handling_unit_id ? findUnit(ctx.db, r.handling_unit_id) : undefined,
  ]);
  return { channel_name: channel?.name ?? null, category_path: category?.path ?? null, district_name: district?.name ?? null, unit_name: unit?.name ?? null };
}

export async function callerHistory(ctx: AppContext, actor: Actor, phone: string) {
  if (!can(actor, 'requests.personal')) throw new AppError('FORBIDDEN');
  const rows = await repo.requestsByPhone(ctx.db, phone.trim(), 20);
  return rows.map((r) => ({ id: r.id, number: r.number, title: r.title, content: r.content.slice(0, 120), status: r.status, type: r.type, acceptedAt: formatInstantWithOffset(new Date(r.accepted_at), ctx.config.timeZone) }));
}

// —— actions ——

export type ActionBody = Record<string, unknown>;

interface ActionEnv {
  ctx: AppContext;
  trx: Tx;
  actor: Actor;
  r: repo.RequestRow;
  now: Date;
  calendar: WorkingCalendar;
  body: ActionBody;
}

interface ActionOutcome {
  set?: Record<string, unknown>;
  to?: RequestStatus;
  payload?: Record<string, unknown>;
  after?: (requestId: number, version: number) => Promise<void>;
}

function requireText(body: ActionBody, field: string, label: { zh: string; en: string }, max = 2000): string {
  const v = body[field];
  if (typeof v !== 'string' || !v.trim()) throw fieldError(field, { zh: `请填写${label.zh}`, en: `${label.en} is required` });
  if (v.length > max) throw fieldError(field, { zh: `不能超过 ${max} 个字符`, en: `must have at most ${max} characters` });
  return v.trim();
}

function deadline(calendar: WorkingCalendar, start: Date, limit: { amount: number; unit: DeadlineUnit }): Date {
  return calendar.deadline(start, limit.amount, limit.unit);
}

async function scheduleDeadlineJobs(env: ActionEnv, requestId: number, sign: Date | null, reply: Date | null): Promise<void> {
  if (sign) await scheduleJob(env.trx, { kind: 'request.sign-deadline', runAt: sign, payload: { requestId, dueAt: sign.toISOString() }, dedupeKey: `request:${requestId}:sign`, now: env.now });
  if (reply) await scheduleJob(env.trx, { kind: 'request.reply-deadline', runAt: reply, payload: { requestId, dueAt: reply.toISOString() }, dedupeKey: `request:${requestId}:reply`, now: env.now });
}

async function cancelDeadlineJobs(env: ActionEnv, requestId: number, which: Array<'sign' | 'reply'> = ['sign', 'reply']): Promise<void> {
  for (const w of which) await cancelJob(env.trx, `request:${requestId}:${w}`, env.now);
}

async function unitOf(trx: Tx, id: unknown, field: string) {
  if (typeof id !== 'number' || !Number.isInteger(id)) throw fieldError(field, { zh: '请选择单位', en: 'a unit id is required' });
  const u = await findUnit(trx, id);
  if (!u || !u.active) throw fieldError(field, { zh: '单位不存在或已停用', en: 'no such active unit' });
  return u;
}

const ACTIONS: Record<UserAction, (env: ActionEnv) => Promise<ActionOutcome>> = {
  async dispatch(env) {
    const { trx, r, now, calendar, body } = env;
    let leadId = body.leadUnitId as number | undefined;
    let coIds = (body.coUnitIds as number[] | undefined) ?? [];
    if (leadId == null) {
      const resolved = await resolveDispatch(trx, { categoryId: r.category_id, districtUnitId: r.district_unit_id });
      leadId = resolved.leadUnitId;
      if (!body.coUnitIds) coIds = resolved.coUnitIds;
    }
    const lead = await unitOf(trx, leadId, 'leadUnitId');
    for (const [i, id] of coIds.entries()) await unitOf(trx, id, `coUnitIds.${i}`);
    coIds = coIds.filter((id) => id !== lead.id);
    const limits = await getTimeLimits(trx, { type: r.type, urgency: r.urgency });
    const signDue = deadline(calendar, now, limits.sign);
    // The overall clock runs from acceptance and is set once; a re-dispatch after a return does not reset it.
    const dueAt = r.due_at ? new Date(r.due_at) : deadline(calendar, new Date(r.accepted_at), limits.reply);
    const replyDue = r.reply_due_at ? new Date(r.reply_due_at) : dueAt;
    const localDate = toLocalDate(now, env.ctx.config.timeZone);
    const receivers: Array<[number, 'lead' | 'co']> = [[lead.id, 'lead'], ...coIds.map((id): [number, 'co'] => [id, 'co'])];
    for (const [unitId, role] of receivers) {
      await repo.insertOrder(trx, { request_id: r.id, unit_id: unitId, role, parent_order_id: null, status: 'dispatched', dispatched_at: now.toISOString(), dispatched_by: env.actor.userId, sign_due_at: signDue.toISOString(), local_date: localDate });
    }
    return {
      set: { lead_unit_id: lead.id, handling_unit_id: lead.id, dispatched_at: now.toISOString(), sign_due_at: signDue.toISOString(), signed_at: null, reply_due_at: replyDue.toISOString(), due_at: dueAt.toISOString(), sign_overdue: 0 },
      payload: { leadUnitId: lead.id, leadUnitName: lead.name, coUnitIds: coIds, note: body.note ?? undefined },
      after: async (id) => scheduleDeadlineJobs(env, id, signDue, replyDue),
    };
  },

  async forward(env) {
    const { trx, r, now, calendar, body } = env;
    const street = await unitOf(trx, body.unitId, 'unitId');
    if (street.parent_id !== r.handling_unit_id) throw fieldError('unitId', { zh: '只能转派给本单位下属的街道（乡镇）', en: 'must be a unit directly under yours' });
    const parent = await repo.openOrderOf(trx, r.id, r.handling_unit_id!);
    const limits = await getTimeLimits(trx, { type: r.type, urgency: r.urgency });
    const signDue = deadline(calendar, now, limits.sign);
    if (parent && parent.status === 'dispatched') {
      // Forwarding is the district taking the order: its own sign-for is recorded at the same moment.
      await repo.updateOrder(trx, parent.id, { status: 'signed', signed_at: now.toISOString(), signed_on_time: now <= new Date(parent.sign_due_at!) ? 1 : 0 });
    }
    await repo.insertOrder(trx, { request_id: r.id, unit_id: street.id, role: 'forward', parent_order_id: parent?.id ?? null, status: 'dispatched', dispatched_at: now.toISOString(), dispatched_by: env.actor.userId, sign_due_at: signDue.toISOString(), local_date: toLocalDate(now, env.ctx.config.timeZone) });
    return {
      set: { handling_unit_id: street.id, signed_at: r.signed_at ?? now.toISOString() },
      payload: { unitId: street.id, unitName: street.name, note: body.note ?? undefined },
    };
  },

  async sign(env) {
    const { trx, r, now } = env;
    const order = await repo.openOrderOf(trx, r.id, r.handling_unit_id!);
    if (order) await repo.updateOrder(trx, order.id, { status: 'signed', signed_at: now.toISOString(), signed_on_time: order.sign_due_at && now > new Date(order.sign_due_at) ? 0 : 1 });
    return {
      set: { signed_at: r.signed_at ?? now.toISOString() },
      after: async (id) => (order?.role === 'lead' ? cancelDeadlineJobs(env, id, ['sign']) : undefined),
    };
  },

  async return(env) {
    const { trx, r, now, body } = env;
    const reason = requireText(body, 'reason', { zh: '退单理由', en: 'a reason' });
    const order = await repo.openOrderOf(trx, r.id, r.handling_unit_id!);
    if (order) await repo.updateOrder(trx, order.id, { status: 'returned', returned_at: now.toISOString(), return_reason: reason });
    const forwarded = r.handling_unit_id !== r.lead_unit_id;
    if (forwarded) {
      // A street office hands the order back to its district, which stays responsible.
      const parent = order?.parent_order_id ? await trx.selectFrom('request_orders').selectAll().where('id', '=', order.parent_order_id).executeTakeFirst() : undefined;
      return { to: 'handling', set: { handling_unit_id: parent?.unit_id ?? r.lead_unit_id }, payload: { reason, legalBasis: body.legalBasis ?? undefined, toUnitId: parent?.unit_id ?? r.lead_unit_id } };
    }
    await trx.updateTable('request_orders').set({ status: 'cancelled' }).where('request_id', '=', r.id).where('role', '=', 'co').where('status', 'in', ['dispatched', 'signed']).execute();
    return {
      set: { handling_unit_id: null, return_count: r.return_count + 1 },
      payload: { reason, legalBasis: body.legalBasis ?? undefined },
      after: async (id) => cancelDeadlineJobs(env, id),
    };
  },

  async 'request-extension'(env) {
    const { trx, r, now, body } = env;
    const reason = requireText(body, 'reason', { zh: '延期理由', en: 'a reason' });
    const days = body.days;
    const limits = await getTimeLimits(trx, { type: r.type, urgency: r.urgency });
    const max = limits.extensionMax.amount - r.extension_days_granted;
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > max) {
      throw fieldError('days', { zh: `延期天数应为 1 至 ${max} 个工作日`, en: `must be 1 to ${max} working days` });
    }
    if (r.reply_due_at && now >= new Date(r.reply_due_at)) {
      throw new AppError('INVALID_TRANSITION', { message: { zh: '已超过办理期限，不能再申请延期', en: 'An extension must be requested before the deadline' } });
    }
    return { set: { extension_pending: 1, extension_requested_at: now.toISOString(), extension_days: days, extension_reason: reason }, payload: { days, reason } };
  },

  async 'approve-extension'(env) {
    const { trx, r, now, calendar, body } = env;
    const requested = r.extension_days ?? 0;
    const days = (body.days as number | undefined) ?? requested;
    if (!Number.isInteger(days) || days < 1 || days > requested) throw fieldError('days', { zh: `批准天数应为 1 至 ${requested}`, en: `must be 1 to ${requested}` });
    const limits = await getTimeLimits(trx, { type: r.type, urgency: r.urgency });
    let replyDue = calendar.addWorkingDays(new Date(r.reply_due_at!), days);
    // Where the rules pause the clock while an extension waits, the waiting time is given back too.
    if (limits.pauseOnExtension && r.extension_requested_at) {
      replyDue = calendar.addWorkingMillis(replyDue, calendar.workingMillisBetween(new Date(r.extension_requested_at), now));
    }
    const dueAt = new Date(Math.max(replyDue.getTime(), new Date(r.due_at!).getTime()));
    return {
      set: { extension_pending: 0, extension_days_granted: r.extension_days_granted + days, reply_due_at: replyDue.toISOString(), due_at: dueAt.toISOString(), is_overdue: 0 },
      payload: { days, newDueAt: formatInstantWithOffset(replyDue, calendar.timeZone), note: body.note ?? undefined },
      after: async (id) => scheduleDeadlineJobs(env, id, null, replyDue),
    };
  },

  async 'deny-extension'(env) {
    const reason = requireText(env.body, 'reason', { zh: '不予延期的理由', en: 'a reason' });
    return { set: { extension_pending: 0 }, payload: { reason } };
  },

  async urge(env) {
    return { set: { urge_count: env.r.urge_count + 1 }, payload: { note: env.body.note ?? undefined } };
  },

  async supervise(env) {
    const note = requireText(env.body, 'note', { zh: '督办意见', en: 'a note' });
    return { set: { is_supervised: 1 }, payload: { note } };
  },

  async reply(env) {
    const { trx, r, now, body } = env;
    const result = body.result as ReplyResult;
    if (!['resolved', 'partly', 'unresolved'].includes(result)) throw fieldError('result', { zh: '请选择办理结果', en: 'must be resolved, partly or unresolved' });
    const text = requireText(body, 'text', { zh: '答复内容', en: 'the reply text' }, 4000);
    const order = await repo.openOrderOf(trx, r.id, r.handling_unit_id!);
    if (order) await repo.updateOrder(trx, order.id, { status: 'replied', replied_at: now.toISOString() });
    const onTime = !r.reply_due_at || now <= new Date(r.reply_due_at);
    return {
      set: { replied_at: now.toISOString(), reply_result: result, reply_text: text, closed_on_time: onTime ? 1 : 0 },
      payload: { result, text: text.length > 500 ? `${text.slice(0, 500)}…` : text, attachmentIds: body.attachmentIds ?? undefined },
      after: async (id) => cancelDeadlineJobs(env, id),
    };
  },

  async review(env) {
    const { r, body } = env;
    const decision = body.decision;
    if (decision === 'accept') return { set: { reviewed_at: env.now.toISOString() }, payload: { decision, note: body.note ?? undefined } };
    if (decision !== 'send-back') throw fieldError('decision', { zh: '请选择审核结论', en: 'must be accept or send-back' });
    const note = requireText(body, 'note', { zh: '退回理由', en: 'a note saying why' });
    // 退回重办: the same unit works on it again; its reply clock keeps running from where it was.
    const order = await env.trx.selectFrom('request_orders').selectAll().where('request_id', '=', r.id).where('unit_id', '=', r.handling_unit_id!).orderBy('id', 'desc').executeTakeFirst();
    if (order) await repo.updateOrder(env.trx, order.id, { status: 'signed', replied_at: null });
    return {
      to: 'handling',
      set: { replied_at: null, reply_result: null, closed_on_time: null },
      payload: { decision, note },
      after: async (id) => scheduleDeadlineJobs(env, id, null, r.reply_due_at ? new Date(r.reply_due_at) : null),
    };
  },

  async callback(env) {
    const { r, now, body } = env;
    if (body.reached === false) {
      const attempts = r.callback_attempts + 1;
      const giveUp = attempts >= CALLBACK_MAX_ATTEMPTS;
      return {
        to: giveUp ? 'visited' : 'callback',
        set: { callback_attempts: attempts, callback_unreachable: giveUp ? 1 : 0, callback_at: giveUp ? now.toISOString() : null },
        payload: { reached: false, attempt: attempts, note: body.note ?? undefined },
      };
    }
    if (typeof body.resolved !== 'boolean') throw fieldError('resolved', { zh: '请选择是否解决', en: 'must say whether it was resolved' });
    const satisfaction = body.satisfaction as Satisfaction;
    if (!['satisfied', 'basic', 'dissatisfied'].includes(satisfaction)) throw fieldError('satisfaction', { zh: '请选择满意度', en: 'must be satisfied, basic or dissatisfied' });
    return {
      set: { callback_attempts: r.callback_attempts + 1, callback_resolved: body.resolved ? 1 : 0, callback_satisfaction: satisfaction, callback_at: now.toISOString() },
      payload: { reached: true, resolved: body.resolved, satisfaction, note: body.note ?? undefined },
    };
  },

  async redo(env) {
    const { trx, r, now, calendar, body } = env;
    const reason = requireText(body, 'reason', { zh: '重办理由', en: 'a reason' });
    const limits = await getTimeLimits(trx, { type: r.type, urgency: r.urgency });
    const replyDue = deadline(calendar, now, limits.reply);
    const order = await trx.selectFrom('request_orders').selectAll().where('request_id', '=', r.id).where('unit_id', '=', r.handling_unit_id ?? r.lead_unit_id!).orderBy('id', 'desc').executeTakeFirst();
    if (order) await repo.updateOrder(trx, order.id, { status: 'signed', replied_at: null });
    return {
      set: {
        redo_count: r.redo_count + 1, replied_at: null, reply_result: null, reply_text: null, reviewed_at: null, callback_at: null, callback_attempts: 0,
        callback_resolved: null, callback_satisfaction: null, callback_unreachable: 0, reply_due_at: replyDue.toISOString(), is_overdue: 0,
        handling_unit_id: r.handling_unit_id ?? r.lead_unit_id, closed_on_time: null,
        due_at: new Date(Math.max(replyDue.getTime(), new Date(r.due_at ?? 0).getTime())).toISOString(),
      },
      payload: { reason, replyDueAt: formatInstantWithOffset(replyDue, calendar.timeZone) },
      after: async (id) => scheduleDeadlineJobs(env, id, null, replyDue),
    };
  },

  async close(env) {
    return { set: { closed_at: env.now.toISOString() }, payload: { note: env.body.note ?? undefined } };
  },

  async merge(env) {
    const { trx, r, body } = env;
    const targetId = body.targetId;
    if (typeof targetId !== 'number' || targetId === r.id) throw fieldError('targetId', { zh: '请选择要合并到的另一条诉求', en: 'must be another request' });
    const target = await repo.findRequest(trx, targetId);
    if (!target || ['merged', 'withdrawn'].includes(target.status)) throw fieldError('targetId', { zh: '目标诉求不存在或已合并、撤销', en: 'no such open request' });
    await trx.updateTable('request_orders').set({ status: 'cancelled' }).where('request_id', '=', r.id).where('status', 'in', ['dispatched', 'signed']).execute();
    return { set: { merged_into_id: target.id }, payload: { targetId: target.id, targetNumber: target.number }, after: async (id) => cancelDeadlineJobs(env, id) };
  },

  async withdraw(env) {
    const reason = requireText(env.body, 'reason', { zh: '撤销原因', en: 'a reason' });
    await env.trx.updateTable('request_orders').set({ status: 'cancelled' }).where('request_id', '=', env.r.id).where('status', 'in', ['dispatched', 'signed']).execute();
    return { set: { closed_at: env.now.toISOString() }, payload: { reason }, after: async (id) => cancelDeadlineJobs(env, id) };
  },
};

export function isUserAction(action: string): action is UserAction {
  return Object.prototype.hasOwnProperty.call(ACTIONS, action);
}

/** Applies one lifecycle action as a guarded, versioned transition with its timeline event and audit row. */
export async function performAction(ctx: AppContext, actor: Actor, id: number, action: string, body: ActionBody, expectedVersion?: number) {
  if (!isUserAction(action)) throw new AppError('NOT_FOUND', { message: { zh: `没有这个操作：${action}`, en: `no such action: ${action}` } });
  await loadForActor(ctx, actor, id);
  const calendar = await getWorkingCalendar(ctx);
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const r = await repo.findRequest(trx, id);
    if (!r) throw new AppError('NOT_FOUND', NOT_FOUND);
    if (expectedVersion !== undefined && expectedVersion !== r.version) throw new AppError('CONFLICT');
    const t = requestWorkflow.transitions[action];
    // State and permission first: a wrong action gets its real reason, not a complaint about its body.
    if (!t.from.includes(r.status)) throw new AppError('INVALID_TRANSITION');
    if (!can(actor, t.permission) || (t.guard && !t.guard(r, actor))) throw new AppError('FORBIDDEN');
    const before = await currentContribution(trx, id);
    const outcome = await ACTIONS[action]({ ctx, trx, actor, r, now, calendar, body });
    const res = await applyTransition(trx, requestWorkflow, {
      id, action, actor, at: now, record: r, set: outcome.set, to: outcome.to, payload: outcome.payload,
      unitId: actor.unitId, dialect: ctx.dialect,
    });
    await outcome.after?.(id, res.version);
    const after = await currentContribution(trx, id);
    await applyContributionDelta(trx, { localDate: r.local_date, kind: r.kind }, before?.contribution ?? null, after?.contribution ?? null);
    // The search index holds the reply text: written with the reply, cleared by a redo.
    if (action === 'reply' || action === 'redo') await indexRequest(ctx, trx, id);
  });
  return getRequest(ctx, actor, id);
}

// —— durable deadline timers ——

async function markOverdue(ctx: AppContext, trx: Tx, payload: { requestId: number; dueAt: string }, which: 'sign' | 'reply') {
  const r = await repo.findRequest(trx, payload.requestId);
  if (!r) return;
  const due = which === 'sign' ? r.sign_due_at : r.reply_due_at;
  // The deadline moved (extension, redo) or the step was done: this timer is stale.
  if (due !== payload.dueAt) return;
  if (which === 'sign' && (r.status !== 'dispatched' || r.signed_at)) return;
  if (which === 'reply' && (!['dispatched', 'handling'].includes(r.status) || r.replied_at)) return;
  const before = await currentContribution(trx, r.id);
  await applyTransition(trx, requestWorkflow, {
    id: r.id, action: 'mark-overdue', actor: systemActor('deadline'), at: ctx.clock.now(), record: r,
    set: which === 'sign' ? { sign_overdue: 1 } : { is_overdue: 1 }, payload: { clock: which, dueAt: formatInstantWithOffset(new Date(payload.dueAt), ctx.config.timeZone) },
    unitId: r.handling_unit_id, dialect: ctx.dialect,
  });
  // A missed sign-for deadline turns the open order into a counted miss for the response rate.
  const after = await currentContribution(trx, r.id);
  await applyContributionDelta(trx, { localDate: r.local_date, kind: r.kind }, before?.contribution ?? null, after?.contribution ?? null);
}

registerJobHandler('request.sign-deadline', (ctx, trx, payload) => markOverdue(ctx, trx, payload, 'sign'));
registerJobHandler('request.reply-deadline', (ctx, trx, payload) => markOverdue(ctx, trx, payload, 'reply'));
