import { Suspense, lazy } from 'react';
import { Skeleton, Tabs } from 'antd';
import { useSearchParams } from 'react-router';
import { defineMessages, useT, type Msg } from '../../shared/i18n';
import { usePermissions } from '../../shared/session';
import './catalog.css';

const m = defineMessages({
  channels: { zh: '受理渠道', en: 'Channels' },
  types: { zh: '诉求类型', en: 'Request types' },
  categories: { zh: '诉求分类', en: 'Categories' },
  dispatch: { zh: '派单目录', en: 'Dispatch catalogue' },
  limits: { zh: '办理时限', en: 'Time limits' },
  kpi: { zh: '考核参数', en: 'KPI settings' },
});

interface TabDef {
  key: string;
  label: Msg;
  permission?: string;
  component: React.LazyExoticComponent<React.ComponentType>;
}

// Each tab is its own chunk: opening the page loads only the tab on screen.
const TABS: TabDef[] = [
  { key: 'categories', label: m.categories, component: lazy(() => import('./categories.tab')) },
  { key: 'dispatch', label: m.dispatch, component: lazy(() => import('./dispatch.tab')) },
  { key: 'limits', label: m.limits, component: lazy(() => import('./time-limits.tab')) },
  { key: 'channels', label: m.channels, component: lazy(() => import('./channels.tab')) },
  { key: 'types', label: m.types, component: lazy(() => import('./request-types.tab')) },
  { key: 'kpi', label: m.kpi, permission: 'settings.write', component: lazy(() => import('./kpi-settings.tab')) },
];

/** 基础数据: the request reference data, one tab per kind; the tab is in the URL. */
export default function CatalogPage() {
  const { t } = useT();
  const can = usePermissions();
  const [search, setSearch] = useSearchParams();
  const tabs = TABS.filter((tab) => can(tab.permission));
  const active = tabs.find((tab) => tab.key === search.get('tab')) ?? tabs[0];

  return (
    <div className="zt-panel zt-cat" data-testid="catalog-page">
      <Tabs
        activeKey={active.key}
        onChange={(key) => setSearch(new URLSearchParams({ tab: key }), { replace: true })}
        items={tabs.map((tab) => {
          const C = tab.component;
          return {
            key: tab.key,
            label: <span data-testid={`catalog-tab-${tab.key}`}>{t(tab.label)}</span>,
            children:
              tab.key === active.key ? (
                <Suspense fallback={<Skeleton active paragraph={{ rows: 6 }} />}>
                  <C />
                </Suspense>
              ) : null,
          };
        })}
      />
    </div>
  );
}
