import { sql, type Kysely } from 'kysely';
import { isPostgres } from './helpers';

// 等保 2.0 wants audit records protected from change: the database itself refuses to rewrite or drop
// rows of the trail, so a bug or a careless script cannot; verifyAuditChain catches whoever drops these.
export async function up(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await sql`
      create function audit_log_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'audit_log is append-only';
      end
      $$`.execute(db);
    await sql`create trigger audit_log_no_update before update on audit_log for each row execute function audit_log_append_only()`.execute(db);
    await sql`create trigger audit_log_no_delete before delete on audit_log for each row execute function audit_log_append_only()`.execute(db);
    await sql`create trigger audit_log_no_truncate before truncate on audit_log for each statement execute function audit_log_append_only()`.execute(db);
    return;
  }
  await sql`create trigger audit_log_no_update before update on audit_log begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
  await sql`create trigger audit_log_no_delete before delete on audit_log begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    for (const t of ['audit_log_no_update', 'audit_log_no_delete', 'audit_log_no_truncate']) await sql`drop trigger if exists ${sql.id(t)} on audit_log`.execute(db);
    await sql`drop function if exists audit_log_append_only()`.execute(db);
    return;
  }
  for (const t of ['audit_log_no_update', 'audit_log_no_delete']) await sql`drop trigger if exists ${sql.id(t)}`.execute(db);
}
