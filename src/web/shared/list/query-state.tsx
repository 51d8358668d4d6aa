import { Button, Empty, Result } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { isApiError } from '../api';
import { common, useT } from '../i18n';

/** The error state of any list or panel: what went wrong, in the user's words, and a retry button. */
export function QueryError({ error, onRetry, compact }: { error: unknown; onRetry: () => void; compact?: boolean }) {
  const { t } = useT();
  let detail = t(common.serverError);
  if (isApiError(error)) {
    if (error.code === 'NETWORK_ERROR') detail = t(common.networkError);
    else if (error.status < 500) detail = error.message;
  }
  return (
    <Result
      status={isApiError(error) && error.status === 403 ? '403' : 'warning'}
      title={t(common.loadFailed)}
      subTitle={detail}
      style={compact ? { padding: '16px 0' } : undefined}
      extra={
        <Button type="primary" icon={<ReloadOutlined />} onClick={onRetry} data-testid="retry">
          {t(common.retry)}
        </Button>
      }
      data-testid="query-error"
    />
  );
}

export function EmptyState({ filtered, description }: { filtered?: boolean; description?: string }) {
  const { t } = useT();
  return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={description ?? t(filtered ? common.emptyFiltered : common.empty)} data-testid="empty" />;
}
