import type { AppContext } from '../../context';
import { recordAudit } from '../../core/audit/audit.service';
import { systemActor } from '../../core/http/access';
import * as repo from './catalog.repository';
import { importCategories } from './categories.service';
import type { Urgency } from './catalog.tables';

/**
 * 青川市's demo reference data: a built-in taxonomy (10 first-level classes, about 80 leaves) and a
 * dispatch catalogue that sends each class to the unit that would really handle it. A real city
 * imports its own taxonomy (`zhengtong categories import FILE`) and edits the catalogue.
 */
export const DEMO_TAXONOMY: Record<string, Record<string, string[]>> = {
  城乡建设: {
    物业管理: ['物业服务质量', '物业费纠纷', '维修基金使用', '业委会成立'],
    住房保障: ['公租房申请', '保障房分配', '租赁补贴'],
    房屋安全: ['危房鉴定', '违章搭建'],
    房地产市场: ['延期交房', '办证难'],
  },
  环境保护: {
    噪声污染: ['施工噪音', '社会生活噪音', '交通噪音'],
    大气污染: ['餐饮油烟', '工业废气', '扬尘污染'],
    水污染: ['河道污染', '污水直排'],
  },
  交通运输: {
    公共交通: ['公交线路', '公交服务态度', '地铁运营'],
    出租车: ['拒载绕路', '网约车管理'],
    道路设施: ['道路破损', '交通信号灯'],
  },
  市场监管: {
    食品安全: ['过期食品', '餐饮卫生', '无证经营'],
    消费维权: ['预付卡退费', '虚假宣传', '产品质量'],
    价格监管: ['乱收费', '明码标价'],
  },
  劳动和社会保障: {
    劳资纠纷: ['拖欠工资', '劳动合同', '违法辞退'],
    社会保险: ['社保缴纳', '养老金领取', '医保报销'],
    就业创业: ['就业培训', '创业补贴'],
  },
  水电气热: {
    供水: ['停水', '水压不足', '水质问题', '水费'],
    供电: ['停电', '电压不稳', '电费'],
    燃气: ['燃气泄漏', '停气', '燃气安装'],
    供热: ['暖气不热', '供热收费', '管道漏水'],
  },
  教育文体: {
    学前教育: ['入园难', '幼儿园收费'],
    义务教育: ['入学划片', '校外培训', '学校收费'],
    文化体育: ['全民健身设施', '文化场馆'],
  },
  卫生健康: {
    医疗服务: ['看病难', '医疗纠纷', '医德医风'],
    公共卫生: ['疫苗接种', '病媒防治'],
    生育服务: ['生育登记', '托育服务'],
  },
  城市管理: {
    市容环境: ['占道经营', '垃圾清运', '乱贴小广告', '违规户外广告'],
    园林绿化: ['树木修剪', '绿地损毁'],
    市政设施: ['路灯不亮', '井盖缺失', '排水不畅'],
    // A two-level leaf: the import format allows it.
    共享单车停放: [],
  },
  民政事务: {
    社会救助: ['低保申请', '特困供养'],
    养老服务: ['养老机构', '高龄补贴'],
  },
};

/** Name paths of the demo taxonomy, one per leaf, as the importer takes them. */
export function demoTaxonomyRows(): string[][] {
  const rows: string[][] = [];
  for (const [l1, seconds] of Object.entries(DEMO_TAXONOMY)) {
    for (const [l2, thirds] of Object.entries(seconds)) {
      if (!thirds.length) rows.push([l1, l2]);
      for (const l3 of thirds) rows.push([l1, l2, l3]);
    }
  }
  return rows;
}

/** Default urgencies: utilities are 加急 (24 h); a gas leak is 特急. Leaves inherit from their class. */
const DEMO_URGENCY: Array<[path: string, urgency: Urgency]> = [['水电气热', 'urgent'], ['水电气热/燃气/燃气泄漏', 'emergency']];

/** [category path or null, district code or null, lead unit code, co-unit codes, district as co-unit, note] */
type RuleSeed = [category: string | null, district: string | null, lead: string, co: string[], districtCo: boolean, note: string | null];

