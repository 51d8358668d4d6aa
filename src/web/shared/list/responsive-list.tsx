import { Card, Pagination, Select, Skeleton, Table } from 'antd';
import type { TableColumnsType, TableProps } from 'antd';
import type { Key, ReactNode } from 'react';
import type { Paged } from '../api';
import { common, useT, type Msg } from '../i18n';
import { useIsPhone } from '../use-is-phone';
import { EmptyState, QueryError } from './query-state';

export interface SortOption {
  /** The API sort field. */
  field: string;
  label: Msg;
}

/** What the list needs of a query (a TanStack UseQueryResult fits). */
export interface ListQueryState<T> {
  /** `totalCapped`: the server stopped counting at `total` (a text search); shown as "1000+". */
  data: (Pick<Paged<T>, 'items' | 'total'> & { totalCapped?: boolean }) | undefined;
  isPending: boolean;
  isFetching: boolean;
  isError: boolean;
  error: unknown;
  refetch: () => unknown;
}

export interface ResponsiveListProps<T> {
  query: ListQueryState<T>;
  /** Column `key` must be the API sort field for sortable columns. */
  columns: TableColumnsType<T>;
  rowKey: (item: T) => Key;
  /** The phone rendering of one item. */
  renderCard: (item: T) => ReactNode;
  page: number;
  pageSize: number;
  sort: string;
  onPageChange: (page: number, pageSize: number) => void;
  onSortChange: (sort: string) => void;
  /** Offered on the phone, where there are no column headers to click. */
  sortOptions?: SortOption[];
  filtered?: boolean;
  expandable?: TableProps<T>['expandable'];
  testId?: string;
}

function parseSort(sort: string): { field: string; desc: boolean } {
  return sort.startsWith('-') ? { field: sort.slice(1), desc: true } : { field: sort, desc: false };
}

/**
 * A server-paged list: a table on a wide screen, cards on a phone. Loading, empty and error (with
 * retry) states are the same on every screen.
 */
export function ResponsiveList<T extends object>(props: ResponsiveListProps<T>) {
  const { query, page, pageSize, sort } = props;
  const { t } = useT();
  const isPhone = useIsPhone();
  const current = parseSort(sort);

  if (query.isError && !query.data) return <QueryError error={query.error} onRetry={() => void query.refetch()} />;

  const items = query.data?.items ?? [];
  const total = query.data?.total ?? 0;
  const showTotal = (n: number) => t(common.total, { n: query.data?.totalCapped ? `${n}+` : n });

  if (isPhone) {
    return (
      <div className="zt-card-list" data-testid={props.testId ? `${props.testId}-cards` : 'card-list'}>
        {props.sortOptions?.length ? (
          <div className="zt-card-list-sort">
            <span>{t(common.sortBy)}</span>
            <Select
              value={sort}
              style={{ flex: 1 }}
              onChange={(v) => props.onSortChange(v)}
              options={props.sortOptions.flatMap((o) => [
                { value: o.field, label: `${t(o.label)}（${t(common.ascending)}）` },
                { value: `-${o.field}`, label: `${t(o.label)}（${t(common.descending)}）` },
              ])}
            />
          </div>
        ) : null}
        {query.isPending ? (
          [0, 1, 2].map((i) => (
            <Card key={i} className="zt-list-card">
              <Skeleton active paragraph={{ rows: 2 }} />
            </Card>
          ))
        ) : items.length === 0 ? (
          <EmptyState filtered={props.filtered} />
        ) : (
          items.map((item) => (
            <Card key={props.rowKey(item)} className="zt-list-card" data-testid="list-card">
              {props.renderCard(item)}
            </Card>
          ))
        )}
        {total > pageSize ? (
          <Pagination
            className="zt-card-list-pager"
            simple
            current={page}
            pageSize={pageSize}
            total={total}
            onChange={(p, s) => props.onPageChange(p, s)}
          />
        ) : null}
        {total > 0 ? <div className="zt-card-list-total">{showTotal(total)}</div> : null}
      </div>
    );
  }

  const columns = props.columns.map((c) => {
    if (!c.sorter || c.key === undefined) return c;
    return { ...c, sortOrder: String(c.key) === current.field ? (current.desc ? 'descend' : 'ascend') : null } as typeof c;
  });

  return (
    <Table<T>
      data-testid={props.testId ? `${props.testId}-table` : 'list-table'}
      rowKey={props.rowKey}
      columns={columns}
      dataSource={items}
      loading={query.isFetching}
      expandable={props.expandable}
      scroll={{ x: 'max-content' }}
      locale={{ emptyText: query.isPending ? <div style={{ height: 120 }} /> : <EmptyState filtered={props.filtered} /> }}
      pagination={{
        current: page,
        pageSize,
        total,
        showSizeChanger: true,
        pageSizeOptions: [10, 20, 50, 100],
        showTotal,
      }}
      onChange={(pagination, _filters, sorter, extra) => {
        if (extra.action === 'sort') {
          const s = Array.isArray(sorter) ? sorter[0] : sorter;
          const field = s?.columnKey !== undefined ? String(s.columnKey) : '';
          props.onSortChange(s?.order && field ? (s.order === 'descend' ? `-${field}` : field) : '');
        } else if (extra.action === 'paginate') {
          props.onPageChange(pagination.current ?? 1, pagination.pageSize ?? pageSize);
        }
      }}
    />
  );
}
