import path from 'node:path';
import ExcelJS from 'exceljs';
import { zonedTimeToInstant } from '../../core/calendar';
import { fieldError } from '../../core/http/errors';

/**
 * Reading a file of past requests (.jsonl, .csv or .xlsx) into plain records with the line a person
 * sees in their editor. Pure: no database. Field names are English (title, content, time, …) or the
 * Chinese headings an export usually has (标题, 内容, 受理时间, …).
 */

export const IMPORT_FIELDS = ['id', 'title', 'content', 'time', 'category', 'district', 'unit', 'status', 'reply', 'reply_time', 'type', 'channel', 'address'] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

/** One data row: its 1-based line (header = line 1 in CSV and xlsx) and raw values (Excel dates stay Date objects). */
export interface ImportRecord {
  line: number;
  values: Partial<Record<ImportField, unknown>>;
}

export interface ParsedImportFile {
  records: ImportRecord[];
  /** Lines that are not records at all (broken JSON, a missing header). */
  errors: Array<{ line: number; message: string }>;
}

export const IMPORT_EXTENSIONS = ['.jsonl', '.csv', '.xlsx'];

// Heading synonyms (compared without spaces, lower case); a bilingual heading such as '标题 title' matches too.
const HEADINGS: Record<ImportField, string[]> = {
  id: ['id', '编号', '原编号', '工单编号', '留言编号'],
  title: ['title', '标题', '主题', '留言主题'],
  content: ['content', '内容', '诉求内容', '留言详情', '留言内容', '正文'],
  time: ['time', '时间', '受理时间', '留言时间', '来电时间', '登记时间'],
  category: ['category', '分类', '诉求分类', '类别'],
  district: ['district', '区县', '所属区县', '区域'],
  unit: ['unit', '承办单位', '办理单位', '主办单位'],
  status: ['status', '状态', '办理状态'],
  reply: ['reply', '答复', '回复', '答复意见', '答复内容', '回复内容'],
  reply_time: ['reply_time', 'replytime', '答复时间', '回复时间'],
  type: ['type', '类型', '诉求类型'],
  channel: ['channel', '渠道', '来源渠道', '来源'],
  address: ['address', '地址', '事发地址', '地点'],
};

function fieldOfHeading(raw: string): ImportField | null {
  const h = raw.replace(/^\uFEFF/, '').replace(/[\s\u3000]+/g, '').toLowerCase();
  if (!h) return null;
  // Exact names first (reply_time must not be taken for reply, 答复时间 not for 答复).
  for (const f of IMPORT_FIELDS) if (HEADINGS[f].includes(h)) return f;
  const parts = raw.toLowerCase().split(/[\s\u3000/|()（）]+/).filter(Boolean);
  for (const f of IMPORT_FIELDS) if (parts.some((p) => HEADINGS[f].includes(p))) return f;
  return null;
}

export async function parseImportFile(buffer: Buffer, filename: string): Promise<ParsedImportFile> {
  const ext = path.extname(filename).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') return parseJsonl(decodeText(buffer));
  if (ext === '.csv') return fromTable(parseCsv(decodeText(buffer)));
  if (ext === '.xlsx') {
    let rows: Array<{ line: number; cells: unknown[] }>;
    try {
      rows = await readXlsxValues(buffer);
    } catch {
      throw fieldError('file', { zh: '不是有效的 .xlsx 文件', en: 'is not a valid .xlsx file' });
    }
    return fromTable(rows);
  }
  throw fieldError('file', { zh: '只支持 .jsonl、.csv 或 .xlsx 文件', en: 'must be a .jsonl, .csv or .xlsx file' }, 'UNSUPPORTED_MEDIA_TYPE');
}

/** One JSON object per line; blank lines are skipped; keys may be the English or Chinese field names. */
export function parseJsonl(text: string): ParsedImportFile {
  const out: ParsedImportFile = { records: [], errors: [] };
  const lines = text.split(/\r?\n/);
  const fieldCache = new Map<string, ImportField | null>();
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      out.errors.push({ line: i + 1, message: '不是有效的 JSON / not valid JSON' });
      return;
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
      out.errors.push({ line: i + 1, message: '应为 JSON 对象 / must be a JSON object' });
      return;
    }
    const values: ImportRecord['values'] = {};
    for (const [k, v] of Object.entries(obj)) {
      let f = fieldCache.get(k);
      if (f === undefined) fieldCache.set(k, (f = fieldOfHeading(k)));
      // A label column (level1…) is not a field of the import; the category column is.
      if (f && values[f] === undefined) values[f] = v;
    }
    out.records.push({ line: i + 1, values });
  });
  return out;
}

/** Rows of cells with a header row first (CSV, xlsx) → records. */
function fromTable(rows: Array<{ line: number; cells: unknown[] }>): ParsedImportFile {
  const out: ParsedImportFile = { records: [], errors: [] };
  const nonEmpty = rows.filter((r) => r.cells.some((c) => c !== null && c !== undefined && String(c).trim() !== ''));
  const header = nonEmpty[0];
  if (!header) {
    out.errors.push({ line: 1, message: '文件为空，首行应为表头（title, content, time …）/ the file is empty; the first line must be the header (title, content, time …)' });
    return out;
  }
  const columns = header.cells.map((c) => fieldOfHeading(String(c ?? '')));
  if (!columns.includes('content')) {
    out.errors.push({ line: header.line, message: '首行应为表头，至少包含 content（内容）列 / the first line must be a header with at least a content column' });
    return out;
  }
  for (const r of nonEmpty.slice(1)) {
    const values: ImportRecord['values'] = {};
    columns.forEach((f, i) => {
      if (f && values[f] === undefined) values[f] = r.cells[i];
    });
    out.records.push({ line: r.line, values });
  }
  return out;
}