function demoRules(districtCodes: string[]): RuleSeed[] {
  return [
    ['城乡建设', null, 'QC-ZJJ', [], false, null],
    // 物业 is the district's business (属地管理): one rule per district, to its own government.
    ...districtCodes.map((d): RuleSeed => ['城乡建设/物业管理', d, d, [], false, '物业纠纷属地处理']),
    ['城乡建设/房屋安全/违章搭建', null, 'QC-CGJ', [], true, '违建由城管执法，属地配合'],
    ['环境保护', null, 'QC-STHJJ', [], false, null],
    ['环境保护/噪声污染', null, 'QC-STHJJ', [], false, null],
    ['环境保护/噪声污染/社会生活噪音', null, 'QC-GAJ', [], false, '《噪声污染防治法》：社会生活噪声由公安机关处理'],
    ['环境保护/大气污染/餐饮油烟', null, 'QC-CGJ', ['QC-STHJJ'], false, null],
    ['交通运输', null, 'QC-JTJ', [], false, null],
    ['交通运输/公共交通', null, 'QC-JTJ', [], false, null],
    ['交通运输/公共交通/公交服务态度', null, 'QC-GJGS', ['QC-JTJ'], false, null],
    ['交通运输/道路设施/交通信号灯', null, 'QC-GAJ', [], false, '交警支队'],
    ['交通运输/道路设施/道路破损', null, 'QC-CGJ', [], true, null],
    ['市场监管', null, 'QC-SCJGJ', [], true, '属地市场监管所配合'],
    ['劳动和社会保障', null, 'QC-RSJ', [], false, null],
    ['劳动和社会保障/劳资纠纷', null, 'QC-RSJ', [], true, null],
    ['劳动和社会保障/社会保险/医保报销', null, 'QC-YBJ', [], false, null],
    ['水电气热/供水', null, 'QC-ZLS', [], false, null],
    ['水电气热/供电', null, 'QC-GDGS', [], false, null],
    ['水电气热/燃气', null, 'QC-RQJT', [], false, null],
    ['水电气热/燃气/燃气泄漏', null, 'QC-RQJT', ['QC-XFZD'], false, '特急：同时通知消防救援'],
    ['水电气热/供热', null, 'QC-RLGS', [], false, null],
    ['教育文体', null, 'QC-JYJ', [], false, null],
    ['教育文体/文化体育', null, 'QC-WLJ', [], false, null],
    ['教育文体/文化体育/全民健身设施', null, 'QC-TYJ', [], false, null],
    ['卫生健康', null, 'QC-WJW', [], false, null],
    ['城市管理', null, 'QC-CGJ', [], false, null],
    ['城市管理/市容环境', null, 'QC-CGJ', [], true, '属地街道配合'],
    ['城市管理/园林绿化', null, 'QC-YLJ', [], false, null],
    ['民政事务', null, 'QC-MZJ', [], false, null],
  ];
}

/**
 * Seeds the demo taxonomy, default urgencies and dispatch catalogue. Runs after the demo city's units
 * exist; does nothing when categories already exist (an admin's data is never overwritten).
 */
export async function seedDemoCatalog(ctx: AppContext): Promise<boolean> {
  if (await ctx.db.selectFrom('categories').select('id').limit(1).executeTakeFirst()) return false;
  const actor = systemActor('seed-demo');
  await importCategories(ctx, actor, demoTaxonomyRows(), { replace: false, source: 'demo taxonomy' });
  const now = ctx.clock.now();
  const iso = now.toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    const categories = new Map((await repo.allCategories(trx)).map((c) => [c.path, c]));
    const units = new Map((await trx.selectFrom('units').select(['id', 'code']).execute()).map((u) => [u.code, u.id]));
    const unitId = (code: string) => {
      const id = units.get(code);
      if (!id) throw new Error(`demo catalogue: unknown unit ${code}`);
      return id;
    };
    const categoryId = (path: string) => {
      const c = categories.get(path);
      if (!c) throw new Error(`demo catalogue: unknown category ${path}`);
      return c.id;
    };
    for (const [path, urgency] of DEMO_URGENCY) await repo.updateCategory(trx, categoryId(path), { default_urgency: urgency, updated_at: iso });
    const districts = (await trx.selectFrom('units').select('code').where('kind', '=', 'district').orderBy('code').execute()).map((u) => u.code);
    const rules = demoRules(districts);
    for (const [category, district, lead, co, districtCo, note] of rules) {
      await repo.insertDispatchRule(trx, {
        category_id: category ? categoryId(category) : null, district_unit_id: district ? unitId(district) : null, lead_unit_id: unitId(lead),
        co_unit_ids: JSON.stringify(co.map(unitId)), district_co_unit: districtCo ? 1 : 0, note, active: 1, created_at: iso, updated_at: iso,
      });
    }
    await recordAudit(trx, ctx.dialect, now, { actor, action: 'demo.catalog', entity: 'system', note: { dispatchRules: rules.length, urgencies: DEMO_URGENCY.length } });
  });
  return true;
}
