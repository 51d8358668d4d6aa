import { Type } from 'typebox';
import { Nullable, PageQueryProps, Strict } from '../../core/http/schemas';

const Id = Type.Integer({ minimum: 1 });
const LocalDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'Local date YYYY-MM-DD' });
const Month = Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'Month YYYY-MM' });
/** Replies whose inner shape is documented in the service types; every field is passed through. */
const Open = (description: string) => Type.Object({}, { additionalProperties: true, description });

// —— related requests ——

export const RelatedDraftBody = Strict({
  title: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  content: Type.String({ minLength: 1, maxLength: 4000 }),
  phone: Type.Optional(Nullable(Type.String({ pattern: '^[0-9+\\- ]{5,20}$', description: 'Compared only for callers with requests.personal; never returned' }))),
  address: Type.Optional(Nullable(Type.String({ maxLength: 300 }))),
  districtId: Type.Optional(Nullable(Id)),
});

const RelatedItem = Type.Object({
  id: Type.Integer(), number: Type.String(), title: Nullable(Type.String()), snippet: Type.String(), status: Type.String(), type: Type.String(),
  categoryId: Nullable(Type.Integer()), categoryPath: Nullable(Type.String()), districtId: Nullable(Type.Integer()), districtName: Nullable(Type.String()),
  address: Nullable(Type.String()), handlingUnitName: Nullable(Type.String()), acceptedAt: Type.String(),
  relation: Type.Union([Type.Literal('earlier'), Type.Literal('later')]),
  score: Type.Number({ description: '0..1: text similarity + 0.25 same phone + 0.15 same address, at most 1' }),
  textSimilarity: Type.Number({ description: 'TF-IDF cosine over jieba words; halved for another district or another estate/road' }),
  reasons: Type.Array(Type.Union([Type.Literal('phone'), Type.Literal('address'), Type.Literal('text')])),
  canMergeInto: Type.Boolean({ description: 'POST /api/v1/requests/{id}/actions/merge { targetId: this id } is allowed for the caller' }),
});

export const RelatedReply = Type.Object({
  items: Type.Array(RelatedItem),
  window: Type.Object({ from: Type.String(), to: Type.String() }),
  threshold: Type.Number({ description: 'Text similarity at or above which "text" is a reason' }),
  phoneCompared: Type.Boolean(),
  explanation: Type.String(),
  requestId: Type.Optional(Type.Integer()),
  merge: Type.Optional(Type.Object({
    allowed: Type.Boolean({ description: 'Whether this request may be merged into one of the items (state and permission)' }),
    path: Type.String({ description: 'POST here with { targetId, version }' }),
    version: Type.Integer(),
  })),
});

// —— hotspots ——

export const HotspotsQuery = Strict({ from: Type.Optional(LocalDate), to: Type.Optional(LocalDate) });
export const HotspotsReply = Open('{ from, to, method: { statistic, description, baselineDays, alpha, minCount, minRatio }, hotspots: [{ kind, granularity, start, end, key, label, '
  + 'categoryId, categoryPath, districtId, districtName, keywords, count, expected, variance, model, pValue, ratio, baseline, requests (de-identified) }] }');

// —— briefings ——

export const BriefingBody = Strict({
  period: Type.Union([Type.Literal('week'), Type.Literal('month')]),
  start: Type.String({ description: 'A Monday (week) or the 1st (month), YYYY-MM-DD' }),
  regenerate: Type.Optional(Type.Boolean({ description: 'Generate an existing briefing again with current data' })),
});

export const BriefingSummary = Type.Object({
  id: Type.Integer(), period: Type.String(), start: Type.String(), end: Type.String(), label: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]), progress: Type.Integer({ description: '0..100' }),
  step: Nullable(Type.String()), error: Nullable(Type.String()), origin: Type.String(), createdAt: Type.String(), generatedAt: Nullable(Type.String()),
  docxUrl: Nullable(Type.String()),
});

export const BriefingReply = Type.Object({
  ...BriefingSummary.properties,
  content: Nullable(Open('The briefing (BriefingContent): volume, daily, byType, byChannel, byFamily, topCategories, rates, units, belowFloor, hotspots, samples, definitions')),
});

export const BriefingListQuery = Strict({ ...PageQueryProps, period: Type.Optional(Type.Union([Type.Literal('week'), Type.Literal('month')])) });
export const BriefingParams = Strict({ id: Id });

// —— topics ——

export const TopicsQuery = Strict({ month: Month });
export const TopicsReply = Open('{ month, minVolume, weights, scoring, candidates: [{ clusterKey, kind, label, categoryId, categoryPath, keywords, volume, monthly, '
  + 'persistentMonths, districts, callbacks, resolutionRate, satisfactionRate, score: { volume, persistence, spread, dissatisfaction, total }, samples, chosenTopicId }], chosen }');
export const TopicBody = Strict({
  month: Month,
  title: Type.String({ minLength: 2, maxLength: 100 }),
  clusterKey: Type.Optional(Type.String({ maxLength: 80, description: 'A candidate\'s key: cat:ID or cat:ID|kw:WORD' })),
  categoryId: Type.Optional(Id),
  keywords: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 20 }), { maxItems: 5 })),
  leadUnitId: Id,
  note: Type.Optional(Type.String({ maxLength: 1000 })),
});
export const TopicReply = Open('{ id, month, title, clusterKey, categoryId, categoryPath, keywords, leadUnit, note, status, createdAt, '
  + 'tracking: { months: [{ month, count, phase, partial }], baseline, afterMean, latest, change, isFalling, definition } }');
