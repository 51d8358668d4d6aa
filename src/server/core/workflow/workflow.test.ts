import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, FakeClock, createTestContext, type TestContext } from '../../test/harness';
import { verifyAuditChain } from '../audit/audit.service';
import { withId } from '../db/migrations/helpers';
import type { Actor } from '../http/access';
import { AppError } from '../http/errors';
import { allowedActions, applyTransition, defineWorkflow, isAllowed, readTimeline } from './workflow';

// A tiny entity of our own, so the engine is tested apart from any business module.
type ItemState = 'draft' | 'submitted' | 'approved' | 'rejected' | 'closed';
type ItemAction = 'submit' | 'approve' | 'reject' | 'revise' | 'close' | 'urge';
interface Item {
  id: number;
  status: ItemState;
  version: number;
  updated_at: string;
  owner_id: number;
  note: string | null;
}

const STATES: ItemState[] = ['draft', 'submitted', 'approved', 'rejected', 'closed'];
const itemWorkflow = defineWorkflow<ItemState, ItemAction, Item>({
  entity: 'test_item',
  table: 'wf_test_items',
  states: STATES,
  transitions: {
    submit: { from: ['draft'], to: 'submitted', permission: 'items.edit' },
    approve: { from: ['submitted'], to: 'approved', permission: 'items.review' },
    reject: { from: ['submitted'], to: 'rejected', permission: 'items.review' },
    // Only the owner revises a rejected item.
    revise: { from: ['rejected'], to: 'draft', permission: 'items.edit', guard: (r, a) => r.owner_id === a.userId },
    close: { from: ['approved', 'rejected'], to: 'closed', permission: 'items.review' },
    // Timeline-only: the record stays where it is.
    urge: { from: ['submitted', 'approved'], to: 'submitted', permission: 'items.review', keepsState: true },
  },
});
const ACTIONS = Object.keys(itemWorkflow.transitions) as ItemAction[];

function actorWith(permissions: string[], userId = 7): Actor {
  return {
    userId, username: `user${userId}`, displayName: `用户${userId}`, unitId: null, unitPath: '', roles: [], permissions: new Set(permissions),
    dataScope: 'all', via: 'session', ip: '10.0.0.1',
  };
}
const everyone = actorWith(['items.edit', 'items.review']);

/** Resolves once `n` callers have arrived: lets two transactions both read before either writes. */
function barrier(n: number): () => Promise<void> {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((resolve) => (release = resolve));
  return () => {
    if (++arrived === n) release();
    return all;
  };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
}

describe('defineWorkflow', () => {
  it('refuses a transition that names an unknown state', () => {
    expect(() => defineWorkflow({ entity: 'x', table: 'x', states: ['a', 'b'], transitions: { go: { from: ['a'], to: 'c' as 'b', permission: 'p' } } }))
      .toThrow('x.go: unknown state c');
  });
});

