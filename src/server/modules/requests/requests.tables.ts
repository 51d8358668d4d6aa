import type { Generated } from 'kysely';
import type { Id } from '../../core/db/tables';
import type { Urgency } from '../catalog';

export type RequestStatus = 'accepted' | 'dispatched' | 'handling' | 'replied' | 'callback' | 'visited' | 'returned' | 'closed' | 'merged' | 'withdrawn';
export type ReplyResult = 'resolved' | 'partly' | 'unresolved';
export type Satisfaction = 'satisfied' | 'basic' | 'dissatisfied';

export interface RequestsTable {
  id: Generated<Id>;
  number: string;
  kind: 'citizen' | 'enterprise';
  channel_id: Id;
  type: string;
  urgency: Urgency;
  title: string | null;
  content: string;
  category_id: Id | null;
  district_unit_id: Id | null;
  street_unit_id: Id | null;
  address: string | null;
  lat: number | null;
  lng: number | null;
  requester_name: string | null;
  requester_phone: string | null;
  is_anonymous: number;
  is_confidential: number;
  enterprise_name: string | null;
  enterprise_credit_code: string | null;
  status: RequestStatus;
  version: number;
  accepted_at: string;
  accepted_by: Id | null;
  local_date: string;
  local_month: string;
  lead_unit_id: Id | null;
  handling_unit_id: Id | null;
  dispatched_at: string | null;
  sign_due_at: string | null;
  signed_at: string | null;
  reply_due_at: string | null;
  due_at: string | null;
  replied_at: string | null;
  reply_result: ReplyResult | null;
  reply_text: string | null;
  reviewed_at: string | null;
  callback_at: string | null;
  callback_attempts: number;
  callback_resolved: number | null;
  callback_satisfaction: Satisfaction | null;
  callback_unreachable: number;
  closed_at: string | null;
  closed_on_time: number | null;
  is_direct: number;
  sign_overdue: number;
  is_overdue: number;
  extension_pending: number;
  extension_requested_at: string | null;
  extension_days: number | null;
  extension_reason: string | null;
  extension_days_granted: number;
  return_count: number;
  redo_count: number;
  urge_count: number;
  is_supervised: number;
  merged_into_id: Id | null;
  source: string | null;
  source_ref: string | null;
  created_at: string;
  updated_at: string;
}

export interface RequestOrdersTable {
  id: Generated<Id>;
  request_id: Id;
  unit_id: Id;
  role: 'lead' | 'co' | 'forward';
  parent_order_id: Id | null;
  status: 'dispatched' | 'signed' | 'returned' | 'replied' | 'cancelled';
  dispatched_at: string;
  dispatched_by: Id | null;
  sign_due_at: string | null;
  signed_at: string | null;
  signed_on_time: number | null;
  returned_at: string | null;
  return_reason: string | null;
  replied_at: string | null;
  local_date: string;
}

export interface RequestAttachmentsTable {
  id: Generated<Id>;
  request_id: Id;
  filename: string;
  mime_type: string;
  size: number;
  sha256: string;
  storage_key: string;
  purpose: string;
  uploaded_by: Id | null;
  created_at: string;
}

export interface RequestCountersTable {
  day: string;
  last_seq: number;
}

export interface RequestKpiRollupTable {
  local_date: string;
  kind: string;
  dim: string;
  dim_value: string;
  accepted: number; direct: number; replied: number; callbacks: number; resolved: number; satisfied: number; basic: number; dissatisfied: number;
  closed: number; closed_on_time: number; redone: number; orders: number; orders_signed_on_time: number; orders_returned: number;
}

export interface RequestsTables {
  request_kpi_rollup: RequestKpiRollupTable;
  requests: RequestsTable;
  request_orders: RequestOrdersTable;
  request_attachments: RequestAttachmentsTable;
  request_counters: RequestCountersTable;
}
