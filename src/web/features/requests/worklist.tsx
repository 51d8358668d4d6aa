import { useState, type ReactNode } from 'react';
import { Badge, Button, Tabs } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { useT, defineMessages, type Msg } from '../../shared/i18n';
import { useListParams } from '../../shared/list/use-list-params';
import { useNavigate, useSearchParams } from 'react-router';
import { usePermissions } from '../../shared/session';
import { useIsPhone } from '../../shared/use-is-phone';
import { ActionDialog } from './action-dialog';
import { actionLabels, boxLabels } from './request-labels';
import { RequestList } from './request-list';
import { useRequests, type Box, type RequestAction, type RequestSummary } from './requests.api';
import './requests.css';

const m = defineMessages({
  refresh: { zh: '刷新', en: 'Refresh' },
});

const FILTERS = ['tab'] as const;

/** On the callback queue: call the citizen while it waits (待回访); the centre closes it after. */
export function callbackActions(r: RequestSummary, can: (p: string) => boolean): RequestAction[] {
  const out: RequestAction[] = [];
  if (r.status === 'callback' && can('requests.callback')) out.push('callback');
  if ((r.status === 'callback' || r.status === 'visited') && can('requests.dispatch')) out.push('close');
  return out;
}


export interface WorklistTab {
  box: Box;
  /** Quick actions offered on a row of this tab (the detail page offers every allowed one). */
  actions?: (r: RequestSummary, can: (permission: string) => boolean) => RequestAction[];
  /** The first sort of this tab: the most urgent work first. */
  sort: string;
  hide?: Parameters<typeof RequestList>[0]['hide'];
  reasonTag?: (r: RequestSummary) => ReactNode;
  /** A button that opens the request, for work that needs the whole record (审核). */
  openLabel?: Msg;
}

/**
 * A work queue in tabs (待签收 / 办理中 / … or 待派单 / 待审核 / 待回访): the tab, page and sort
 * live in the URL; each row offers its tab's quick actions, which open the action's small form.
 */
export function Worklist({ tabs, counts, testId, extra }: { tabs: WorklistTab[]; counts?: Partial<Record<Box, number>>; testId: string; extra?: ReactNode }) {
  const { t } = useT();
  const isPhone = useIsPhone();
  const can = usePermissions();
  const navigate = useNavigate();
  const [search, setSearch] = useSearchParams();
  const current = tabs.find((x) => x.box === search.get('tab')) ?? tabs[0];
  const list = useListParams(FILTERS, current.sort);
  const query = useRequests({ box: current.box, page: list.page, pageSize: list.pageSize, sort: list.sort });
  // One URL update: a new tab starts on its first page with its own sort.
  const selectTab = (key: Box) =>
    setSearch(
      (prev) => {
        const next = new URLSearchParams(prev);
        next.delete('page');
        next.delete('sort');
        if (key === tabs[0].box) next.delete('tab');
        else next.set('tab', key);
        return next;
      },
      { replace: true },
    );
  const [acting, setActing] = useState<{ r: RequestSummary; action: RequestAction } | null>(null);

  const rowActions = current.openLabel
    ? (r: RequestSummary) => (
        <Button
          type="primary"
          size={isPhone ? 'large' : 'small'}
          onClick={(e) => {
            e.stopPropagation();
            navigate(`/requests/${r.id}`);
          }}
          data-testid={`open-${r.number}`}
        >
          {t(current.openLabel!)}
        </Button>
      )
    : current.actions
    ? (r: RequestSummary) =>
        current.actions!(r, can).map((a, i) => (
          <Button
            key={a}
            type={i === 0 ? 'primary' : 'default'}
            size={isPhone ? 'large' : 'small'}
            onClick={(e) => {
              e.stopPropagation();
              setActing({ r, action: a });
            }}
            data-testid={`quick-${a}-${r.number}`}
          >
            {t(actionLabels[a])}
          </Button>
        ))
    : undefined;

  return (
    <div className="zt-panel" data-testid={testId}>
      {isPhone ? (
        tabs.length > 1 ? (
          // On a phone every queue and its count stays in sight: a grid of big tiles instead of tabs.
          <div className={`zt-rq-box-grid zt-rq-box-grid-${Math.min(tabs.length, 3)}`} role="tablist">
            {tabs.map((tab) => {
              const n = counts?.[tab.box];
              const alarm = tab.box === 'overdue' && !!n;
              return (
                <button
                  key={tab.box}
                  type="button"
                  role="tab"
                  aria-selected={tab.box === current.box}
                  className={`zt-rq-box${tab.box === current.box ? ' zt-rq-box-active' : ''}${alarm ? ' zt-rq-box-alarm' : ''}`}
                  onClick={() => (tab.box === current.box ? void query.refetch() : selectTab(tab.box))}
                  data-testid={`tab-box-${tab.box}`}
                >
                  <span className="zt-rq-box-count" data-testid={`count-${tab.box}`}>
                    {n ?? '–'}
                  </span>
                  <span className="zt-rq-box-label">{t(boxLabels[tab.box])}</span>
                </button>
              );
            })}
          </div>
        ) : null
      ) : (
      <Tabs
        activeKey={current.box}
        onChange={(key) => selectTab(key as Box)}
        items={tabs.map((tab) => ({
          key: tab.box,
          label: (
            <span data-testid={`tab-box-${tab.box}`}>
              {t(boxLabels[tab.box])}
              {counts && counts[tab.box] !== undefined ? (
                <Badge
                  count={counts[tab.box]}
                  showZero
                  overflowCount={999}
                  style={{ marginInlineStart: 6, background: tab.box === 'overdue' && counts[tab.box]! > 0 ? '#d93025' : counts[tab.box] ? '#1a5fb4' : '#c4c9d0' }}
                  data-testid={`count-${tab.box}`}
                />
              ) : null}
            </span>
          ),
        }))}
        tabBarExtraContent={
          <span style={{ display: 'inline-flex', gap: 8 }}>
            {extra}
            <Button icon={<ReloadOutlined />} onClick={() => void query.refetch()} loading={query.isFetching}>
              {t(m.refresh)}
            </Button>
          </span>
        }
      />
      )}
      <RequestList testId={`${testId}-${current.box}`} query={query} list={list} actions={rowActions} hide={current.hide} reasonTag={current.reasonTag} />
      <ActionDialog target={acting?.r ?? null} action={acting?.action ?? null} onClose={() => setActing(null)} />
    </div>
  );
}
