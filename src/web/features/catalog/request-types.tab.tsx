import { Alert, Tag } from 'antd';
import type { TableColumnsType } from 'antd';
import { defineMessages, useT } from '../../shared/i18n';
import { useRequestTypes, type RequestTypeItem } from './catalog.api';
import { LocalList } from './local-list';

const m = defineMessages({
  code: { zh: '编码', en: 'Code' },
  name: { zh: '名称', en: 'Name' },
  nameEn: { zh: '英文名称', en: 'English name' },
  sortOrder: { zh: '排序号', en: 'Sort order' },
  status: { zh: '状态', en: 'Status' },
  active: { zh: '启用', en: 'Active' },
  inactive: { zh: '已停用', en: 'Inactive' },
  note: {
    zh: '诉求类型由平台统一定义（咨询、求助、投诉、举报、建议、表扬），统计口径依赖这些编码，此处只读。',
    en: 'Request types are fixed by the platform (consultation, help, complaint, report, suggestion, praise); the statistics rely on their codes, so they are read-only here.',
  },
});

/** 诉求类型: read-only. */
export default function RequestTypesTab() {
  const { t } = useT();
  const types = useRequestTypes();
  const status = (r: RequestTypeItem) => (r.active ? <Tag color="green">{t(m.active)}</Tag> : <Tag>{t(m.inactive)}</Tag>);
  const columns: TableColumnsType<RequestTypeItem> = [
    { key: 'name', dataIndex: 'name', title: t(m.name) },
    { key: 'nameEn', dataIndex: 'nameEn', title: t(m.nameEn) },
    { key: 'code', dataIndex: 'code', title: t(m.code), render: (v: string) => <code>{v}</code> },
    { key: 'sortOrder', dataIndex: 'sortOrder', title: t(m.sortOrder), width: 90 },
    { key: 'status', title: t(m.status), render: (_, r) => status(r), width: 90 },
  ];
  return (
    <div data-testid="types-tab">
      <Alert type="info" showIcon title={t(m.note)} style={{ marginBottom: 16 }} />
      <LocalList<RequestTypeItem>
        testId="types"
        query={types}
        columns={columns}
        rowKey={(r) => r.code}
        renderCard={(r) => (
          <div className="zt-card-head">
            <div>
              <div className="zt-card-title">{r.name}</div>
              <div className="zt-card-meta">
                {r.nameEn} · <code>{r.code}</code>
              </div>
            </div>
            {status(r)}
          </div>
        )}
      />
    </div>
  );
}
