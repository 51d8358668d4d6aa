import { defineMessages, type Lang, type Msg } from '../../shared/i18n';
import type { Box, ClockName, ClockState, ReplyResult, RequestAction, RequestStatus, RequestTypeItem, Satisfaction, Urgency } from './requests.api';

/** Names as users say them (DOMAIN.md §1), Chinese first. */
export const statusLabels: Record<RequestStatus, Msg> = defineMessages({
  accepted: { zh: '已受理', en: 'Accepted' },
  returned: { zh: '已退单', en: 'Returned' },
  dispatched: { zh: '待签收', en: 'Awaiting sign-for' },
  handling: { zh: '办理中', en: 'Being handled' },
  replied: { zh: '已回复', en: 'Replied' },
  callback: { zh: '待回访', en: 'Awaiting callback' },
  visited: { zh: '已回访', en: 'Called back' },
  closed: { zh: '已办结', en: 'Closed' },
  merged: { zh: '已合并', en: 'Merged' },
  withdrawn: { zh: '已撤销', en: 'Withdrawn' },
});

/** antd Tag colours per status. */
export const statusColors: Record<RequestStatus, string> = {
  accepted: 'blue',
  returned: 'orange',
  dispatched: 'gold',
  handling: 'processing',
  replied: 'cyan',
  callback: 'purple',
  visited: 'geekblue',
  closed: 'success',
  merged: 'default',
  withdrawn: 'default',
};

/** The six request types; the catalogue may add more, which show with their catalogue names. */
export const typeLabels: Record<string, Msg> = defineMessages({
  consult: { zh: '咨询', en: 'Consultation' },
  help: { zh: '求助', en: 'Help' },
  complaint: { zh: '投诉', en: 'Complaint' },
  report: { zh: '举报', en: 'Report' },
  suggestion: { zh: '建议', en: 'Suggestion' },
  praise: { zh: '表扬', en: 'Praise' },
});

export function typeLabel(code: string, lang: Lang, catalogue?: RequestTypeItem[]): string {
  const known = typeLabels[code];
  if (known) return known[lang];
  const item = catalogue?.find((t) => t.code === code);
  return item ? (lang === 'en' ? item.nameEn : item.name) : code;
}

export const urgencyLabels: Record<Urgency, Msg> = defineMessages({
  normal: { zh: '一般', en: 'Normal' },
  urgent: { zh: '加急', en: 'Urgent' },
  emergency: { zh: '特急', en: 'Emergency' },
  complex: { zh: '疑难', en: 'Complex' },
});

export const urgencyColors: Record<Urgency, string> = { normal: 'default', urgent: 'orange', emergency: 'red', complex: 'purple' };

export const clockLabels: Record<ClockName, Msg> = defineMessages({
  sign: { zh: '签收', en: 'Sign-for' },
  reply: { zh: '办理', en: 'Reply' },
  overall: { zh: '办结', en: 'Closing' },
});

export const clockStateLabels: Record<ClockState, Msg> = defineMessages({
  green: { zh: '正常', en: 'On time' },
  yellow: { zh: '临期', en: 'Due soon' },
  red: { zh: '超期', en: 'Overdue' },
  done: { zh: '已完成', en: 'Done' },
  paused: { zh: '暂停计时', en: 'Paused' },
});

export const actionLabels: Record<RequestAction, Msg> = defineMessages({
  dispatch: { zh: '派单', en: 'Dispatch' },
  forward: { zh: '转派', en: 'Forward' },
  sign: { zh: '签收', en: 'Sign for' },
  return: { zh: '退单', en: 'Return' },
  'request-extension': { zh: '申请延期', en: 'Ask for extension' },
  'approve-extension': { zh: '批准延期', en: 'Approve extension' },
  'deny-extension': { zh: '不予延期', en: 'Deny extension' },
  urge: { zh: '催办', en: 'Urge' },
  supervise: { zh: '督办', en: 'Supervise' },
  reply: { zh: '回复', en: 'Reply' },
  review: { zh: '审核', en: 'Review' },
  callback: { zh: '回访', en: 'Callback' },
  redo: { zh: '重办', en: 'Redo' },
  close: { zh: '办结', en: 'Close' },
  merge: { zh: '合并', en: 'Merge' },
  withdraw: { zh: '撤销', en: 'Withdraw' },
});

