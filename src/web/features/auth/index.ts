import { createElement, lazy } from 'react';
import { KeyOutlined } from '@ant-design/icons';
import { defineMessages } from '../../shared/i18n';
import { MENU_GROUP_ADMIN, type FeatureDefinition } from '../../shared/registry';

const m = defineMessages({
  tokens: { zh: 'API 令牌', en: 'API tokens' },
  password: { zh: '修改密码', en: 'Change password' },
});

export const authFeature: FeatureDefinition = {
  id: 'auth',
  routes: [
    { path: 'account/password', title: m.password, component: lazy(() => import('./change-password.page')) },
    { path: 'admin/tokens', permission: 'tokens.manage', title: m.tokens, component: lazy(() => import('./tokens.page')) },
  ],
  menu: [{ key: 'tokens', path: '/admin/tokens', label: m.tokens, icon: createElement(KeyOutlined), permission: 'tokens.manage', group: MENU_GROUP_ADMIN, order: 930 }],
};
