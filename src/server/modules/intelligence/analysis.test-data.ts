/**
 * Generated hotline requests for the intelligence tests and the duplicate benchmark: problems at places in
 * 青川市, each reported once or several times. Reports of one problem are paraphrases of each other
 * (another wording, clauses in another order, synonyms, details added or left out, another caller's
 * phone); different problems may share a place or a wording (different building, other end of a road),
 * which is what makes duplicate detection hard. Deterministic for a seed.
 */

export type Rng = () => number;

/** mulberry32: a small seeded generator, so every run builds the same data. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
const chance = (rng: Rng, p: number) => rng() < p;
const intIn = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));

function shuffled<T>(rng: Rng, xs: readonly T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** District codes and street names of the demo city (src/server/demo/demo-city.ts). */
export const GEN_DISTRICTS: Array<{ code: string; name: string; streets: string[] }> = [
  { code: 'QC-D01', name: '东湖区', streets: ['东湖街道', '花园街道', '新华街道', '湖滨街道'] },
  { code: 'QC-D02', name: '西山区', streets: ['西山街道', '金沙街道', '枫林街道'] },
  { code: 'QC-D03', name: '南江区', streets: ['南江街道', '长桥街道', '望江街道', '白沙街道'] },
  { code: 'QC-D04', name: '北城区', streets: ['北城街道', '和平街道', '解放街道'] },
  { code: 'QC-D05', name: '中原区', streets: ['中原街道', '人民街道', '光明街道', '建设街道'] },
];

const ESTATES = [
  '幸福小区', '阳光花园', '锦绣家园', '和平新村', '翠湖苑', '金桂园', '龙湖小区', '滨江花园', '书香门第', '枫林雅苑', '梧桐公寓', '金色家园',
  '绿城小区', '华府名邸', '春晖小区', '百合苑', '丽景花园', '紫荆小区', '明珠苑', '怡景湾', '青松小区', '星河湾', '万科城', '碧桂园', '工人新村',
  '铁路小区', '教师公寓', '红星小区', '望江苑', '桃源居', '天鹅湖小区', '凤凰城', '海棠湾', '富康小区', '东方家园', '盛世名门', '香樟园', '嘉禾苑',
];
const ROADS = ['建设路', '人民路', '解放路', '中山路', '长江路', '黄河路', '湖滨路', '科技大道', '创新路', '学府路', '滨海大道', '望江路', '金沙路', '青峰路', '朝阳路', '新华路', '东风路', '幸福路'];
const SEGMENTS = ['东段', '西段', '南段', '北段', '中段'];
const BRANDS = ['老街', '鑫源', '川味', '胖哥', '好再来', '力健', '优学', '丽人', '星辰', '童乐', '悦动', '宏达', '华兴', '鼎盛', '腾飞', '顺通', '远航', '金鹏', '恒通', '瑞丰'];
const SHOPS = BRANDS.flatMap((b) => [`${b}麻辣烫`, `${b}烧烤`, `${b}烤鱼`, `${b}饭店`]);
const PREPAID = BRANDS.flatMap((b) => [`${b}健身`, `${b}教育`, `${b}美容`, `${b}游泳馆`]);
const COMPANIES = BRANDS.flatMap((b) => [`${b}建筑公司`, `${b}装饰公司`, `${b}物流公司`, `${b}电子厂`]);
const SURNAMES = ['张', '王', '李', '赵', '刘', '陈', '杨', '黄', '周', '吴'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '磊', '洋', '勇', '艳', '杰', '军', '霞'];

/** One place a problem happens: an estate (with a building for building-level problems) or a road. */
interface Place {
  districtIndex: number;
  street: string;
  estate: string;
  road: string;
  road2: string;
  segment: string;
  building: number;
  shop: string;
  prepaid: string;
  company: string;
  busLine: number;
  workers: number;
  months: number;
}

