import { createElement, lazy } from 'react';
import { HomeOutlined } from '@ant-design/icons';
import { defineMessages } from '../../shared/i18n';
import type { FeatureDefinition } from '../../shared/registry';

const m = defineMessages({
  home: { zh: '首页', en: 'Home' },
});

export const homeFeature: FeatureDefinition = {
  id: 'home',
  routes: [{ path: '', title: m.home, component: lazy(() => import('./home.page')) }],
  menu: [{ key: 'home', path: '/', label: m.home, icon: createElement(HomeOutlined), order: 0 }],
};
