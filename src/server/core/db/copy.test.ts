import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../test/harness';
import { copyRows } from './copy';
import { openDatabase, type Database } from './database';

describe.runIf(DIALECTS.includes('postgres'))('COPY into PostgreSQL (copyRows)', () => {
  const schema = `zt_copy_${randomBytes(4).toString('hex')}`;
  let database: Database;

  beforeAll(async () => {
    database = await openDatabase(process.env.TEST_DATABASE_URL!, { schema, poolSize: 2 });
    await sql`create schema ${sql.id(schema)}`.execute(database.db);
    await sql`create table t (id bigint primary key, label text, score double precision, flag integer, note text, doc tsvector generated always as (to_tsvector('simple', coalesce(label, ''))) stored)`.execute(database.db);
  });

  afterAll(async () => {
    await sql`drop schema ${sql.id(schema)} cascade`.execute(database.db);
    await database.close();
  });

  const rowsOf = async () => (await sql<{ id: number; label: string | null; score: number | null; flag: number | null; note: string | null; doc: string }>`select id, label, score, flag, note, doc::text as doc from t order by id`.execute(database.db)).rows;

  it('stores every value as given: tabs, line breaks, backslashes, a literal \\N, nulls, Chinese, JSON', async () => {
    const rows = [
      { id: 1, label: '路灯 不亮\t第二列?', score: 1.5, flag: 1, note: 'line one\nline two\r\nend' },
      { id: 2, label: 'C:\\path\\N and \\N', score: -0.25, flag: 0, note: '\\N' },
      { id: 3, label: null, score: null, flag: null, note: null },
      { id: 4, label: '', score: 0, flag: 0, note: { source: 'file.jsonl', lines: [1, 2] } },
    ];
    await database.db.transaction().execute((trx) => copyRows(trx, 't', ['id', 'label', 'score', 'flag', 'note'], rows));
    const stored = await rowsOf();
    expect(stored.map(({ doc: _doc, ...r }) => r)).toEqual([
      rows[0],
      rows[1],
      rows[2],
      { ...rows[3], note: JSON.stringify(rows[3].note) },
    ]);
    // The generated column is computed from the copied text.
    expect(stored[0].doc).toBe("'不亮':2 '第二列':3 '路灯':1");
  });

  it('writes nothing of a transaction whose COPY fails, says why, and leaves the connection usable', async () => {
    const before = await rowsOf();
    const failing = database.db.transaction().execute(async (trx) => {
      await copyRows(trx, 't', ['id', 'label'], [{ id: 10, label: 'kept?' }]);
      // id 1 is taken: the second COPY fails on the primary key.
      await copyRows(trx, 't', ['id', 'label'], [{ id: 11, label: 'x' }, { id: 1, label: 'again' }]);
    });
    await expect(failing).rejects.toThrow(/duplicate key value violates unique constraint/);
    expect(await rowsOf()).toEqual(before);
    // Both pooled connections still work (the failed one was rolled back, not left inside the COPY).
    const counts = await Promise.all([0, 1].map(() => database.db.connection().execute(async (c) => (await sql<{ n: number }>`select count(*)::int as n from t`.execute(c)).rows[0].n)));
    expect(counts).toEqual([before.length, before.length]);
  });
});
