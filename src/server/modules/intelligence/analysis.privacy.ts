/**
 * De-identification of request text for briefings, hotspots and topic samples (PIPL): what leaves the
 * handling screens keeps the problem and the district/street, never who called or where they live.
 *
 * Removed: the requester's own name and phone, any phone-like or ID-like number (7+ digits), number plates,
 * person names in the usual patterns (我叫…, …先生/女士, 张某某 反映), estate and building names with their
 * building/unit/room/house numbers, and the place named in the request's own address. Road names without a
 * house number stay (a broken street light on 建设路 is about the road, not a person).
 */

import type { Segmenter } from '../../core/search';
import { requestTerms } from './duplicates.similarity';

export interface RedactContext {
  /** The requester's name and phone on the record: removed wherever they appear. */
  requesterName?: string | null;
  requesterPhone?: string | null;
  /** The request's address: its estate / road-and-number part is removed from the text. */
  address?: string | null;
}

const LONG_NUMBER = /(?:\+?86[\s-]?)?\d[\d\s-]{5,}\d/g;
const PLATE = /[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Z][·\s]?[A-Z0-9]{5,6}/gi;
const CN_NUM = '[一二三四五六七八九十百零两〇]';
const BUILDING_PARTS = new RegExp(`(?:\\d+|${CN_NUM}+)\\s*(?:号楼|栋|幢|座|单元|层|楼|室|户)`, 'g');
const HOUSE_NUMBER = /([\p{Script=Han}]{1,8}(?:路|街|道|巷|弄|大道))\s*\d+(?:-\d+)?\s*号(?:院)?/gu;
// Estates and buildings people live in. Lookarounds keep administrative and public names intact (花园街道, 公园,
// 幼儿园, 城管, 居民); a leading "住在/位于/在…" caught by the match is given back.
const ESTATE = new RegExp(
  '([\\p{Script=Han}A-Za-z]{1,8}?)(小区|花园(?!街道)|家园|新村|公寓|大厦|名邸|名门|门第|雅苑|苑|府邸|华府|庭院|社区'
  + '|(?<!公|幼儿|动物|植物|校|游乐|产业|工业|陵|果|菜|乐|庄)园(?!区|林|艺|长)|(?<!县|省|老|新|进|全|主|山|古|京|长|县)城(?!管|市|区|乡|镇|中|里|墙)'
  + '|(?<![海港台])湾|(?<!邻|民|起|家|新)居(?!民|委|住|家|然|多))(?![\\p{Script=Han}]?(?:街道|办事处))', 'gu');
const LEADING_WORDS = /^(.*(?:住在|位于|家住|在|到|的|是|和|与|及|从|街道|办事处|镇|乡|(?<![小社园校景片])区|县|路|段|号))/u;
const SELF_NAME = /(我叫|本人叫|本人|姓名|名叫|叫做|我是)([\p{Script=Han}]{2,3})/gu;
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤';
const TITLED = new RegExp(`[${SURNAMES}](先生|女士|小姐|师傅|阿姨|大爷|大妈|老师)`, 'gu');
const NAMED_CALLER = new RegExp(`(^|[，。、；：\\s])[${SURNAMES}][\\p{Script=Han}]{1,2}(?=(?:反映|来电|称|说|表示|投诉|举报|咨询))`, 'gu');

export function redactText(text: string, ctx: RedactContext = {}): string {
  let t = text;
  if (ctx.requesterName && ctx.requesterName.trim().length >= 2) t = t.split(ctx.requesterName.trim()).join('某某');
  if (ctx.requesterPhone) {
    const digits = ctx.requesterPhone.replace(/\D/g, '');
    if (digits.length >= 5) t = t.split(ctx.requesterPhone).join('[电话]').split(digits).join('[电话]');
  }
  for (const place of addressPlaces(ctx.address)) t = t.split(place).join('某处');
  t = t.replace(LONG_NUMBER, '[号码]');
  t = t.replace(PLATE, '[车牌]');
  t = t.replace(HOUSE_NUMBER, '$1');
  t = t.replace(BUILDING_PARTS, '');
  t = t.replace(ESTATE, (_m, name: string) => `${name.match(LEADING_WORDS)?.[1] ?? ''}某小区`);
  t = t.replace(SELF_NAME, '$1某某');
  t = t.replace(TITLED, '某$1');
  t = t.replace(NAMED_CALLER, '$1某某');
  // Tidy what the removals left: doubled separators, "某小区某小区".
  return t.replace(/(某小区)+/g, '某小区').replace(/(某处)+/g, '某处').replace(/([，、])\1+/g, '$1').replace(/\s{2,}/g, ' ').trim();
}

/** The estate or road-and-number of an address (what identifies a home), longest first. */
function addressPlaces(address: string | null | undefined): string[] {
  if (!address) return [];
  const a = address.replace(/\s/g, '');
  // After the district and street (…区 …街道/镇), up to the building or house number.
  const rest = a.replace(/^.*?(街道|镇|乡)(办事处)?/, '').replace(/^.*?(?<![小社园校景片])(区|县)/, '');
  const place = rest.match(/^(.*?)(\d|[一二三四五六七八九十]+(号楼|栋|幢|单元|号))/)?.[1] ?? rest;
  const out = [place, rest].filter((p) => p.length >= 3 && !/^[\p{Script=Han}]{1,6}(路|街|大道|道)([东西南北中]段)?$/u.test(p));
  return [...new Set(out)].sort((x, y) => y.length - x.length);
}

/** "东湖区 花园街道": the most of an address a briefing shows. */
export function streetLevelPlace(districtName: string | null | undefined, streetName: string | null | undefined): string | null {
  const d = districtName?.replace(/人民政府$/, '') ?? '';
  const s = streetName?.replace(/(办事处|人民政府)$/, '') ?? '';
  const joined = [d, s].filter(Boolean).join(' ');
  return joined || null;
}

/**
 * The words that survive de-identification of the requests they were found in: a label made of them names no
 * caller and no estate. (A word the redaction removed from every sample was personal or a home address.)
 */
export function publicTerms(seg: Segmenter, terms: string[], samples: Array<{ title: string | null; snippet: string }>): string[] {
  const surviving = new Set(samples.flatMap((r) => requestTerms(seg, r.title, r.snippet)));
  return terms.filter((t) => surviving.has(t));
}
