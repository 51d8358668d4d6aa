import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import { describe, expect, it } from 'vitest';
import { toSearchDocument, type RequestText } from './request-index';
import { segmentPoolFor } from './segment-pool';
import { segmenterFor, type UserWord } from './segmenter';
import { normalizeText, tokenPieces } from './text';

const WORDS: UserWord[] = [{ word: '花园街道', tag: 'ns' }, { word: '物业服务质量', tag: 'n' }, { word: '市住房和城乡建设局', tag: 'nt' }];

describe('segmentation pool', () => {
  it('segments a batch on worker threads into the same documents as this thread does', async () => {
    const rows: RequestText[] = Array.from({ length: 600 }, (_, i) => ({
      title: i % 7 ? `花园街道${i}号路灯不亮` : null,
      content: `市民反映：东湖区花园街道幸福小区${i % 30}栋物业服务质量差，（已持续一周），请市住房和城乡建设局核实。ＡＢ${i}！`,
      address: i % 3 ? `解放路${i}号` : null,
      reply_text: i % 2 ? '已安排工作人员上门处理，问题已解决。' : null,
    }));
    const pool = await segmentPoolFor(WORDS, 2);
    expect(pool).not.toBeNull();
    const seg = segmenterFor(WORDS);
    expect(await pool!.documents(rows)).toEqual(rows.map((r) => toSearchDocument(seg, r)));
  }, 60_000);

  it('gives the same tokens clause by clause as jieba does for the whole text', () => {
    // Without city words a search token is exactly a piece of one of jieba's tokens.
    const seg = segmenterFor([]);
    const jieba = Jieba.withDict(dict);
    const texts = [
      '市民反映：Ａ１２３，ｘｙｚ！（测试）“花园街道”《办法》【通知】a-3 b.c 12:30 3/4 它\'s\r\n物业服务质量\t①②',
      '东湖区花园街道解放路156号阳光小区27栋路灯不亮，已持续一周，多次向物业反映未果，请尽快处理。',
    ];
    for (const text of texts) {
      const whole = jieba.cutForSearch(normalizeText(text), false).flatMap(tokenPieces);
      expect(seg.searchTokens(text)).toEqual(whole);
      // Again, from the remembered clauses.
      expect(seg.searchTokens(text)).toEqual(whole);
      expect(seg.searchText(text)).toBe(whole.join(' '));
    }
  });
});
