import type { Generated } from 'kysely';
import type { Id } from '../../core/db/tables';

/** A trained model (the category/unit suggester); instances load the newest version of a kind. */
export interface IntelligenceModelsTable {
  id: Generated<Id>;
  kind: string;
  version: number;
  trained_at: string;
  /** Who started the training: a user name, 'cli' or 'nightly'. */
  trained_by: string;
  training_rows: number;
  /** A signature of the data it learned from; the nightly job skips training when it is unchanged. */
  data_signature: string;
  /** JSON: label counts, temperatures, seconds taken. */
  metrics: string | null;
  /** JSON of the Classifier (classifier.ts). */
  model: string;
}

export type ImportStatus = 'queued' | 'running' | 'done' | 'failed';

/** A history import started through the API; a durable job works through its file in chunks. */
export interface IntelligenceImportsTable {
  id: Generated<Id>;
  filename: string;
  /** The uploaded file under DATA_DIR. */
  storage_key: string;
  status: ImportStatus;
  /** Data rows in the file (known once the file is read). */
  total_rows: number | null;
  /** Rows handled so far: imported, skipped as already imported, or rejected. */
  rows_done: number;
  imported: number;
  skipped: number;
  error_count: number;
  /** JSON array of { line, message } for rejected rows (the first 1 000). */
  errors: string | null;
  /** JSON of the import options (default type and channel, batch size). */
  options: string | null;
  /** Why the whole import failed (an unreadable file). */
  message: string | null;
  created_by: Id | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface IntelligenceTables {
  intelligence_models: IntelligenceModelsTable;
  intelligence_imports: IntelligenceImportsTable;
}
