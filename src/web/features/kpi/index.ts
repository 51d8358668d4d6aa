import { createElement, lazy } from 'react';
import { BarChartOutlined, FileTextOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import type { FeatureDefinition } from '../../shared/registry';
import { fetchStats } from './kpi.api';
import { kpiMessages as m } from './kpi-messages';
import { presetPeriod } from './period';

const thisMonth = () => presetPeriod('month', dayjs().format('YYYY-MM-DD'));

export const kpiFeature: FeatureDefinition = {
  id: 'kpi',
  routes: [{ path: 'kpi', permission: 'requests.stats', title: m.title, component: lazy(() => import('./kpi.page')) }],
  menu: [{ key: 'kpi', path: '/kpi', label: m.title, icon: createElement(BarChartOutlined), permission: 'requests.stats', order: 300 }],
  dashboardCards: [
    {
      kind: 'stat',
      id: 'kpi.month.accepted',
      permission: 'requests.stats',
      order: 50,
      title: m.monthAccepted,
      suffix: m.acceptedUnit,
      icon: createElement(FileTextOutlined),
      link: '/kpi',
      queryKey: ['kpi', 'stats', 'card.accepted', thisMonth().from],
      load: async (signal) => (await fetchStats({ ...thisMonth(), groupBy: 'month', kind: 'all' }, signal)).total.counts.accepted,
    },
    {
      kind: 'custom',
      id: 'kpi.month.satisfaction',
      permission: 'requests.stats',
      order: 51,
      title: m.monthSatisfaction,
      span: 6,
      component: lazy(() => import('./kpi-satisfaction.card')),
    },
  ],
};
