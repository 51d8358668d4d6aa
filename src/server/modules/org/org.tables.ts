import type { Generated } from 'kysely';
import type { Id } from '../../core/db/tables';

export const UNIT_KINDS = ['government', 'office', 'division', 'hotline_centre', 'department', 'district', 'street', 'enterprise'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

export interface UnitsTable {
  id: Generated<Id>;
  parent_id: Id | null;
  code: string;
  name: string;
  kind: UnitKind;
  path: string;
  sort_order: number;
  active: number;
  created_at: string;
  updated_at: string;
}

export interface OrgTables {
  units: UnitsTable;
}
