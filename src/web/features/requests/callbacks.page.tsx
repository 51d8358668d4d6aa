import { useBoxTotals } from './requests.api';
import { Worklist, callbackActions, type WorklistTab } from './worklist';

/** 回访: the agents' callback worklist — replies the centre accepted, waiting for a call to the citizen. */
const TABS: WorklistTab[] = [{ box: 'to-callback', actions: callbackActions, sort: 'acceptedAt' }];

export default function CallbacksPage() {
  const counts = useBoxTotals(['to-callback']);
  return <Worklist tabs={TABS} counts={counts} testId="callbacks" />;
}
