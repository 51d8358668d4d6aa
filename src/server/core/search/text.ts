/**
 * Text normalisation shared by indexing, querying and the classifiers. Pure functions: no jieba, no database.
 */

/** Full-width letters and digits to ASCII (ＡＢ１２ → ab12), compatibility forms folded (NFKC), lower case. */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

// The characters both databases' tokenizers keep inside a token (SQLite unicode61: L*, N*, Co; PostgreSQL's
// parser: letters and digits). Everything else separates tokens, so a piece never straddles a separator.
const TOKEN_PIECE = /[\p{L}\p{N}\p{Co}]+/gu;

/** The searchable pieces of one segmenter token ('a-3' → ['a', '3']; '，' → []). */
export function tokenPieces(token: string): string[] {
  return token.match(TOKEN_PIECE) ?? [];
}

const HAN_RUN = /\p{Script=Han}{2,}/gu;

/** Overlapping pairs of Chinese characters ('路灯不亮' → 路灯 灯不 不亮): robust features where segmentation varies. */
export function hanBigrams(text: string): string[] {
  const out: string[] = [];
  for (const run of text.match(HAN_RUN) ?? []) {
    for (let i = 0; i + 1 < run.length; i++) out.push(run.slice(i, i + 2));
  }
  return out;
}

const HAS_WORD_CHAR = /[\p{Script=Han}\p{L}]/u;
const NUMBERISH = /^[\d.\-:/%]+$/;

/**
 * Words every hotline record uses that say nothing about the problem (and function words). Keyword
 * extraction and the analysis features leave them out; the search index keeps everything.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  '市民', '来电', '反映', '反应', '表示', '诉求', '希望', '要求', '请求', '相关', '部门', '有关', '单位', '尽快', '及时', '处理', '解决',
  '协调', '核实', '问题', '情况', '现在', '目前', '已经', '一直', '还是', '没有', '不能', '无法', '可以', '需要', '进行', '这个', '那个', '一个',
  '我们', '他们', '自己', '因为', '所以', '但是', '而且', '并且', '如果', '还有', '以及', '或者', '非常', '特别', '严重', '影响', '造成', '导致',
  '给予', '帮助', '关注', '重视', '督促', '落实', '回复', '答复', '联系', '电话', '本人', '这里', '那里', '时候', '时间', '期间', '之前', '之后',
  '以来', '左右', '多次', '至今', '仍然', '依然', '始终', '总是', '经常', '每天', '领导', '您好', '你好', '谢谢', '感谢', '请问', '咨询', '是否',
  '怎么', '什么', '为什么', '如何', '哪里', '能否', '可否', '一下', '一些', '这些', '那些', '我们的', '目前', '现象', '存在', '发现', '已', '望',
  '的', '了', '和', '是', '在', '有', '也', '都', '就', '对', '把', '被', '让', '给', '向', '从', '到', '与', '及', '等', '该', '其', '此', '之', '我', '你', '他',
]);

/** A content word for analysis: at least two characters, has a letter or Chinese character, not a number, not a stop word. */
export function isContentWord(word: string): boolean {
  return word.length >= 2 && HAS_WORD_CHAR.test(word) && !NUMBERISH.test(word) && !STOP_WORDS.has(word);
}
