import { useState } from 'react';
import { App, Button, Dropdown, Input, Popconfirm, Select, Space, Tag, Tooltip } from 'antd';
import type { MenuProps, TableColumnsType } from 'antd';
import { EditOutlined, KeyOutlined, MoreOutlined, PlusOutlined, StopOutlined, CheckCircleOutlined } from '@ant-design/icons';
import { errorMessage } from '../../shared/api';
import { formatDateTime } from '../../shared/format';
import { common, defineMessages, useT } from '../../shared/i18n';
import { ResponsiveList, type SortOption } from '../../shared/list/responsive-list';
import { FilterBar } from '../../shared/list/filter-bar';
import { hasAnyFilter, useListParams } from '../../shared/list/use-list-params';
import { useMe, usePermissions } from '../../shared/session';
import { useIsPhone } from '../../shared/use-is-phone';
import { UnitSelect } from '../org/unit-select';
import { ResetPasswordModal } from './reset-password.modal';
import { UserFormModal, userFormMessages, type UserFormTarget } from './user-form.modal';
import { dataScopeLabels, roleLabel, useRoles, useUpdateUser, useUsers, type User } from './users.api';

const m = defineMessages({
  keyword: { zh: '用户名或姓名', en: 'User name or name' },
  allUnits: { zh: '全部单位', en: 'All units' },
  allRoles: { zh: '全部角色', en: 'All roles' },
  allStatus: { zh: '全部状态', en: 'Any status' },
  status: { zh: '状态', en: 'Status' },
  normal: { zh: '正常', en: 'Active' },
  disabled: { zh: '已停用', en: 'Disabled' },
  locked: { zh: '已锁定', en: 'Locked' },
  lockedUntil: { zh: '登录失败次数过多，锁定至 {time}', en: 'Locked after failed logins until {time}' },
  lastLogin: { zh: '最近登录', en: 'Last login' },
  createdAt: { zh: '创建时间', en: 'Created' },
  disable: { zh: '停用', en: 'Disable' },
  enable: { zh: '启用', en: 'Enable' },
  disableConfirm: { zh: '停用后“{name}”将无法登录，已登录的会话也会失效。确定停用吗？', en: '{name} will not be able to log in and open sessions end. Disable?' },
  disabledDone: { zh: '已停用', en: 'Disabled' },
  enabledDone: { zh: '已启用', en: 'Enabled' },
  resetPassword: { zh: '重置密码', en: 'Reset password' },
  self: { zh: '不能停用自己的账号', en: 'You cannot disable your own account' },
});

const FILTERS = ['q', 'unit', 'role', 'disabled'] as const;