interface ProblemType {
  key: string;
  category: string;
  type: 'complaint' | 'help' | 'report' | 'suggestion' | 'consult';
  /** 'building': the problem belongs to one building; 'estate' / 'road' / 'shop': to the whole place. */
  scope: 'building' | 'estate' | 'road' | 'shop';
  titles: string[];
  cores: string[];
  details: string[];
}

/** {E} estate, {B} building ("3栋" / "3号楼"), {R} road, {R2} second road, {S} segment, {SHOP} {PRE} {CO} {N} bus line, {W} workers, {M} months. */
export const PROBLEM_TYPES: ProblemType[] = [
  {
    key: 'stair-light', category: '城乡建设/物业管理/物业服务质量', type: 'complaint', scope: 'building',
    titles: ['楼道灯不亮', '小区楼道灯长期不亮', '楼道照明损坏'],
    cores: ['{E}{B}楼道灯不亮', '{E}{B}走廊灯坏了没人修', '{E}{B}楼梯间的灯一直不亮', '{E}{B}的楼道照明坏了，晚上一片黑'],
    details: ['物业一直不来修', '找过物业多次没人管', '老人上下楼很危险', '已经一个多月了', '晚上只能打手电筒上楼'],
  },
  {
    key: 'water-cut', category: '水电气热/供水/停水', type: 'help', scope: 'estate',
    titles: ['小区停水', '突然停水无通知', '停水'],
    cores: ['{E}突然停水', '{E}从昨天开始没水', '{E}停水了也没有提前通知', '{E}家里水龙头没有水'],
    details: ['没有任何通知', '家里做饭洗澡都没法弄', '询问物业说是管道维修', '不知道什么时候恢复', '我住{B}'],
  },
  {
    key: 'water-pressure', category: '水电气热/供水/水压不足', type: 'complaint', scope: 'building',
    titles: ['水压不足', '高层水压太低'],
    cores: ['{E}{B}高层水压太低', '{E}{B}楼上水流很小', '{E}{B}水压不足，热水器打不着火'],
    details: ['早晚用水高峰更严重', '住在十八楼', '已经持续半个月', '物业说要等二次供水改造'],
  },
  {
    key: 'power-cut', category: '水电气热/供电/停电', type: 'help', scope: 'estate',
    titles: ['小区停电', '突然停电'],
    cores: ['{E}突然停电', '{E}整个小区断电了', '{E}没电了，电梯也停了'],
    details: ['冰箱里的东西都要坏了', '家里有病人需要用电', '没有接到停电通知', '我住{B}', '已经停了五个小时'],
  },
  {
    key: 'heating', category: '水电气热/供热/暖气不热', type: 'complaint', scope: 'building',
    titles: ['暖气不热', '供暖温度低'],
    cores: ['{E}{B}暖气不热', '{E}{B}家里暖气温度很低，只有十几度', '{E}{B}供暖效果差，屋里很冷'],
    details: ['家里有老人和小孩', '交了取暖费却不热', '热力公司来看过没解决', '晚上冻得睡不着'],
  },
  {
    key: 'construction-noise', category: '环境保护/噪声污染/施工噪音', type: 'complaint', scope: 'road',
    titles: ['夜间施工噪音扰民', '工地噪音'],
    cores: ['{R}{S}的工地夜间施工噪音很大', '{R}{S}附近建筑工地晚上十一点后还在施工', '{R}{S}施工队半夜打桩，吵得睡不着'],
    details: ['严重影响休息', '孩子要高考了', '已经持续一周', '打了几次电话都没用'],
  },
  {
    key: 'square-dance', category: '环境保护/噪声污染/社会生活噪音', type: 'complaint', scope: 'estate',
    titles: ['广场舞噪音扰民', '广场舞音响太吵'],
    cores: ['{E}楼下广场舞音响太吵', '{E}广场舞噪音扰民', '{E}每天晚上跳广场舞，声音很大'],
    details: ['一直跳到晚上十点', '家里有婴儿', '和她们沟通过没用', '我住{B}'],
  },
  {
    key: 'cooking-fumes', category: '环境保护/大气污染/餐饮油烟', type: 'complaint', scope: 'shop',
    titles: ['餐饮油烟扰民', '饭店油烟直排'],
    cores: ['{R}{SHOP}油烟直排', '{R}的{SHOP}油烟飘进居民家里', '{R}{SHOP}排烟没有净化装置，整条街都是油烟味'],
    details: ['夏天不敢开窗', '晚上营业到凌晨', '楼上住户意见很大'],
  },
  {
    key: 'street-vendors', category: '城市管理/市容环境/占道经营', type: 'complaint', scope: 'road',
    titles: ['占道经营', '商贩占道'],
    cores: ['{R}{S}有商贩占道经营', '{R}{S}小贩摆摊堵路', '{R}{S}路边摊占用人行道'],
    details: ['行人只能走机动车道', '早高峰特别拥堵', '地上油污很多', '城管来了就跑'],
  },
  {
    key: 'garbage', category: '城市管理/市容环境/垃圾清运', type: 'complaint', scope: 'estate',
    titles: ['垃圾无人清运', '垃圾堆积'],
    cores: ['{E}垃圾好几天没人清运', '{E}的垃圾桶满了没人收', '{E}垃圾堆积发臭'],
    details: ['天热苍蝇很多', '味道很大', '物业说环卫不来拉', '我住{B}'],
  },
  {
    key: 'unpaid-wages', category: '劳动和社会保障/劳资纠纷/拖欠工资', type: 'help', scope: 'shop',
    titles: ['拖欠工资', '讨要工资'],
    cores: ['{CO}拖欠{W}名工人工资', '在{CO}干活被拖欠{M}个月工资', '{CO}一直不发工资，老板联系不上'],
    details: ['快过年了要回家', '找劳动监察没有结果', '工地在{R}', '家里等着用钱'],
  },
  {
    key: 'prepaid-card', category: '市场监管/消费维权/预付卡退费', type: 'complaint', scope: 'shop',
    titles: ['预付卡无法退费', '商家跑路'],
    cores: ['{R}{PRE}突然关门，预付卡无法退费', '在{R}{PRE}办的会员卡退不了钱', '{R}{PRE}跑路了，充值的钱要不回来'],
    details: ['卡里还有三千多元', '很多会员都受骗了', '门上贴了装修通知', '老板电话打不通'],
  },
  {
    key: 'road-damage', category: '交通运输/道路设施/道路破损', type: 'complaint', scope: 'road',
    titles: ['道路破损', '路面坑洼'],
    cores: ['{R}{S}路面坑洼不平', '{R}{S}道路破损有大坑', '{R}{S}路面塌陷了一块'],
    details: ['下雨天积水看不见', '已经有电动车摔倒', '车辆经过很颠簸'],
  },
  {
    key: 'traffic-light', category: '交通运输/道路设施/交通信号灯', type: 'report', scope: 'road',
    titles: ['信号灯故障', '红绿灯坏了'],
    cores: ['{R}与{R2}路口红绿灯坏了', '{R}和{R2}交叉口信号灯不亮', '{R}{R2}十字路口的信号灯一直闪黄灯'],
    details: ['路口很混乱', '早高峰堵得厉害', '差点发生事故'],
  },
  {
    key: 'bus-frequency', category: '交通运输/公共交通/公交线路', type: 'suggestion', scope: 'road',
    titles: ['公交班次太少', '建议增加公交班次'],
    cores: ['{N}路公交车班次太少', '{N}路公交等车时间太长', '建议增加{N}路公交发车频次'],
    details: ['早高峰要等四十分钟', '车上特别挤', '在{R}站等车'],
  },
  {
    key: 'illegal-building', category: '城乡建设/房屋安全/违章搭建', type: 'report', scope: 'building',
    titles: ['违章搭建', '楼顶违建'],
    cores: ['{E}{B}顶楼有人私搭乱建', '{E}{B}一楼住户违章搭建', '{E}{B}有业主在楼顶违建'],
    details: ['存在安全隐患', '占用了公共空间', '物业不管'],
  },
  {
    key: 'property-fee', category: '城乡建设/物业管理/物业费纠纷', type: 'complaint', scope: 'estate',
    titles: ['物业乱收费', '物业费上涨'],
    cores: ['{E}物业乱收费', '{E}物业费上涨没有公示', '{E}物业公司多收停车费'],
    details: ['没有经过业主大会', '服务质量很差', '不交就不给办门禁卡'],
  },
  {
    key: 'late-delivery', category: '城乡建设/房地产市场/延期交房', type: 'complaint', scope: 'estate',
    titles: ['延期交房', '开发商不交房'],
    cores: ['{E}项目延期交房', '买的{E}房子到期还没交付', '{E}开发商迟迟不交房'],
    details: ['合同约定去年年底交房', '每月还着房贷', '开发商不给说法'],
  },
  {
    key: 'tree-trim', category: '城市管理/园林绿化/树木修剪', type: 'suggestion', scope: 'building',
    titles: ['树木需要修剪', '大树遮挡采光'],
    cores: ['{E}{B}旁边的大树遮挡阳光，需要修剪', '{E}{B}楼前树木太高影响采光', '{E}{B}窗前的树枝伸进阳台'],
    details: ['屋里白天也要开灯', '树上虫子很多', '担心刮风树枝折断'],
  },
  {
    key: 'manhole', category: '城市管理/市政设施/井盖缺失', type: 'report', scope: 'road',
    titles: ['井盖缺失', '井盖丢失'],
    cores: ['{R}{S}井盖丢了', '{R}{S}有个井盖缺失，很危险', '{R}{S}井盖破损下陷'],
    details: ['晚上看不清容易掉下去', '旁边就是学校', '临时放了个锥桶'],
  },
  {
    key: 'gas-smell', category: '水电气热/燃气/燃气泄漏', type: 'help', scope: 'building',
    titles: ['燃气泄漏', '闻到燃气味'],
    cores: ['{E}{B}楼道有很浓的燃气味', '{E}{B}闻到煤气味', '{E}{B}疑似燃气泄漏'],
    details: ['已经打开窗户通风', '不敢开火', '邻居也闻到了'],
  },
  {
    key: 'street-light', category: '城市管理/市政设施/路灯不亮', type: 'complaint', scope: 'road',
    titles: ['路灯不亮', '路灯损坏'],
    cores: ['{R}{S}的路灯不亮', '{R}{S}一排路灯晚上都是黑的', '{R}{S}路灯坏了好几盏，晚上一片漆黑'],
    details: ['行人走路很不安全', '晚上骑电动车看不清路', '大概有五六盏'],
  },
];

