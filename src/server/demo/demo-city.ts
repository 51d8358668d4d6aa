import type { AppContext } from '../context';
import { recordAudit } from '../core/audit/audit.service';
import { defaultScopeOf, systemActor } from '../core/http/access';
import { hashPassword } from '../modules/auth/auth.service';
import { seedDemoCatalog } from '../modules/catalog';
import { findUnitByCode, insertUnit } from '../modules/org/org.repository';
import type { UnitKind } from '../modules/org/org.tables';
import { setRoles } from '../modules/users/users.repository';

/**
 * 青川市, a fictional city of ten million: 10 districts with their street offices, ~40 municipal
 * departments and utilities, the hotline centre and the general office's divisions, and demo users for
 * every role. The tests use the same seed through their factories.
 */
export const DEMO_CITY = '青川市';

interface UnitSeed { code: string; name: string; kind: UnitKind; children?: UnitSeed[] }

export const DISTRICTS: Array<{ code: string; name: string; pinyin: string; streets: string[] }> = [
  { code: 'D01', name: '东湖区', pinyin: 'donghu', streets: ['东湖街道', '花园街道', '新华街道', '湖滨街道'] },
  { code: 'D02', name: '西山区', pinyin: 'xishan', streets: ['西山街道', '金沙街道', '枫林街道'] },
  { code: 'D03', name: '南江区', pinyin: 'nanjiang', streets: ['南江街道', '长桥街道', '望江街道', '白沙街道'] },
  { code: 'D04', name: '北城区', pinyin: 'beicheng', streets: ['北城街道', '和平街道', '解放街道'] },
  { code: 'D05', name: '中原区', pinyin: 'zhongyuan', streets: ['中原街道', '人民街道', '光明街道', '建设街道'] },
  { code: 'D06', name: '滨海新区', pinyin: 'binhai', streets: ['滨海街道', '港城街道', '新港街道'] },
  { code: 'D07', name: '高新区', pinyin: 'gaoxin', streets: ['科学城街道', '创新街道', '软件园街道'] },
  { code: 'D08', name: '青峰区', pinyin: 'qingfeng', streets: ['青峰街道', '石门街道', '龙泉街道'] },
  { code: 'D09', name: '临川县', pinyin: 'linchuan', streets: ['临川镇', '柳湾镇', '桥头镇'] },
  { code: 'D10', name: '云溪县', pinyin: 'yunxi', streets: ['云溪镇', '竹林镇', '溪口镇'] },
];

export const DEPARTMENTS: Array<[code: string, name: string]> = [
  ['FGW', '市发展和改革委员会'], ['JYJ', '市教育局'], ['KJJ', '市科学技术局'], ['GXJ', '市工业和信息化局'], ['GAJ', '市公安局'],
  ['MZJ', '市民政局'], ['SFJ', '市司法局'], ['CZJ', '市财政局'], ['RSJ', '市人力资源和社会保障局'], ['ZRZYJ', '市自然资源和规划局'],
  ['STHJJ', '市生态环境局'], ['ZJJ', '市住房和城乡建设局'], ['JTJ', '市交通运输局'], ['SWJ', '市水务局'], ['NYNCJ', '市农业农村局'],
  ['SWUJ', '市商务局'], ['WLJ', '市文化和旅游局'], ['WJW', '市卫生健康委员会'], ['TYJRJ', '市退役军人事务局'], ['YJJ', '市应急管理局'],
  ['SJJ', '市审计局'], ['GZW', '市国有资产监督管理委员会'], ['SCJGJ', '市市场监督管理局'], ['TYJ', '市体育局'], ['TJJ', '市统计局'],
  ['YBJ', '市医疗保障局'], ['CGJ', '市城市管理局'], ['YLJ', '市园林绿化局'], ['ZWFWJ', '市政务服务和数据管理局'], ['XFJ', '市信访局'],
  ['RFB', '市人民防空办公室'], ['JRJ', '市地方金融管理局'], ['GJJ', '市住房公积金管理中心'], ['SWJU', '国家税务总局青川市税务局'],
  ['XFZD', '市消防救援支队'], ['ZLS', '市自来水有限公司'], ['GDGS', '国网青川供电公司'], ['RQJT', '市燃气集团'], ['RLGS', '市热力有限公司'],
  ['GJGS', '市公共交通集团'],
];

function cityTree(): UnitSeed {
  return {
    code: 'QC', name: '青川市人民政府', kind: 'government',
    children: [
      {
        code: 'QC-BGT', name: '市政府办公厅', kind: 'office',
        children: [
          { code: 'QC-BGT-ZHC', name: '综合处', kind: 'division' },
          { code: 'QC-BGT-MSC', name: '秘书处', kind: 'division' },
          { code: 'QC-BGT-DCC', name: '督查处', kind: 'division' },
          { code: 'QC-BGT-WDC', name: '文电处', kind: 'division' },
          { code: 'QC-BGT-XXC', name: '信息处', kind: 'division' },
          { code: 'QC-BGT-ZCC', name: '政策研究处', kind: 'division' },
          { code: 'QC-BGT-YJC', name: '应急值守处', kind: 'division' },
          { code: 'QC-12345', name: '12345市民服务热线中心', kind: 'hotline_centre' },
        ],
      },
      ...DEPARTMENTS.map(([code, name]) => ({ code: `QC-${code}`, name, kind: 'department' as const })),
      ...DISTRICTS.map((d) => ({
        code: `QC-${d.code}`, name: `${d.name}人民政府`, kind: 'district' as const,
        children: d.streets.map((s, i) => ({ code: `QC-${d.code}-S${String(i + 1).padStart(2, '0')}`, name: s.endsWith('镇') ? `${s}人民政府` : `${s}办事处`, kind: 'street' as const })),
      })),
    ],
  };
}

