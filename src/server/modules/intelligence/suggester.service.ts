import { sql } from 'kysely';
import type { AppContext } from '../../context';
import { recordAudit } from '../../core/audit/audit.service';
import type { Database, Tx } from '../../core/db/database';
import { sharedRead } from '../../core/db/shared-read';
import { systemActor, type Actor } from '../../core/http/access';
import { AppError, fieldError } from '../../core/http/errors';
import { DICTIONARY_VERSION_KEY, getSegmenter, readSearchDocuments, type Segmenter } from '../../core/search';
import { readSetting, writeSetting } from '../../core/settings';
import { performAction } from '../requests/requests.service';
import { Classifier, featuresFromText, featuresFromTokens, trainClassifier, type Features, type HeadData } from './classifier';

/**
 * 智能分类派单 The category and unit suggester: learned from the city's own closed requests (text and
 * district → the category they were finally filed under, at the deepest level the history has, and → the
 * unit that finally handled them), with the taxonomy's names and the dispatch catalogue as extra small
 * documents. The model is stored in the database; every instance loads the newest version.
 */

export const SUGGESTER_KIND = 'suggester';
const SETTINGS_KEY = 'intelligence.settings';
/** Versions kept in the table (the newest is used; older ones are there to compare). */
const KEEP_VERSIONS = 3;

export interface IntelligenceSettings {
  /** 自动派单: dispatch a new request to the suggested unit when the model is at least this sure. Off by default. */
  autoDispatch: { enabled: boolean; minConfidence: number };
  /** Nightly retraining: local hour, and how many of the newest closed requests it learns from. */
  training: { hour: number; maxRows: number };
}

export const DEFAULT_INTELLIGENCE_SETTINGS: IntelligenceSettings = {
  autoDispatch: { enabled: false, minConfidence: 0.9 },
  training: { hour: 2, maxRows: 200_000 },
};

export async function getIntelligenceSettings(db: Tx): Promise<IntelligenceSettings> {
  const s = await readSetting<Partial<IntelligenceSettings>>(db, SETTINGS_KEY, {});
  return {
    autoDispatch: { ...DEFAULT_INTELLIGENCE_SETTINGS.autoDispatch, ...s.autoDispatch },
    training: { ...DEFAULT_INTELLIGENCE_SETTINGS.training, ...s.training },
  };
}

export async function setIntelligenceSettings(ctx: AppContext, actor: Actor, s: IntelligenceSettings): Promise<IntelligenceSettings> {
  if (!(s.autoDispatch.minConfidence > 0 && s.autoDispatch.minConfidence <= 1)) throw fieldError('autoDispatch.minConfidence', { zh: '应大于 0 且不超过 1', en: 'must be above 0 and at most 1' });
  if (!Number.isInteger(s.training.hour) || s.training.hour < 0 || s.training.hour > 23) throw fieldError('training.hour', { zh: '应为 0 到 23 的整数', en: 'must be a whole hour from 0 to 23' });
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const before = await getIntelligenceSettings(trx);
    await writeSetting(trx, SETTINGS_KEY, s, now, actor.userId);
    await recordAudit(trx, ctx.dialect, now, { actor, action: 'intelligence.settings', entity: 'settings', entityId: SETTINGS_KEY, before: { ...before }, after: { ...s } });
  });
  return s;
}

// —— training ——

/** What the model learns from, in one query: when none of it changed, retraining would learn the same. */
async function dataSignature(db: Tx): Promise<string> {
  const { rows } = await sql<Record<string, unknown>>`
    select (select count(*) from requests where status = 'closed') as closed, (select max(updated_at) from requests where status = 'closed') as closed_at,
           (select max(updated_at) from categories) as categories_at, (select count(*) from categories) as categories,
           (select max(updated_at) from units) as units_at, (select max(updated_at) from dispatch_rules) as rules_at,
           (select count(*) from dispatch_rules) as rules,
           (select value from settings where key = ${DICTIONARY_VERSION_KEY}) as dictionary`.execute(db);
  return Object.values(rows[0] ?? {}).map((v) => String(v ?? '')).join('|');
}

const pathNames = (path: string) => path.split('/').join(' ');

/**
 * The unit label a request teaches: '@district' when its own district government handled it (属地: the
 * same text goes to whichever district it comes from), else the unit's id.
 */
export const OWN_DISTRICT = '@district';
const unitLabel = (leadUnitId: number, districtId: number | null) => (districtId != null && leadUnitId === districtId ? OWN_DISTRICT : String(leadUnitId));

