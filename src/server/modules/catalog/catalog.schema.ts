import { Type } from 'typebox';
import type { DeadlineUnit } from '../../core/calendar';
import { Nullable, PageQueryProps, Strict } from '../../core/http/schemas';
import { CHANNEL_FAMILIES, URGENCIES } from './catalog.tables';


export const ChannelFamilySchema = Type.Enum(CHANNEL_FAMILIES, { description: 'phone 电话 | network 网络' });
export const UrgencySchema = Type.Enum(URGENCIES, { description: 'normal 一般 | urgent 加急 | emergency 特急 | complex 疑难' });
// The calendar's DeadlineUnit values, spelled out as a tuple so the schema's type keeps them.
const DEADLINE_UNITS = ['working-days', 'working-hours', 'calendar-hours', 'calendar-days'] as const satisfies readonly DeadlineUnit[];
export const DeadlineUnitSchema = Type.Enum(DEADLINE_UNITS, { description: 'working-days | working-hours | calendar-hours | calendar-days' });

const SortOrder = Type.Integer({ minimum: 0, maximum: 100000 });
const Id = Type.Integer({ minimum: 1 });

// ── channels ──
export const Channel = Type.Object({
  id: Type.Integer(), code: Type.String(), name: Type.String(), family: Type.String(), active: Type.Boolean(), sortOrder: Type.Integer(),
}, { $id: 'Channel', title: 'Channel' });

const ChannelCode = Type.String({ minLength: 1, maxLength: 32, pattern: '^[a-z0-9][a-z0-9-]*$', description: 'Lower-case letters, digits and -' });
const ChannelName = Type.String({ minLength: 1, maxLength: 50 });

export const CreateChannelBody = Strict({ code: ChannelCode, name: ChannelName, family: ChannelFamilySchema, sortOrder: Type.Optional(SortOrder) });
export const UpdateChannelBody = Strict({
  code: Type.Optional(ChannelCode), name: Type.Optional(ChannelName), family: Type.Optional(ChannelFamilySchema),
  active: Type.Optional(Type.Boolean()), sortOrder: Type.Optional(SortOrder),
});
export const ListChannelsQuery = Strict({
  family: Type.Optional(ChannelFamilySchema), active: Type.Optional(Type.Boolean()), q: Type.Optional(Type.String({ maxLength: 50 })),
});

// ── request types ──
export const RequestTypeItem = Type.Object({
  code: Type.String(), name: Type.String(), nameEn: Type.String(), sortOrder: Type.Integer(), active: Type.Boolean(),
}, { $id: 'RequestType', title: 'RequestType' });

// ── categories ──
export const Category = Type.Object({
  id: Type.Integer(), parentId: Nullable(Type.Integer()), level: Type.Integer(), code: Type.String(), name: Type.String(), path: Type.String(),
  active: Type.Boolean(), sortOrder: Type.Integer(), defaultUrgency: Nullable(Type.String()),
}, { $id: 'Category', title: 'Category' });

const CategoryName = Type.String({ minLength: 1, maxLength: 50, description: 'No "/": it joins the names of a path' });

export const CreateCategoryBody = Strict({
  parentId: Nullable(Id), name: CategoryName, sortOrder: Type.Optional(SortOrder), defaultUrgency: Type.Optional(Nullable(UrgencySchema)),
});
export const UpdateCategoryBody = Strict({
  name: Type.Optional(CategoryName), sortOrder: Type.Optional(SortOrder), active: Type.Optional(Type.Boolean()),
  defaultUrgency: Type.Optional(Nullable(UrgencySchema)),
});
export const ListCategoriesQuery = Strict({
  q: Type.Optional(Type.String({ maxLength: 50, description: 'Part of the path, or the start of the code' })),
  level: Type.Optional(Type.Integer({ minimum: 1, maximum: 3 })),
  parentId: Type.Optional(Id),
  active: Type.Optional(Type.Boolean()),
});

