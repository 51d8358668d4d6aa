import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { parseImportFile, parseImportTime } from './history-file';

const TZ = 'Asia/Shanghai';
const iso = (v: unknown) => parseImportTime(v, TZ)?.toISOString() ?? null;

describe('import times', () => {
  it('reads the date formats real exports contain, local times in the business time zone', () => {
    expect(iso('2019/2/28 11:25:05')).toBe('2019-02-28T03:25:05.000Z');
    expect(iso('2019/12/3 9:05:00')).toBe('2019-12-03T01:05:00.000Z');
    expect(iso('2019/2/28')).toBe('2019-02-27T16:00:00.000Z');
    expect(iso('2019-02-28 11:25')).toBe('2019-02-28T03:25:00.000Z');
    expect(iso('2019-02-28T11:25:05')).toBe('2019-02-28T03:25:05.000Z');
    expect(iso('2019-02-28T11:25:05.123Z')).toBe('2019-02-28T11:25:05.123Z');
    expect(iso('2019-02-28T11:25:05+08:00')).toBe('2019-02-28T03:25:05.000Z');
    expect(iso('2019年2月28日 11时25分')).toBe('2019-02-28T03:25:00.000Z');
    expect(iso('2019年2月28日')).toBe('2019-02-27T16:00:00.000Z');
    expect(iso('２０１９/２/２８ １１:２５:０５')).toBe('2019-02-28T03:25:05.000Z');
  });

  it('reads Excel serial dates, as numbers or text, and Excel date cells', () => {
    // 43524 = 2019-02-28 in Excel's 1900 date system; .5 = noon.
    expect(iso(43524)).toBe('2019-02-27T16:00:00.000Z');
    expect(iso(43524.5)).toBe('2019-02-28T04:00:00.000Z');
    expect(iso('43524.475752')).toBe('2019-02-28T03:25:05.000Z');
    // exceljs gives a date cell's wall-clock time in the UTC fields of a Date.
    expect(iso(new Date(Date.UTC(2019, 1, 28, 11, 25, 5)))).toBe('2019-02-28T03:25:05.000Z');
  });

  it('refuses what is not a date', () => {
    for (const bad of ['', 'yesterday', '2019/2/30', '2019/13/1', '2019-02-28 25:00', '12', 12, 1e12, null, undefined, {}, '1899/1/1']) {
      expect(iso(bad), String(bad)).toBeNull();
    }
  });
});

describe('import files', () => {
  it('reads JSONL by field name (English or Chinese), reports a broken line, skips blank ones', async () => {
    const text = [
      JSON.stringify({ title: '路灯不亮', content: '路灯坏了', time: '2019/2/28 11:25:05', level1: '城乡建设' }),
      '',
      '{"title": "broken",',
      JSON.stringify({ 标题: '停水', 内容: '小区停水', 受理时间: '2019/3/1', 答复: '已恢复', 答复时间: '2019/3/2' }),
    ].join('\n');
    const parsed = await parseImportFile(Buffer.from(text), 'history.jsonl');
    expect(parsed.errors).toEqual([{ line: 3, message: expect.stringContaining('JSON') }]);
    expect(parsed.records.map((r) => r.line)).toEqual([1, 4]);
    expect(parsed.records[0].values).toEqual({ title: '路灯不亮', content: '路灯坏了', time: '2019/2/28 11:25:05' });
    expect(parsed.records[1].values).toMatchObject({ title: '停水', content: '小区停水', time: '2019/3/1', reply: '已恢复', reply_time: '2019/3/2' });
  });

  it('reads CSV with bilingual headings and quoted commas; lines are the editor\'s lines', async () => {
    const csv = '\uFEFF标题 title,内容 content,时间 time,答复时间 reply_time,分类 category\n'
      + '噪音,"夜里施工，很吵,\n第二行",2019/2/28,2019/3/1,环境保护/噪声污染\n'
      + '停水,小区停水,2019/3/5,,\n';
    const parsed = await parseImportFile(Buffer.from(csv), 'h.csv');
    expect(parsed.errors).toEqual([]);
    expect(parsed.records).toEqual([
      { line: 2, values: { title: '噪音', content: '夜里施工，很吵,\n第二行', time: '2019/2/28', reply_time: '2019/3/1', category: '环境保护/噪声污染' } },
      { line: 4, values: { title: '停水', content: '小区停水', time: '2019/3/5', reply_time: '', category: '' } },
    ]);
  });

  it('reads .xlsx with date cells and numbers as values', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('history');
    ws.addRow(['title', 'content', 'time', 'reply_time']);
    ws.addRow(['路灯', '路灯不亮', new Date(Date.UTC(2019, 1, 28, 11, 25, 5)), 43525.5]);
    const parsed = await parseImportFile(Buffer.from(await wb.xlsx.writeBuffer()), 'h.xlsx');
    expect(parsed.records).toHaveLength(1);
    expect(parsed.records[0].line).toBe(2);
    expect(iso(parsed.records[0].values.time)).toBe('2019-02-28T03:25:05.000Z');
    expect(iso(parsed.records[0].values.reply_time)).toBe('2019-03-01T04:00:00.000Z');
  });

  it('refuses other file types and a table without a content column', async () => {
    await expect(parseImportFile(Buffer.from('x'), 'h.txt')).rejects.toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    const parsed = await parseImportFile(Buffer.from('a,b\n1,2\n'), 'h.csv');
    expect(parsed.records).toEqual([]);
    expect(parsed.errors[0].line).toBe(1);
  });
});