const INTROS = ['', '', '市民来电反映：', '来电人称，', '市民反映，', '来电反映：'];
const ASKS = ['', '希望尽快处理。', '请相关部门尽快解决。', '要求有关部门处理。', '希望政府重视。', '请尽快派人来看看。'];

function newPlace(rng: Rng): Place {
  const districtIndex = Math.floor(rng() * GEN_DISTRICTS.length);
  let road2 = pick(rng, ROADS);
  const road = pick(rng, ROADS);
  while (road2 === road) road2 = pick(rng, ROADS);
  return {
    districtIndex, street: pick(rng, GEN_DISTRICTS[districtIndex].streets), estate: pick(rng, ESTATES), road, road2, segment: pick(rng, SEGMENTS),
    building: intIn(rng, 1, 24), shop: pick(rng, SHOPS), prepaid: pick(rng, PREPAID), company: pick(rng, COMPANIES), busLine: intIn(rng, 1, 120),
    workers: intIn(rng, 5, 40), months: intIn(rng, 2, 6),
  };
}

/** A place that differs from `p` in one thing that makes it another problem: building, road end, estate, shop. */
function nearPlace(rng: Rng, p: Place, scope: ProblemType['scope']): Place {
  const q = { ...p };
  if (scope === 'building') while (q.building === p.building) q.building = intIn(rng, 1, 24);
  else if (scope === 'road') {
    while (q.segment === p.segment) q.segment = pick(rng, SEGMENTS);
    while (q.busLine === p.busLine) q.busLine = intIn(rng, 1, 120);
    while (q.road2 === p.road2 || q.road2 === q.road) q.road2 = pick(rng, ROADS);
  }
  else if (scope === 'estate') while (q.estate === p.estate) q.estate = pick(rng, ESTATES);
  else {
    while (q.shop === p.shop) q.shop = pick(rng, SHOPS);
    while (q.prepaid === p.prepaid) q.prepaid = pick(rng, PREPAID);
    while (q.company === p.company) q.company = pick(rng, COMPANIES);
  }
  return q;
}