export interface DemoUserSeed { username: string; displayName: string; unitCode: string; roles: string[]; phone: string; serviceAccount?: boolean }

export function demoUsers(): DemoUserSeed[] {
  const users: DemoUserSeed[] = [
    { username: 'admin', displayName: '系统管理员', unitCode: 'QC-BGT-ZHC', roles: ['admin'], phone: '13800000001' },
    { username: 'agent1', displayName: '王晓燕', unitCode: 'QC-12345', roles: ['hotline_agent'], phone: '13800000011' },
    { username: 'agent2', displayName: '李明', unitCode: 'QC-12345', roles: ['hotline_agent'], phone: '13800000012' },
    { username: 'dispatcher1', displayName: '陈静', unitCode: 'QC-12345', roles: ['dispatcher'], phone: '13800000021' },
    { username: 'dispatcher2', displayName: '赵刚', unitCode: 'QC-12345', roles: ['dispatcher'], phone: '13800000022' },
    { username: 'supervisor1', displayName: '周建国', unitCode: 'QC-BGT-DCC', roles: ['supervisor'], phone: '13800000031' },
    { username: 'secretary1', displayName: '吴婷', unitCode: 'QC-BGT-MSC', roles: ['secretary'], phone: '13800000041' },
    { username: 'leader1', displayName: '郑市长', unitCode: 'QC', roles: ['leader'], phone: '13800000051' },
    { username: 'analyst1', displayName: '孙磊', unitCode: 'QC-BGT-XXC', roles: ['analyst'], phone: '13800000061' },
  ];
  let n = 100;
  const handlerUnits: Array<[prefix: string, unitCode: string, names: string[]]> = [
    ['donghu', 'QC-D01', ['刘洋', '黄敏']], ['xishan', 'QC-D02', ['杨帆', '何丽']], ['nanjiang', 'QC-D03', ['马超', '林芳']],
    ['zhujian', 'QC-ZJJ', ['高峰', '罗娜']], ['chengguan', 'QC-CGJ', ['梁伟', '宋佳']], ['shichang', 'QC-SCJGJ', ['谢军', '唐敏']],
    ['shuiwu', 'QC-SWJ', ['韩冰']], ['renshe', 'QC-RSJ', ['冯雪']],
  ];
  for (const [prefix, unitCode, names] of handlerUnits) {
    names.forEach((name, i) => users.push({ username: `${prefix}.handler${i + 1}`, displayName: name, unitCode, roles: ['unit_handler'], phone: `139000${String(n++).padStart(5, '0')}` }));
    users.push({ username: `${prefix}.leader`, displayName: `${names[0][0]}主任`, unitCode, roles: ['unit_leader'], phone: `139000${String(n++).padStart(5, '0')}` });
  }
  // Street offices of 东湖区: the district forwards orders to them (二级派单).
  ['QC-D01-S01', 'QC-D01-S02'].forEach((unitCode, i) => users.push({ username: `donghu.street${i + 1}`, displayName: ['曹亮', '彭丹'][i], unitCode, roles: ['unit_handler'], phone: `139000${String(n++).padStart(5, '0')}` }));
  // A partner system (the city app) submitting through Open311 (docs/open311.md): a service account, API token only.
  users.push({ username: 'open311.partner', displayName: '青川市民通 App（Open311）', unitCode: 'QC-ZWFWJ', roles: ['open311_partner'], phone: '13800000071', serviceAccount: true });
  return users;
}

/** Creates the demo city unless units already exist. Returns false when there was nothing to do. */
export async function seedDemoCity(ctx: AppContext, password: string): Promise<boolean> {
  const existing = await ctx.db.selectFrom('units').select('id').limit(1).executeTakeFirst();
  if (existing) return false;
  // One hash for every demo account: they share the demo password, and argon2 is slow on purpose.
  const passwordHash = await hashPassword(password);
  const now = ctx.clock.now();
  const iso = now.toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    const insertTree = async (node: UnitSeed, parentId: number | null, parentPath: string, order: number): Promise<void> => {
      const row = await insertUnit(trx, { parentId, parentPath, code: node.code, name: node.name, kind: node.kind, sortOrder: order, now: iso });
      for (const [i, child] of (node.children ?? []).entries()) await insertTree(child, row.id, row.path, i);
    };
    await insertTree(cityTree(), null, '', 0);
    for (const u of demoUsers()) {
      const unit = await findUnitByCode(trx, u.unitCode);
      if (!unit) throw new Error(`demo seed: unknown unit ${u.unitCode}`);
      const row = await trx.insertInto('users').values({
        username: u.username, display_name: u.displayName, unit_id: unit.id, password_hash: passwordHash, data_scope: defaultScopeOf(u.roles),
        phone: u.phone, disabled: 0, must_change_password: 0, is_service_account: u.serviceAccount ? 1 : 0, last_login_at: null, password_changed_at: iso, created_at: iso, updated_at: iso,
      }).returning('id').executeTakeFirstOrThrow();
      await setRoles(trx, row.id, u.roles);
    }
    await recordAudit(trx, ctx.dialect, now, { actor: systemActor('seed-demo'), action: 'demo.seed', entity: 'system', note: { city: DEMO_CITY, users: demoUsers().length } });
  });
  // The request taxonomy and dispatch catalogue name the units just created.
  await seedDemoCatalog(ctx);
  return true;
}
