import { formatDateTime } from '../../shared/format';
import { translate, type Lang, type Msg } from '../../shared/i18n';
import { clockLabels, msgOf, replyResultLabels, satisfactionLabels } from './request-labels';
import type { TimelineEvent } from './requests.api';

const T = {
  number: { zh: '编号 {v}', en: 'Number {v}' },
  lead: { zh: '主办：{v}', en: 'Lead: {v}' },
  co: { zh: '协办：{v}', en: 'Co-units: {v}' },
  forwardTo: { zh: '转派至 {v}', en: 'Forwarded to {v}' },
  reason: { zh: '理由：{v}', en: 'Reason: {v}' },
  legalBasis: { zh: '依据：{v}', en: 'Basis: {v}' },
  note: { zh: '意见：{v}', en: 'Note: {v}' },
  days: { zh: '{v} 个工作日', en: '{v} working days' },
  newDue: { zh: '新期限 {v}', en: 'new deadline {v}' },
  result: { zh: '办理结果：{v}', en: 'Outcome: {v}' },
  accepted: { zh: '审核通过', en: 'Accepted' },
  sentBack: { zh: '退回重办', en: 'Sent back' },
  unreachable: { zh: '未联系上（第 {v} 次）', en: 'Not reached (attempt {v})' },
  resolvedYes: { zh: '已解决', en: 'Resolved' },
  resolvedNo: { zh: '未解决', en: 'Not resolved' },
  mergedInto: { zh: '合并至 {v}', en: 'Merged into {v}' },
  overdue: { zh: '{v}期限已过（{due}）', en: '{v} deadline passed ({due})' },
  returnedTo: { zh: '退回上级单位', en: 'Handed back to the parent unit' },
  media: { zh: '附件链接：{v}', en: 'Media: {v}' },
} satisfies Record<string, Msg>;

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : typeof v === 'number' ? String(v) : null);

/**
 * The readable "what" of one timeline event from its payload: the unit dispatched to, the reason of a
 * return, the reply's outcome and text, the callback's answers. Unknown payloads fall back to key: value.
 */
export function timelineText(e: TimelineEvent, lang: Lang, unitName: (id: number) => string | undefined = () => undefined): string[] {
  const p = e.payload ?? {};
  const t = (m: Msg, vars: Record<string, string | number>) => translate(m, lang, vars);
  const lines: string[] = [];
  const push = (m: Msg, v: unknown) => {
    const s = str(v);
    if (s) lines.push(t(m, { v: s }));
  };
  switch (e.action) {
    case 'accept':
    case 'answer':
      push(T.number, p.number);
      break;
    case 'dispatch': {
      push(T.lead, p.leadUnitName ?? (typeof p.leadUnitId === 'number' ? unitName(p.leadUnitId) : null));
      const co = Array.isArray(p.coUnitIds) ? p.coUnitIds.map((id) => (typeof id === 'number' ? (unitName(id) ?? `#${id}`) : String(id))) : [];
      if (co.length) lines.push(t(T.co, { v: co.join(lang === 'zh' ? '、' : ', ') }));
      push(T.note, p.note);
      break;
    }
    case 'forward':
      push(T.forwardTo, p.unitName ?? (typeof p.unitId === 'number' ? unitName(p.unitId) : null));
      push(T.note, p.note);
      break;
    case 'return':
      push(T.reason, p.reason);
      push(T.legalBasis, p.legalBasis);
      if (typeof p.toUnitId === 'number') lines.push(t(T.forwardTo, { v: unitName(p.toUnitId) ?? translate(T.returnedTo, lang, {}) }));
      break;
    case 'request-extension':
      push(T.days, p.days);
      push(T.reason, p.reason);
      break;
    case 'approve-extension': {
      const parts = [str(p.days) ? t(T.days, { v: str(p.days)! }) : null, str(p.newDueAt) ? t(T.newDue, { v: formatDateTime(String(p.newDueAt)) }) : null].filter(Boolean);
      if (parts.length) lines.push(parts.join(lang === 'zh' ? '，' : ', '));
      push(T.note, p.note);
      break;
    }
    case 'deny-extension':
    case 'redo':
    case 'withdraw':
      push(T.reason, p.reason);
      if (e.action === 'redo' && str(p.replyDueAt)) lines.push(t(T.newDue, { v: formatDateTime(String(p.replyDueAt)) }));
      break;
    case 'urge':
    case 'supervise':
    case 'close':
      push(T.note, p.note);
      break;
    case 'reply':
      if (str(p.result)) lines.push(t(T.result, { v: msgOf(replyResultLabels, String(p.result), lang) }));
      if (str(p.text)) lines.push(String(p.text));
      break;
    case 'review':
      lines.push(translate(p.decision === 'send-back' ? T.sentBack : T.accepted, lang, {}));
      push(T.note, p.note);
      break;
    case 'callback':
      if (p.reached === false) lines.push(t(T.unreachable, { v: str(p.attempt) ?? '1' }));
      else {
        const parts = [
          typeof p.resolved === 'boolean' ? translate(p.resolved ? T.resolvedYes : T.resolvedNo, lang, {}) : null,
          str(p.satisfaction) ? msgOf(satisfactionLabels, String(p.satisfaction), lang) : null,
        ].filter(Boolean);
        if (parts.length) lines.push(parts.join(lang === 'zh' ? '，' : ', '));
      }
      push(T.note, p.note);
      break;
    case 'merge':
      push(T.mergedInto, p.targetNumber ?? p.targetId);
      break;
    case 'comment':
      // A citizen's addition relayed by an Open311 partner.
      push({ zh: '{v}', en: '{v}' }, p.text);
      push(T.media, p.mediaUrl);
      break;
    case 'mark-overdue':
      lines.push(t(T.overdue, { v: msgOf(clockLabels, str(p.clock), lang), due: p.dueAt ? formatDateTime(String(p.dueAt)) : '—' }));
      break;
    default:
      for (const [k, v] of Object.entries(p)) {
        if (v === null || v === undefined || v === '') continue;
        lines.push(`${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
      }
  }
  return lines;
}
