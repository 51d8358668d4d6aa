import type { RequestStatus } from '../requests/requests.tables';

/** GeoReport v2 knows open and closed; the update extension (FixMyStreet and others) knows more. */
export type Open311Status = 'open' | 'closed';
export type ExtendedStatus = 'OPEN' | 'ACTION_SCHEDULED' | 'IN_PROGRESS' | 'NOT_COUNCILS_RESPONSIBILITY' | 'DUPLICATE' | 'CLOSED';

type Msg = { zh: string; en: string };

/**
 * The one table from our request states to Open311's: the status of GET requests, the extended status
 * of GET servicerequestupdates, and the public note for a state that has no reply text to show.
 */
export const STATUS_TABLE: Record<RequestStatus, { status: Open311Status; extended: ExtendedStatus; note: Msg | null }> = {
  accepted: { status: 'open', extended: 'OPEN', note: null },
  dispatched: { status: 'open', extended: 'ACTION_SCHEDULED', note: null },
  handling: { status: 'open', extended: 'IN_PROGRESS', note: null },
  replied: { status: 'open', extended: 'IN_PROGRESS', note: null },
  callback: { status: 'open', extended: 'IN_PROGRESS', note: null },
  visited: { status: 'open', extended: 'IN_PROGRESS', note: null },
  // 退单: the unit said "not ours"; the hotline centre dispatches it again, so it stays open.
  returned: { status: 'open', extended: 'NOT_COUNCILS_RESPONSIBILITY', note: { zh: '承办单位认为不属于其职责，正在重新派单', en: 'The unit says this is not its responsibility; the request is being re-dispatched' } },
  closed: { status: 'closed', extended: 'CLOSED', note: null },
  merged: { status: 'closed', extended: 'DUPLICATE', note: { zh: '已与诉求 {target} 合并办理', en: 'Handled together with request {target}' } },
  withdrawn: { status: 'closed', extended: 'CLOSED', note: { zh: '诉求人已撤销', en: 'Withdrawn by the requester' } },
};

/** States in which the request has a reply the public may read as status_notes. */
export const REPLIED_STATES: readonly RequestStatus[] = ['replied', 'callback', 'visited', 'closed'];

export const OPEN311_CLOSED_STATES = (Object.keys(STATUS_TABLE) as RequestStatus[]).filter((s) => STATUS_TABLE[s].status === 'closed');
