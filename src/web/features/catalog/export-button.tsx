import { useState } from 'react';
import { App, Button } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { errorMessage, type QueryValue } from '../../shared/api';
import { defineMessages, useT } from '../../shared/i18n';
import { downloadFile } from './transfer';

const m = defineMessages({
  export: { zh: '导出 Excel', en: 'Export .xlsx' },
  exported: { zh: '已导出 {name}', en: 'Exported {name}' },
});

/** A button that saves one of the server's .xlsx exports; failures show as a message. */
export function ExportButton({
  path,
  query,
  fileName,
  label,
  size,
  testId,
}: {
  path: string;
  query?: Record<string, QueryValue>;
  fileName: string;
  label?: string;
  size?: 'small' | 'middle';
  testId?: string;
}) {
  const { t } = useT();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try {
      const name = await downloadFile(path, query, fileName);
      message.success(t(m.exported, { name }));
    } catch (e) {
      message.error(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button icon={<DownloadOutlined />} loading={busy} onClick={() => void run()} size={size} data-testid={testId}>
      {label ?? t(m.export)}
    </Button>
  );
}