export default function UsersPage() {
  const { t, lang } = useT();
  const { message, modal } = App.useApp();
  const isPhone = useIsPhone();
  const can = usePermissions();
  const me = useMe();
  const canWrite = can('users.write');
  const list = useListParams(FILTERS, 'username');
  const f = list.filters;
  const users = useUsers({
    page: list.page,
    pageSize: list.pageSize,
    sort: list.sort,
    q: f.q,
    unit: f.unit ? Number(f.unit) : undefined,
    role: f.role,
    disabled: f.disabled === 'true' ? true : f.disabled === 'false' ? false : undefined,
  });
  const roles = useRoles();
  const update = useUpdateUser();
  const [formTarget, setFormTarget] = useState<UserFormTarget | null>(null);
  const [resetting, setResetting] = useState<User | null>(null);
  const [keyword, setKeyword] = useState(f.q ?? '');

  const toggleDisabled = (u: User) =>
    update.mutate(
      { id: u.id, disabled: !u.disabled },
      {
        onSuccess: () => message.success(t(u.disabled ? m.enabledDone : m.disabledDone)),
        onError: (e) => message.error(errorMessage(e)),
      },
    );

  const statusTag = (u: User) => {
    if (u.disabled) return <Tag color="default">{t(m.disabled)}</Tag>;
    if (u.lockedUntil && new Date(u.lockedUntil) > new Date()) {
      return (
        <Tooltip title={t(m.lockedUntil, { time: formatDateTime(u.lockedUntil) })}>
          <Tag color="orange">{t(m.locked)}</Tag>
        </Tooltip>
      );
    }
    return <Tag color="green">{t(m.normal)}</Tag>;
  };

  const roleTags = (u: User) => (
    <Space size={[4, 4]} wrap>
      {u.roles.map((r) => (
        <Tag key={r} color="blue">
          {roleLabel(roles.data?.items, r, lang)}
        </Tag>
      ))}
    </Space>
  );

  const actionItems = (u: User): MenuProps['items'] => [
    { key: 'edit', icon: <EditOutlined />, label: t(common.edit) },
    { key: 'reset', icon: <KeyOutlined />, label: t(m.resetPassword) },
    u.disabled
      ? { key: 'enable', icon: <CheckCircleOutlined />, label: t(m.enable) }
      : { key: 'disable', icon: <StopOutlined />, label: t(m.disable), danger: true, disabled: u.id === me.user.id },
  ];
  const onAction = (u: User, key: string) => {
    if (key === 'edit') setFormTarget({ mode: 'edit', user: u });
    else if (key === 'reset') setResetting(u);
    else if (key === 'enable') toggleDisabled(u);
    else if (key === 'disable')
      modal.confirm({ title: t(m.disableConfirm, { name: u.displayName }), okText: t(common.ok), cancelText: t(common.cancel), okButtonProps: { danger: true }, onOk: () => toggleDisabled(u) });
  };

  const actions = (u: User) =>
    canWrite ? (
      <Space size={4} wrap>
        <Button type="link" size={isPhone ? 'middle' : 'small'} onClick={() => setFormTarget({ mode: 'edit', user: u })} data-testid={`user-edit-${u.username}`}>
          {t(common.edit)}
        </Button>
        <Button type="link" size={isPhone ? 'middle' : 'small'} onClick={() => setResetting(u)}>
          {t(m.resetPassword)}
        </Button>
        {u.disabled ? (
          <Button type="link" size={isPhone ? 'middle' : 'small'} onClick={() => toggleDisabled(u)}>
            {t(m.enable)}
          </Button>
        ) : (
          <Popconfirm
            title={t(m.disableConfirm, { name: u.displayName })}
            okText={t(common.ok)}
            cancelText={t(common.cancel)}
            onConfirm={() => toggleDisabled(u)}
            disabled={u.id === me.user.id}
          >
            <Button type="link" danger size={isPhone ? 'middle' : 'small'} disabled={u.id === me.user.id} title={u.id === me.user.id ? t(m.self) : undefined}>
              {t(m.disable)}
            </Button>
          </Popconfirm>
        )}
      </Space>
    ) : null;

  const columns: TableColumnsType<User> = [
    { key: 'username', dataIndex: 'username', title: t(userFormMessages.username), sorter: true, fixed: 'left' },
    { key: 'displayName', dataIndex: 'displayName', title: t(userFormMessages.displayName), sorter: true },
    { key: 'status', title: t(m.status), render: (_, u) => statusTag(u) },
    { key: 'unitName', dataIndex: 'unitName', title: t(userFormMessages.unit), sorter: true },
    { key: 'roles', title: t(userFormMessages.roles), render: (_, u) => roleTags(u) },
    { key: 'dataScope', title: t(userFormMessages.dataScope), render: (_, u) => t(dataScopeLabels[u.dataScope] ?? { zh: u.dataScope, en: u.dataScope }) },
    { key: 'phone', dataIndex: 'phone', title: t(userFormMessages.phone), render: (v: string | null) => v || '—' },
    { key: 'lastLoginAt', dataIndex: 'lastLoginAt', title: t(m.lastLogin), sorter: true, render: (v: string | null) => formatDateTime(v, t(common.never)) },
    { key: 'createdAt', dataIndex: 'createdAt', title: t(m.createdAt), sorter: true, render: (v: string) => formatDateTime(v) },
    ...(canWrite ? [{ key: 'actions', title: t(common.actions), fixed: 'right' as const, render: (_: unknown, u: User) => actions(u) }] : []),
  ];

  const sortOptions: SortOption[] = [
    { field: 'username', label: userFormMessages.username },
    { field: 'displayName', label: userFormMessages.displayName },
    { field: 'unitName', label: userFormMessages.unit },
    { field: 'lastLoginAt', label: m.lastLogin },
    { field: 'createdAt', label: m.createdAt },
  ];

  const renderCard = (u: User) => (
    <div data-testid={`user-card-${u.username}`}>
      <div className="zt-card-head">
        <div>
          <div className="zt-card-title">{u.displayName}</div>
          <div className="zt-card-meta">{u.username}</div>
        </div>
        <Space size={4}>
          {statusTag(u)}
          {canWrite ? (
            <Dropdown menu={{ items: actionItems(u), onClick: ({ key }) => onAction(u, key) }} trigger={['click']}>
              <Button icon={<MoreOutlined />} aria-label={t(common.actions)} />
            </Dropdown>
          ) : null}
        </Space>
      </div>
      <div className="zt-card-meta">
        <div>
          {t(userFormMessages.unit)}：{u.unitName}
        </div>
        {u.phone ? (
          <div>
            {t(userFormMessages.phone)}：{u.phone}
          </div>
        ) : null}
        <div>
          {t(m.lastLogin)}：{formatDateTime(u.lastLoginAt, t(common.never))}
        </div>
      </div>
      <div style={{ marginTop: 8 }}>{roleTags(u)}</div>
    </div>
  );

  const currentUnit = f.unit ? Number(f.unit) : undefined;

  return (
    <div className="zt-panel">
      <FilterBar
        activeCount={Object.values(f).filter(Boolean).length}
        actions={
          canWrite ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setFormTarget({ mode: 'create', unitId: currentUnit })} data-testid="user-create">
              {t(userFormMessages.createTitle)}
            </Button>
          ) : null
        }
      >
        <Input.Search
          allowClear
          placeholder={t(m.keyword)}
          value={keyword}
          onChange={(e) => {
            setKeyword(e.target.value);
            if (!e.target.value) list.setFilters({ q: undefined });
          }}
          onSearch={(v) => list.setFilters({ q: v.trim() || undefined })}
          style={{ width: isPhone ? '100%' : 240 }}
          data-testid="user-search"
        />
        {can('units.read') ? (
          <UnitSelect value={currentUnit} allowClear placeholder={t(m.allUnits)} onChange={(v) => list.setFilters({ unit: v ? String(v) : undefined })} style={{ width: isPhone ? '100%' : 220 }} />
        ) : null}
        <Select
          allowClear
          placeholder={t(m.allRoles)}
          value={f.role}
          onChange={(v?: string) => list.setFilters({ role: v })}
          options={(roles.data?.items ?? []).map((r) => ({ value: r.role, label: lang === 'en' ? r.nameEn : r.name }))}
          style={{ width: isPhone ? '100%' : 160 }}
        />
        <Select
          allowClear
          placeholder={t(m.allStatus)}
          value={f.disabled}
          onChange={(v?: string) => list.setFilters({ disabled: v })}
          options={[
            { value: 'false', label: t(m.normal) },
            { value: 'true', label: t(m.disabled) },
          ]}
          style={{ width: isPhone ? '100%' : 130 }}
        />
        {hasAnyFilter(f) ? (
          <Button
            onClick={() => {
              setKeyword('');
              list.clearFilters();
            }}
          >
            {t(common.reset)}
          </Button>
        ) : null}
      </FilterBar>
      <ResponsiveList<User>
        testId="users"
        query={users}
        columns={columns}
        rowKey={(u) => u.id}
        renderCard={renderCard}
        page={list.page}
        pageSize={list.pageSize}
        sort={list.sort}
        onPageChange={list.setPage}
        onSortChange={list.setSort}
        sortOptions={sortOptions}
        filtered={hasAnyFilter(f)}
      />
      <UserFormModal target={formTarget} onClose={() => setFormTarget(null)} />
      <ResetPasswordModal user={resetting} onClose={() => setResetting(null)} />
    </div>
  );
}