/** A small document made of names (taxonomy, dispatch rules): features as if it were a request's body. */
function namesDocument(seg: Segmenter, text: string): Features {
  return featuresFromTokens({ titleTokens: [], bodyTokens: seg.searchTokens(text), titleText: '', bodyText: text });
}

interface TrainingSet {
  heads: Record<'category' | 'unit', HeadData>;
  rows: number;
}

/** The closed requests (newest first, at most maxRows) and the name documents, as the heads' training data. */
async function readTrainingSet(ctx: AppContext, db: Tx, seg: Segmenter, maxRows: number): Promise<TrainingSet> {
  const requests = await db.selectFrom('requests')
    .select(['id', 'title', 'content', 'address', 'district_unit_id', 'category_id', 'lead_unit_id'])
    .where('status', '=', 'closed').where((eb) => eb.or([eb('category_id', 'is not', null), eb('lead_unit_id', 'is not', null)]))
    .orderBy('id', 'desc').limit(maxRows).execute();
  const [categories, units, rules] = await Promise.all([
    db.selectFrom('categories').select(['id', 'path', 'active']).execute(),
    db.selectFrom('units').select(['id', 'name', 'active']).execute(),
    db.selectFrom('dispatch_rules').select(['category_id', 'district_unit_id', 'lead_unit_id']).where('active', '=', 1).execute(),
  ]);
  const activeCategory = new Map(categories.filter((c) => c.active).map((c) => [c.id, c]));
  const categoryPath = new Map(categories.map((c) => [c.id, c.path]));
  const activeUnit = new Map(units.filter((u) => u.active).map((u) => [u.id, u]));
  const category: HeadData = { docs: [], labels: [], pseudo: [] };
  // Units depend on the district as well (物业 goes to the request's own district government).
  const unit: HeadData = { docs: [], labels: [], districts: [], pseudo: [] };
  // The tokens the search index already holds: no second segmentation of the whole history.
  for (let i = 0; i < requests.length; i += 2000) {
    const part = requests.slice(i, i + 2000);
    const stored = await readSearchDocuments(db, ctx.dialect, part.map((r) => r.id));
    for (const r of part) {
      const doc = stored.get(r.id);
      const bodyText = r.address ? `${r.content}\n${r.address}` : r.content;
      const features = doc
        ? featuresFromTokens({ titleTokens: doc.title ? doc.title.split(' ') : [], bodyTokens: doc.body ? doc.body.split(' ') : [], titleText: r.title ?? '', bodyText })
        : featuresFromText(seg, { title: r.title, content: bodyText });
      if (r.category_id != null && activeCategory.has(r.category_id)) {
        category.docs.push(features);
        category.labels.push(String(r.category_id));
      }
      if (r.lead_unit_id != null && activeUnit.has(r.lead_unit_id)) {
        unit.docs.push(features);
        unit.labels.push(unitLabel(r.lead_unit_id, r.district_unit_id));
        unit.districts!.push(r.district_unit_id);
      }
    }
  }
  // The taxonomy speaks for itself: each category's names are a document of that category.
  for (const c of activeCategory.values()) category.pseudo!.push({ features: namesDocument(seg, pathNames(c.path)), label: String(c.id) });
  // The dispatch catalogue: a category (and district) goes to its lead unit.
  for (const r of rules) {
    if (!activeUnit.has(r.lead_unit_id)) continue;
    const names = r.category_id != null ? categoryPath.get(r.category_id) : undefined;
    if (!names) continue;
    unit.pseudo!.push({ features: namesDocument(seg, pathNames(names)), label: unitLabel(r.lead_unit_id, r.district_unit_id), district: r.district_unit_id });
  }
  // A unit's own name says what it handles (燃气集团 ← 燃气).
  const unitLabels = new Set([...unit.labels, ...unit.pseudo!.map((p) => p.label)]);
  for (const id of unitLabels) if (id !== OWN_DISTRICT) unit.pseudo!.push({ features: namesDocument(seg, activeUnit.get(Number(id))!.name), label: id });
  return { heads: { category, unit }, rows: requests.length };
}

export interface TrainOutcome {
  trained: boolean;
  version: number | null;
  rows: number;
  categories: number;
  units: number;
  seconds: number;
  /** Why nothing was trained. */
  reason?: 'unchanged' | 'no-data';
}

/**
 * Trains the suggester from the database (`db` may be a job's transaction) and stores it as a new
 * version. Unless forced, does nothing when the data is what the newest model learned from.
 */
