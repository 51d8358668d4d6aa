import { STOP_WORDS, normalizeText, type Segmenter } from '../../core/search';

/**
 * The words the analyses (related requests, hotspots, topics) compare: core/search's content words (the city's
 * dictionary, its stop words) with a few more hotline phrases left out and common synonyms folded together, so
 * that "走廊灯不亮" and "楼道灯坏了" share their words.
 */

/** Phrases of how a call is recorded, not of what it is about (core/search's STOP_WORDS has the common ones). */
const MORE_STOP_WORDS = new Set([
  '来电人', '人称', '派人', '派人来', '看看', '号楼', '单元', '说法', '不给', '还在', '有人', '家里', '附近', '周边', '好几天', '一段时间', '几次',
  '多天', '市长', '热线', '政府', '希望政府', '请相关', '尽快解决', '能够', '一下子',
]);

/**
 * Synonyms folded onto one word. Kept short on purpose: each entry is a pair a hotline agent would call the
 * same thing, not a thesaurus.
 */
const SYNONYMS: Record<string, string> = {
  走廊: '楼道', 楼梯间: '楼道', 过道: '楼道',
  物业公司: '物业', 物管: '物业',
  停电: '断电', 没电: '断电', 停水: '断水', 没水: '断水', 停气: '断气',
  噪声: '噪音', 吵闹: '噪音', 扰民: '噪音',
  工钱: '工资', 薪水: '工资', 欠薪: '拖欠',
  施工队: '工地', 建筑工地: '工地',
  违建: '违章', 违章建筑: '违章', 私搭乱建: '违章',
  商贩: '摊贩', 小贩: '摊贩', 摆摊: '摊贩',
  垃圾桶: '垃圾', 垃圾箱: '垃圾',
  退款: '退费', 退钱: '退费',
  开发商: '房企', 开发公司: '房企',
};

/** Content words of a text for analysis, in order, repeats kept (term frequency counts them). */
export function analysisWords(seg: Segmenter, text: string): string[] {
  const out: string[] = [];
  for (const w of seg.contentWords(text)) {
    if (MORE_STOP_WORDS.has(w)) continue;
    const s = SYNONYMS[w] ?? w;
    if (!STOP_WORDS.has(s)) out.push(s);
  }
  return out;
}

export { normalizeText };