function fill(rng: Rng, template: string, p: Place, building: number): string {
  return template
    .replaceAll('{E}', p.estate).replaceAll('{B}', chance(rng, 0.5) ? `${building}栋` : `${building}号楼`)
    .replaceAll('{R2}', p.road2).replaceAll('{R}', p.road).replaceAll('{S}', p.segment)
    .replaceAll('{SHOP}', p.shop).replaceAll('{PRE}', p.prepaid).replaceAll('{CO}', p.company)
    .replaceAll('{N}', String(p.busLine)).replaceAll('{W}', String(p.workers)).replaceAll('{M}', String(p.months));
}

export interface GeneratedRequest {
  /** Index in the generated list (the order they are "accepted"). */
  index: number;
  /** Reports of the same problem share a group; a problem reported once has a group of its own. */
  group: number;
  problem: string;
  category: string;
  type: ProblemType['type'];
  districtCode: string;
  districtName: string;
  street: string;
  title: string | null;
  content: string;
  address: string | null;
  phone: string;
  name: string;
  /** Day of acceptance, counted from the first day of the generated period. */
  day: number;
}

function phoneOf(rng: Rng): string {
  return `1${pick(rng, ['3', '5', '7', '8', '9'])}${String(intIn(rng, 0, 999_999_999)).padStart(9, '0')}`;
}

