import { describe, expect, it } from 'vitest';
import { timelineText } from './timeline-text';
import type { TimelineEvent } from './requests.api';

const ev = (action: string, payload: Record<string, unknown> | null): TimelineEvent => ({
  id: 1, action, from: null, to: 'handling', actorId: 1, actorName: '陈静', unitId: 10, at: '2026-11-28T09:00:00+08:00', payload,
});
const units = (id: number) => ({ 51: '东湖区人民政府', 52: '东湖街道办事处' })[id];

describe('timelineText', () => {
  it('names the units of a dispatch, with co-units resolved by id', () => {
    expect(timelineText(ev('dispatch', { leadUnitId: 51, leadUnitName: '东湖区人民政府', coUnitIds: [52], note: '请尽快办理' }), 'zh', units)).toEqual([
      '主办：东湖区人民政府',
      '协办：东湖街道办事处',
      '意见：请尽快办理',
    ]);
  });
  it('says why a unit returned an order and on what basis', () => {
    expect(timelineText(ev('return', { reason: '不属于本单位职责', legalBasis: '三定方案第三条' }), 'zh')).toEqual(['理由：不属于本单位职责', '依据：三定方案第三条']);
  });
  it('gives the outcome and the text of a reply, and the answers of a callback', () => {
    expect(timelineText(ev('reply', { result: 'partly', text: '已维修一部电梯' }), 'zh')).toEqual(['办理结果：部分解决', '已维修一部电梯']);
    expect(timelineText(ev('callback', { reached: true, resolved: false, satisfaction: 'dissatisfied' }), 'zh')).toEqual(['未解决，不满意']);
    expect(timelineText(ev('callback', { reached: false, attempt: 2 }), 'zh')).toEqual(['未联系上（第 2 次）']);
    expect(timelineText(ev('reply', { result: 'resolved', text: 'Fixed' }), 'en')).toEqual(['Outcome: Resolved', 'Fixed']);
  });
  it('shows an approved extension with its new deadline, and a review decision', () => {
    expect(timelineText(ev('approve-extension', { days: 2, newDueAt: '2026-12-08T17:30:00+08:00' }), 'zh')[0]).toMatch(/^2 个工作日，新期限 2026-12-08 \d\d:30$/);
    expect(timelineText(ev('review', { decision: 'send-back', note: '答复不完整' }), 'zh')).toEqual(['退回重办', '意见：答复不完整']);
  });
  it('falls back to key: value for an event it does not know', () => {
    expect(timelineText(ev('escalate', { text: '补充材料', n: 2, empty: '' }), 'zh')).toEqual(['text: 补充材料', 'n: 2']);
    expect(timelineText(ev('comment', { text: '楼道又漏水了', mediaUrl: 'https://example.org/a.jpg', via: 'open311' }), 'zh')).toEqual(['楼道又漏水了', '附件链接：https://example.org/a.jpg']);
    expect(timelineText(ev('sign', null), 'zh')).toEqual([]);
  });
});
