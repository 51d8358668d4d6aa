import { createHash } from 'node:crypto';
import type { AppContext } from '../../context';
import { toLocalDate } from '../../core/calendar';
import type { Database, Tx } from '../../core/db/database';
import type { Actor } from '../../core/http/access';
import { AppError, fieldError } from '../../core/http/errors';
import { getSegmenter, toSearchDocument, writeSearchDocuments, type SearchDocument } from '../../core/search';
import { recordCreations, type TimelineEvent } from '../../core/workflow';
import type { Urgency } from '../catalog';
import { findUnit } from '../org/org.repository';
import { formatRequestNumber, isValidCreditCode } from './request-rules';
import { requestWorkflow } from './request-workflow';
import * as repo from './requests.repository';
import { applyContributionDeltas, contributionOf } from './requests.rollup';
import type { RequestStatus } from './requests.tables';

// —— accept 受理 ——

export interface AcceptInput {
  channelId: number;
  type: string;
  urgency?: Urgency;
  title?: string;
  content: string;
  categoryId?: number | null;
  districtId?: number | null;
  streetId?: number | null;
  address?: string | null;
  lat?: number | null;
  lng?: number | null;
  requester?: { name?: string | null; phone?: string | null; anonymous?: boolean; confidential?: boolean };
  enterprise?: { name: string; creditCode: string } | null;
  /** 直接办结: the agent answered from the knowledge base; the request closes at once. */
  directAnswer?: string | null;
  source?: string | null;
  sourceRef?: string | null;
}

/** What an intake module (e.g. Open311) writes beside a new request, in the accepting transaction. */
export type OnAccepted = (trx: Tx, created: { id: number; number: string }) => Promise<void>;

/** What acceptRequest hands back: the new request's id, and (unless replayed) what the accept wrote, for the reply. */
export interface AcceptOutcome {
  id: number;
  replayed: boolean;
  /** The row, names and first event as written: describeAcceptedRequest builds the reply from them without reading back. */
  accepted?: AcceptedRequest;
}

export interface AcceptedRequest {
  row: repo.RequestRow;
  names: { channel_name: string | null; category_path: string | null; district_name: string | null; unit_name: string | null };
  event: TimelineEvent;
  actorUnitName: string | null;
}

/**
 * Accepts a request; with an Idempotency-Key a retry returns the first result instead of a second request.
 * The CPU work (segmenting, hashing the body) happens here, before the accept joins a shared transaction
 * (acceptTogether).
 */
export async function acceptRequest(ctx: AppContext, actor: Actor, input: AcceptInput, idempotencyKey?: string, onAccepted?: OnAccepted): Promise<AcceptOutcome> {
  const now = ctx.clock.now();
  const scope = `requests:${actor.userId ?? actor.username}`;
  const idempotency = idempotencyKey ? { scope, key: idempotencyKey, bodyHash: createHash('sha256').update(JSON.stringify(input)).digest('hex') } : null;
  if (idempotency) {
    const prior = await ctx.db.selectFrom('idempotency_keys').selectAll().where('scope', '=', scope).where('key', '=', idempotency.key).executeTakeFirst();
    if (prior) {
      if (prior.body_hash !== idempotency.bodyHash) throw new AppError('IDEMPOTENCY_MISMATCH');
      return { id: JSON.parse(prior.response).id, replayed: true };
    }
  }
  if (input.streetId != null && input.districtId == null) {
    const s = await findUnit(ctx.db, input.streetId);
    if (s?.kind === 'street') input = { ...input, districtId: s.parent_id };
  }
  try {
    const searchDoc = toSearchDocument(await getSegmenter(ctx), { title: input.title?.trim() || null, content: input.content, address: input.address ?? null, reply_text: input.directAnswer ?? null });
    const accepted = await acceptTogether(ctx, { actor, input, now, localDate: toLocalDate(now, ctx.config.timeZone), searchDoc, idempotency, onAccepted });
    return { id: accepted.row.id, replayed: false, accepted };
  } catch (err) {
    // Two retries raced: the loser finds the winner's stored answer.
    if (idempotency && !(err instanceof AppError)) {
      const prior = await ctx.db.selectFrom('idempotency_keys').selectAll().where('scope', '=', scope).where('key', '=', idempotency.key).executeTakeFirst();
      if (prior) return { id: JSON.parse(prior.response).id, replayed: true };
    }
    throw err;
  }
}

/** One accept, ready to be written: everything but what needs the transaction. */
interface PendingAccept {
  actor: Actor;
  input: AcceptInput;
  now: Date;
  localDate: string;
  searchDoc: SearchDocument;
  idempotency: { scope: string; key: string; bodyHash: string } | null;
  onAccepted?: OnAccepted;
}

type Settled = { ok: true; value: AcceptedRequest } | { ok: false; error: unknown };

interface QueuedAccept {
  accept: PendingAccept;
  settle: (outcome: Settled) => void;
}

const acceptQueues = new WeakMap<Database, { pending: QueuedAccept[]; draining: boolean }>();
/** At most this many accepts share one commit. */
const MAX_ACCEPTS_PER_COMMIT = 64;

