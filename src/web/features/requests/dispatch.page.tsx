import { Tag } from 'antd';
import { defineMessages, useT } from '../../shared/i18n';
import { useBoxTotals, type RequestSummary } from './requests.api';
import { Worklist, callbackActions, type WorklistTab } from './worklist';

const m = defineMessages({
  extension: { zh: '延期申请', en: 'Extension request' },
  reply: { zh: '答复待审核', en: 'Reply to review' },
  review: { zh: '审核', en: 'Review' },
});

/** Why a row waits for review: a unit's reply, or a unit's request for more time. */
function ReviewReason({ r }: { r: RequestSummary }) {
  const { t } = useT();
  return r.status === 'handling' ? (
    <Tag color="orange" style={{ marginInlineEnd: 0 }} data-testid="reason-extension">
      {t(m.extension)}
    </Tag>
  ) : (
    <Tag color="cyan" style={{ marginInlineEnd: 0 }} data-testid="reason-reply">
      {t(m.reply)}
    </Tag>
  );
}

/** 派单: the centre's queues — new and returned requests to dispatch, replies and extensions to review, callbacks. */
const TABS: WorklistTab[] = [
  { box: 'to-dispatch', actions: () => ['dispatch'], sort: 'acceptedAt', hide: ['handlingUnit', 'replyDueAt'] },
  // Reviewing needs the reply or the extension's reason: the row opens the request.
  { box: 'to-review', sort: 'replyDueAt', hide: ['requester'], reasonTag: (r) => <ReviewReason r={r} />, openLabel: m.review },
  { box: 'to-callback', actions: callbackActions, sort: 'acceptedAt' },
];

export default function DispatchPage() {
  const counts = useBoxTotals(TABS.map((t) => t.box));
  return <Worklist tabs={TABS} counts={counts} testId="dispatch" />;
}
