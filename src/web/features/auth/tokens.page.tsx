import { useMemo, useState } from 'react';
import { Alert, App, Button, Form, Input, Modal, Popconfirm, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { errorMessage } from '../../shared/api';
import { applyServerErrors } from '../../shared/form-errors';
import { formatDateTime } from '../../shared/format';
import { common, defineMessages, useT } from '../../shared/i18n';
import { ResponsiveList } from '../../shared/list/responsive-list';
import { useListParams } from '../../shared/list/use-list-params';
import { usePermissions } from '../../shared/session';
import { UserPicker } from '../users/user-picker';
import { pageTokens, useCreateToken, useRevokeToken, useTokens, type ApiToken, type CreatedToken } from './tokens.api';

const m = defineMessages({
  intro: {
    zh: 'API 令牌供其他系统（如 12345 热线话务系统、Open311 接入方）以指定用户的身份调用接口。令牌等同于该用户的密码，请妥善保管，不再使用时及时吊销。',
    en: 'An API token lets another system (e.g. the 12345 switchboard or an Open311 client) call the API as a given user. Treat it like that user’s password and revoke it when no longer needed.',
  },
  create: { zh: '新建令牌', en: 'New token' },
  name: { zh: '令牌名称', en: 'Token name' },
  nameHint: { zh: '写明用途，如“12345 话务系统对接”', en: 'Say what it is for, e.g. “12345 switchboard”' },
  user: { zh: '代表用户', en: 'Acts as user' },
  userHint: { zh: '留空则代表当前登录用户', en: 'Leave empty to act as yourself' },
  owner: { zh: '所属用户', en: 'User' },
  createdAt: { zh: '创建时间', en: 'Created' },
  lastUsedAt: { zh: '最近使用', en: 'Last used' },
  status: { zh: '状态', en: 'Status' },
  valid: { zh: '有效', en: 'Valid' },
  revoked: { zh: '已吊销', en: 'Revoked' },
  revokedAt: { zh: '吊销于 {time}', en: 'Revoked {time}' },
  revoke: { zh: '吊销', en: 'Revoke' },
  revokeConfirm: { zh: '吊销后使用该令牌的系统将立即无法调用接口，且不可恢复。确定吊销“{name}”吗？', en: 'Systems using this token lose access at once; this cannot be undone. Revoke “{name}”?' },
  revokedDone: { zh: '令牌已吊销', en: 'Token revoked' },
  createdTitle: { zh: '令牌已创建', en: 'Token created' },
  showOnce: { zh: '请立即复制并妥善保存。关闭此窗口后将无法再次查看该令牌。', en: 'Copy it now and keep it safe. It cannot be shown again after you close this window.' },
  usage: { zh: '调用接口时在请求头中携带：Authorization: Bearer <令牌>', en: 'Send it as the header: Authorization: Bearer <token>' },
  copied: { zh: '我已复制，关闭', en: 'I have copied it' },
});

function CreateTokenModal({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (t: CreatedToken) => void }) {
  const { t } = useT();
  const can = usePermissions();
  const [form] = Form.useForm<{ name: string; userId?: number }>();
  const create = useCreateToken();
  const [formError, setFormError] = useState<string | null>(null);
  return (
    <Modal
      open={open}
      title={t(m.create)}
      okText={t(common.ok)}
      cancelText={t(common.cancel)}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={create.isPending}
      forceRender
      afterOpenChange={(o) => {
        if (!o) {
          form.resetFields();
          setFormError(null);
        }
      }}
      okButtonProps={{ 'data-testid': 'token-form-submit' }}
    >
      {formError ? <Alert type="error" showIcon title={formError} style={{ marginBottom: 16 }} /> : null}
      <Form
        form={form}
        name="token"
        layout="vertical"
        onFinish={(v) =>
          create.mutate(
            { name: v.name.trim(), ...(v.userId ? { userId: v.userId } : {}) },
            { onSuccess: onCreated, onError: (e) => setFormError(applyServerErrors(form, e).formMessage) },
          )
        }
        data-testid="token-form"
      >
        <Form.Item name="name" label={t(m.name)} extra={t(m.nameHint)} rules={[{ required: true, whitespace: true, message: t(common.required, { label: t(m.name) }) }, { max: 100 }]}>
          <Input maxLength={100} />
        </Form.Item>
        {can('users.read') ? (
          <Form.Item name="userId" label={t(m.user)} extra={t(m.userHint)}>
            <UserPicker />
          </Form.Item>
        ) : null}
      </Form>
    </Modal>
  );
}

export default function TokensPage() {
  const { t } = useT();
  const { message } = App.useApp();
  const list = useListParams([], '-createdAt');
  const tokens = useTokens();
  const all = tokens.data?.items;
  const pageData = useMemo(() => (all ? { items: pageTokens(all, list.page, list.pageSize, list.sort), total: all.length } : undefined), [all, list.page, list.pageSize, list.sort]);
  const revoke = useRevokeToken();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedToken | null>(null);

  const doRevoke = (tk: ApiToken) =>
    revoke.mutate(tk.id, { onSuccess: () => message.success(t(m.revokedDone)), onError: (e) => message.error(errorMessage(e)) });

  const status = (tk: ApiToken) =>
    tk.revokedAt ? <Tag title={t(m.revokedAt, { time: formatDateTime(tk.revokedAt) })}>{t(m.revoked)}</Tag> : <Tag color="green">{t(m.valid)}</Tag>;

  const revokeButton = (tk: ApiToken, size: 'small' | 'middle') =>
    tk.revokedAt ? null : (
      <Popconfirm title={t(m.revokeConfirm, { name: tk.name })} okText={t(m.revoke)} okButtonProps={{ danger: true }} cancelText={t(common.cancel)} onConfirm={() => doRevoke(tk)}>
        <Button type="link" danger size={size} data-testid={`token-revoke-${tk.id}`}>
          {t(m.revoke)}
        </Button>
      </Popconfirm>
    );

  const columns: TableColumnsType<ApiToken> = [
    { key: 'name', dataIndex: 'name', title: t(m.name), sorter: true },
    { key: 'username', dataIndex: 'username', title: t(m.owner) },
    { key: 'createdAt', dataIndex: 'createdAt', title: t(m.createdAt), sorter: true, render: (v: string) => formatDateTime(v) },
    { key: 'lastUsedAt', dataIndex: 'lastUsedAt', title: t(m.lastUsedAt), sorter: true, render: (v: string | null) => formatDateTime(v, t(common.never)) },
    { key: 'status', title: t(m.status), render: (_, tk) => status(tk) },
    { key: 'actions', title: t(common.actions), render: (_, tk) => revokeButton(tk, 'small') },
  ];

  return (
    <div className="zt-panel">
      <Alert type="info" showIcon title={t(m.intro)} style={{ marginBottom: 16 }} />
      <div className="zt-toolbar">
        <div className="zt-toolbar-spacer" />
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="token-create">
          {t(m.create)}
        </Button>
      </div>
      <ResponsiveList<ApiToken>
        testId="tokens"
        query={{ data: pageData, isPending: tokens.isPending, isFetching: tokens.isFetching, isError: tokens.isError, error: tokens.error, refetch: tokens.refetch }}
        columns={columns}
        rowKey={(tk) => tk.id}
        page={list.page}
        pageSize={list.pageSize}
        sort={list.sort}
        onPageChange={list.setPage}
        onSortChange={list.setSort}
        sortOptions={[
          { field: 'createdAt', label: m.createdAt },
          { field: 'name', label: m.name },
        ]}
        renderCard={(tk) => (
          <div>
            <div className="zt-card-head">
              <div className="zt-card-title">{tk.name}</div>
              {status(tk)}
            </div>
            <div className="zt-card-meta">
              <div>
                {t(m.owner)}：{tk.username}
              </div>
              <div>
                {t(m.createdAt)}：{formatDateTime(tk.createdAt)}
              </div>
              <div>
                {t(m.lastUsedAt)}：{formatDateTime(tk.lastUsedAt, t(common.never))}
              </div>
            </div>
            <div className="zt-card-actions">{revokeButton(tk, 'middle')}</div>
          </div>
        )}
      />
      <CreateTokenModal
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(tk) => {
          setCreating(false);
          setCreated(tk);
        }}
      />
      <Modal
        open={!!created}
        title={t(m.createdTitle)}
        closable={false}
        mask={{ closable: false }}
        footer={
          <Button type="primary" onClick={() => setCreated(null)} data-testid="token-created-close">
            {t(m.copied)}
          </Button>
        }
      >
        <Alert type="warning" showIcon title={t(m.showOnce)} style={{ marginBottom: 12 }} />
        <Typography.Paragraph strong>{created?.name}</Typography.Paragraph>
        <Typography.Paragraph copyable={{ text: created?.token ?? '' }} className="zt-token-value" data-testid="token-value">
          {created?.token}
        </Typography.Paragraph>
        <Typography.Text type="secondary">{t(m.usage)}</Typography.Text>
      </Modal>
    </div>
  );
}
