import type { Generated } from 'kysely';
import type { Id } from '../../core/db/tables';

/** The analysed words of one request (see analysis.index.ts). */
export interface RequestFeaturesTable {
  request_id: Id;
  local_date: string;
  /** JSON [[word, count], …]: the term frequencies TF-IDF vectors are built from. */
  terms: string;
  /** The address reduced to estate + building or road (+ house number): "same address" compares these. */
  address_key: string | null;
  indexed_at: string;
}

export interface RequestTermsTable {
  term: string;
  request_id: Id;
  local_date: string;
  category_id: Id | null;
  district_unit_id: Id | null;
}

export interface TermDaysTable {
  term: string;
  local_date: string;
  docs: number;
}

export type BriefingPeriod = 'week' | 'month';
export type BriefingStatus = 'pending' | 'running' | 'done' | 'failed';

export interface BriefingsTable {
  id: Generated<Id>;
  period: BriefingPeriod;
  start_date: string;
  end_date: string;
  status: BriefingStatus;
  progress: number;
  /** The generation step that runs next (figures → hotspots → samples); null when done. */
  step: string | null;
  /** JSON of the briefing (BriefingContent), filled step by step. */
  content: string | null;
  error: string | null;
  origin: 'manual' | 'scheduled';
  requested_by: Id | null;
  created_at: string;
  updated_at: string;
  generated_at: string | null;
}

export interface TopicsTable {
  id: Generated<Id>;
  /** The month the topic was chosen for (YYYY-MM). */
  month: string;
  title: string;
  cluster_key: string | null;
  category_id: Id | null;
  /** JSON string[]: a request matches when its title or content has any of them (and it is in the category). */
  keywords: string;
  lead_unit_id: Id;
  note: string | null;
  status: 'active' | 'closed';
  created_by: Id | null;
  created_at: string;
  updated_at: string;
}

export interface AnalysisTables {
  intelligence_request_features: RequestFeaturesTable;
  intelligence_request_terms: RequestTermsTable;
  intelligence_term_days: TermDaysTable;
  briefings: BriefingsTable;
  intelligence_topics: TopicsTable;
}