export async function trainSuggester(ctx: AppContext, db: Tx, by: string, opts: { force?: boolean } = {}): Promise<TrainOutcome> {
  const started = performance.now();
  const signature = await dataSignature(db);
  const latest = await db.selectFrom('intelligence_models').select(['version', 'data_signature']).where('kind', '=', SUGGESTER_KIND).orderBy('version', 'desc').executeTakeFirst();
  const seconds = () => Math.round((performance.now() - started) / 10) / 100;
  if (!opts.force && latest?.data_signature === signature) return { trained: false, version: latest.version, rows: 0, categories: 0, units: 0, seconds: seconds(), reason: 'unchanged' };
  const settings = await getIntelligenceSettings(db);
  const seg = await getSegmenter(ctx, db);
  const set = await readTrainingSet(ctx, db, seg, settings.training.maxRows);
  const { category, unit } = set.heads;
  if (!category.pseudo!.length && !unit.pseudo!.length && !set.rows) return { trained: false, version: latest?.version ?? null, rows: 0, categories: 0, units: 0, seconds: seconds(), reason: 'no-data' };
  // Features seen once in a large history are mostly noise and bloat the stored model.
  const classifier = trainClassifier(set.heads, { minDf: set.rows >= 5000 ? 2 : 1 });
  const version = (latest?.version ?? 0) + 1;
  const now = ctx.clock.now();
  const metrics = {
    requests: set.rows, categoryDocs: category.docs.length, unitDocs: unit.docs.length, features: classifier.space.features.length,
    categories: classifier.heads.category.labels.length, units: classifier.heads.unit.labels.length,
    temperature: { category: classifier.heads.category.temperature, unit: classifier.heads.unit.temperature }, seconds: seconds(),
  };
  await db.insertInto('intelligence_models').values({
    kind: SUGGESTER_KIND, version, trained_at: now.toISOString(), trained_by: by, training_rows: set.rows, data_signature: signature,
    metrics: JSON.stringify(metrics), model: JSON.stringify(classifier),
  }).execute();
  await db.deleteFrom('intelligence_models').where('kind', '=', SUGGESTER_KIND).where('version', '<=', version - KEEP_VERSIONS).execute();
  await recordAudit(db, ctx.dialect, now, { actor: systemActor(by), action: 'intelligence.train', entity: 'intelligence_model', entityId: version, note: metrics });
  return { trained: true, version, rows: set.rows, categories: metrics.categories, units: metrics.units, seconds: seconds() };
}

// —— the stored model, per instance ——

interface LoadedModel {
  version: number;
  trainedAt: string;
  classifier: Classifier;
}

const models = new WeakMap<Database, LoadedModel>();

/** The newest stored model; reloaded when another instance (or the nightly job) stored a newer one. */
export async function loadSuggester(ctx: AppContext, db: Tx = ctx.db): Promise<LoadedModel | null> {
  const newest = await db.selectFrom('intelligence_models').select('version').where('kind', '=', SUGGESTER_KIND).orderBy('version', 'desc').executeTakeFirst();
  if (!newest) return null;
  const hit = models.get(ctx.database);
  if (hit && hit.version === newest.version) return hit;
  const row = await db.selectFrom('intelligence_models').select(['version', 'trained_at', 'model']).where('kind', '=', SUGGESTER_KIND).where('version', '=', newest.version).executeTakeFirst();
  if (!row) return null;
  const loaded = { version: row.version, trainedAt: row.trained_at, classifier: Classifier.fromJSON(row.model) };
  models.set(ctx.database, loaded);
  return loaded;
}

export async function describeSuggester(ctx: AppContext) {
  const row = await ctx.db.selectFrom('intelligence_models').select(['version', 'trained_at', 'trained_by', 'training_rows', 'metrics'])
    .where('kind', '=', SUGGESTER_KIND).orderBy('version', 'desc').executeTakeFirst();
  return row ? { version: row.version, trainedAt: row.trained_at, trainedBy: row.trained_by, trainingRows: row.training_rows, metrics: row.metrics ? JSON.parse(row.metrics) : null } : null;
}

// —— classify ——

export interface ClassifyInput {
  title?: string | null;
  content: string;
  /** The district unit's id. */
  district?: number | null;
}

const SUGGESTIONS = 5;