/** What a timeline event says happened (past tense in English), including events no user picks. */
export const eventLabels: Record<string, Msg> = defineMessages({
  accept: { zh: '受理', en: 'Accepted' },
  answer: { zh: '直接答复办结', en: 'Answered and closed' },
  dispatch: { zh: '派单', en: 'Dispatched' },
  forward: { zh: '转派', en: 'Forwarded' },
  sign: { zh: '签收', en: 'Signed for' },
  return: { zh: '退单', en: 'Returned' },
  'request-extension': { zh: '申请延期', en: 'Extension requested' },
  'approve-extension': { zh: '批准延期', en: 'Extension approved' },
  'deny-extension': { zh: '不予延期', en: 'Extension denied' },
  urge: { zh: '催办', en: 'Urged' },
  supervise: { zh: '督办', en: 'Supervised' },
  reply: { zh: '回复', en: 'Replied' },
  review: { zh: '审核', en: 'Reviewed' },
  callback: { zh: '回访', en: 'Called back' },
  redo: { zh: '重办', en: 'Sent for redo' },
  close: { zh: '办结', en: 'Closed' },
  merge: { zh: '合并', en: 'Merged' },
  withdraw: { zh: '撤销', en: 'Withdrawn' },
  'mark-overdue': { zh: '超期', en: 'Overdue' },
  comment: { zh: '诉求人补充', en: 'Citizen comment' },
});

export function eventLabel(action: string, lang: Lang): string {
  return eventLabels[action]?.[lang] ?? action;
}

export const replyResultLabels: Record<ReplyResult, Msg> = defineMessages({
  resolved: { zh: '已解决', en: 'Resolved' },
  partly: { zh: '部分解决', en: 'Partly resolved' },
  unresolved: { zh: '未解决', en: 'Not resolved' },
});

export const satisfactionLabels: Record<Satisfaction, Msg> = defineMessages({
  satisfied: { zh: '满意', en: 'Satisfied' },
  basic: { zh: '基本满意', en: 'Fairly satisfied' },
  dissatisfied: { zh: '不满意', en: 'Dissatisfied' },
});

export const orderRoleLabels: Record<string, Msg> = defineMessages({
  lead: { zh: '主办', en: 'Lead' },
  co: { zh: '协办', en: 'Co-unit' },
  forward: { zh: '二级派单', en: 'Forwarded' },
});

export const orderStatusLabels: Record<string, Msg> = defineMessages({
  dispatched: { zh: '待签收', en: 'Awaiting sign-for' },
  signed: { zh: '已签收', en: 'Signed for' },
  returned: { zh: '已退单', en: 'Returned' },
  replied: { zh: '已回复', en: 'Replied' },
  cancelled: { zh: '已取消', en: 'Cancelled' },
});

export const boxLabels: Record<Box, Msg> = defineMessages({
  'to-sign': { zh: '待签收', en: 'To sign for' },
  handling: { zh: '办理中', en: 'Handling' },
  'to-reply': { zh: '待回复', en: 'To reply' },
  'due-soon': { zh: '即将超期', en: 'Due soon' },
  overdue: { zh: '已超期', en: 'Overdue' },
  'to-dispatch': { zh: '待派单', en: 'To dispatch' },
  'to-review': { zh: '待审核', en: 'To review' },
  'to-callback': { zh: '待回访', en: 'To call back' },
});

export function msgOf(map: Record<string, Msg>, key: string | null | undefined, lang: Lang): string {
  if (!key) return '—';
  return map[key]?.[lang] ?? key;
}