/** UTF-8 (with or without BOM) when it decodes cleanly, else GB18030, which Excel uses for Chinese CSV. */
export function decodeText(buffer: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(buffer);
  } catch {
    return new TextDecoder('gb18030').decode(buffer);
  }
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks; `line` is where a record starts. */
export function parseCsv(text: string): Array<{ line: number; cells: string[] }> {
  const out: Array<{ line: number; cells: string[] }> = [];
  let cells: string[] = [];
  let field = '';
  let inQuotes = false;
  let line = 1;
  let recordLine = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
    } else if (ch === '"' && field.trim() === '') {
      inQuotes = true;
      field = '';
    } else if (ch === ',') {
      cells.push(field);
      field = '';
    } else if (ch === '\r' || ch === '\n') {
      cells.push(field);
      out.push({ line: recordLine, cells });
      cells = [];
      field = '';
      if (ch === '\r' && text[i + 1] === '\n') i++;
      line++;
      recordLine = line;
    } else field += ch;
  }
  if (field !== '' || cells.length) {
    cells.push(field);
    out.push({ line: recordLine, cells });
  }
  return out;
}

/** The first sheet's cell values (dates as Date, numbers as numbers, rich text as its text), with row numbers. */
async function readXlsxValues(buffer: Buffer): Promise<Array<{ line: number; cells: unknown[] }>> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buffer as unknown as Parameters<typeof wb.xlsx.load>[0]);
  const ws = wb.worksheets[0];
  const out: Array<{ line: number; cells: unknown[] }> = [];
  if (!ws) return out;
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: unknown[] = [];
    for (let c = 1; c <= row.cellCount; c++) {
      const cell = row.getCell(c);
      const v = cell.value;
      if (v === null || v === undefined) cells.push('');
      else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) cells.push(v);
      else if (typeof v === 'object' && 'result' in v) cells.push((v as { result: unknown }).result ?? '');
      else cells.push(cell.text ?? '');
    }
    out.push({ line: rowNumber, cells });
  });
  return out;
}

// —— dates ——

const EXCEL_EPOCH_DAY = -25569; // 1899-12-30 as days since 1970-01-01
const DAY_MS = 86_400_000;

/**
 * A point in time from what real exports contain: ISO 8601 (with a zone, or without one = local time),
 * 2019/2/28 11:25:05, 2019/2/28, 2019-02-28 11:25, 2019年2月28日 11时25分, an Excel serial date (43524.475)
 * and an Excel date cell. Local times are read in `timeZone`. Null when it is none of these.
 */
export function parseImportTime(value: unknown, timeZone: string): Date | null {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return null;
    // An Excel date cell has no zone: exceljs gives its wall-clock time as UTC fields.
    return localTime(value.getUTCFullYear(), value.getUTCMonth() + 1, value.getUTCDate(), value.getUTCHours(), value.getUTCMinutes(), value.getUTCSeconds(), timeZone);
  }
  if (typeof value === 'number') return fromExcelSerial(value, timeZone);
  if (typeof value !== 'string') return null;
  const s = value.trim().normalize('NFKC');
  if (!s) return null;
  if (/^\d{5}(\.\d+)?$/.test(s)) return fromExcelSerial(Number(s), timeZone);
  // ISO 8601 with a zone designator: an instant as it stands.
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(s)) {
    const d = new Date(s);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:(?:\s+|T|\s*)(\d{1,2})\s*[:时]\s*(\d{1,2})\s*(?:[:分]\s*(\d{1,2})(?:\.\d+)?\s*秒?|分)?)?$/.exec(s);
  if (!m) return null;
  const [, y, mo, d, h, mi, sec] = m;
  return localTime(+y, +mo, +d, h ? +h : 0, mi ? +mi : 0, sec ? +sec : 0, timeZone);
}

function fromExcelSerial(serial: number, timeZone: string): Date | null {
  // 1982-01-01 … 2100-12-31: other numbers are not dates someone meant.
  if (!Number.isFinite(serial) || serial < 29952 || serial > 73415) return null;
  const wallMs = Math.round((serial + EXCEL_EPOCH_DAY) * DAY_MS / 1000) * 1000;
  const w = new Date(wallMs);
  return localTime(w.getUTCFullYear(), w.getUTCMonth() + 1, w.getUTCDate(), w.getUTCHours(), w.getUTCMinutes(), w.getUTCSeconds(), timeZone);
}

function localTime(year: number, month: number, day: number, hour: number, minute: number, second: number, timeZone: string): Date | null {
  if (year < 1980 || year > 2100) return null;
  try {
    return zonedTimeToInstant({ year, month, day, hour, minute, second }, timeZone);
  } catch {
    return null;
  }
}
