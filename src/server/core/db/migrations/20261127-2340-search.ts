import { sql, type Kysely } from 'kysely';
import { idType, isPostgres, withId } from './helpers';

// Full-text search over requests, and the request-intelligence tables (stored models, history imports).
// Both dialects index the same pre-segmented text: Chinese has no spaces, so the application segments it
// (jieba, with the city's own dictionary) and stores the tokens joined by spaces; the database's simple
// tokenizer then only has to split on those spaces.
export async function up(db: Kysely<any>): Promise<void> {
  const ref = idType(db);

  if (isPostgres(db)) {
    // One row per request; the tsvector is generated from the token columns, weighted title A, body B, reply C.
    await sql`
      create table request_search (
        request_id bigint primary key references requests(id),
        title text not null default '',
        body text not null default '',
        reply text not null default '',
        document tsvector generated always as (
          setweight(to_tsvector('simple'::regconfig, title), 'A') ||
          setweight(to_tsvector('simple'::regconfig, body), 'B') ||
          setweight(to_tsvector('simple'::regconfig, reply), 'C')
        ) stored
      )`.execute(db);
    await sql`create index request_search_document_idx on request_search using gin (document)`.execute(db);
  } else {
    // rowid = request id. unicode61 splits on the spaces between tokens (and on any punctuation left);
    // diacritics are kept so both dialects see the same tokens.
    await sql`create virtual table request_search using fts5(title, body, reply, tokenize = 'unicode61 remove_diacritics 0')`.execute(db);
  }

  // Re-importing a file skips the rows already imported (source 'import', source_ref = the row's id).
  await db.schema.createIndex('requests_source_ref_idx').on('requests').columns(['source', 'source_ref']).execute();

  // Trained models (the category/unit suggester): every instance loads the newest version of a kind.
  await withId(db, db.schema.createTable('intelligence_models'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('trained_at', 'text', (c) => c.notNull())
    .addColumn('trained_by', 'text', (c) => c.notNull())
    .addColumn('training_rows', 'integer', (c) => c.notNull())
    // What the model was trained on (a signature of the data), to skip retraining when nothing changed.
    .addColumn('data_signature', 'text', (c) => c.notNull())
    .addColumn('metrics', 'text')
    .addColumn('model', 'text', (c) => c.notNull())
    .addUniqueConstraint('intelligence_models_kind_version_uq', ['kind', 'version'])
    .execute();

  // History imports through the API: a durable job works through the file in chunks and records progress here.
  await withId(db, db.schema.createTable('intelligence_imports'))
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('storage_key', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('total_rows', 'integer')
    .addColumn('rows_done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('imported', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('skipped', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('errors', 'text')
    .addColumn('options', 'text')
    .addColumn('message', 'text')
    .addColumn('created_by', ref)
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('intelligence_imports').ifExists().execute();
  await db.schema.dropTable('intelligence_models').ifExists().execute();
  await db.schema.dropIndex('requests_source_ref_idx').ifExists().execute();
  await db.schema.dropTable('request_search').ifExists().execute();
}