/**
 * Runs an accept in a transaction it shares with the accepts that arrive together (group commit), and
 * writes them together: one statement per table for the whole group, not one per accept. On SQLite one
 * connection serialises every writer and the commit costs more than the statements; on PostgreSQL every
 * accept takes the audit chain's advisory lock and the day's counter row, so separate transactions would
 * only queue behind each other, and each statement's round trip and planning would be paid per accept.
 * No caller hears of success before the commit. An accept refused by its check has written nothing and
 * is simply left out. Should a write fail, the shared transaction rolls back whole and each of its
 * accepts runs again in a transaction of its own, so every accept still succeeds or fails by itself alone
 * (numbers stay gap-free, the audit chain linear). Each instance groups its own accepts; across instances
 * the locks order them.
 */
function acceptTogether(ctx: AppContext, accept: PendingAccept): Promise<AcceptedRequest> {
  let queue = acceptQueues.get(ctx.database);
  if (!queue) acceptQueues.set(ctx.database, (queue = { pending: [], draining: false }));
  const q = queue;
  return new Promise<AcceptedRequest>((resolve, reject) => {
    q.pending.push({ accept, settle: (o) => (o.ok ? resolve(o.value) : reject(o.error)) });
    if (q.draining) return;
    q.draining = true;
    // Let the requests already read from the sockets join before the transaction starts.
    setImmediate(() => void drainAccepts(ctx, q));
  });
}

async function drainAccepts(ctx: AppContext, q: { pending: QueuedAccept[]; draining: boolean }): Promise<void> {
  try {
    while (q.pending.length) {
      const batch = q.pending.splice(0, MAX_ACCEPTS_PER_COMMIT);
      let outcomes: Settled[];
      try {
        outcomes = await ctx.db.transaction().execute((trx) => writeAccepts(ctx, trx, batch.map((b) => b.accept)));
      } catch (error) {
        // A write or the commit failed: nothing of the batch was kept. Each accept again, alone.
        if (batch.length === 1) batch[0].settle({ ok: false, error });
        else {
          for (const b of batch) {
            await ctx.db.transaction().execute((trx) => writeAccepts(ctx, trx, [b.accept])).then(([o]) => b.settle(o), (e: unknown) => b.settle({ ok: false, error: e }));
          }
        }
        continue;
      }
      batch.forEach((b, i) => b.settle(outcomes[i]));
    }
  } finally {
    q.draining = false;
  }
}

/** Refuses references that are missing or inactive, from what readAcceptReferences read. */
function assertReferences(input: AcceptInput, refs: repo.AcceptReferences): void {
  if (refs.channel_active == null || !refs.channel_active) throw fieldError('channelId', { zh: '渠道不存在或已停用', en: 'no such active channel' });
  if (refs.type_code == null) throw fieldError('type', { zh: '诉求类型不存在', en: 'no such request type' });
  if (input.categoryId != null && (refs.category_active == null || !refs.category_active)) {
    throw fieldError('categoryId', { zh: '分类不存在或已停用', en: 'no such active category' });
  }
  if (input.districtId != null && refs.district_kind !== 'district') throw fieldError('districtId', { zh: '区县不存在', en: 'no such district' });
  if (input.streetId != null) {
    if (refs.street_kind !== 'street') throw fieldError('streetId', { zh: '街道（乡镇）不存在', en: 'no such street office' });
    if (input.districtId != null && refs.street_parent_id !== input.districtId) throw fieldError('streetId', { zh: '街道不属于所选区县', en: 'is not in the chosen district' });
  }
  if (input.enterprise && !isValidCreditCode(input.enterprise.creditCode)) {
    throw fieldError('enterprise.creditCode', { zh: '统一社会信用代码无效（18 位，末位校验码不符）', en: 'is not a valid unified social credit code (18 characters with a check character)' });
  }
}

/**
 * Checks and writes a group of accepts in the caller's transaction, in their order: the references of all
 * in one read; then, for those that pass, the day's numbers in one counter bump, the rows, the creation
 * events and audit rows, the KPI rollup, the search index and the idempotency keys each in one statement.
 * Returns each accept's outcome; a refused accept wrote nothing.
 */
