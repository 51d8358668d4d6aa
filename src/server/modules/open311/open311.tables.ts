import type { Generated } from 'kysely';
import type { Id } from '../../core/db/tables';

/** The datatypes of an Open311 service attribute (GeoReport v2 service definition). */
export const ATTRIBUTE_DATATYPES = ['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'] as const;
export type AttributeDatatype = (typeof ATTRIBUTE_DATATYPES)[number];

/** An extra field an administrator asks for on one category (= one Open311 service). */
export interface Open311AttributesTable {
  id: Generated<Id>;
  category_id: Id;
  /** The key partners send as `attribute[code]`; unique within the category. */
  code: string;
  /** 0 = information shown to the citizen only, no value is collected. */
  variable: number;
  datatype: AttributeDatatype;
  required: number;
  datatype_description: string | null;
  sort_order: number;
  /** The question put to the citizen. */
  description: string;
  /** JSON array of { key, name } for the list datatypes, '[]' otherwise. */
  values_json: string;
  created_at: string;
  updated_at: string;
}

/**
 * What an Open311 partner sent with a request beyond what the request itself keeps: one row per
 * request accepted through Open311, written in the accepting transaction.
 */
export interface Open311SubmissionsTable {
  request_id: Id;
  /** The submission's idempotency key, also the GeoReport `token` (GET tokens/{token}). */
  token: string;
  partner_user_id: Id;
  account_id: string | null;
  device_id: string | null;
  /** Personal data: shown to staff who may see the requester, never in an Open311 reply. */
  email: string | null;
  address_id: string | null;
  media_url: string | null;
  /** JSON object { code: value | value[] } of the service attributes submitted. */
  attributes: string;
  jurisdiction_id: string | null;
  created_at: string;
}

export interface Open311Tables {
  open311_attributes: Open311AttributesTable;
  open311_submissions: Open311SubmissionsTable;
}
