import { createElement, lazy } from 'react';
import {
  AlertOutlined,
  AuditOutlined,
  CustomerServiceOutlined,
  FormOutlined,
  InboxOutlined,
  PhoneOutlined,
  SendOutlined,
  UnorderedListOutlined,
} from '@ant-design/icons';
import dayjs from 'dayjs';
import { defineMessages } from '../../shared/i18n';
import type { FeatureDefinition } from '../../shared/registry';
import { fetchInboxCounts, fetchRequests, type Box } from './requests.api';

const m = defineMessages({
  group: { zh: '接诉即办', en: '12345 Hotline' },
  intake: { zh: '受理登记', en: 'New request' },
  dispatch: { zh: '派单审核', en: 'Dispatch & review' },
  inbox: { zh: '我的待办', en: 'My inbox' },
  callbacks: { zh: '回访', en: 'Callbacks' },
  all: { zh: '全部诉求', en: 'All requests' },
  detail: { zh: '诉求详情', en: 'Request' },
  toSign: { zh: '本单位待签收', en: 'To sign for' },
  overdue: { zh: '本单位已超期', en: 'Overdue in my unit' },
  toDispatch: { zh: '待派单', en: 'To dispatch' },
  toReview: { zh: '待审核', en: 'To review' },
  toCallback: { zh: '待回访', en: 'To call back' },
  today: { zh: '今日受理', en: 'Accepted today' },
  items: { zh: '件', en: '' },
});

export const MENU_GROUP_REQUESTS = 'requests';

const boxTotal = (box: Box) => async (signal?: AbortSignal) => (await fetchRequests({ box, page: 1, pageSize: 1 }, signal)).total;
const inboxCount = (box: Box) => async (signal?: AbortSignal) => (await fetchInboxCounts(signal))[box] ?? 0;

/** 接诉即办: intake, dispatch and review, the unit inbox, callbacks, the full list and the request page. */
export const requestsFeature: FeatureDefinition = {
  id: 'requests',
  // Static paths first: the shell takes the page title from the first route that matches.
  routes: [
    { path: 'requests/new', permission: 'requests.accept', title: m.intake, component: lazy(() => import('./intake.page')) },
    { path: 'requests/dispatch', permission: 'requests.dispatch', title: m.dispatch, component: lazy(() => import('./dispatch.page')) },
    { path: 'requests/inbox', permission: 'requests.handle', title: m.inbox, component: lazy(() => import('./inbox.page')) },
    { path: 'requests/callbacks', permission: 'requests.callback', title: m.callbacks, component: lazy(() => import('./callbacks.page')) },
    { path: 'requests', permission: 'requests.read', title: m.all, component: lazy(() => import('./requests.page')) },
    { path: 'requests/:id', permission: 'requests.read', title: m.detail, component: lazy(() => import('./request-detail.page')) },
  ],
  menuGroups: [{ key: MENU_GROUP_REQUESTS, label: m.group, icon: createElement(CustomerServiceOutlined), order: 100 }],
  menu: [
    { key: 'requests-inbox', path: '/requests/inbox', label: m.inbox, icon: createElement(InboxOutlined), permission: 'requests.handle', group: MENU_GROUP_REQUESTS, order: 110 },
    { key: 'requests-dispatch', path: '/requests/dispatch', label: m.dispatch, icon: createElement(SendOutlined), permission: 'requests.dispatch', group: MENU_GROUP_REQUESTS, order: 120 },
    { key: 'requests-new', path: '/requests/new', label: m.intake, icon: createElement(FormOutlined), permission: 'requests.accept', group: MENU_GROUP_REQUESTS, order: 130 },
    { key: 'requests-callbacks', path: '/requests/callbacks', label: m.callbacks, icon: createElement(PhoneOutlined), permission: 'requests.callback', group: MENU_GROUP_REQUESTS, order: 140 },
    { key: 'requests-all', path: '/requests', label: m.all, icon: createElement(UnorderedListOutlined), permission: 'requests.read', group: MENU_GROUP_REQUESTS, order: 150 },
  ],
  dashboardCards: [
    {
      kind: 'stat',
      id: 'requests.to-sign',
      permission: 'requests.handle',
      order: 10,
      title: m.toSign,
      suffix: m.items,
      icon: createElement(InboxOutlined),
      link: '/requests/inbox',
      queryKey: ['dashboard', 'requests.to-sign'],
      load: inboxCount('to-sign'),
    },
    {
      kind: 'stat',
      id: 'requests.overdue',
      permission: 'requests.handle',
      order: 11,
      title: m.overdue,
      suffix: m.items,
      icon: createElement(AlertOutlined),
      link: '/requests/inbox?tab=overdue',
      queryKey: ['dashboard', 'requests.overdue'],
      load: inboxCount('overdue'),
    },
    {
      kind: 'stat',
      id: 'requests.to-dispatch',
      permission: 'requests.dispatch',
      order: 20,
      title: m.toDispatch,
      suffix: m.items,
      icon: createElement(SendOutlined),
      link: '/requests/dispatch',
      queryKey: ['dashboard', 'requests.to-dispatch'],
      load: boxTotal('to-dispatch'),
    },
    {
      kind: 'stat',
      id: 'requests.to-review',
      permission: 'requests.dispatch',
      order: 21,
      title: m.toReview,
      suffix: m.items,
      icon: createElement(AuditOutlined),
      link: '/requests/dispatch?tab=to-review',
      queryKey: ['dashboard', 'requests.to-review'],
      load: boxTotal('to-review'),
    },
    {
      kind: 'stat',
      id: 'requests.to-callback',
      permission: 'requests.callback',
      order: 22,
      title: m.toCallback,
      suffix: m.items,
      icon: createElement(PhoneOutlined),
      link: '/requests/callbacks',
      queryKey: ['dashboard', 'requests.to-callback'],
      load: boxTotal('to-callback'),
    },
    {
      kind: 'stat',
      id: 'requests.today',
      permission: 'requests.accept',
      order: 23,
      title: m.today,
      suffix: m.items,
      icon: createElement(FormOutlined),
      link: '/requests',
      queryKey: ['dashboard', 'requests.today'],
      load: async (signal) => (await fetchRequests({ from: dayjs().startOf('day').toISOString(), page: 1, pageSize: 1 }, signal)).total,
    },
  ],
};