export const CategoryImportResult = Type.Object({
  rows: Type.Integer({ description: 'Good rows read' }),
  created: Type.Integer({ description: 'Categories created (any level)' }),
  existing: Type.Integer({ description: 'Categories named in the file that already existed' }),
  reactivated: Type.Integer(),
  deactivated: Type.Integer({ description: 'With replace: active categories absent from the file' }),
  replaceSkipped: Type.Boolean({ description: 'replace was asked for but not applied because the file had bad rows' }),
  errors: Type.Array(Type.Object({ line: Type.Integer(), message: Type.String() })),
});

// ── dispatch rules ──
const NamedUnit = Type.Object({ id: Type.Integer(), name: Type.String() });

export const DispatchRule = Type.Object({
  id: Type.Integer(),
  categoryId: Nullable(Type.Integer()), categoryCode: Nullable(Type.String()), categoryPath: Nullable(Type.String()),
  districtId: Nullable(Type.Integer()), districtName: Nullable(Type.String()),
  leadUnitId: Type.Integer(), leadUnitName: Type.String(),
  coUnitIds: Type.Array(Type.Integer()), coUnits: Type.Array(NamedUnit),
  districtCoUnit: Type.Boolean(), note: Nullable(Type.String()), active: Type.Boolean(),
}, { $id: 'DispatchRule', title: 'DispatchRule' });

const RuleFields = {
  categoryId: Nullable(Id),
  districtId: Nullable(Id),
  leadUnitId: Id,
  coUnitIds: Type.Array(Id, { maxItems: 20 }),
  districtCoUnit: Type.Boolean({ description: "Add the request's district government as a co-unit (属地协办)" }),
  note: Nullable(Type.String({ maxLength: 500 })),
  active: Type.Boolean(),
};

export const CreateDispatchRuleBody = Strict({
  categoryId: Type.Optional(RuleFields.categoryId), districtId: Type.Optional(RuleFields.districtId), leadUnitId: RuleFields.leadUnitId,
  coUnitIds: Type.Optional(RuleFields.coUnitIds), districtCoUnit: Type.Optional(RuleFields.districtCoUnit),
  note: Type.Optional(RuleFields.note), active: Type.Optional(RuleFields.active),
});
export const UpdateDispatchRuleBody = Strict({
  categoryId: Type.Optional(RuleFields.categoryId), districtId: Type.Optional(RuleFields.districtId), leadUnitId: Type.Optional(RuleFields.leadUnitId),
  coUnitIds: Type.Optional(RuleFields.coUnitIds), districtCoUnit: Type.Optional(RuleFields.districtCoUnit),
  note: Type.Optional(RuleFields.note), active: Type.Optional(RuleFields.active),
});
export const ListDispatchRulesQuery = Strict({
  ...PageQueryProps,
  categoryId: Type.Optional(Id), districtId: Type.Optional(Id), leadUnitId: Type.Optional(Id), active: Type.Optional(Type.Boolean()),
});
export const ResolveDispatchQuery = Strict({ categoryId: Type.Optional(Id), districtId: Type.Optional(Id) });

const UnitRef = Type.Object({ id: Type.Integer(), code: Type.String(), name: Type.String() });
export const DispatchResolution = Type.Object({
  lead: UnitRef, coUnits: Type.Array(UnitRef), ruleId: Nullable(Type.Integer()),
  fallback: Type.Boolean({ description: 'No rule matched: the district government takes it (兜底)' }),
});

// ── time limits ──
const Duration = Strict({ amount: Type.Number({ minimum: 0, maximum: 10000 }), unit: DeadlineUnitSchema });

export const TimeLimit = Type.Object({
  id: Nullable(Type.Integer()), requestType: Nullable(Type.String()), urgency: Type.String(),
  sign: Duration, reply: Duration, extensionMax: Duration, pauseOnExtension: Type.Boolean(),
}, { $id: 'TimeLimit', title: 'TimeLimit' });

export const TimeLimitValuesBody = Strict({ sign: Duration, reply: Duration, extensionMax: Duration, pauseOnExtension: Type.Boolean() });
export const CreateTimeLimitBody = Strict({
  requestType: Type.String({ minLength: 1, maxLength: 32 }), urgency: UrgencySchema,
  sign: Duration, reply: Duration, extensionMax: Duration, pauseOnExtension: Type.Boolean(),
});