async function writeAccepts(ctx: AppContext, trx: Tx, accepts: PendingAccept[]): Promise<Settled[]> {
  const refs = await repo.readAcceptReferences(trx, ctx.database, accepts.map(({ input, actor }) => ({
    channelId: input.channelId, type: input.type, categoryId: input.categoryId ?? null, districtId: input.districtId ?? null, streetId: input.streetId ?? null, actorUnitId: actor.unitId,
  })));
  const outcomes: Settled[] = new Array(accepts.length);
  const passed: number[] = [];
  accepts.forEach((a, i) => {
    try {
      assertReferences(a.input, refs[i]);
      passed.push(i);
    } catch (error) {
      outcomes[i] = { ok: false, error };
    }
  });
  if (!passed.length) return outcomes;

  // From here on every other accept of the day waits for this transaction (counter row, audit chain).
  const numbers = new Map<number, string>();
  for (const day of new Set(passed.map((i) => accepts[i].localDate))) {
    const ofDay = passed.filter((i) => accepts[i].localDate === day);
    const first = await repo.reserveDailySequence(trx, ctx.database, day, ofDay.length);
    ofDay.forEach((i, k) => numbers.set(i, formatRequestNumber(day, first + k)));
  }
  const inserted = await repo.insertRequests(trx, ctx.database, passed.map((i) => newRequestRow(accepts[i], numbers.get(i)!)));
  const byNumber = new Map(inserted.map((r) => [r.number, r]));
  const rows = passed.map((i) => byNumber.get(numbers.get(i)!)!);

  const actionOf = (row: repo.RequestRow) => (row.is_direct ? 'answer' : 'accept');
  const eventIds = await recordCreations(trx, requestWorkflow, rows.map((row, k) => {
    const { actor, now } = accepts[passed[k]];
    return {
      id: row.id, action: actionOf(row), to: row.status, actor, at: now, dialect: ctx.dialect, database: ctx.database, unitId: actor.unitId,
      payload: { number: row.number }, after: { number: row.number, status: row.status, type: row.type, channelId: row.channel_id },
    };
  }));
  // A new request has no orders yet: its contribution comes from the row just written, not a second read.
  await applyContributionDeltas(trx, rows.map((row) => ({ day: { localDate: row.local_date, kind: row.kind }, before: null, after: contributionOf(row, []) })), ctx.database);
  await writeSearchDocuments(trx, ctx, rows.map((row, k) => ({ id: row.id, doc: accepts[passed[k]].searchDoc })), { replace: false });
  for (const [k, row] of rows.entries()) await accepts[passed[k]].onAccepted?.(trx, { id: row.id, number: row.number });
  const keys = rows.flatMap((row, k) => {
    const { idempotency, now } = accepts[passed[k]];
    return idempotency ? [{ scope: idempotency.scope, key: idempotency.key, body_hash: idempotency.bodyHash, status: 201, response: JSON.stringify({ id: row.id }), created_at: now.toISOString() }] : [];
  });
  if (keys.length) await trx.insertInto('idempotency_keys').values(keys).execute();

  rows.forEach((row, k) => {
    const i = passed[k];
    const { actor } = accepts[i];
    const r = refs[i];
    outcomes[i] = {
      ok: true,
      value: {
        row,
        names: { channel_name: r.channel_name, category_path: r.category_path, district_name: r.district_name, unit_name: null },
        event: { id: eventIds[k], action: actionOf(row), from: null, to: row.status, actorId: actor.userId, actorName: actor.displayName, unitId: actor.unitId, at: row.accepted_at, payload: { number: row.number } },
        actorUnitName: r.actor_unit_name,
      },
    };
  });
  return outcomes;
}

/** The row of a new request as the accept writes it. */
function newRequestRow({ input, actor, now, localDate }: PendingAccept, number: string): repo.NewRequest {
  const iso = now.toISOString();
  const direct = !!input.directAnswer;
  const status: RequestStatus = direct ? 'closed' : 'accepted';
  return {
    number, kind: input.enterprise ? 'enterprise' : 'citizen', channel_id: input.channelId, type: input.type,
    urgency: input.urgency ?? 'normal', title: input.title?.trim() || null, content: input.content, category_id: input.categoryId ?? null,
    district_unit_id: input.districtId ?? null, street_unit_id: input.streetId ?? null, address: input.address ?? null, lat: input.lat ?? null, lng: input.lng ?? null,
    requester_name: input.requester?.anonymous ? null : (input.requester?.name ?? null), requester_phone: input.requester?.phone ?? null,
    is_anonymous: input.requester?.anonymous ? 1 : 0, is_confidential: input.requester?.confidential ? 1 : 0,
    enterprise_name: input.enterprise?.name ?? null, enterprise_credit_code: input.enterprise?.creditCode.toUpperCase() ?? null,
    status, version: 1, accepted_at: iso, accepted_by: actor.userId, local_date: localDate, local_month: localDate.slice(0, 7),
    lead_unit_id: null, handling_unit_id: null, dispatched_at: null, sign_due_at: null, signed_at: null, reply_due_at: null, due_at: null,
    replied_at: direct ? iso : null, reply_result: direct ? 'resolved' : null, reply_text: input.directAnswer ?? null, reviewed_at: null,
    callback_at: null, callback_attempts: 0, callback_resolved: null, callback_satisfaction: null, callback_unreachable: 0,
    closed_at: direct ? iso : null, closed_on_time: direct ? 1 : null, is_direct: direct ? 1 : 0, sign_overdue: 0, is_overdue: 0,
    extension_pending: 0, extension_requested_at: null, extension_days: null, extension_reason: null, extension_days_granted: 0,
    return_count: 0, redo_count: 0, urge_count: 0, is_supervised: 0, merged_into_id: null, source: input.source ?? null, source_ref: input.sourceRef ?? null,
    created_at: iso, updated_at: iso,
  };
}
