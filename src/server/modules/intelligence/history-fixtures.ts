import { DISTRICTS } from '../../demo/demo-city';

/**
 * Generated history of the demo city 青川市, shaped like a real 12345 export: short titles, a few
 * sentences of content naming a district, a street office and a place, an official reply, times in the
 * mixed formats exports have. For the always-run tests (a planted, learnable set: each template's words
 * say its category and unit) and for measuring the import (`zhengtong intelligence sample-history`).
 */

export interface HistoryTemplate {
  /** Category name path in the demo taxonomy. */
  category: string;
  /** The unit that handles it: a unit code, or 'district' for the request's own district government. */
  unit: string;
  titles: string[];
  contents: string[];
  replies: string[];
}

export const HISTORY_TEMPLATES: HistoryTemplate[] = [
  {
    category: '水电气热/供水/停水', unit: 'QC-ZLS',
    titles: ['小区突然停水', '停水没有通知', '自来水停水三天'],
    contents: ['{street}{place}从昨天早上开始停水，自来水公司没有提前通知，家里老人孩子用水困难。', '{place}一到晚上就停水，水龙头一滴水都没有，打自来水公司电话没人接。'],
    replies: ['经核实，因{street}供水管网抢修临时停水，现已恢复供水，今后停水将提前公告。', '自来水公司已派人检修管道，供水已恢复正常。'],
  },
  {
    category: '城市管理/市政设施/路灯不亮', unit: 'QC-CGJ',
    titles: ['路灯不亮', '道路路灯坏了', '晚上路灯全黑'],
    contents: ['{street}{place}门口的路灯已经坏了半个月，晚上一片漆黑，行人走路很不安全。', '{district}{place}附近一排路灯都不亮，电动车经过容易摔倒。'],
    replies: ['城管局已安排路灯维修队更换灯具，路灯已恢复照明。', '经查为线路老化，已更换电缆，路灯恢复正常。'],
  },
  {
    category: '环境保护/噪声污染/施工噪音', unit: 'QC-STHJJ',
    titles: ['夜间施工噪音扰民', '工地半夜施工', '施工噪音太大'],
    contents: ['{street}{place}旁边的工地每天夜里十一点以后还在打桩施工，噪音很大，居民无法入睡。', '{place}对面的建筑工地凌晨还在施工，机器轰鸣，严重扰民。'],
    replies: ['生态环境局已到现场检查，责令施工单位夜间停止高噪声作业。', '经查该工地未办理夜间施工许可，已依法立案处罚。'],
  },
  {
    category: '劳动和社会保障/劳资纠纷/拖欠工资', unit: 'QC-RSJ',
    titles: ['公司拖欠工资', '老板欠薪不还', '讨要被拖欠的工资'],
    contents: ['本人在{district}一家装修公司上班，老板已经拖欠三个月工资，一直推脱不给。', '{place}附近的餐馆拖欠我们十几名员工的工资，老板电话关机。'],
    replies: ['人社局劳动保障监察大队已约谈企业负责人，被拖欠工资已全部支付。', '已责令用人单位限期支付拖欠的劳动报酬。'],
  },
  {
    category: '城乡建设/物业管理/物业服务质量', unit: 'district',
    titles: ['物业不作为', '物业服务太差', '小区物业不管事'],
    contents: ['{street}{place}的物业公司收了物业费却不打扫卫生，电梯坏了也不修，业主意见很大。', '{place}物业管理混乱，楼道堆满杂物，物业一直不处理。'],
    replies: ['{district}政府已约谈物业公司，要求限期整改电梯和卫生问题。', '街道已督促物业公司落实服务标准，问题已整改。'],
  },
  {
    category: '市场监管/食品安全/过期食品', unit: 'QC-SCJGJ',
    titles: ['超市卖过期食品', '买到过期牛奶', '食品过期仍在销售'],
    contents: ['在{street}{place}的超市买到过期的牛奶和面包，要求市场监管部门查处。', '{district}{place}一家便利店货架上摆着过期食品，店员拒绝退换。'],
    replies: ['市场监管局已对该超市立案调查，下架全部过期食品。', '经查属实，已依法处罚并督促商家退款。'],
  },
  {
    category: '交通运输/公共交通/公交线路', unit: 'QC-JTJ',
    titles: ['建议增开公交线路', '公交班次太少', '公交线路调整建议'],
    contents: ['{place}附近居民出行只能坐一条公交线路，班次太少，早高峰等车要半小时，建议增加班次。', '建议开通从{street}到火车站的公交线路，方便居民出行。'],
    replies: ['交通运输局已将该建议纳入公交线网优化方案，拟增加高峰班次。', '经调研，已调整公交线路走向，增设站点。'],
  },
  {
    category: '教育文体/义务教育/入学划片', unit: 'QC-JYJ',
    titles: ['孩子入学划片问题', '咨询学区划分', '小学入学政策咨询'],
    contents: ['我家住在{street}{place}，孩子今年上小学，想咨询属于哪个学校的学区，入学需要什么材料。', '{district}今年的小学入学划片什么时候公布，租房能不能入学？'],
    replies: ['教育局答复：学区划片将于五月在教育局网站公布，租房家庭凭居住证和租赁合同登记入学。', '已电话告知入学政策和所需材料。'],
  },
];

