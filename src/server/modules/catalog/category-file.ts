import path from 'node:path';
import { fieldError } from '../../core/http/errors';
import { readXlsxRows } from '../../core/xlsx';

/**
 * Reading a category file (CSV or .xlsx, header level1,level2,level3, one leaf per row). Pure: no
 * database. Bad rows are reported with the line a person sees in their editor and the good ones kept.
 */

/** A row that cannot be imported: `line` is 1-based, the header being line 1. */
export interface CategoryImportError {
  line: number;
  message: string;
  messageEn: string;
}

export interface ParsedCategoryFile {
  /** One name path per good row: [level1, level2] or [level1, level2, level3]. */
  rows: string[][];
  /** The file line of each entry of `rows`, for errors found later. */
  lines: number[];
  errors: CategoryImportError[];
}

export const CATEGORY_NAME_MAX = 50;
export const CATEGORY_FILE_MAX_BYTES = 5 * 1024 * 1024;

/** Why a name cannot be a category name, or null when it can. */
export function checkCategoryName(name: string): { zh: string; en: string } | null {
  if (!name) return { zh: '为空', en: 'is empty' };
  if (name.length > CATEGORY_NAME_MAX) return { zh: `超过 ${CATEGORY_NAME_MAX} 个字`, en: `is longer than ${CATEGORY_NAME_MAX} characters` };
  // '/' joins the names of a path, the key that imports merge on.
  if (name.includes('/')) return { zh: '不能包含“/”', en: 'must not contain "/"' };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return { zh: '包含控制字符', en: 'contains a control character' };
  return null;
}

/** Why a name path cannot be a category, or null when it can. Shared by the file reader and the import. */
export function checkCategoryPath(names: string[]): { zh: string; en: string } | null {
  if (names.length < 2 || names.length > 3) return { zh: '应有二级或三级分类', en: 'needs two or three levels' };
  for (const [i, n] of names.entries()) {
    const problem = checkCategoryName(n);
    if (problem) return { zh: `${['一', '二', '三'][i]}级分类${problem.zh}`, en: `level${i + 1} ${problem.en}` };
  }
  return null;
}

/** Cleans one name: trims, folds inner runs of white space (including the ideographic space) to one. */
export function normaliseCategoryName(raw: string): string {
  return raw.replace(/[\s\u3000]+/g, ' ').trim();
}

const FALSE_WORDS = new Set(['否', '停用', '无效', 'no', 'false', '0', 'inactive', 'n']);

/** Reads a .csv (UTF-8, or GB18030 as Excel saves it on Chinese Windows) or an .xlsx category file. */
export async function parseCategoryFile(buffer: Buffer, filename: string): Promise<ParsedCategoryFile> {
  const ext = path.extname(filename).toLowerCase();
  let records: Array<{ line: number; cells: string[] }>;
  if (ext === '.csv' || ext === '.txt') {
    records = parseCsv(decodeText(buffer));
  } else if (ext === '.xlsx') {
    try {
      records = await readXlsxRows(buffer);
    } catch {
      throw fieldError('file', { zh: '不是有效的 .xlsx 文件', en: 'is not a valid .xlsx file' });
    }
  } else {
    throw fieldError('file', { zh: '只支持 .csv 或 .xlsx 文件', en: 'must be a .csv or .xlsx file' }, 'UNSUPPORTED_MEDIA_TYPE');
  }
  return readCategoryRecords(records);
}

/** Turns raw records (first non-empty one is the header) into name paths and line-numbered errors. */
export function readCategoryRecords(records: Array<{ line: number; cells: string[] }>): ParsedCategoryFile {
  const out: ParsedCategoryFile = { rows: [], lines: [], errors: [] };
  const nonEmpty = records.filter((r) => r.cells.some((c) => c.trim() !== ''));
  const header = nonEmpty[0];
  if (!header) {
    out.errors.push({ line: 1, message: '文件为空，首行应为表头 level1,level2,level3', messageEn: 'the file is empty; the first line must be the header level1,level2,level3' });
    return out;
  }
  const cols = headerColumns(header.cells);
  if (cols.level1 < 0 || cols.level2 < 0) {
    out.errors.push({ line: header.line, message: '首行应为表头 level1,level2,level3', messageEn: 'the first line must be the header level1,level2,level3' });
    return out;
  }
  const known = Math.max(header.cells.length, 3);
  for (const rec of nonEmpty.slice(1)) {
    const cell = (i: number) => (i >= 0 ? normaliseCategoryName(rec.cells[i] ?? '') : '');
    if (rec.cells.slice(known).some((c) => c.trim() !== '')) {
      out.errors.push({ line: rec.line, message: '列数多于表头（名称中的逗号需要加引号）', messageEn: 'more columns than the header (quote names that contain a comma)' });
      continue;
    }
    // An exported file marks inactive categories; reading it back leaves them out rather than reviving them.
    if (cols.active >= 0 && FALSE_WORDS.has(cell(cols.active).toLowerCase())) continue;
    const names = [cell(cols.level1), cell(cols.level2), cell(cols.level3)];
    if (!names[2]) names.pop();
    const problem = checkCategoryPath(names);
    if (problem) out.errors.push({ line: rec.line, message: problem.zh, messageEn: problem.en });
    else {
      out.rows.push(names);
      out.lines.push(rec.line);
    }
  }
  return out;
}

/** Finds the columns by header text: 'level1' or '一级…', also inside a bilingual header such as '一级分类 level1'. */
function headerColumns(cells: string[]) {
  const norm = cells.map((c) => c.replace(/^\uFEFF/, '').replace(/\s+/g, '').toLowerCase());
  const find = (en: string, zh: string) => norm.findIndex((c) => c.includes(en) || c.startsWith(zh));
  return { level1: find('level1', '一级'), level2: find('level2', '二级'), level3: find('level3', '三级'), active: find('active', '状态') };
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
  let i = 0;
  const endRecord = () => {
    cells.push(field);
    out.push({ line: recordLine, cells });
    cells = [];
    field = '';
  };
  while (i < text.length) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
        inQuotes = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      i++;
      continue;
    }
    if (ch === '"' && field.trim() === '') { inQuotes = true; field = ''; }
    else if (ch === ',') { cells.push(field); field = ''; }
    else if (ch === '\r' || ch === '\n') {
      endRecord();
      if (ch === '\r' && text[i + 1] === '\n') i++;
      line++;
      recordLine = line;
    } else field += ch;
    i++;
  }
  if (field !== '' || cells.length) endRecord();
  return out;
}
