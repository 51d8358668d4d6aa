import {
  AlignmentType, BorderStyle, Document, Footer, HeadingLevel, Packer, PageNumber, Paragraph, Table, TableCell, TableRow, TextRun, WidthType,
} from 'docx';
import { ChartRun, type ChartRunOptions } from 'docx/charts';
import type { BriefingContent, Share, UnitResult } from './briefings.service';

/**
 * 热线速递 as a Word file, rendered from the stored briefing content (so the file says what the screen says).
 *
 * Figures are native Word charts (docx/charts: DrawingML with the data in an embedded workbook, so Word's "Edit
 * Data" opens the numbers), each followed by its table. ECharts renders to SVG on the server, but docx's SVG
 * image needs a PNG fallback for every Word that cannot show SVG, and this platform has no rasteriser: a
 * table-backed native chart is the figure that opens everywhere (Word, WPS, LibreOffice).
 */

const BODY_FONT = '仿宋_GB2312';
const HEADING_FONT = '黑体';
const TITLE_FONT = '方正小标宋简体';
const CHART_FONT = '宋体';

const pct = (x: number | null | undefined) => (x == null ? '—' : `${(x * 100).toFixed(1)}%`);
const signedPct = (x: number | null | undefined) => (x == null ? '—' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`);
const score = (x: number | null | undefined) => (x == null ? '—' : x.toFixed(1));
const trendWord = (x: number | null) => (x == null ? '（上期无数据）' : x >= 0 ? `环比上升${(x * 100).toFixed(1)}%` : `环比下降${(-x * 100).toFixed(1)}%`);

function text(t: string, opts: { bold?: boolean; size?: number; font?: string } = {}): TextRun {
  return new TextRun({ text: t, bold: opts.bold, size: opts.size, font: opts.font ?? BODY_FONT });
}

function para(t: string, opts: { indent?: boolean; align?: (typeof AlignmentType)[keyof typeof AlignmentType] } = {}): Paragraph {
  return new Paragraph({ children: [text(t)], alignment: opts.align, indent: opts.indent === false ? undefined : { firstLine: 560 }, spacing: { line: 440 } });
}

function heading(t: string): Paragraph {
  return new Paragraph({ heading: HeadingLevel.HEADING_1, children: [text(t, { font: HEADING_FONT, size: 32 })], spacing: { before: 240, after: 120 } });
}

function caption(t: string): Paragraph {
  return new Paragraph({ alignment: AlignmentType.CENTER, children: [text(t, { size: 24, bold: true })], spacing: { before: 60, after: 200 } });
}

function table(header: string[], rows: string[][]): Table {
  const cell = (t: string, bold = false) => new TableCell({ children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [text(t, { bold, size: 22 })] })] });
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [new TableRow({ tableHeader: true, children: header.map((h) => cell(h, true)) }), ...rows.map((r) => new TableRow({ children: r.map((c) => cell(c)) }))],
  });
}

/** A chart in its own centred paragraph; an empty series still draws (Word needs at least one category). */
function chart(options: ChartRunOptions): Paragraph {
  return new Paragraph({ alignment: AlignmentType.CENTER, children: [new ChartRun({ font: { name: CHART_FONT }, transformation: { width: 560, height: 300 }, ...options } as ChartRunOptions)] });
}

function shareRows(items: Share[], withChange: boolean): string[][] {
  return items.map((s) => [s.name, String(s.count), pct(s.share), ...(withChange ? [String(s.previous ?? 0), signedPct(s.change)] : [])]);
}

function unitRows(units: UnitResult[]): string[][] {
  return units.map((u) => [u.name, String(u.orders), pct(u.responseRate), pct(u.resolutionRate), pct(u.satisfactionRate), score(u.score)]);
}

/** The document's sections in order; headings and captions are what the tests look for. */
export const BRIEFING_HEADINGS = ['一、总体情况', '二、诉求类型与渠道', '三、热点分类', '四、承办单位办理情况', '五、热点问题', '六、典型诉求', '附：指标口径'];

export async function renderBriefingDocx(c: BriefingContent): Promise<Buffer> {
  const periodWord = c.period === 'week' ? '本周' : '本月';
  const prevWord = c.period === 'week' ? '上周' : '上月';
  const phone = c.byFamily.find((f) => f.key === 'phone');
  const network = c.byFamily.find((f) => f.key === 'network');
  const top = c.topCategories[0];
  const children: Array<Paragraph | Table> = [];

  children.push(
    new Paragraph({ alignment: AlignmentType.CENTER, children: [text(c.title, { font: TITLE_FONT, size: 52, bold: true })], spacing: { after: 120 } }),
    new Paragraph({ alignment: AlignmentType.CENTER, children: [text(c.label, { size: 30 })], spacing: { after: 120 } }),
    new Paragraph({
      alignment: AlignmentType.CENTER, spacing: { after: 240 }, children: [text('12345市民服务热线中心', { size: 24 })],
      border: { bottom: { style: BorderStyle.SINGLE, size: 12, color: 'C00000', space: 4 } },
    }),
  );

  // 一、总体情况
  children.push(heading(BRIEFING_HEADINGS[0]));
  children.push(para(`${periodWord}（${c.start}至${c.end}）共受理群众诉求${c.volume.current}件，${trendWord(c.volume.change)}（${prevWord}${c.volume.previous}件）。`
    + `其中电话渠道${phone?.count ?? 0}件、占${pct(phone?.share)}，网络渠道${network?.count ?? 0}件、占${pct(network?.share)}；直接办结${c.volume.direct}件，直接办结率${pct(c.volume.directRate)}。`));
  children.push(para(`承办单位响应率${pct(c.rates.responseRate)}，解决率${pct(c.rates.resolutionRate)}，满意率${pct(c.rates.satisfactionRate)}，按期办结率${pct(c.rates.onTimeRate)}，综合得分${score(c.rates.score)}。`));
  children.push(chart({
    type: 'column', title: '每日受理量', legend: false, categories: c.daily.map((d) => d.date.slice(5)),
    series: [{ name: '受理量', values: c.daily.map((d) => d.count) }], dataLabels: { value: true },
  }));
  children.push(caption('图1  每日受理量（件）'));
  children.push(table(['日期', '受理量（件）'], c.daily.map((d) => [d.date, String(d.count)])));

  // 二、诉求类型与渠道
  children.push(heading(BRIEFING_HEADINGS[1]));
  const types = c.byType.length ? c.byType : [{ key: null, name: '无', count: 0, share: null }];
  children.push(para(`按诉求类型分，${c.byType.map((t) => `${t.name}${t.count}件（${pct(t.share)}）`).join('，') || '无受理'}。`));
  children.push(chart({
    type: 'pie', title: '诉求类型占比', categories: types.map((t) => t.name), series: [{ name: '件数', values: types.map((t) => t.count) }],
    dataLabels: { percentage: true, category: true },
  }));
  children.push(caption('图2  诉求类型占比'));
  children.push(table(['类型', '件数', '占比', prevWord, '环比'], shareRows(c.byType, true)));
  children.push(para(`按渠道分，${c.byChannel.map((ch) => `${ch.name}${ch.count}件`).join('，') || '无'}。`));
  children.push(table(['渠道', '件数', '占比'], shareRows(c.byChannel, false)));

  // 三、热点分类
  children.push(heading(BRIEFING_HEADINGS[2]));
  children.push(para(top
    ? `受理量居前的分类依次为：${c.topCategories.slice(0, 5).map((t) => `${t.name}（${t.count}件，占${pct(t.share)}）`).join('、')}。`
    : `${periodWord}无分类数据。`));
  const cats = c.topCategories.length ? c.topCategories : [{ key: null, name: '无', count: 0, share: null }];
  children.push(chart({
    type: 'bar', title: '受理量居前的分类', legend: false, categories: [...cats].reverse().map((t) => t.name),
    series: [{ name: '件数', values: [...cats].reverse().map((t) => t.count) }], dataLabels: { value: true },
  }));
  children.push(caption('图3  受理量居前的分类（件）'));
  children.push(table(['分类', '件数', '占比', prevWord, '环比'], shareRows(c.topCategories, true)));

  // 四、承办单位办理情况
  children.push(heading(BRIEFING_HEADINGS[3]));
  children.push(para(`共有${c.units.length}家承办单位办理了${periodWord}受理的诉求。满意率低于${pct(c.satisfactionFloor)}的单位${c.belowFloor.length}家${c.belowFloor.length
    ? `：${c.belowFloor.map((u) => `${u.name}（${pct(u.satisfactionRate)}，回访${u.callbacks}件）`).join('、')}` : ''}。`));
  const chartUnits = c.units.filter((u) => u.satisfactionRate != null).slice(0, 12);
  if (chartUnits.length) {
    children.push(chart({
      type: 'bar', title: '承办单位满意率', legend: false, categories: [...chartUnits].reverse().map((u) => u.name),
      series: [{ name: '满意率', values: [...chartUnits].reverse().map((u) => Math.round((u.satisfactionRate ?? 0) * 1000) / 10) }], dataLabels: { value: true },
    }));
    children.push(caption('图4  承办单位满意率（%）'));
  }
  children.push(table(['承办单位', '派单', '响应率', '解决率', '满意率', '得分'], unitRows(c.units)));
  if (c.belowFloor.length) {
    children.push(para(`满意率低于${pct(c.satisfactionFloor)}的单位：`, { indent: true }));
    children.push(table(['承办单位', '回访件数', '满意率'], c.belowFloor.map((u) => [u.name, String(u.callbacks), pct(u.satisfactionRate)])));
  }

  // 五、热点问题
  children.push(heading(BRIEFING_HEADINGS[4]));
  if (!c.hotspots.length) children.push(para(`${periodWord}未发现超出基线的热点。`));
  c.hotspots.forEach((h, i) => {
    const when = h.granularity === 'week' ? `${h.start}至${h.end}（周）` : `${h.start}（日）`;
    children.push(para(`${i + 1}. ${h.label}：${when}受理${h.count}件，约为基线期望（${h.expected.toFixed(1)}件）的${h.ratio.toFixed(1)}倍。`
      + `${h.requests[0] ? `如：${h.requests[0].snippet}` : ''}`));
  });
  children.push(para(`判定方法：${c.hotspotMethod}`));

  // 六、典型诉求
  children.push(heading(BRIEFING_HEADINGS[5]));
  if (!c.samples.length) children.push(para('无。'));
  c.samples.forEach((s, i) => {
    children.push(para(`${i + 1}. 【${s.category ?? '未分类'}】${s.place ? `${s.place}，` : ''}${s.acceptedOn}：${s.text}`));
  });

  // 附：指标口径
  children.push(heading(BRIEFING_HEADINGS[6]));
  for (const d of Object.values(c.definitions)) children.push(para(d.zh, { indent: false }));

  const doc = new Document({
    title: `${c.title} ${c.label}`,
    creator: 'Zhengtong 政通',
    styles: { default: { document: { run: { font: BODY_FONT, size: 28 } } } },
    sections: [{
      properties: { page: { margin: { top: 2098, bottom: 1984, left: 1588, right: 1474 } } },
      footers: {
        default: new Footer({ children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ children: ['— ', PageNumber.CURRENT, ' —'], font: '宋体', size: 28 })] })] }),
      },
      children,
    }],
  });
  return Packer.toBuffer(doc);
}
