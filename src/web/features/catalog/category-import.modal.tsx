import { useEffect, useState } from 'react';
import { Alert, Button, Checkbox, Descriptions, Modal, Space, Table, Typography, Upload } from 'antd';
import { InboxOutlined } from '@ant-design/icons';
import { errorMessage } from '../../shared/api';
import { common, defineMessages, useT } from '../../shared/i18n';
import { useMe } from '../../shared/session';
import { useImportCategories, type CategoryImportResult } from './catalog.api';

const m = defineMessages({
  title: { zh: '导入诉求分类', en: 'Import categories' },
  drop: { zh: '点击或拖拽文件到此处', en: 'Click or drop a file here' },
  hint: {
    zh: '支持 .csv（UTF-8 或 GBK）和 .xlsx，首行表头为 level1,level2,level3，每行一个二级或三级分类；同名路径合并，不会重复创建。',
    en: 'A .csv (UTF-8 or GBK) or .xlsx file; header level1,level2,level3, one two- or three-level category per line. Existing paths are merged, never duplicated.',
  },
  example: { zh: '示例', en: 'Example' },
  replace: { zh: '以文件为准：停用文件中没有的现有分类（有错误行时不执行）', en: 'Make the file the whole list: deactivate active categories it does not name (skipped if any line is bad)' },
  submit: { zh: '开始导入', en: 'Import' },
  pick: { zh: '请选择要导入的文件', en: 'Choose a file to import' },
  tooBig: { zh: '文件不能超过 5 MB', en: 'The file must be at most 5 MB' },
  badType: { zh: '只支持 .csv 或 .xlsx 文件', en: 'Only .csv or .xlsx files' },
  result: { zh: '导入结果', en: 'Result' },
  rows: { zh: '有效行数', en: 'Good lines' },
  created: { zh: '新建', en: 'Created' },
  existing: { zh: '已存在', en: 'Already there' },
  reactivated: { zh: '重新启用', en: 'Reactivated' },
  deactivated: { zh: '停用', en: 'Deactivated' },
  okAll: { zh: '导入完成，没有错误行。', en: 'Imported; no bad lines.' },
  someBad: { zh: '有 {n} 行未能导入，其余行已导入。请修改下列行后重新导入。', en: '{n} lines could not be imported; the others were. Fix these lines and import again.' },
  replaceSkipped: { zh: '文件有错误行，未执行“以文件为准”的停用。', en: 'The file has bad lines, so nothing was deactivated.' },
  line: { zh: '行号', en: 'Line' },
  problem: { zh: '问题', en: 'Problem' },
  again: { zh: '再导入一个文件', en: 'Import another file' },
  close: { zh: '关闭', en: 'Close' },
});

const MAX_BYTES = 5 * 1024 * 1024;

/** Uploads a category file and shows what it did: counts, and the bad lines with their numbers. */
export function CategoryImportModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useT();
  const me = useMe();
  const upload = useImportCategories(me.csrfToken);
  const [file, setFile] = useState<File | null>(null);
  const [replace, setReplace] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [result, setResult] = useState<CategoryImportResult | null>(null);

  useEffect(() => {
    if (!open) return;
    setFile(null);
    setReplace(false);
    setProblem(null);
    setResult(null);
    upload.reset();
    // upload.reset is stable; run once per opening
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);

  const choose = (f: File) => {
    setResult(null);
    if (!/\.(csv|xlsx)$/i.test(f.name)) {
      setProblem(t(m.badType));
      setFile(null);
    } else if (f.size > MAX_BYTES) {
      setProblem(t(m.tooBig));
      setFile(null);
    } else {
      setProblem(null);
      setFile(f);
    }
    return false;
  };

  const submit = () => {
    if (!file) return setProblem(t(m.pick));
    setProblem(null);
    upload.mutate({ file, replace }, { onSuccess: setResult, onError: (e) => setProblem(errorMessage(e)) });
  };

  const footer = result ? (
    <Space>
      <Button
        onClick={() => {
          setResult(null);
          setFile(null);
        }}
      >
        {t(m.again)}
      </Button>
      <Button type="primary" onClick={onClose} data-testid="category-import-close">
        {t(m.close)}
      </Button>
    </Space>
  ) : (
    <Space>
      <Button onClick={onClose}>{t(common.cancel)}</Button>
      <Button type="primary" loading={upload.isPending} onClick={submit} data-testid="category-import-submit">
        {t(m.submit)}
      </Button>
    </Space>
  );

  return (
    <Modal open={open} title={t(m.title)} onCancel={onClose} footer={footer} width={640} destroyOnHidden data-testid="category-import">
      {result ? (
        <div data-testid="category-import-result">
          <Descriptions size="small" bordered column={{ xs: 2, sm: 3 }} title={t(m.result)}>
            <Descriptions.Item label={t(m.rows)}>{result.rows}</Descriptions.Item>
            <Descriptions.Item label={t(m.created)}>
              <span data-testid="import-created">{result.created}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t(m.existing)}>
              <span data-testid="import-existing">{result.existing}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t(m.reactivated)}>{result.reactivated}</Descriptions.Item>
            <Descriptions.Item label={t(m.deactivated)}>
              <span data-testid="import-deactivated">{result.deactivated}</span>
            </Descriptions.Item>
          </Descriptions>
          {result.replaceSkipped ? <Alert type="warning" showIcon title={t(m.replaceSkipped)} style={{ marginTop: 12 }} /> : null}
          {result.errors.length ? (
            <>
              <Alert type="error" showIcon title={t(m.someBad, { n: result.errors.length })} style={{ margin: '12px 0' }} />
              <Table
                size="small"
                rowKey={(e) => `${e.line}-${e.message}`}
                dataSource={result.errors}
                pagination={result.errors.length > 10 ? { pageSize: 10, size: 'small' } : false}
                columns={[
                  { key: 'line', dataIndex: 'line', title: t(m.line), width: 80 },
                  { key: 'message', dataIndex: 'message', title: t(m.problem) },
                ]}
                data-testid="import-errors"
              />
            </>
          ) : (
            <Alert type="success" showIcon title={t(m.okAll)} style={{ marginTop: 12 }} />
          )}
        </div>
      ) : (
        <>
          <Typography.Paragraph type="secondary">{t(m.hint)}</Typography.Paragraph>
          <Typography.Paragraph>
            <Typography.Text type="secondary">{t(m.example)}：</Typography.Text>
            <pre className="zt-cat-example">{'level1,level2,level3\n城乡建设,物业管理,电梯维修\n交通出行,公共交通,公交线路调整'}</pre>
          </Typography.Paragraph>
          <Upload.Dragger
            accept=".csv,.xlsx"
            multiple={false}
            maxCount={1}
            beforeUpload={choose}
            fileList={file ? [{ uid: 'file', name: file.name, status: 'done', size: file.size }] : []}
            onRemove={() => setFile(null)}
            data-testid="category-import-file"
          >
            <p className="ant-upload-drag-icon">
              <InboxOutlined />
            </p>
            <p className="ant-upload-text">{t(m.drop)}</p>
          </Upload.Dragger>
          <Checkbox checked={replace} onChange={(e) => setReplace(e.target.checked)} style={{ marginTop: 12 }}>
            {t(m.replace)}
          </Checkbox>
          {problem ? <Alert type="error" showIcon title={problem} style={{ marginTop: 12 }} data-testid="import-problem" /> : null}
        </>
      )}
    </Modal>
  );
}
