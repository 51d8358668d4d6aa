import { createElement, lazy } from 'react';
import { TeamOutlined } from '@ant-design/icons';
import { defineMessages } from '../../shared/i18n';
import { MENU_GROUP_ADMIN, type FeatureDefinition } from '../../shared/registry';
import { fetchUsers } from './users.api';

const m = defineMessages({
  users: { zh: '用户管理', en: 'Users' },
  userCount: { zh: '用户数', en: 'Users' },
  suffix: { zh: '人', en: '' },
});

export const usersFeature: FeatureDefinition = {
  id: 'users',
  routes: [{ path: 'admin/users', permission: 'users.read', title: m.users, component: lazy(() => import('./users.page')) }],
  menu: [{ key: 'users', path: '/admin/users', label: m.users, icon: createElement(TeamOutlined), permission: 'users.read', group: MENU_GROUP_ADMIN, order: 920 }],
  dashboardCards: [
    {
      kind: 'stat',
      id: 'users.count',
      permission: 'users.read',
      order: 110,
      title: m.userCount,
      suffix: m.suffix,
      icon: createElement(TeamOutlined),
      link: '/admin/users',
      queryKey: ['dashboard', 'users.count'],
      load: async (signal) => (await fetchUsers({ page: 1, pageSize: 1 }, signal)).total,
    },
  ],
};
