import { createElement, lazy } from 'react';
import { CalendarOutlined } from '@ant-design/icons';
import { defineMessages } from '../../shared/i18n';
import { MENU_GROUP_ADMIN, type FeatureDefinition } from '../../shared/registry';

const m = defineMessages({
  calendar: { zh: '工作日历', en: 'Working calendar' },
});

/** Every signed-in user may look at the calendar (deadlines depend on it); settings.write edits it. */
export const calendarFeature: FeatureDefinition = {
  id: 'calendar',
  routes: [{ path: 'admin/calendar', title: m.calendar, component: lazy(() => import('./calendar.page')) }],
  menu: [{ key: 'calendar', path: '/admin/calendar', label: m.calendar, icon: createElement(CalendarOutlined), group: MENU_GROUP_ADMIN, order: 960 }],
};