/** Categories and units, best first, with probabilities; keywords by jieba's TF-IDF. */
export async function classifyRequest(ctx: AppContext, input: ClassifyInput, db: Tx = ctx.db) {
  if (input.district != null) {
    const d = await db.selectFrom('units').select('kind').where('id', '=', input.district).executeTakeFirst();
    if (!d || d.kind !== 'district') throw fieldError('district', { zh: '区县不存在', en: 'no such district' });
  }
  const seg = await getSegmenter(ctx, db);
  const model = await loadSuggester(ctx, db);
  const keywords = seg.keywords(`${input.title ?? ''}\n${input.content}`, 8).map((k) => k.word);
  if (!model) return { categories: [], units: [], keywords, model: null };
  const features = featuresFromText(seg, input);
  const cats = model.classifier.suggest('category', features, SUGGESTIONS);
  // '@district' is the request's own district government: known only when the district is.
  const unitScores = new Map<number, number>();
  for (const u of model.classifier.suggest('unit', features, SUGGESTIONS + 1, input.district)) {
    const id = u.label === OWN_DISTRICT ? input.district : Number(u.label);
    if (id != null) unitScores.set(id, (unitScores.get(id) ?? 0) + u.score);
  }
  const units = [...unitScores].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, SUGGESTIONS).map(([id, score]) => ({ id, score: Math.round(score * 10000) / 10000 }));
  const [catRows, unitRows] = await Promise.all([
    cats.length ? db.selectFrom('categories').select(['id', 'code', 'path', 'active']).where('id', 'in', cats.map((c) => Number(c.label))).execute() : [],
    units.length ? db.selectFrom('units').select(['id', 'name', 'active']).where('id', 'in', units.map((u) => u.id)).execute() : [],
  ]);
  const catById = new Map(catRows.map((c) => [c.id, c]));
  const unitById = new Map(unitRows.map((u) => [u.id, u]));
  return {
    // A category or unit switched off since training is not suggested.
    categories: cats.flatMap((c) => {
      const row = catById.get(Number(c.label));
      return row?.active ? [{ id: row.id, code: row.code, path: row.path.split('/'), score: c.score }] : [];
    }),
    units: units.flatMap((u) => {
      const row = unitById.get(u.id);
      return row?.active ? [{ id: row.id, name: row.name, score: u.score }] : [];
    }),
    keywords,
    model: { version: model.version, trainedAt: model.trainedAt },
  };
}

// —— 自动派单 automatic dispatch ——

export interface AutoDispatchOutcome {
  dispatched: boolean;
  /** Why not (when not). */
  reason?: 'disabled' | 'not-accepted' | 'no-model' | 'low-confidence';
  unitId?: number;
  score?: number;
}

export const AUTO_DISPATCH_ACTOR = 'auto-dispatch';

/**
 * The after-accept step: when automatic dispatch is on and the model names a unit with at least the
 * configured confidence, dispatches the request to it as the system actor 'auto-dispatch' (the timeline
 * says so, with the score and the model version). Called by whoever accepted the request, after the
 * accepting transaction committed; a failure here leaves the request accepted for a dispatcher.
 */
export async function dispatchIfConfident(ctx: AppContext, requestId: number): Promise<AutoDispatchOutcome> {
  // Every accept asks: the accepts that arrive together share one read.
  const settings = await sharedRead(ctx.database, SETTINGS_KEY, () => getIntelligenceSettings(ctx.db));
  if (!settings.autoDispatch.enabled) return { dispatched: false, reason: 'disabled' };
  const r = await ctx.db.selectFrom('requests').select(['status', 'title', 'content', 'address', 'district_unit_id', 'version']).where('id', '=', requestId).executeTakeFirst();
  if (!r || r.status !== 'accepted') return { dispatched: false, reason: 'not-accepted' };
  const result = await classifyRequest(ctx, { title: r.title, content: r.address ? `${r.content}\n${r.address}` : r.content, district: r.district_unit_id });
  if (!result.model) return { dispatched: false, reason: 'no-model' };
  const best = result.units[0];
  if (!best || best.score < settings.autoDispatch.minConfidence) return { dispatched: false, reason: 'low-confidence', unitId: best?.id, score: best?.score };
  try {
    await performAction(ctx, systemActor(AUTO_DISPATCH_ACTOR), requestId, 'dispatch', {
      leadUnitId: best.id,
      note: `自动派单：模型 v${result.model.version} 建议 ${best.name}，置信度 ${best.score.toFixed(2)}（阈值 ${settings.autoDispatch.minConfidence}）`,
    }, r.version);
  } catch (err) {
    // Someone dispatched or changed it meanwhile: theirs stands.
    if (err instanceof AppError && (err.code === 'CONFLICT' || err.code === 'INVALID_TRANSITION')) return { dispatched: false, reason: 'not-accepted' };
    throw err;
  }
  return { dispatched: true, unitId: best.id, score: best.score };
}
