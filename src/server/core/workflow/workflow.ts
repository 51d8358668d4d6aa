import type { Kysely } from 'kysely';
import { recordAudit, recordAudits } from '../audit/audit.service';
import { runPrepared } from '../db/prepared';
import type { Database, DialectName, Tx } from '../db/database';
import { can, type Actor } from '../http/access';
import { AppError } from '../http/errors';

/**
 * One transition table per entity, run by one engine. A transition names the states it leaves, the
 * state it enters and the permission it needs; modules add a guard for facts the table cannot see
 * (e.g. "the caller's unit holds the order").
 */
export interface TransitionDef<S extends string, R> {
  from: readonly S[];
  to: S;
  permission: string;
  /** Extra condition on the record and caller; false hides the action and refuses it. */
  guard?: (record: R, actor: Actor) => boolean;
  /** Timeline actions (urge, extension request, overdue mark) stay in whatever state they came from; `to` is ignored. */
  keepsState?: boolean;
}

export interface Workflow<S extends string, A extends string, R> {
  entity: string;
  table: string;
  states: readonly S[];
  transitions: Record<A, TransitionDef<S, R>>;
}

export function defineWorkflow<S extends string, A extends string, R = unknown>(def: Workflow<S, A, R>): Workflow<S, A, R> {
  for (const [action, t] of Object.entries(def.transitions) as Array<[A, TransitionDef<S, R>]>) {
    for (const s of [...t.from, t.to]) if (!def.states.includes(s)) throw new Error(`${def.entity}.${action}: unknown state ${s}`);
  }
  return def;
}

/** The actions the caller may take on a record in its current state: what the UI shows as buttons. */
export function allowedActions<S extends string, A extends string, R extends { status: S }>(wf: Workflow<S, A, R>, record: R, actor: Actor): A[] {
  return (Object.keys(wf.transitions) as A[]).filter((a) => isAllowed(wf, a, record, actor));
}

/** The transition for an action name; own keys only, so 'constructor' or 'toString' from a URL is no action. */
function transitionOf<S extends string, A extends string, R>(wf: Workflow<S, A, R>, action: A): TransitionDef<S, R> | undefined {
  return Object.hasOwn(wf.transitions, action) ? wf.transitions[action] : undefined;
}

export function isAllowed<S extends string, A extends string, R extends { status: S }>(wf: Workflow<S, A, R>, action: A, record: R, actor: Actor): boolean {
  const t = transitionOf(wf, action);
  return !!t && t.from.includes(record.status) && can(actor, t.permission) && (!t.guard || t.guard(record, actor));
}

export interface TransitionInput<S extends string, A extends string, R> {
  id: number;
  action: A;
  actor: Actor;
  at: Date;
  /** The version the caller saw; when given, a newer version is a conflict even if the state allows it. */
  expectedVersion?: number;
  /** The record as read in this transaction (for guards); read here when absent. */
  record?: R;
  /** Other columns changed by this action, in the same guarded update. */
  set?: Record<string, unknown>;
  /** Overrides the table's target state (e.g. a callback that ends in redo or closed). */
  to?: S;
  payload?: Record<string, unknown>;
  /** The unit in whose name the actor acts, for per-unit counts (returns, urges). */
  unitId?: number | null;
  dialect: DialectName;
}

export interface TransitionResult<S extends string> {
  from: S;
  to: S;
  version: number;
  eventId: number;
}

/**
 * Applies a transition as one guarded update (`WHERE id = ? AND status IN (from) AND version = ?`) and
 * appends its timeline event and audit row in the same transaction. Zero rows changed is a conflict
 * (409) or an invalid transition (400), never a silent overwrite.
 */