for (const dialect of DIALECTS) {
  describe(`workflow engine (${dialect})`, () => {
    const clock = new FakeClock('2026-03-02T01:00:00.000Z');
    let ctx: TestContext;
    let db: Kysely<any>;

    const insertItem = async (status: ItemState, ownerId = everyone.userId!): Promise<Item> =>
      db.insertInto('wf_test_items').values({ status, version: 1, updated_at: clock.now().toISOString(), owner_id: ownerId, note: null })
        .returningAll().executeTakeFirstOrThrow() as Promise<Item>;
    const readItem = async (id: number): Promise<Item> => db.selectFrom('wf_test_items').selectAll().where('id', '=', id).executeTakeFirstOrThrow() as Promise<Item>;
    const apply = (id: number, action: ItemAction, opts: { actor?: Actor; expectedVersion?: number; payload?: Record<string, unknown>; set?: Record<string, unknown>; to?: ItemState } = {}) =>
      ctx.db.transaction().execute((trx) => applyTransition(trx, itemWorkflow, { id, action, actor: opts.actor ?? everyone, at: clock.now(), dialect, ...opts }));
    const auditOf = (id: number) => ctx.db.selectFrom('audit_log').selectAll().where('entity', '=', 'test_item').where('entity_id', '=', String(id)).orderBy('id').execute();

    beforeAll(async () => {
      ctx = await createTestContext(dialect, { clock, demo: false });
      db = ctx.db as unknown as Kysely<any>;
      await withId(db, db.schema.createTable('wf_test_items'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('owner_id', 'integer', (c) => c.notNull())
        .addColumn('note', 'text')
        .execute();
    });
    afterAll(async () => {
      await ctx?.cleanup();
    });

    it('allows exactly the actions of the table in every state, and refuses the rest as INVALID_TRANSITION', async () => {
      for (const state of STATES) {
        const item = await insertItem(state);
        const expected = ACTIONS.filter((a) => itemWorkflow.transitions[a].from.includes(state));
        expect(allowedActions(itemWorkflow, item, everyone), state).toEqual(expected);
        for (const action of ACTIONS) {
          const label = `${state} × ${action}`;
          const fresh = await insertItem(state);
          const t = itemWorkflow.transitions[action];
          if (expected.includes(action)) {
            const result = await apply(fresh.id, action, { expectedVersion: 1 });
            const to = t.keepsState ? state : t.to;
            expect(result, label).toMatchObject({ from: state, to, version: 2 });
            expect(await readItem(fresh.id), label).toMatchObject({ status: to, version: 2, updated_at: clock.now().toISOString() });
          } else {
            expect(await codeOf(apply(fresh.id, action, { expectedVersion: 1 })), label).toBe('INVALID_TRANSITION');
            expect(await readItem(fresh.id), label).toMatchObject({ status: state, version: 1 });
            expect(await readTimeline(ctx.db, 'test_item', fresh.id), label).toEqual([]);
          }
        }
      }
    });

    it('refuses an action the caller lacks the permission for, or whose guard says no, as FORBIDDEN', async () => {
      const submitted = await insertItem('submitted');
      const editor = actorWith(['items.edit']);
      expect(allowedActions(itemWorkflow, submitted, editor)).toEqual([]);
      expect(await codeOf(apply(submitted.id, 'approve', { actor: editor }))).toBe('FORBIDDEN');
      expect(await readItem(submitted.id)).toMatchObject({ status: 'submitted', version: 1 });

      const rejected = await insertItem('rejected', 99);
      expect(isAllowed(itemWorkflow, 'revise', rejected, everyone)).toBe(false);
      expect(await codeOf(apply(rejected.id, 'revise'))).toBe('FORBIDDEN');
      const owner = actorWith(['items.edit'], 99);
      expect(allowedActions(itemWorkflow, rejected, owner)).toEqual(['revise']);
      expect(await apply(rejected.id, 'revise', { actor: owner })).toMatchObject({ to: 'draft' });
    });

    it('answers a stale version with CONFLICT, a missing record with NOT_FOUND, an unknown action with INVALID_TRANSITION', async () => {
      const item = await insertItem('draft');
      await apply(item.id, 'submit', { expectedVersion: 1 });
      expect(await codeOf(apply(item.id, 'approve', { expectedVersion: 1 }))).toBe('CONFLICT');
      expect(await readItem(item.id)).toMatchObject({ status: 'submitted', version: 2 });
      expect(await apply(item.id, 'approve', { expectedVersion: 2 })).toMatchObject({ from: 'submitted', to: 'approved', version: 3 });

      expect(await codeOf(apply(999_999, 'submit'))).toBe('NOT_FOUND');
      for (const action of ['publish', 'constructor', 'toString', '__proto__']) {
        expect(await codeOf(apply(item.id, action as ItemAction)), action).toBe('INVALID_TRANSITION');
        expect(isAllowed(itemWorkflow, action as ItemAction, item, everyone), action).toBe(false);
      }
    });

    it('writes the timeline event and the audit row with the change', async () => {
      const item = await insertItem('draft');
      const author = actorWith(['items.edit'], 11);
      await apply(item.id, 'submit', { actor: author, payload: { comment: '请审核' } });
      clock.advance(60_000);
      const reviewer = actorWith(['items.review'], 12);
      await ctx.db.transaction().execute((trx) => applyTransition(trx, itemWorkflow, {
        id: item.id, action: 'approve', actor: reviewer, at: clock.now(), dialect, unitId: 5, set: { note: '同意' },
      }));
      expect(await readItem(item.id)).toMatchObject({ status: 'approved', version: 3, note: '同意' });

      const timeline = await readTimeline(ctx.db, 'test_item', item.id);
      expect(timeline).toEqual([
        { id: expect.any(Number), action: 'submit', from: 'draft', to: 'submitted', actorId: 11, actorName: '用户11', unitId: null, at: new Date(clock.now().getTime() - 60_000).toISOString(), payload: { comment: '请审核' } },
        { id: expect.any(Number), action: 'approve', from: 'submitted', to: 'approved', actorId: 12, actorName: '用户12', unitId: 5, at: clock.now().toISOString(), payload: null },
      ]);
      const audit = await auditOf(item.id);
      expect(audit.map((a) => [a.action, a.actor_id, a.ip, JSON.parse(a.diff!)])).toEqual([
        ['test_item.submit', 11, '10.0.0.1', { status: ['draft', 'submitted'], _note: { comment: '请审核' } }],
        ['test_item.approve', 12, '10.0.0.1', { status: ['submitted', 'approved'] }],
      ]);
      expect((await verifyAuditChain(ctx.db)).ok).toBe(true);
    });

    it('lets a caller override the target state, and keeps the state for timeline-only actions', async () => {
      const item = await insertItem('submitted');
      expect(await apply(item.id, 'reject', { to: 'closed' })).toMatchObject({ from: 'submitted', to: 'closed' });
      expect((await readItem(item.id)).status).toBe('closed');

      const approved = await insertItem('approved');
      expect(await apply(approved.id, 'urge', { payload: { text: '请尽快' } })).toMatchObject({ from: 'approved', to: 'approved', version: 2 });
      expect(await readItem(approved.id)).toMatchObject({ status: 'approved', version: 2 });
      expect((await readTimeline(ctx.db, 'test_item', approved.id))[0]).toMatchObject({ action: 'urge', from: 'approved', to: 'approved' });
    });

    it('rolls back the state, the event and the audit row together when a later step fails', async () => {
      const item = await insertItem('draft');
      const auditBefore = (await ctx.db.selectFrom('audit_log').select('id').execute()).length;
      const failing = ctx.db.transaction().execute(async (trx) => {
        await applyTransition(trx, itemWorkflow, { id: item.id, action: 'submit', actor: everyone, at: clock.now(), dialect });
        // e.g. the module's own insert of an attachment row fails after the transition.
        throw new Error('later step failed');
      });
      await expect(failing).rejects.toThrow('later step failed');
      expect(await readItem(item.id)).toMatchObject({ status: 'draft', version: 1 });
      expect(await readTimeline(ctx.db, 'test_item', item.id)).toEqual([]);
      expect(await auditOf(item.id)).toEqual([]);
      expect((await ctx.db.selectFrom('audit_log').select('id').execute()).length).toBe(auditBefore);
      // And the record is as good as new.
      expect(await apply(item.id, 'submit', { expectedVersion: 1 })).toMatchObject({ to: 'submitted' });
    });

    it('lets exactly one of two concurrent transitions on the same version win', async () => {
      for (let round = 0; round < 5; round++) {
        const item = await insertItem('submitted');
        const arrive = barrier(2);
        const attempt = (action: ItemAction) => ctx.db.transaction().execute(async (trx) => {
          const record = (await (trx as unknown as Kysely<any>).selectFrom('wf_test_items').selectAll().where('id', '=', item.id).executeTakeFirstOrThrow()) as Item;
          // On PostgreSQL both transactions have read version 1 before either writes. SQLite has one
          // writer at a time (the second transaction starts after the first commits), so no barrier there.
          if (dialect === 'postgres') await arrive();
          return applyTransition(trx, itemWorkflow, { id: item.id, action, actor: everyone, at: clock.now(), expectedVersion: 1, record, dialect });
        });
        const codes = await Promise.all([codeOf(attempt('approve')), codeOf(attempt('reject'))]);
        expect(codes.sort(), `round ${round}`).toEqual(['CONFLICT', 'OK']);
        const after = await readItem(item.id);
        expect(after.version).toBe(2);
        expect(['approved', 'rejected']).toContain(after.status);
        const timeline = await readTimeline(ctx.db, 'test_item', item.id);
        expect(timeline).toHaveLength(1);
        expect(timeline[0].to).toBe(after.status);
        expect(await auditOf(item.id)).toHaveLength(1);
      }
      expect((await verifyAuditChain(ctx.db)).ok).toBe(true);
    });
  });
}
