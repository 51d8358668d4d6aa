import { createElement, lazy } from 'react';
import { ApartmentOutlined } from '@ant-design/icons';
import { defineMessages } from '../../shared/i18n';
import { MENU_GROUP_ADMIN, type FeatureDefinition } from '../../shared/registry';
import { fetchUnits } from './units.api';

const m = defineMessages({
  units: { zh: '组织机构', en: 'Organisation' },
  unitCount: { zh: '单位数', en: 'Units' },
  unitSuffix: { zh: '个', en: '' },
});

export const orgFeature: FeatureDefinition = {
  id: 'org',
  routes: [{ path: 'admin/units', permission: 'units.read', title: m.units, component: lazy(() => import('./units.page')) }],
  menu: [{ key: 'units', path: '/admin/units', label: m.units, icon: createElement(ApartmentOutlined), permission: 'units.read', group: MENU_GROUP_ADMIN, order: 910 }],
  dashboardCards: [
    {
      kind: 'stat',
      id: 'units.count',
      permission: 'units.read',
      order: 100,
      title: m.unitCount,
      suffix: m.unitSuffix,
      icon: createElement(ApartmentOutlined),
      link: '/admin/units',
      queryKey: ['dashboard', 'units.count'],
      load: async (signal) => {
        const r = await fetchUnits(signal);
        return r.total ?? r.items.length;
      },
    },
  ],
};
