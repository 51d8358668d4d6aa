import fs from 'node:fs';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, loadConfig } from '../config';
import type { AppContext } from '../context';
import { parseAuditHead, verifyAuditChain } from '../core/audit/audit.service';
import { systemActor } from '../core/http/access';
import { AppError, resolveMsg } from '../core/http/errors';
import { isPostgresUrl, openDatabase } from '../core/db/database';
import { seedDemoCity } from '../demo/demo-city';
import { createApiToken } from '../modules/auth/auth.service';
import { importCategoryFile, parseCategoryFile } from '../modules/catalog';
import { createUser } from '../modules/users/users.service';
import { insertUnit } from '../modules/org/org.repository';
import { bootstrap } from '../server';
import { createProgress } from './progress';
import { crossValidate, generateHistory, importHistoryFile, readLabeledJsonl, reindexAll, toJsonl, trainSuggester } from '../modules/intelligence';
import { migrateToLatest } from '../core/db/migrate';
import { GENERATE_PROFILES, generateRequests } from '../modules/requests/requests.generate';

interface Command {
  summary: string;
  usage: string;
  options?: ParseArgsConfig['options'];
  run(args: { values: Record<string, unknown>; positionals: string[] }): Promise<void>;
}

/** Opens and migrates the configured database without seeding anything. */
async function openContext(opts: { demo?: boolean } = {}): Promise<AppContext> {
  const config = loadConfig({ ...process.env, ZT_DEMO: opts.demo ? 'true' : 'false', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  return bootstrap(config);
}

const COMMANDS: Record<string, Command> = {
  migrate: {
    summary: 'Create or upgrade the database schema',
    usage: 'zhengtong migrate',
    async run() {
      const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
      const database = await openDatabase(config.databaseUrl);
      const applied = await migrateToLatest(database);
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
      await database.close();
    },
  },
  'seed-demo': {
    summary: 'Create the demo city (units and demo accounts) in an empty database',
    usage: 'zhengtong seed-demo',
    async run() {
      const ctx = await openContext();
      const created = await seedDemoCity(ctx, ctx.config.demoPassword);
      console.log(created ? `Demo city created. Demo password: ${ctx.config.demoPassword}` : 'Units already exist; nothing was changed.');
      await ctx.database.close();
    },
  },
  'create-admin': {
    summary: 'Create an administrator account (password from --password or ZT_ADMIN_PASSWORD)',
    usage: 'zhengtong create-admin --username NAME [--display-name 名称] [--unit CODE] [--password P]',
    options: { username: { type: 'string' }, 'display-name': { type: 'string' }, unit: { type: 'string' }, password: { type: 'string' } },
    async run({ values }) {
      const username = values.username as string | undefined;
      const password = (values.password as string | undefined) ?? process.env.ZT_ADMIN_PASSWORD;
      if (!username) throw new Error('--username is required');
      if (!password) throw new Error('--password or ZT_ADMIN_PASSWORD is required');
      const ctx = await openContext();
      const actor = systemActor('cli');
      let unit = values.unit
        ? await ctx.db.selectFrom('units').select('id').where('code', '=', values.unit as string).executeTakeFirst()
        : await ctx.db.selectFrom('units').select('id').where('parent_id', 'is', null).orderBy('id').executeTakeFirst();
      if (!unit && values.unit) throw new Error(`no unit with code ${values.unit}`);
      if (!unit) {
        // A production database starts empty: the administrator needs a unit to belong to.
        const row = await ctx.db.transaction().execute((trx) => insertUnit(trx, { parentId: null, parentPath: '', code: 'ROOT', name: '市人民政府', kind: 'government', sortOrder: 0, now: ctx.clock.now().toISOString() }));
        unit = { id: row.id };
      }
      const user = await createUser(ctx, actor, { username, displayName: (values['display-name'] as string) ?? username, unitId: unit.id, roles: ['admin'], password });
      console.log(`Administrator ${user.username} created (id ${user.id}).`);
      await ctx.database.close();
    },
  },
  token: {
    summary: 'API tokens: `token create --user NAME [--name LABEL]` prints a new token once',
    usage: 'zhengtong token create --user USERNAME [--name LABEL]',
    options: { user: { type: 'string' }, name: { type: 'string' } },
    async run({ values, positionals }) {
      if (positionals[0] !== 'create') throw new Error('usage: zhengtong token create --user USERNAME [--name LABEL]');
      if (!values.user) throw new Error('--user is required');
      const ctx = await openContext();
      const user = await ctx.db.selectFrom('users').select('id').where('username', '=', String(values.user).toLowerCase()).executeTakeFirst();
      if (!user) throw new Error(`no user named ${values.user}`);
      const created = await createApiToken(ctx, systemActor('cli'), { name: (values.name as string) ?? 'cli', userId: user.id });
      console.log(created.token);
      console.error(`Token ${created.id} for ${values.user}. It is shown only this once; use it as "Authorization: Bearer <token>".`);
      await ctx.database.close();
    },
  },
  audit: {
    summary: 'Audit trail: `audit verify` checks the hash chain, reports the first broken link, and prints the head to keep',
    usage: 'zhengtong audit verify [--head ID:HASH]\n'
      + '  --head: a head printed by an earlier verify, kept outside the database (a ticket, a log shipped elsewhere): it must still\n'
      + '  be in the trail with the same hash, which shows that no row up to it was removed or rewritten since',
    options: { head: { type: 'string' } },
    async run({ positionals, values }) {
      if (positionals[0] !== 'verify') throw new Error('usage: zhengtong audit verify [--head ID:HASH]');
      const expected = values.head === undefined ? undefined : parseAuditHead(values.head as string);
      if (expected === null) throw new Error(`--head must be ID:HASH as audit verify prints it, e.g. 1234:${'0'.repeat(64)} (got "${values.head as string}")`);
      const ctx = await openContext();
      const progress = createProgress('verifying');
      const result = await verifyAuditChain(ctx.db, (n) => progress.update(n), expected);
      progress.done();
      await ctx.database.close();
      if (result.ok) {
        console.log(`Audit chain intact: ${result.checked} rows checked${expected ? `, the recorded head ${expected.id} among them` : ''}.`);
        if (result.head) console.log(`Head: ${result.head.id}:${result.head.hash}\n  Keep it outside the database; \`audit verify --head ${result.head.id}:${result.head.hash}\` later shows that no row up to it was removed or rewritten.`);
      } else {
        console.log(`Audit chain BROKEN at row ${result.brokenAt!.id}: ${result.brokenAt!.reason} (${result.checked} rows before it are intact).`);
        process.exitCode = 1;
      }
    },
  },
  categories: {
    summary: 'Request categories: `categories import FILE [--replace]` (.csv or .xlsx, header level1,level2,level3)',
    usage: 'zhengtong categories import FILE [--replace]   (re-import merges by name path; --replace deactivates categories absent from the file)',
    options: { replace: { type: 'boolean' } },
    async run({ values, positionals }) {
      const [sub, file] = positionals;
      if (sub !== 'import' || !file) throw new Error('usage: zhengtong categories import FILE [--replace]');
      if (!fs.existsSync(file)) throw new Error(`no such file: ${file}`);
      const ctx = await openContext();
      const result = await importCategoryFile(ctx, systemActor('cli'), fs.readFileSync(file), path.basename(file), { replace: !!values.replace });
      await ctx.database.close();
      console.log(`Categories: ${result.rows} rows read, ${result.created} created, ${result.existing} already there, ${result.deactivated} deactivated.`);
      for (const e of result.errors) console.log(`  line ${e.line}: ${e.message}`);
      if (result.errors.length) process.exitCode = 1;
    },
  },
  generate: {
    summary: 'Fill the database with a deterministic half-year of requests (benchmarks; the demo city is created when missing)',
    usage: `zhengtong generate --profile ${Object.keys(GENERATE_PROFILES).join('|')} [--scale 1.0 | --requests N] [--seed N] [--threads N]   (run it with the server stopped;\n`
      + '  --threads: threads that build and segment the batches beside the writer, default one per core but the writer\'s from 200 000 requests, 0 for none)',
    options: { profile: { type: 'string' }, scale: { type: 'string' }, requests: { type: 'string' }, seed: { type: 'string' }, threads: { type: 'string' } },
    async run({ values }) {
      const profile = (values.profile as string | undefined) ?? 'h1-2024';
      const number = (name: string) => {
        const v = values[name] as string | undefined;
        if (v === undefined) return undefined;
        const n = Number(v);
        if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number (got "${v}")`);
        return n;
      };
      const scale = number('scale');
      const requests = number('requests');
      const seed = number('seed');
      const threads = values.threads === undefined ? undefined : Number(values.threads);
      if (requests !== undefined && !Number.isInteger(requests)) throw new Error('--requests must be a whole number');
      if (threads !== undefined && !(Number.isInteger(threads) && threads >= 0)) throw new Error(`--threads must be a whole number, 0 or more (got "${values.threads as string}")`);
      const ctx = await openContext({ demo: true });
      const bar: { progress?: ReturnType<typeof createProgress> } = {};
      try {
        const result = await generateRequests(ctx, {
          profile, scale, requests, seed, threads,
          onProgress: (done, total) => (bar.progress ??= createProgress('generating', total)).update(done),
        });
        bar.progress?.done();
        const pct = (a: number, b: number) => (b ? ((a / b) * 100).toFixed(2) : '—');
        console.log(`Generated ${result.requests} requests (${result.enterprise} enterprise) over ${result.days} days in ${result.seconds.toFixed(1)} s (${Math.round(result.requests / result.seconds)}/s).`);
        console.log(`Resolution: ${pct(result.callbacks.resolved, result.callbacks.answered)} % of ${result.callbacks.answered} callbacks answered; enterprise ${pct(result.callbacks.enterpriseResolved, result.callbacks.enterpriseAnswered)} % of ${result.callbacks.enterpriseAnswered}.`);
      } finally {
        await ctx.database.close();
      }
    },
  },
  requests: {
    summary: 'Requests: `requests import FILE` imports past requests (.jsonl, .csv or .xlsx) with their search index',
    usage: 'zhengtong requests import FILE [--type consult] [--channel message-board] [--batch 2000]\n'
      + '  Fields (English or Chinese headings): title, content, time, category (level1/level2/level3 or a prefix), district, unit,\n'
      + '  status (closed, accepted or withdrawn; default closed), reply, reply_time, type, channel, address, id.\n'
      + '  Times: ISO 8601, 2019/2/28 11:25:05, 2019/2/28, Excel dates. Bad rows are listed with their line; good rows are imported;\n'
      + '  rows imported before (same id, or same file and line) are skipped.',
    options: { type: { type: 'string' }, channel: { type: 'string' }, batch: { type: 'string' } },
    async run({ values, positionals }) {
      const [sub, file] = positionals;
      if (sub !== 'import' || !file) throw new Error('usage: zhengtong requests import FILE [--type CODE] [--channel CODE] [--batch N]');
      if (!fs.existsSync(file)) throw new Error(`no such file: ${file}`);
      const batchSize = values.batch === undefined ? undefined : Number(values.batch);
      if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1)) throw new Error('--batch must be a whole number ≥ 1');
      const ctx = await openContext();
      const bar: { progress?: ReturnType<typeof createProgress> } = {};
      try {
        const result = await importHistoryFile(ctx, systemActor('cli'), fs.readFileSync(file), path.basename(file), {
          defaultType: values.type as string | undefined, defaultChannel: values.channel as string | undefined, batchSize,
          onProgress: (done, total) => (bar.progress ??= createProgress('importing', total)).update(done),
        });
        bar.progress?.done();
        const rate = result.seconds > 0 ? Math.round((result.imported + result.skipped) / result.seconds) : 0;
        console.log(`Imported ${result.imported} of ${result.total} rows in ${result.seconds.toFixed(2)} s (${rate} rows/s); ${result.skipped} already imported, ${result.errors.length} bad.`);
        for (const e of result.errors.slice(0, 200)) console.log(`  line ${e.line}: ${e.message}`);
        if (result.errors.length > 200) console.log(`  … and ${result.errors.length - 200} more bad rows`);
        if (result.errors.length) process.exitCode = 1;
      } finally {
        await ctx.database.close();
      }
    },
  },
  intelligence: {
    summary: 'Request intelligence: `intelligence train`, `intelligence eval --labeled FILE`, `intelligence reindex`',
    usage: 'zhengtong intelligence train [--if-changed]      learn categories and units from the closed requests; store a new model version\n'
      + '       zhengtong intelligence eval --labeled FILE [--folds 5] [--seed 1] [--taxonomy FILE.csv]\n'
      + '           k-fold cross-validation (seeded, deterministic folds) on a JSONL with title, content and the label in category or level1;\n'
      + '           a taxonomy (level1,level2,level3) adds its names as the categories table does in production\n'
      + '       zhengtong intelligence reindex                re-segment every request into the search index (after dictionary changes)\n'
      + '       zhengtong intelligence sample-history FILE.jsonl --rows N [--seed S]   write a generated history of the demo city (to try or measure the import)',
    options: { labeled: { type: 'string' }, folds: { type: 'string' }, seed: { type: 'string' }, taxonomy: { type: 'string' }, 'if-changed': { type: 'boolean' }, rows: { type: 'string' } },
    async run({ values, positionals }) {
      const sub = positionals[0];
      if (sub === 'eval') {
        const file = values.labeled as string | undefined;
        if (!file) throw new Error('--labeled FILE is required');
        if (!fs.existsSync(file)) throw new Error(`no such file: ${file}`);
        const folds = Number(values.folds ?? 5);
        const seed = Number(values.seed ?? 1);
        if (!Number.isInteger(folds) || folds < 2) throw new Error('--folds must be a whole number ≥ 2');
        if (!Number.isInteger(seed)) throw new Error('--seed must be a whole number');
        const { rows, errors } = readLabeledJsonl(fs.readFileSync(file, 'utf8'));
        for (const e of errors) console.log(`  line ${e.line}: ${e.message}`);
        let taxonomy: string[][] | undefined;
        if (values.taxonomy) {
          const t = values.taxonomy as string;
          if (!fs.existsSync(t)) throw new Error(`no such file: ${t}`);
          const parsed = await parseCategoryFile(fs.readFileSync(t), path.basename(t));
          for (const e of parsed.errors) console.log(`  taxonomy line ${e.line}: ${e.messageEn}`);
          taxonomy = parsed.rows;
        }
        const r = crossValidate(rows, { folds, seed, taxonomy });
        const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
        console.log(`${r.rows} labelled rows, ${r.labels} labels, ${folds}-fold cross-validation (seed ${seed})${taxonomy ? `, taxonomy ${taxonomy.length} rows` : ''}:`);
        r.folds.forEach((f, i) => console.log(`  fold ${i + 1}: ${f.n} rows  top-1 ${pct(f.top1)}  top-3 ${pct(f.top3)}`));
        console.log(`top-1 accuracy: ${pct(r.top1)}`);
        console.log(`top-3 accuracy: ${pct(r.top3)}`);
        console.log('confidence of the top suggestion → share of rows at or above it, and how often those were right:');
        for (const c of r.confidence) console.log(`  ≥ ${c.threshold.toFixed(2)}: ${pct(c.coverage)} of rows, ${c.accuracy === null ? '—' : pct(c.accuracy)} right`);
        console.log(`(${r.seconds.toFixed(1)} s)`);
        return;
      }
      if (sub === 'sample-history') {
        const file = positionals[1];
        const rows = Number(values.rows ?? 1000);
        if (!file || !Number.isInteger(rows) || rows < 1) throw new Error('usage: zhengtong intelligence sample-history FILE.jsonl --rows N [--seed S]');
        fs.writeFileSync(file, toJsonl(generateHistory({ rows, seed: Number(values.seed ?? 1), days: 730 })));
        console.log(`Wrote ${rows} generated requests of the demo city to ${file}.`);
        return;
      }
      if (sub !== 'train' && sub !== 'reindex') throw new Error('usage: zhengtong intelligence train | eval --labeled FILE [--folds 5] | reindex | sample-history FILE --rows N');
      const ctx = await openContext();
      try {
        if (sub === 'train') {
          const outcome = await trainSuggester(ctx, ctx.db, 'cli', { force: !values['if-changed'] });
          if (!outcome.trained) console.log(outcome.reason === 'unchanged' ? `Nothing changed since model v${outcome.version}; not retrained.` : 'Nothing to learn from yet: no closed requests with a category or unit, and no categories.');
          else console.log(`Model v${outcome.version} trained on ${outcome.rows} closed requests: ${outcome.categories} categories, ${outcome.units} units (${outcome.seconds.toFixed(1)} s).`);
        } else {
          const progress = createProgress('reindexing');
          const n = await reindexAll(ctx, (done) => progress.update(done));
          progress.done();
          console.log(`Search index rebuilt for ${n} requests.`);
        }
      } finally {
        await ctx.database.close();
      }
    },
  },
  backup: {
    summary: 'Online backup of the embedded SQLite database to a file (PostgreSQL: prints the pg_dump command)',
    usage: 'zhengtong backup FILE',
    async run({ positionals }) {
      const target = positionals[0];
      if (!target) throw new Error('usage: zhengtong backup FILE');
      const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
      if (isPostgresUrl(config.databaseUrl)) {
        console.log('PostgreSQL is backed up with its own tools. Run:');
        console.log(`  pg_dump --format=custom --file=${JSON.stringify(target)} ${JSON.stringify(config.databaseUrl)}`);
        return;
      }
      const database = await openDatabase(config.databaseUrl);
      const progress = createProgress('backup');
      // better-sqlite3's backup copies pages while the server keeps writing.
      await database.sqlite!.backup(path.resolve(target), {
        progress: ({ totalPages, remainingPages }) => {
          progress.update(totalPages - remainingPages);
          return 100;
        },
      });
      progress.done();
      await database.close();
      console.log(`Backup written to ${path.resolve(target)}.`);
    },
  },
  restore: {
    summary: 'Replace the embedded SQLite database with a backup file (stop the server first)',
    usage: 'zhengtong restore FILE',
    async run({ positionals }) {
      const source = positionals[0];
      if (!source) throw new Error('usage: zhengtong restore FILE');
      const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
      if (isPostgresUrl(config.databaseUrl)) {
        console.log('PostgreSQL is restored with its own tools. Run:');
        console.log(`  pg_restore --clean --if-exists --dbname=${JSON.stringify(config.databaseUrl)} ${JSON.stringify(source)}`);
        return;
      }
      if (!fs.existsSync(source)) throw new Error(`no such file: ${source}`);
      // Check it really is a Zhengtong database before replacing anything.
      const candidate = await openDatabase(source);
      const ok = await candidate.db.selectFrom('audit_log').select('id').limit(1).execute().then(() => true, () => false);
      await candidate.close();
      if (!ok) throw new Error(`${source} is not a Zhengtong database backup`);
      const target = path.resolve(config.databaseUrl);
      const tmp = `${target}.restoring`;
      fs.copyFileSync(source, tmp);
      for (const suffix of ['-wal', '-shm']) fs.rmSync(target + suffix, { force: true });
      fs.renameSync(tmp, target);
      console.log(`Database ${target} restored from ${path.resolve(source)}.`);
    },
  },
};

function printHelp(): void {
  console.log('Usage: zhengtong <command> [options]   (npx zhengtong <command> --help for one command)\n');
  for (const [name, c] of Object.entries(COMMANDS)) console.log(`  ${name.padEnd(14)} ${c.summary}`);
  console.log('\nThe database comes from DATABASE_URL (default ./data/zhengtong.db), as for npm start.');
}

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') return printHelp();
  const command = COMMANDS[name];
  if (!command) {
    console.error(`Unknown command "${name}".`);
    printHelp();
    process.exitCode = 2;
    return;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`${command.summary}\n\nUsage: ${command.usage}`);
    return;
  }
  const parsed = parseArgs({ args: rest, options: command.options ?? {}, allowPositionals: true, strict: true });
  await command.run({ values: parsed.values as Record<string, unknown>, positionals: parsed.positionals });
}

main(process.argv.slice(2)).catch((err) => {
  if (err instanceof ConfigError) console.error(err.message);
  else if (err instanceof AppError) {
    console.error(`Error: ${resolveMsg(err.msg, 'en')}`);
    for (const d of err.details ?? []) console.error(`  ${d.field}: ${resolveMsg(d.message, 'en')}`);
  } else console.error(`Error: ${(err as Error).message}`);
  process.exitCode = process.exitCode || 1;
});
