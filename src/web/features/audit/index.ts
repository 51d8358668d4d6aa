import { createElement, lazy } from 'react';
import { AuditOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { defineMessages } from '../../shared/i18n';
import { MENU_GROUP_ADMIN, type FeatureDefinition } from '../../shared/registry';
import { fetchAudit } from './audit.api';

const m = defineMessages({
  audit: { zh: '审计日志', en: 'Audit log' },
  today: { zh: '今日审计事件', en: 'Audit events today' },
  suffix: { zh: '条', en: '' },
});

export const auditFeature: FeatureDefinition = {
  id: 'audit',
  routes: [{ path: 'admin/audit', permission: 'audit.read', title: m.audit, component: lazy(() => import('./audit.page')) }],
  menu: [{ key: 'audit', path: '/admin/audit', label: m.audit, icon: createElement(AuditOutlined), permission: 'audit.read', group: MENU_GROUP_ADMIN, order: 940 }],
  dashboardCards: [
    {
      kind: 'stat',
      id: 'audit.today',
      permission: 'audit.read',
      order: 120,
      title: m.today,
      suffix: m.suffix,
      icon: createElement(AuditOutlined),
      link: `/admin/audit`,
      queryKey: ['dashboard', 'audit.today'],
      load: async (signal) => (await fetchAudit({ page: 1, pageSize: 1, from: dayjs().startOf('day').toISOString() }, signal)).total,
    },
    { kind: 'custom', id: 'audit.trend', permission: 'audit.read', order: 500, title: m.audit, span: 24, component: lazy(() => import('./audit-trend.card')) },
  ],
};