/** One report of a problem: a wording chosen afresh, clauses shuffled, details added or left out. */
function report(rng: Rng, t: ProblemType, p: Place, opts: { group: number; day: number; phone: string; index: number }): GeneratedRequest {
  const d = GEN_DISTRICTS[p.districtIndex];
  // Estate-wide problems are reported by people from different buildings.
  const building = t.scope === 'estate' && chance(rng, 0.5) ? intIn(rng, 1, 24) : p.building;
  const core = fill(rng, pick(rng, t.cores), p, building);
  const located = chance(rng, 0.4) ? `${d.name}${p.street}${core}` : chance(rng, 0.3) ? `${p.street}${core}` : core;
  const details = shuffled(rng, t.details).slice(0, intIn(rng, 0, 2)).map((x) => fill(rng, x, p, building));
  const clauses = chance(rng, 0.5) ? [located, ...details] : [...details.slice(0, 1), located, ...details.slice(1)];
  const content = `${pick(rng, INTROS)}${clauses.join('，')}。${pick(rng, ASKS)}`;
  const onEstate = t.scope === 'building' || t.scope === 'estate';
  const address = chance(rng, 0.25) ? null : onEstate ? `${d.name}${p.street}${p.estate}${building}栋${chance(rng, 0.5) ? `${intIn(rng, 1, 4)}单元${intIn(rng, 1, 25)}0${intIn(rng, 1, 4)}` : ''}` : `${d.name}${p.road}${p.segment}`;
  return {
    index: opts.index, group: opts.group, problem: t.key, category: t.category, type: t.type, districtCode: d.code, districtName: d.name, street: p.street,
    title: chance(rng, 0.7) ? pick(rng, t.titles) : null, content, address, phone: opts.phone, name: `${pick(rng, SURNAMES)}${pick(rng, GIVEN)}${chance(rng, 0.5) ? pick(rng, GIVEN) : ''}`,
    day: opts.day,
  };
}

