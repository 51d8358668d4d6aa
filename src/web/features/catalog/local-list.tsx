import { Card, Skeleton, Table } from 'antd';
import type { TableColumnsType } from 'antd';
import type { Key, ReactNode } from 'react';
import { EmptyState, QueryError } from '../../shared/list/query-state';
import { useIsPhone } from '../../shared/use-is-phone';

/**
 * A short list the server sends whole (channels, types, time limits): a table on a wide screen,
 * cards on a phone, with the same loading, empty and error states as the paged lists.
 */
export function LocalList<T extends object>(props: {
  query: { data: { items: T[] } | undefined; isPending: boolean; isFetching?: boolean; isError: boolean; error: unknown; refetch: () => unknown };
  columns: TableColumnsType<T>;
  rowKey: (item: T) => Key;
  renderCard: (item: T) => ReactNode;
  rowClassName?: (item: T) => string;
  testId: string;
  items?: T[];
}) {
  const isPhone = useIsPhone();
  const { query } = props;
  if (query.isError && !query.data) return <QueryError error={query.error} onRetry={() => void query.refetch()} />;
  const items = props.items ?? query.data?.items ?? [];
  if (isPhone) {
    return (
      <div className="zt-card-list" data-testid={`${props.testId}-cards`}>
        {query.isPending ? (
          <Card className="zt-list-card">
            <Skeleton active paragraph={{ rows: 2 }} />
          </Card>
        ) : items.length === 0 ? (
          <EmptyState />
        ) : (
          items.map((item) => (
            <Card key={props.rowKey(item)} className={`zt-list-card ${props.rowClassName?.(item) ?? ''}`} data-testid="list-card">
              {props.renderCard(item)}
            </Card>
          ))
        )}
      </div>
    );
  }
  return (
    <Table<T>
      data-testid={`${props.testId}-table`}
      rowKey={props.rowKey}
      columns={props.columns}
      dataSource={items}
      loading={query.isPending || query.isFetching}
      pagination={false}
      size="middle"
      scroll={{ x: 'max-content' }}
      rowClassName={props.rowClassName}
      locale={{ emptyText: query.isPending ? <div style={{ height: 120 }} /> : <EmptyState /> }}
    />
  );
}
