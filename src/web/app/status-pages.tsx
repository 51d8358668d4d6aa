import { Button, Result } from 'antd';
import { useNavigate } from 'react-router';
import { common, useT } from '../shared/i18n';
import { QueryError } from '../shared/list/query-state';

/** Full-page states; loaded on demand (antd Result carries large illustrations). */
export function Forbidden() {
  const { t } = useT();
  const navigate = useNavigate();
  return (
    <Result
      status="403"
      title={t(common.forbiddenTitle)}
      subTitle={t(common.forbiddenText)}
      extra={
        <Button type="primary" onClick={() => navigate('/')}>
          {t(common.backHome)}
        </Button>
      }
    />
  );
}

export function NotFound() {
  const { t } = useT();
  const navigate = useNavigate();
  return (
    <Result
      status="404"
      title={t(common.notFoundTitle)}
      extra={
        <Button type="primary" onClick={() => navigate('/')}>
          {t(common.backHome)}
        </Button>
      }
    />
  );
}

export function SessionLoadError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  return (
    <div className="zt-page-loading">
      <QueryError error={error} onRetry={onRetry} />
    </div>
  );
}
