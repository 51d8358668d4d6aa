import { SettingOutlined } from '@ant-design/icons';
import { createElement } from 'react';
import { defineMessages } from '../shared/i18n';
import { MENU_GROUP_ADMIN, type FeatureDefinition } from '../shared/registry';
import { homeFeature } from '../features/home';
import { orgFeature } from '../features/org';
import { usersFeature } from '../features/users';
import { authFeature } from '../features/auth';
import { auditFeature } from '../features/audit';
import { requestsFeature } from '../features/requests';
import { kpiFeature } from '../features/kpi';
import { catalogFeature } from '../features/catalog';
import { calendarFeature } from '../features/calendar';

const m = defineMessages({
  admin: { zh: '系统管理', en: 'Administration' },
});

const shellFeature: FeatureDefinition = {
  id: 'shell',
  menuGroups: [{ key: MENU_GROUP_ADMIN, label: m.admin, icon: createElement(SettingOutlined), order: 900 }],
};

/**
 * Every feature of the app. A new business module (e.g. requests) adds its FeatureDefinition here;
 * its pages, menu entries and home cards then appear for users whose permissions allow them.
 */
export const features: FeatureDefinition[] = [shellFeature, homeFeature, orgFeature, usersFeature, authFeature, auditFeature, requestsFeature, kpiFeature, catalogFeature, calendarFeature];
