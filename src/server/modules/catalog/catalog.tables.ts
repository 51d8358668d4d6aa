import type { Generated } from 'kysely';
import type { Id } from '../../core/db/tables';
import type { DeadlineUnit } from '../../core/calendar';

/** 渠道 channel families: every intake channel is counted as phone or network. */
export const CHANNEL_FAMILIES = ['phone', 'network'] as const;
export type ChannelFamily = (typeof CHANNEL_FAMILIES)[number];

/** 诉求类型 request types: 咨询 求助 投诉 举报 建议 表扬. */
export const REQUEST_TYPES = ['consult', 'help', 'complaint', 'report', 'suggestion', 'praise'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

/** 紧急程度 urgency: 一般 normal, 加急 urgent, 特急 emergency, 疑难 complex. */
export const URGENCIES = ['normal', 'urgent', 'emergency', 'complex'] as const;
export type Urgency = (typeof URGENCIES)[number];

export const URGENCY_NAMES: Record<Urgency, { zh: string; en: string }> = {
  normal: { zh: '一般', en: 'Normal' },
  urgent: { zh: '加急', en: 'Urgent' },
  emergency: { zh: '特急', en: 'Emergency' },
  complex: { zh: '疑难', en: 'Complex' },
};

export interface ChannelsTable {
  id: Generated<Id>;
  code: string;
  name: string;
  family: ChannelFamily;
  active: number;
  sort_order: number;
  created_at: string;
  updated_at: string;
}

export interface RequestTypesTable {
  code: string;
  name: string;
  name_en: string;
  sort_order: number;
  active: number;
}

export interface CategoriesTable {
  id: Generated<Id>;
  parent_id: Id | null;
  /** 1..3: 一级 / 二级 / 三级分类. */
  level: number;
  /** Generated from the sibling order: '01', '01.03', '01.03.02'; never changes on rename. */
  code: string;
  name: string;
  /** Names from the root joined by '/': the key an import merges on. */
  path: string;
  active: number;
  sort_order: number;
  /** The urgency a new request in this category starts with; null = inherit from the parent. */
  default_urgency: Urgency | null;
  created_at: string;
  updated_at: string;
}

export interface DispatchRulesTable {
  id: Generated<Id>;
  /** Null = any category; else a category of any level (its descendants inherit the rule). */
  category_id: Id | null;
  /** Null = any district. */
  district_unit_id: Id | null;
  /** 主办 lead unit. */
  lead_unit_id: Id;
  /** 协办 co-units, a JSON array of unit ids. */
  co_unit_ids: string;
  /** 1 = the request's district government is added as a co-unit (属地协办). */
  district_co_unit: number;
  note: string | null;
  active: number;
  created_at: string;
  updated_at: string;
}

export interface TimeLimitsTable {
  id: Generated<Id>;
  /** Null = any request type. */
  request_type: string | null;
  urgency: Urgency;
  /** 签收 sign-for limit. */
  sign_amount: number;
  sign_unit: DeadlineUnit;
  /** 回复 reply (handling) limit. */
  reply_amount: number;
  reply_unit: DeadlineUnit;
  /** 延期 the most an extension may add. */
  extension_max_amount: number;
  extension_max_unit: DeadlineUnit;
  /** 1 = the clock stops while an extension request waits for approval. */
  pause_on_extension: number;
  updated_at: string;
}

export interface CatalogTables {
  channels: ChannelsTable;
  request_types: RequestTypesTable;
  categories: CategoriesTable;
  dispatch_rules: DispatchRulesTable;
  time_limits: TimeLimitsTable;
}
