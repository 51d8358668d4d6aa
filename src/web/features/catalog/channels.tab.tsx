import { useEffect, useMemo, useState } from 'react';
import { Alert, App, Button, Form, Input, InputNumber, Modal, Popconfirm, Segmented, Select, Space, Tag } from 'antd';
import type { TableColumnsType } from 'antd';
import { EditOutlined, PlusOutlined } from '@ant-design/icons';
import { errorMessage } from '../../shared/api';
import { applyServerErrors } from '../../shared/form-errors';
import { common, defineMessages, useT } from '../../shared/i18n';
import { usePermissions } from '../../shared/session';
import { CHANNEL_FAMILIES, useChannels, useSaveChannel, type Channel, type ChannelFamily } from './catalog.api';
import { familyLabels } from './catalog-labels';
import { ExportButton } from './export-button';
import { LocalList } from './local-list';

export const channelMessages = defineMessages({
  code: { zh: '渠道编码', en: 'Code' },
  codeHint: { zh: '小写字母、数字和连字符，如 wechat-mini', en: 'Lower-case letters, digits and -, e.g. wechat-mini' },
  codeInvalid: { zh: '只能包含小写字母、数字和连字符，且以字母或数字开头', en: 'Only lower-case letters, digits and -, starting with a letter or digit' },
  name: { zh: '渠道名称', en: 'Name' },
  family: { zh: '渠道归类', en: 'Family' },
  sortOrder: { zh: '排序号', en: 'Sort order' },
  status: { zh: '状态', en: 'Status' },
  active: { zh: '启用', en: 'Active' },
  inactive: { zh: '已停用', en: 'Inactive' },
  create: { zh: '新增渠道', en: 'New channel' },
  edit: { zh: '编辑渠道', en: 'Edit channel' },
  deactivate: { zh: '停用', en: 'Deactivate' },
  activate: { zh: '启用', en: 'Activate' },
  deactivateConfirm: { zh: '停用后不能再用此渠道受理诉求，已有诉求保留原渠道。确定停用“{name}”吗？', en: 'No new request can come in through a deactivated channel; existing requests keep it. Deactivate "{name}"?' },
  created: { zh: '渠道“{name}”已创建', en: 'Channel "{name}" created' },
  all: { zh: '全部', en: 'All' },
  summary: { zh: '电话类 {phone} 个，网络类 {network} 个（启用中）', en: '{phone} phone and {network} network channels active' },
});

interface Values {
  code: string;
  name: string;
  family: ChannelFamily;
  sortOrder?: number;
}

