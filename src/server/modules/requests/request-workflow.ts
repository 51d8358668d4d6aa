import { defineWorkflow } from '../../core/workflow';
import type { Actor } from '../../core/http/access';
import type { RequestStatus } from './requests.tables';

/** The fields the guards read: which unit holds the order now, and whether an extension waits. */
export interface RequestGuardView {
  status: RequestStatus;
  version: number;
  handling_unit_id: number | null;
  lead_unit_id: number | null;
  extension_pending: number;
  reply_due_at: string | null;
  callback_attempts: number;
}

/** The caller works in the unit that holds the order (签收/办理/回复 are the unit's own acts). */
const holdsOrder = (r: RequestGuardView, a: Actor) => r.handling_unit_id != null && r.handling_unit_id === a.unitId;
const OPEN: RequestStatus[] = ['accepted', 'returned', 'dispatched', 'handling'];

export const REQUEST_STATES: readonly RequestStatus[] = ['accepted', 'returned', 'dispatched', 'handling', 'replied', 'callback', 'visited', 'closed', 'merged', 'withdrawn'];

/**
 * 接诉即办 lifecycle: 受理 accepted → 派单 dispatched → 签收 handling → 回复 replied → 审核 callback (待回访)
 * → 回访 visited → 办结 closed, with 退单 return, 延期 extension, 催办 urge, 督办 supervise, 重办 redo,
 * 合并 merge and 撤销 withdraw. Direct answers are accepted straight into closed.
 */
export const requestWorkflow = defineWorkflow<RequestStatus, RequestAction, RequestGuardView>({
  entity: 'request',
  table: 'requests',
  states: REQUEST_STATES,
  transitions: {
    dispatch: { from: ['accepted', 'returned'], to: 'dispatched', permission: 'requests.dispatch' },
    // 二级派单: a district hands its order on to one of its street offices; it stays responsible.
    forward: { from: ['dispatched', 'handling'], to: 'dispatched', permission: 'requests.handle', guard: holdsOrder },
    sign: { from: ['dispatched'], to: 'handling', permission: 'requests.handle', guard: holdsOrder },
    return: { from: ['dispatched', 'handling'], to: 'returned', permission: 'requests.handle', guard: holdsOrder },
    'request-extension': {
      from: ['handling'], to: 'handling', keepsState: true, permission: 'requests.handle',
      guard: (r, a) => holdsOrder(r, a) && !r.extension_pending,
    },
    'approve-extension': { from: ['handling'], to: 'handling', keepsState: true, permission: 'requests.dispatch', guard: (r) => !!r.extension_pending },
    'deny-extension': { from: ['handling'], to: 'handling', keepsState: true, permission: 'requests.dispatch', guard: (r) => !!r.extension_pending },
    urge: { from: ['dispatched', 'handling'], to: 'handling', keepsState: true, permission: 'requests.supervise' },
    supervise: { from: ['dispatched', 'handling'], to: 'handling', keepsState: true, permission: 'requests.supervise' },
    reply: { from: ['handling'], to: 'replied', permission: 'requests.handle', guard: (r, a) => holdsOrder(r, a) && !r.extension_pending },
    review: { from: ['replied'], to: 'callback', permission: 'requests.dispatch' },
    callback: { from: ['callback'], to: 'visited', permission: 'requests.callback' },
    redo: { from: ['visited'], to: 'handling', permission: 'requests.dispatch' },
    close: { from: ['callback', 'visited'], to: 'closed', permission: 'requests.dispatch' },
    merge: { from: OPEN, to: 'merged', permission: 'requests.dispatch' },
    withdraw: { from: OPEN, to: 'withdrawn', permission: 'requests.accept' },
    // System timers (overdue marks) write timeline events in whatever state the request is in.
    'mark-overdue': { from: ['dispatched', 'handling', 'replied'], to: 'handling', keepsState: true, permission: 'requests.system' },
    // A citizen's comment relayed by an Open311 partner (POST servicerequestupdates): a timeline event only.
    comment: { from: REQUEST_STATES.filter((s) => s !== 'merged' && s !== 'withdrawn'), to: 'accepted', keepsState: true, permission: 'open311.submit' },
  },
});

export type RequestAction =
  | 'dispatch' | 'forward' | 'sign' | 'return' | 'request-extension' | 'approve-extension' | 'deny-extension' | 'urge' | 'supervise'
  | 'reply' | 'review' | 'callback' | 'redo' | 'close' | 'merge' | 'withdraw' | 'mark-overdue' | 'comment';

/** Actions no /api/v1 caller takes: the overdue timer's mark, and a comment that arrives through Open311. */
export type NonUserAction = 'mark-overdue' | 'comment';
export type UserAction = Exclude<RequestAction, NonUserAction>;
const NON_USER_ACTIONS: readonly string[] = ['mark-overdue', 'comment'] satisfies NonUserAction[];
export const isNonUserAction = (a: string): a is NonUserAction => NON_USER_ACTIONS.includes(a);

export const USER_ACTIONS = Object.keys(requestWorkflow.transitions).filter((a) => !isNonUserAction(a)) as UserAction[];