const PLACES = ['幸福小区', '阳光花园', '金色家园', '锦绣华庭', '翠湖苑', '和平里', '新华广场', '滨江公寓', '枫林雅居', '东方明珠小区'];

/** A small deterministic generator (the same seed, the same history). */
export function createRng(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  return { next, pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)], int: (n: number) => Math.floor(next() * n) };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A local time written the ways real exports write it. */
export function formatExportTime(wall: Date, style: number): string | number {
  const [y, m, d, h, mi, s] = [wall.getUTCFullYear(), wall.getUTCMonth() + 1, wall.getUTCDate(), wall.getUTCHours(), wall.getUTCMinutes(), wall.getUTCSeconds()];
  switch (style % 5) {
    case 0: return `${y}/${m}/${d} ${h}:${pad(mi)}:${pad(s)}`;
    case 1: return `${y}-${pad(m)}-${pad(d)} ${pad(h)}:${pad(mi)}`;
    // ISO 8601 with the zone: the wall time was Shanghai's (+08:00).
    case 2: return new Date(wall.getTime() - 8 * 3600_000).toISOString();
    case 3: return Math.round(((wall.getTime() / 86_400_000) + 25569) * 100000) / 100000;
    default: return `${y}/${m}/${d}`;
  }
}

export interface HistoryRow {
  id: string;
  title: string;
  content: string;
  time: string | number;
  category: string;
  district: string;
  unit: string;
  reply: string;
  reply_time: string | number;
}

/**
 * `rows` closed requests of the demo city over `days` days from `start` (a local date). Each names its
 * category by a path, its district by name and its unit by code.
 */
export function generateHistory(opts: { rows: number; seed?: number; start?: string; days?: number; templates?: HistoryTemplate[] }): HistoryRow[] {
  const rng = createRng(opts.seed ?? 1);
  const templates = opts.templates ?? HISTORY_TEMPLATES;
  const start = Date.parse(`${opts.start ?? '2023-01-01'}T00:00:00Z`);
  const days = opts.days ?? 365;
  const out: HistoryRow[] = [];
  for (let i = 0; i < opts.rows; i++) {
    const t = templates[i % templates.length];
    const district = rng.pick(DISTRICTS);
    const fill = (s: string) => s.replaceAll('{district}', district.name).replaceAll('{street}', rng.pick(district.streets)).replaceAll('{place}', rng.pick(PLACES));
    // Wall-clock time in the city, kept in a Date's UTC fields.
    const wall = new Date(start + rng.int(days) * 86_400_000 + (8 + rng.int(12)) * 3_600_000 + rng.int(3600) * 1000);
    const replyWall = new Date(wall.getTime() + (1 + rng.int(5)) * 86_400_000);
    out.push({
      id: `H${opts.seed ?? 1}-${i + 1}`, title: rng.pick(t.titles), content: fill(rng.pick(t.contents)), time: formatExportTime(wall, i), category: t.category,
      district: district.name, unit: t.unit === 'district' ? `QC-${district.code}` : t.unit, reply: fill(rng.pick(t.replies)), reply_time: formatExportTime(replyWall, i + 1),
    });
  }
  return out;
}

export function toJsonl(rows: object[]): string {
  return `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
}
