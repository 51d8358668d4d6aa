import type { Selectable } from 'kysely';
import type { Tx } from '../../core/db/database';
import type { CategoriesTable } from '../catalog/catalog.tables';
import type { RequestStatus } from '../requests/requests.tables';
import type { Open311AttributesTable, Open311SubmissionsTable } from './open311.tables';

export type AttributeRow = Selectable<Open311AttributesTable>;
export type SubmissionRow = Selectable<Open311SubmissionsTable>;
export type CategoryRow = Selectable<CategoriesTable>;

// ── services: active category leaves ──

/** Active categories without an active child: the services partners may submit to. */
export function activeLeaves(db: Tx): Promise<CategoryRow[]> {
  return db.selectFrom('categories as c').selectAll('c')
    .where('c.active', '=', 1)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('categories as child').select('child.id').whereRef('child.parent_id', '=', 'c.id').where('child.active', '=', 1))))
    .orderBy('c.code').execute();
}

export async function findActiveLeafByCode(db: Tx, code: string): Promise<CategoryRow | undefined> {
  const row = await db.selectFrom('categories').selectAll().where('code', '=', code).where('active', '=', 1).executeTakeFirst();
  if (!row) return undefined;
  const child = await db.selectFrom('categories').select('id').where('parent_id', '=', row.id).where('active', '=', 1).limit(1).executeTakeFirst();
  return child ? undefined : row;
}

export function findCategoriesByCodes(db: Tx, codes: string[]) {
  return db.selectFrom('categories').select(['id', 'code']).where('code', 'in', codes).execute();
}

/** The newest change to what services and service definitions say: discovery's changeset. */
export async function lastDefinitionChange(db: Tx, definitionsChangedAt: string | null): Promise<string | null> {
  const cat = await db.selectFrom('categories').select((eb) => eb.fn.max('updated_at').as('at')).executeTakeFirst();
  const all = [cat?.at, definitionsChangedAt].filter((v): v is string => typeof v === 'string');
  return all.length ? all.sort().at(-1)! : null;
}

// ── attributes ──

export function attributesOf(db: Tx, categoryId: number): Promise<AttributeRow[]> {
  return db.selectFrom('open311_attributes').selectAll().where('category_id', '=', categoryId).orderBy('sort_order').orderBy('id').execute();
}

/** Category id → number of attributes, for the `metadata` flag of the service list. */
export async function attributeCounts(db: Tx): Promise<Map<number, number>> {
  const rows = await db.selectFrom('open311_attributes').select(['category_id', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('category_id').execute();
  return new Map(rows.map((r) => [r.category_id, Number(r.n)]));
}

export async function replaceAttributes(db: Tx, categoryId: number, rows: Array<Omit<AttributeRow, 'id' | 'category_id'>>): Promise<void> {
  await db.deleteFrom('open311_attributes').where('category_id', '=', categoryId).execute();
  if (rows.length) await db.insertInto('open311_attributes').values(rows.map((r) => ({ ...r, category_id: categoryId }))).execute();
}

// ── submissions ──

export function insertSubmission(db: Tx, row: SubmissionRow): Promise<unknown> {
  return db.insertInto('open311_submissions').values(row).execute();
}

export function findSubmission(db: Tx, requestId: number): Promise<SubmissionRow | undefined> {
  return db.selectFrom('open311_submissions').selectAll().where('request_id', '=', requestId).executeTakeFirst();
}

export function findSubmissionByToken(db: Tx, token: string) {
  return db.selectFrom('open311_submissions').innerJoin('requests', 'requests.id', 'open311_submissions.request_id')
    .select(['open311_submissions.token', 'requests.number']).where('open311_submissions.token', '=', token).executeTakeFirst();
}

// ── requests as Open311 shows them ──

/** Everything one GeoReport request needs, in one row: the request, its service, lead unit, merge target and submission. */
export function requestViewQuery(db: Tx) {
  return db.selectFrom('requests')
    .leftJoin('categories', 'categories.id', 'requests.category_id')
    .leftJoin('units as lead', 'lead.id', 'requests.lead_unit_id')
    .leftJoin('requests as target', 'target.id', 'requests.merged_into_id')
    .leftJoin('open311_submissions as sub', 'sub.request_id', 'requests.id')
    .select([
      'requests.id', 'requests.number', 'requests.status', 'requests.type', 'requests.urgency', 'requests.content', 'requests.address',
      'requests.lat', 'requests.lng', 'requests.requester_name', 'requests.is_confidential', 'requests.reply_text', 'requests.accepted_at',
      'requests.updated_at', 'requests.closed_at', 'requests.due_at', 'requests.reply_due_at',
      'categories.code as service_code', 'categories.name as service_name', 'lead.name as lead_unit_name', 'target.number as target_number',
      'sub.address_id', 'sub.media_url',
    ]);
}

export type RequestViewRow = Awaited<ReturnType<ReturnType<typeof requestViewQuery>['execute']>>[number];

export interface RequestSearch {
  numbers?: string[];
  categoryIds?: number[];
  start?: string;
  end?: string;
  states?: RequestStatus[];
  /** States to leave out (the complement of `states`, when that is shorter). */
  notStates?: RequestStatus[];
  limit: number;
  offset: number;
}

export function searchRequests(db: Tx, s: RequestSearch): Promise<RequestViewRow[]> {
  let q = requestViewQuery(db);
  if (s.numbers) q = q.where('requests.number', 'in', s.numbers);
  else {
    if (s.categoryIds) q = q.where('requests.category_id', 'in', s.categoryIds);
    if (s.start) q = q.where('requests.accepted_at', '>=', s.start);
    if (s.end) q = q.where('requests.accepted_at', '<=', s.end);
    if (s.states) q = q.where('requests.status', 'in', s.states);
    if (s.notStates) q = q.where('requests.status', 'not in', s.notStates);
  }
  return q.orderBy('requests.accepted_at', 'desc').orderBy('requests.id', 'desc').limit(s.limit).offset(s.offset).execute();
}

/** Timeline events of requests in a time window (both ends included), oldest first. */
export function timelineEvents(db: Tx, s: { actions: string[]; start: string; end: string; limit: number; offset: number }) {
  return db.selectFrom('workflow_events as e')
    .innerJoin('requests', 'requests.id', 'e.entity_id')
    .leftJoin('open311_submissions as sub', 'sub.request_id', 'requests.id')
    .select([
      'e.id', 'e.action', 'e.to_state', 'e.at', 'e.payload', 'requests.number', 'requests.is_confidential', 'requests.requester_name',
      'requests.reply_text', 'sub.media_url',
    ])
    .where('e.entity', '=', 'request').where('e.action', 'in', s.actions).where('e.at', '>=', s.start).where('e.at', '<=', s.end)
    .orderBy('e.id').limit(s.limit).offset(s.offset).execute();
}

/** Districts and street offices, to read a district out of a free-text address. */
export function districtsAndStreets(db: Tx) {
  return db.selectFrom('units').select(['id', 'name', 'kind', 'parent_id']).where('kind', 'in', ['district', 'street']).where('active', '=', 1).execute();
}
