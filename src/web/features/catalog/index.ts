import { createElement, lazy } from 'react';
import { DatabaseOutlined } from '@ant-design/icons';
import { defineMessages } from '../../shared/i18n';
import { MENU_GROUP_ADMIN, type FeatureDefinition } from '../../shared/registry';

const m = defineMessages({
  catalog: { zh: '基础数据', en: 'Reference data' },
});

export const catalogFeature: FeatureDefinition = {
  id: 'catalog',
  routes: [{ path: 'admin/catalog', permission: 'catalog.read', title: m.catalog, component: lazy(() => import('./catalog.page')) }],
  menu: [{ key: 'catalog', path: '/admin/catalog', label: m.catalog, icon: createElement(DatabaseOutlined), permission: 'catalog.read', group: MENU_GROUP_ADMIN, order: 950 }],
};
