import { useInboxCounts } from './requests.api';
import { Worklist, type WorklistTab } from './worklist';

const hide: WorklistTab['hide'] = ['handlingUnit', 'requester'];

/** 我的待办: the handling unit's queue; a handler signs and replies from here, also on a phone. */
const TABS: WorklistTab[] = [
  { box: 'to-sign', actions: () => ['sign'], sort: 'replyDueAt', hide },
  { box: 'handling', sort: 'replyDueAt', hide },
  { box: 'to-reply', actions: () => ['reply'], sort: 'replyDueAt', hide },
  { box: 'due-soon', sort: 'replyDueAt', hide },
  { box: 'overdue', sort: 'replyDueAt', hide },
];

export default function InboxPage() {
  const counts = useInboxCounts();
  return <Worklist tabs={TABS} counts={counts.data} testId="inbox" />;
}