function ChannelModal({ target, onClose }: { target: { channel: Channel | null } | null; onClose: () => void }) {
  const { t } = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const save = useSaveChannel();
  const [formError, setFormError] = useState<string | null>(null);
  const m = channelMessages;

  useEffect(() => {
    if (!target) return;
    setFormError(null);
    form.resetFields();
    const c = target.channel;
    form.setFieldsValue(c ? { code: c.code, name: c.name, family: c.family, sortOrder: c.sortOrder } : { family: 'network', sortOrder: 0 });
  }, [target, form]);

  const onFinish = (v: Values) => {
    const c = target?.channel;
    const body = c
      ? {
          ...(v.code.trim() !== c.code ? { code: v.code.trim() } : {}),
          ...(v.name.trim() !== c.name ? { name: v.name.trim() } : {}),
          ...(v.family !== c.family ? { family: v.family } : {}),
          ...((v.sortOrder ?? 0) !== c.sortOrder ? { sortOrder: v.sortOrder ?? 0 } : {}),
        }
      : { code: v.code.trim(), name: v.name.trim(), family: v.family, sortOrder: v.sortOrder ?? 0 };
    if (c && !Object.keys(body).length) return onClose();
    save.mutate(
      { id: c?.id, ...body },
      {
        onSuccess: (saved) => {
          message.success(c ? t(common.saved) : t(m.created, { name: saved.name }));
          onClose();
        },
        onError: (e) => setFormError(applyServerErrors(form, e).formMessage),
      },
    );
  };

  return (
    <Modal
      open={!!target}
      title={target?.channel ? t(m.edit) : t(m.create)}
      okText={t(common.save)}
      cancelText={t(common.cancel)}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={save.isPending}
      forceRender
      okButtonProps={{ 'data-testid': 'channel-form-submit' }}
    >
      {formError ? <Alert type="error" showIcon title={formError} style={{ marginBottom: 16 }} /> : null}
      <Form<Values> form={form} name="channel" layout="vertical" onFinish={onFinish}>
        <Form.Item name="name" label={t(m.name)} rules={[{ required: true, whitespace: true, message: t(common.required, { label: t(m.name) }) }, { max: 50 }]}>
          <Input maxLength={50} />
        </Form.Item>
        <Form.Item
          name="code"
          label={t(m.code)}
          extra={t(m.codeHint)}
          rules={[{ required: true, message: t(common.required, { label: t(m.code) }) }, { pattern: /^[a-z0-9][a-z0-9-]*$/, message: t(m.codeInvalid) }]}
        >
          <Input maxLength={32} autoCapitalize="none" spellCheck={false} />
        </Form.Item>
        <Form.Item name="family" label={t(m.family)} rules={[{ required: true }]}>
          <Select options={CHANNEL_FAMILIES.map((f) => ({ value: f, label: t(familyLabels[f]) }))} />
        </Form.Item>
        <Form.Item name="sortOrder" label={t(m.sortOrder)}>
          <InputNumber min={0} max={100000} style={{ width: '100%' }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** 渠道: every intake channel, in the phone or the network family. */
export default function ChannelsTab() {
  const { t } = useT();
  const { message } = App.useApp();
  const can = usePermissions();
  const canWrite = can('catalog.write');
  const channels = useChannels();
  const save = useSaveChannel();
  const [family, setFamily] = useState<'all' | ChannelFamily>('all');
  const [target, setTarget] = useState<{ channel: Channel | null } | null>(null);
  const m = channelMessages;

  const items = useMemo(() => (channels.data?.items ?? []).filter((c) => family === 'all' || c.family === family), [channels.data, family]);
  const activeCount = (f: ChannelFamily) => (channels.data?.items ?? []).filter((c) => c.active && c.family === f).length;

  const toggle = (c: Channel) =>
    save.mutate(
      { id: c.id, active: !c.active },
      { onSuccess: () => message.success(t(common.saved)), onError: (e) => message.error(errorMessage(e)) },
    );

  const status = (c: Channel) => (c.active ? <Tag color="green">{t(m.active)}</Tag> : <Tag>{t(m.inactive)}</Tag>);
  const actions = (c: Channel) =>
    canWrite ? (
      <Space size={4} wrap>
        <Button size="small" type="link" icon={<EditOutlined />} onClick={() => setTarget({ channel: c })}>
          {t(common.edit)}
        </Button>
        {c.active ? (
          <Popconfirm title={t(m.deactivateConfirm, { name: c.name })} onConfirm={() => toggle(c)} okText={t(common.ok)} cancelText={t(common.cancel)}>
            <Button size="small" type="link" danger>
              {t(m.deactivate)}
            </Button>
          </Popconfirm>
        ) : (
          <Button size="small" type="link" onClick={() => toggle(c)}>
            {t(m.activate)}
          </Button>
        )}
      </Space>
    ) : null;

  const columns: TableColumnsType<Channel> = [
    { key: 'name', dataIndex: 'name', title: t(m.name) },
    { key: 'code', dataIndex: 'code', title: t(m.code), render: (v: string) => <code>{v}</code> },
    { key: 'family', dataIndex: 'family', title: t(m.family), render: (v: ChannelFamily) => <Tag color={v === 'phone' ? 'blue' : 'purple'}>{t(familyLabels[v])}</Tag> },
    { key: 'sortOrder', dataIndex: 'sortOrder', title: t(m.sortOrder), width: 90 },
    { key: 'status', title: t(m.status), render: (_, c) => status(c), width: 90 },
    ...(canWrite ? [{ key: 'actions', title: t(common.actions), render: (_: unknown, c: Channel) => actions(c) }] : []),
  ];

  return (
    <div data-testid="channels-tab">
      <div className="zt-toolbar zt-cat-toolbar">
        <Segmented<'all' | ChannelFamily>
          value={family}
          onChange={setFamily}
          options={[
            { value: 'all', label: t(m.all) },
            { value: 'phone', label: t(familyLabels.phone) },
            { value: 'network', label: t(familyLabels.network) },
          ]}
        />
        {channels.data ? <span className="zt-muted">{t(m.summary, { phone: activeCount('phone'), network: activeCount('network') })}</span> : null}
        <span className="zt-toolbar-spacer" />
        <Space wrap>
          {canWrite ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setTarget({ channel: null })} data-testid="channel-create">
              {t(m.create)}
            </Button>
          ) : null}
          <ExportButton path="/catalog/channels/export.xlsx" fileName="channels.xlsx" testId="channels-export" />
        </Space>
      </div>
      <LocalList<Channel>
        testId="channels"
        query={channels}
        items={items}
        columns={columns}
        rowKey={(c) => c.id}
        renderCard={(c) => (
          <>
            <div className="zt-card-head">
              <div className="zt-card-title">{c.name}</div>
              <Space size={4}>
                <Tag color={c.family === 'phone' ? 'blue' : 'purple'}>{t(familyLabels[c.family])}</Tag>
                {status(c)}
              </Space>
            </div>
            <div className="zt-card-meta">
              {t(m.code)}：<code>{c.code}</code>
            </div>
            {canWrite ? <div className="zt-card-actions">{actions(c)}</div> : null}
          </>
        )}
      />
      <ChannelModal target={target} onClose={() => setTarget(null)} />
    </div>
  );
}