export async function applyTransition<S extends string, A extends string, R extends { status: S; version: number }>(
  trx: Tx,
  wf: Workflow<S, A, R>,
  input: TransitionInput<S, A, R>,
): Promise<TransitionResult<S>> {
  const t = transitionOf(wf, input.action);
  if (!t) throw new AppError('INVALID_TRANSITION');
  const db = trx as unknown as Kysely<any>;
  const record = input.record ?? ((await db.selectFrom(wf.table).selectAll().where('id', '=', input.id).executeTakeFirst()) as R | undefined);
  if (!record) throw new AppError('NOT_FOUND');
  if (input.expectedVersion !== undefined && input.expectedVersion !== record.version) throw new AppError('CONFLICT');
  if (!t.from.includes(record.status)) throw new AppError('INVALID_TRANSITION');
  if (!can(input.actor, t.permission) || (t.guard && !t.guard(record, input.actor))) throw new AppError('FORBIDDEN');
  const to = t.keepsState ? record.status : (input.to ?? t.to);
  if (!wf.states.includes(to)) throw new Error(`${wf.entity}: unknown target state ${to}`);
  const at = input.at.toISOString();
  const res = await db.updateTable(wf.table)
    .set({ ...input.set, status: to, version: record.version + 1, updated_at: at })
    .where('id', '=', input.id).where('status', 'in', t.from as unknown as string[]).where('version', '=', record.version)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw new AppError('CONFLICT');
  const event = await db.insertInto('workflow_events').values({
    entity: wf.entity, entity_id: input.id, action: input.action, from_state: record.status, to_state: to,
    actor_id: input.actor.userId, actor_name: input.actor.displayName, unit_id: input.unitId ?? null, at,
    payload: input.payload && Object.keys(input.payload).length ? JSON.stringify(input.payload) : null,
  }).returning('id').executeTakeFirstOrThrow();
  await recordAudit(trx, input.dialect, input.at, {
    actor: input.actor, action: `${wf.entity}.${input.action}`, entity: wf.entity, entityId: input.id,
    before: { status: record.status }, after: { status: to }, note: input.payload,
  });
  return { from: record.status, to, version: record.version + 1, eventId: Number(event.id) };
}

export interface TimelineEvent {
  id: number;
  action: string;
  from: string | null;
  to: string;
  actorId: number | null;
  actorName: string;
  unitId: number | null;
  at: string;
  payload: Record<string, unknown> | null;
}

export async function readTimeline(db: Tx, entity: string, id: number): Promise<TimelineEvent[]> {
  const rows = await db.selectFrom('workflow_events').selectAll().where('entity', '=', entity).where('entity_id', '=', id).orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id, action: r.action, from: r.from_state, to: r.to_state, actorId: r.actor_id, actorName: r.actor_name, unitId: r.unit_id, at: r.at,
    payload: r.payload ? JSON.parse(r.payload) : null,
  }));
}

/** A record's creation, for recordCreations. */
export interface CreationInput<S extends string> {
  id: number; action: string; to: S; actor: Actor; at: Date; payload?: Record<string, unknown>; unitId?: number | null; dialect: DialectName; after?: Record<string, unknown>;
  database?: Pick<Database, 'dialect' | 'sqlite'>;
}

const EVENT_COLUMNS = ['entity', 'entity_id', 'action', 'from_state', 'to_state', 'actor_id', 'actor_name', 'unit_id', 'at', 'payload'] as const;

/**
 * The first event of each record's timeline (its creation), written with its audit row in the caller's
 * transaction: one insert for the events and one append for the audit rows, in the order given (a group
 * of accepts sharing a commit writes them together). Returns the event ids in that order. With `database`
 * the statements run prepared (see runPrepared); the first input's dialect and `database` serve all.
 */
export async function recordCreations<S extends string>(trx: Tx, wf: Workflow<S, string, any>, inputs: Array<CreationInput<S>>): Promise<number[]> {
  if (!inputs.length) return [];
  const rows = inputs.map((input) => ({
    entity: wf.entity, entity_id: input.id, action: input.action, from_state: null, to_state: input.to,
    actor_id: input.actor.userId, actor_name: input.actor.displayName, unit_id: input.unitId ?? null, at: input.at.toISOString(),
    payload: input.payload && Object.keys(input.payload).length ? JSON.stringify(input.payload) : null,
  }));
  const { database, dialect } = inputs[0];
  let inserted: Array<{ id: number; entity_id: number }>;
  if (database) {
    const values = rows.map(() => `(${EVENT_COLUMNS.map(() => '?').join(', ')})`).join(', ');
    inserted = await runPrepared<{ id: number; entity_id: number }>(trx, database,
      `insert into workflow_events (${EVENT_COLUMNS.join(', ')}) values ${values} returning id, entity_id`, rows.flatMap((r) => EVENT_COLUMNS.map((c) => r[c])));
  } else {
    const db = trx as unknown as Kysely<any>;
    inserted = await db.insertInto('workflow_events').values(rows).returning(['id', 'entity_id']).execute();
  }
  // RETURNING promises no order: each event is found by its record.
  const idOf = new Map(inserted.map((r) => [Number(r.entity_id), Number(r.id)]));
  await recordAudits(trx, database ?? dialect, inputs.map((input) => ({
    at: input.at,
    entry: { actor: input.actor, action: `${wf.entity}.${input.action}`, entity: wf.entity, entityId: input.id, after: input.after ?? { status: input.to } },
  })));
  return inputs.map((input) => idOf.get(input.id)!);
}
