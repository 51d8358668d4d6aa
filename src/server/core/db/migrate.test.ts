import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../../test/harness';
import { openDatabase } from './database';
import { migrateToLatest } from './migrate';

// Several instances, suites or tenants share one PostgreSQL database: one of them migrating its schema
// must not fail because another drops a schema at the same moment.
describe.runIf(DIALECTS.includes('postgres'))('migrations on a shared PostgreSQL database', () => {
  it('migrate their own schema while other schemas are dropped', async () => {
    const url = process.env.TEST_DATABASE_URL!;
    const tag = randomBytes(4).toString('hex');
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const others = Array.from({ length: 30 }, (_, i) => `zt_other_${tag}_${i}`);
    const mine = Array.from({ length: 2 }, (_, i) => `zt_mine_${tag}_${i}`);
    try {
      for (const s of [...others, ...mine]) await admin.query(`create schema ${s}; create table ${s}.t (x int)`);
      const dropper = (async () => {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        for (const s of others) await c.query(`drop schema ${s} cascade`);
        await c.end();
      })();
      const migrations = mine.map(async (schema) => {
        const database = await openDatabase(url, { schema, poolSize: 2 });
        try {
          return await migrateToLatest(database);
        } finally {
          await database.close();
        }
      });
      const [, ...applied] = await Promise.all([dropper, ...migrations]);
      for (const names of applied) expect(names.length).toBeGreaterThan(5);
      // Each schema got its own tables, not a neighbour's.
      for (const schema of mine) {
        const { rows } = await admin.query('select count(*)::int as n from information_schema.tables where table_schema = $1 and table_name = $2', [schema, 'requests']);
        expect(rows[0].n).toBe(1);
      }
    } finally {
      for (const s of [...others, ...mine]) await admin.query(`drop schema if exists ${s} cascade`);
      await admin.end();
    }
  }, 120_000);
});