export interface CorpusOptions {
  seed?: number;
  /** Problems reported more than once. */
  repeatedProblems?: number;
  /** Problems reported once. */
  singleProblems?: number;
  /** Reports of a repeated problem: from 2 to this many. */
  maxReports?: number;
  /** Share of single problems placed next to a repeated one (same building type, other building; other end of the road …). */
  nearMissShare?: number;
  /** Days the reports spread over; repeats follow their first report within `repeatWithinDays`. */
  days?: number;
  repeatWithinDays?: number;
}

/** A shuffled list of reports, ordered by day, with planted repeats and near misses. */
export function generateRequestCorpus(opts: CorpusOptions = {}): GeneratedRequest[] {
  const rng = seededRng(opts.seed ?? 12345);
  const days = opts.days ?? 30;
  const within = opts.repeatWithinDays ?? 7;
  const drafts: Array<Omit<GeneratedRequest, 'index'>> = [];
  let group = 0;
  const repeated: Array<{ t: ProblemType; p: Place; day: number }> = [];
  // Every problem has a place of its own: two "different" problems at the same building would be one.
  const used = new Set<string>();
  const placeId = (t: ProblemType, p: Place) => {
    const d = p.districtIndex;
    const where = t.scope === 'building' ? `${p.estate}${p.building}` : t.scope === 'estate' ? p.estate
      : t.scope === 'road' ? `${p.road}${p.segment}${p.road2}${p.busLine}` : `${p.shop}${p.prepaid}${p.company}`;
    return `${t.key}|${d}|${where}`;
  };
  const claim = (t: ProblemType, make: () => Place): Place => {
    for (;;) {
      const p = make();
      const id = placeId(t, p);
      if (!used.has(id)) {
        used.add(id);
        return p;
      }
    }
  };
  for (let i = 0; i < (opts.repeatedProblems ?? 60); i++) {
    const t = pick(rng, PROBLEM_TYPES);
    const p = claim(t, () => newPlace(rng));
    const day = intIn(rng, 0, Math.max(0, days - within - 1));
    repeated.push({ t, p, day });
    const n = intIn(rng, 2, opts.maxReports ?? 4);
    // A caller sometimes rings again; mostly it is a neighbour with another phone.
    const firstPhone = phoneOf(rng);
    for (let k = 0; k < n; k++) {
      const phone = k > 0 && chance(rng, 0.3) ? firstPhone : phoneOf(rng);
      drafts.push(report(rng, t, p, { group, day: k === 0 ? day : day + intIn(rng, 0, within), phone, index: 0 }));
    }
    group++;
  }
  const singles = opts.singleProblems ?? 200;
  const nearShare = opts.nearMissShare ?? 0.3;
  for (let i = 0; i < singles; i++) {
    let t = pick(rng, PROBLEM_TYPES);
    let p: Place;
    if (repeated.length && chance(rng, nearShare)) {
      const base = pick(rng, repeated);
      t = base.t;
      p = claim(t, () => nearPlace(rng, base.p, t.scope));
    } else {
      const type = t;
      p = claim(type, () => newPlace(rng));
    }
    drafts.push(report(rng, t, p, { group, day: intIn(rng, 0, days - 1), phone: phoneOf(rng), index: 0 }));
    group++;
  }
  // Stable order by day, shuffled within a day.
  return shuffled(rng, drafts).sort((a, b) => a.day - b.day).map((d, index) => ({ ...d, index }));
}

/** Pairs (i < j) of reports of the same problem: what a perfect detector finds. */
export function plantedPairs(corpus: GeneratedRequest[]): Set<string> {
  const byGroup = new Map<number, number[]>();
  for (const r of corpus) byGroup.set(r.group, [...(byGroup.get(r.group) ?? []), r.index]);
  const out = new Set<string>();
  for (const idx of byGroup.values()) for (let a = 0; a < idx.length; a++) for (let b = a + 1; b < idx.length; b++) out.add(pairKey(idx[a], idx[b]));
  return out;
}

export const pairKey = (i: number, j: number) => (i < j ? `${i}:${j}` : `${j}:${i}`);
