import ExcelJS from 'exceljs';

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface XlsxColumn<R> {
  /** Bilingual header, e.g. '编码 code': readable by people, matchable by the importer. */
  header: string;
  width?: number;
  value: (row: R) => string | number | null | undefined;
}

/** One sheet: a bold, frozen header row with a filter, then one line per row. */
export async function buildXlsx<R>(sheetName: string, columns: Array<XlsxColumn<R>>, rows: R[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Zhengtong';
  const ws = wb.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = columns.map((c) => ({ header: c.header, width: c.width ?? 16 }));
  ws.getRow(1).font = { bold: true };
  for (const r of rows) ws.addRow(columns.map((c) => fitCell(c.value(r))));
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
  return Buffer.from(await wb.xlsx.writeBuffer());
}

// A cell holds at most 32,767 characters; longer text would make Excel refuse the file.
const CELL_MAX = 32_767;
function fitCell(v: string | number | null | undefined): string | number | null {
  if (v === undefined) return null;
  return typeof v === 'string' && v.length > CELL_MAX ? `${v.slice(0, CELL_MAX - 1)}…` : v;
}

/** The cells of the first sheet as text, with their 1-based row numbers; empty rows are left out. */
export async function readXlsxRows(buffer: Buffer): Promise<Array<{ line: number; cells: string[] }>> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buffer as unknown as Parameters<typeof wb.xlsx.load>[0]);
  const ws = wb.worksheets[0];
  const out: Array<{ line: number; cells: string[] }> = [];
  if (!ws) return out;
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: string[] = [];
    for (let c = 1; c <= row.cellCount; c++) cells.push(cellText(row.getCell(c)));
    out.push({ line: rowNumber, cells });
  });
  return out;
}

function cellText(cell: ExcelJS.Cell): string {
  const v = cell.value;
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  // Rich text, formulas, hyperlinks: the text a person sees.
  return cell.text ?? '';
}
