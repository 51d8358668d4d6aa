import { Type } from 'typebox';
import { Nullable, PageQueryProps, Strict } from '../../core/http/schemas';

const Id = Type.Integer({ minimum: 1 });

export const AcceptBody = Strict({
  channelId: Id,
  type: Type.String({ minLength: 1, maxLength: 32, description: 'consult 咨询, help 求助, complaint 投诉, report 举报, suggestion 建议, praise 表扬' }),
  urgency: Type.Optional(Type.Union([Type.Literal('normal'), Type.Literal('urgent'), Type.Literal('emergency'), Type.Literal('complex')])),
  title: Type.Optional(Type.String({ maxLength: 200 })),
  content: Type.String({ minLength: 1, maxLength: 4000 }),
  categoryId: Type.Optional(Nullable(Id)),
  districtId: Type.Optional(Nullable(Id)),
  streetId: Type.Optional(Nullable(Id)),
  address: Type.Optional(Nullable(Type.String({ maxLength: 300 }))),
  lat: Type.Optional(Nullable(Type.Number({ minimum: -90, maximum: 90 }))),
  lng: Type.Optional(Nullable(Type.Number({ minimum: -180, maximum: 180 }))),
  requester: Type.Optional(Strict({
    name: Type.Optional(Nullable(Type.String({ maxLength: 50 }))),
    phone: Type.Optional(Nullable(Type.String({ pattern: '^[0-9+\\- ]{5,20}$' }))),
    anonymous: Type.Optional(Type.Boolean()),
    confidential: Type.Optional(Type.Boolean({ description: '保密: the requester is hidden even from handling units' })),
  })),
  enterprise: Type.Optional(Nullable(Strict({
    name: Type.String({ minLength: 1, maxLength: 200 }),
    creditCode: Type.String({ minLength: 18, maxLength: 18, description: '统一社会信用代码 (GB 32100-2015, checked)' }),
  }))),
  directAnswer: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 4000, description: '直接办结: the answer given; the request closes at once' }))),
});

export const ListQuerySchema = Strict({
  ...PageQueryProps,
  status: Type.Optional(Type.String({ maxLength: 200, description: 'Comma list of states' })),
  type: Type.Optional(Type.String({ maxLength: 200 })),
  channel: Type.Optional(Id),
  category: Type.Optional(Id),
  district: Type.Optional(Id),
  unit: Type.Optional(Id),
  overdue: Type.Optional(Type.Boolean()),
  enterprise: Type.Optional(Type.Boolean()),
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  q: Type.Optional(Type.String({ maxLength: 200 })),
  phone: Type.Optional(Type.String({ maxLength: 20 })),
  box: Type.Optional(Type.Union(['to-sign', 'handling', 'to-reply', 'due-soon', 'overdue', 'to-dispatch', 'to-review', 'to-callback'].map((b) => Type.Literal(b)))),
});

export const RequestSummary = Type.Object({
  id: Type.Integer(), number: Type.String(), kind: Type.String(), type: Type.String(), urgency: Type.String(), status: Type.String(),
  title: Nullable(Type.String()), content: Type.String(), channelId: Type.Integer(), channelName: Nullable(Type.String()),
  categoryId: Nullable(Type.Integer()), categoryPath: Nullable(Type.String()), districtId: Nullable(Type.Integer()), districtName: Nullable(Type.String()),
  address: Nullable(Type.String()), leadUnitId: Nullable(Type.Integer()), handlingUnitId: Nullable(Type.Integer()), handlingUnitName: Nullable(Type.String()),
  requesterName: Nullable(Type.String()), requesterPhone: Nullable(Type.String()), isConfidential: Type.Boolean(), isOverdue: Type.Boolean(),
  acceptedAt: Type.String(), replyDueAt: Nullable(Type.String()), dueAt: Nullable(Type.String()), closedAt: Nullable(Type.String()), version: Type.Integer(),
}, { additionalProperties: true });

/** The list reply: a page of RequestSummary (core Page shape) plus the flag a capped text-search total carries. */
export const RequestPage = Type.Object({
  items: Type.Array(RequestSummary),
  total: Type.Integer({ description: 'Matching requests; with totalCapped, a lower bound (the list shows "1000+")' }),
  totalCapped: Type.Optional(Type.Boolean({ description: 'A text search (q) stopped counting at `total`: more requests match. Absent or false: total is exact' })),
  page: Type.Integer(),
  pageSize: Type.Integer(),
});

export const ActionParams = Strict({ id: Id, action: Type.String({ maxLength: 40 }) });

/** One body schema for every action; each action checks the fields it needs and names a missing one. */
export const ActionBody = Strict({
  version: Type.Optional(Type.Integer({ minimum: 1, description: 'The version the caller saw; a newer one is a 409' })),
  leadUnitId: Type.Optional(Id),
  coUnitIds: Type.Optional(Type.Array(Id, { maxItems: 10, uniqueItems: true })),
  unitId: Type.Optional(Id),
  reason: Type.Optional(Type.String({ maxLength: 2000 })),
  legalBasis: Type.Optional(Type.String({ maxLength: 500 })),
  note: Type.Optional(Type.String({ maxLength: 2000 })),
  days: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 })),
  result: Type.Optional(Type.Union([Type.Literal('resolved'), Type.Literal('partly'), Type.Literal('unresolved')])),
  text: Type.Optional(Type.String({ maxLength: 4000 })),
  attachmentIds: Type.Optional(Type.Array(Id, { maxItems: 20 })),
  decision: Type.Optional(Type.Union([Type.Literal('accept'), Type.Literal('send-back')])),
  reached: Type.Optional(Type.Boolean()),
  resolved: Type.Optional(Type.Boolean()),
  satisfaction: Type.Optional(Type.Union([Type.Literal('satisfied'), Type.Literal('basic'), Type.Literal('dissatisfied')])),
  targetId: Type.Optional(Id),
});

export const StatsQuerySchema = Strict({
  from: Type.Optional(Type.String({ format: 'date', description: 'First local date, YYYY-MM-DD' })),
  to: Type.Optional(Type.String({ format: 'date', description: 'Last local date, YYYY-MM-DD (inclusive)' })),
  groupBy: Type.Optional(Type.Union(['unit', 'category', 'district', 'channel', 'type', 'month', 'day'].map((g) => Type.Literal(g)))),
  kind: Type.Optional(Type.Union([Type.Literal('all'), Type.Literal('enterprise'), Type.Literal('citizen')])),
});

export const KpiSettingsSchema = Strict({
  basicSatisfiedWeight: Type.Number({ minimum: 0, maximum: 1 }),
  weights: Strict({ response: Type.Number({ minimum: 0, maximum: 100 }), resolution: Type.Number({ minimum: 0, maximum: 100 }), satisfaction: Type.Number({ minimum: 0, maximum: 100 }) }),
  satisfactionFloor: Type.Number({ minimum: 0, maximum: 1 }),
});
