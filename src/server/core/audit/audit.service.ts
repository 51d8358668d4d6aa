import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { lockKey, type Database, type DialectName, type Tx } from '../db/database';
import type { AuditLogTable, DB } from '../db/tables';
import type { Actor } from '../http/access';
import { runPrepared } from '../db/prepared';

const AUDIT_LOCK_KEY = 72_001;
const GENESIS = '0'.repeat(64);
// Never written into the trail, whatever module records the change.
const SECRET_FIELD = /password|hash|token|secret/i;

export interface AuditEntry {
  actor: Actor;
  action: string;
  entity: string;
  entityId?: string | number | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  /** Extra facts that are not a field change (e.g. the reason for a return). */
  note?: Record<string, unknown>;
}

/** Field-by-field difference { field: [before, after] }; secrets are left out. */
export function diffRecords(before?: Record<string, unknown> | null, after?: Record<string, unknown> | null): Record<string, [unknown, unknown]> {
  const out: Record<string, [unknown, unknown]> = {};
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const k of keys) {
    if (SECRET_FIELD.test(k) || k === 'version' || k === 'updated_at' || k === 'updatedAt') continue;
    const a = before?.[k] ?? null;
    const b = after?.[k] ?? null;
    if (JSON.stringify(a) !== JSON.stringify(b)) out[k] = [a, b];
  }
  return out;
}

type ChainFields = Pick<AuditLogTable, 'at' | 'actor_id' | 'actor_name' | 'ip' | 'action' | 'entity' | 'entity_id' | 'diff' | 'prev_hash'>;

export function hashAuditRow(r: ChainFields): string {
  const canonical = JSON.stringify([r.prev_hash, r.at, r.actor_id, r.actor_name, r.ip, r.action, r.entity, r.entity_id, r.diff]);
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Appends one audit row inside the caller's transaction, chained to the previous row. On PostgreSQL an
 * advisory lock orders concurrent writers so the chain stays linear across instances. Given the
 * `database` instead of its dialect, the statements run prepared (see runPrepared): the paths that
 * write on every request (accept) pass it.
 */
export function recordAudit(trx: Tx, target: DialectName | Pick<Database, 'dialect' | 'sqlite'>, at: Date, entry: AuditEntry): Promise<void> {
  return recordAudits(trx, target, [{ at, entry }]);
}

const AUDIT_COLUMNS = ['at', 'actor_id', 'actor_name', 'ip', 'action', 'entity', 'entity_id', 'diff', 'prev_hash', 'hash'] as const;

/**
 * Appends audit rows in their order, chained one to the next, as recordAudit does for one: one lock,
 * one read of the chain's end and one insert for all of them (a group of accepts sharing a commit).
 */
export async function recordAudits(trx: Tx, target: DialectName | Pick<Database, 'dialect' | 'sqlite'>, entries: Array<{ at: Date; entry: AuditEntry }>): Promise<void> {
  if (!entries.length) return;
  const dialect = typeof target === 'string' ? target : target.dialect;
  await lockKey(trx, dialect, AUDIT_LOCK_KEY);
  const database = typeof target === 'string' ? null : target;
  const last = database
    ? (await runPrepared<{ hash: string }>(trx, database, 'select hash from audit_log order by id desc limit 1', []))[0]
    : await trx.selectFrom('audit_log').select('hash').orderBy('id', 'desc').limit(1).executeTakeFirst();
  let prev = last?.hash ?? GENESIS;
  const rows = entries.map(({ at, entry }) => {
    const changes = diffRecords(entry.before, entry.after);
    const body = entry.note ? { ...changes, ...(Object.keys(entry.note).length ? { _note: entry.note } : {}) } : changes;
    const row: ChainFields = {
      at: at.toISOString(),
      actor_id: entry.actor.userId,
      actor_name: entry.actor.username,
      ip: entry.actor.ip,
      action: entry.action,
      entity: entry.entity,
      entity_id: entry.entityId == null ? null : String(entry.entityId),
      diff: Object.keys(body).length ? JSON.stringify(body) : null,
      prev_hash: prev,
    };
    prev = hashAuditRow(row);
    return { ...row, hash: prev };
  });
  if (database) {
    const values = rows.map(() => `(${AUDIT_COLUMNS.map(() => '?').join(', ')})`).join(', ');
    await runPrepared(trx, database, `insert into audit_log (${AUDIT_COLUMNS.join(', ')}) values ${values}`, rows.flatMap((r) => AUDIT_COLUMNS.map((c) => r[c])));
  } else {
    await trx.insertInto('audit_log').values(rows).execute();
  }
}

/** A row of the chain as a verification saw it: recorded outside the database, it is checked again later. */
export interface AuditHead {
  id: number;
  hash: string;
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  /** The first row whose hash or link does not match, or the recorded head that is missing or changed. */
  brokenAt?: { id: number; reason: string };
  /** The chain's last row when every row checked out (none in an empty trail). */
  head?: AuditHead;
}

/**
 * Walks the chain in id order, in pages, and reports the first broken link. The chain itself cannot show
 * rows removed from its end, nor a trail rewritten from some row on with new hashes; `expect` can: a head
 * printed by an earlier verification and kept outside the database must still be in the chain, with the
 * same hash (then every row up to it is as it was).
 */
export async function verifyAuditChain(db: Kysely<DB>, onProgress?: (checked: number) => void, expect?: AuditHead): Promise<VerifyResult> {
  let prev = GENESIS;
  let lastId = 0;
  let checked = 0;
  for (;;) {
    const rows = await db.selectFrom('audit_log').selectAll().where('id', '>', lastId).orderBy('id').limit(5000).execute();
    if (!rows.length) {
      if (expect && lastId < expect.id) return { ok: false, checked, brokenAt: { id: expect.id, reason: 'the recorded head is gone: rows were removed from the end of the trail' } };
      return { ok: true, checked, ...(checked ? { head: { id: lastId, hash: prev } } : {}) };
    }
    for (const r of rows) {
      if (expect && lastId < expect.id && r.id > expect.id) return { ok: false, checked, brokenAt: { id: expect.id, reason: 'the recorded head is gone: the row was removed' } };
      if (r.prev_hash !== prev) return { ok: false, checked, brokenAt: { id: r.id, reason: 'prev_hash does not match the previous row' } };
      if (hashAuditRow(r) !== r.hash) return { ok: false, checked, brokenAt: { id: r.id, reason: 'row content does not match its hash' } };
      if (expect && r.id === expect.id && r.hash !== expect.hash) return { ok: false, checked, brokenAt: { id: r.id, reason: 'the recorded head has another hash now: the trail was rewritten up to it' } };
      prev = r.hash;
      lastId = r.id;
      checked++;
    }
    onProgress?.(checked);
  }
}

/** A head as `audit verify` prints it, ID:HASH; null when it is not one. */
export function parseAuditHead(text: string): AuditHead | null {
  const m = /^(\d{1,15}):([0-9a-f]{64})$/.exec(text.trim().toLowerCase());
  return m ? { id: Number(m[1]), hash: m[2] } : null;
}
