import { useEffect, useMemo, useRef, useState } from 'react';
import { Alert, App, Button, Card, Cascader, Checkbox, Col, Empty, Form, Input, Radio, Row, Select, Space, Switch, Tag, Typography } from 'antd';
import { CheckCircleOutlined, SendOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import { applyServerErrors } from '../../shared/form-errors';
import { formatDateTime } from '../../shared/format';
import { common, defineMessages, useT } from '../../shared/i18n';
import { usePermissions } from '../../shared/session';
import { useIsPhone } from '../../shared/use-is-phone';
import { StatusTag } from './request-bits';
import { typeLabel, urgencyLabels } from './request-labels';
import { buildCategoryOptions, isLookupPhone, isValidCreditCode, normalisePhone } from './request-rules';
import { enterNavigation } from './keyboard-nav';
import {
  newIdempotencyKey,
  useAcceptRequest,
  useCallerHistory,
  useCategories,
  useChannels,
  useDispatchSuggestion,
  useRequestTypes,
  useUnitsWhere,
  type AcceptInput,
  type Category,
  type RequestDetail,
  type Urgency,
} from './requests.api';
import './requests.css';

const m = defineMessages({
  basics: { zh: '诉求信息', en: 'Request' },
  channel: { zh: '来源渠道', en: 'Channel' },
  phoneFamily: { zh: '电话渠道', en: 'Phone' },
  networkFamily: { zh: '网络渠道', en: 'Network' },
  type: { zh: '诉求类型', en: 'Type' },
  urgency: { zh: '紧急程度', en: 'Urgency' },
  category: { zh: '诉求分类', en: 'Category' },
  categoryHint: { zh: '可输入关键字搜索，如“物业”', en: 'Type to search, e.g. 物业' },
  district: { zh: '所属区县', en: 'District' },
  street: { zh: '街道（乡镇）', en: 'Street / town' },
  streetFirst: { zh: '请先选择区县', en: 'Choose the district first' },
  address: { zh: '事发地址', en: 'Address' },
  title: { zh: '标题', en: 'Title' },
  titleHint: { zh: '选填，一句话概括', en: 'Optional: one line' },
  content: { zh: '诉求内容', en: 'What the caller says' },
  requester: { zh: '诉求人', en: 'Requester' },
  name: { zh: '姓名', en: 'Name' },
  phone: { zh: '联系电话', en: 'Phone' },
  phoneInvalid: { zh: '电话号码格式不正确（5–20 位数字，可含 +、- 和空格）', en: 'Not a phone number (5–20 digits; + - and spaces allowed)' },
  anonymous: { zh: '匿名', en: 'Anonymous' },
  confidential: { zh: '保密（承办单位不可见诉求人）', en: 'Confidential (hidden from handling units)' },
  enterprise: { zh: '企业诉求', en: 'Enterprise request' },
  enterpriseName: { zh: '企业名称', en: 'Enterprise name' },
  creditCode: { zh: '统一社会信用代码', en: 'Unified social credit code' },
  creditCodeInvalid: { zh: '统一社会信用代码无效（18 位，末位校验码不符）', en: 'Not a valid credit code (18 characters with a check character)' },
  submit: { zh: '受理', en: 'Accept' },
  submitHint: { zh: 'Enter 下一项 · Ctrl+Enter 提交', en: 'Enter: next field · Ctrl+Enter: submit' },
  reset: { zh: '清空', en: 'Clear' },
  direct: { zh: '直接答复办结', en: 'Answer now and close' },
  directHint: { zh: '咨询类诉求可依据知识库直接答复，受理后立即办结，不再派单。', en: 'A consultation answered from the knowledge base is accepted and closed at once, without dispatch.' },
  directAnswer: { zh: '答复内容', en: 'Answer given' },
  directButton: { zh: '答复并办结', en: 'Answer and close' },
  directRequired: { zh: '请填写答复内容', en: 'Write the answer given' },
  accepted: { zh: '已受理，编号 {number}', en: 'Accepted as {number}' },
  closedDirect: { zh: '已直接答复办结，编号 {number}', en: 'Answered and closed as {number}' },
  open: { zh: '查看详情', en: 'Open' },
  history: { zh: '来电历史', en: 'Earlier requests from this caller' },
  historyHint: { zh: '输入来电号码后显示该号码的历史诉求', en: 'Type the caller’s number to see their earlier requests' },
  historyNone: { zh: '该号码没有历史诉求', en: 'No earlier requests from this number' },
  historyCount: { zh: '共 {n} 条历史诉求', en: '{n} earlier requests' },
  suggestion: { zh: '建议承办单位', en: 'Suggested lead unit' },
  suggestionHint: { zh: '选择分类和区县后，按派单目录给出建议', en: 'Choose the category and district to see the dispatch catalogue’s suggestion' },
  coUnits: { zh: '协办：{units}', en: 'Co-units: {units}' },
  byRule: { zh: '派单目录规则', en: 'catalogue rule' },
  fallback: { zh: '未匹配规则，属地兜底', en: 'no rule: the district' },
});

interface Values {
  channelId?: number;
  type?: string;
  urgency: Urgency;
  category?: number[];
  districtId?: number;
  streetId?: number;
  address?: string;
  title?: string;
  content?: string;
  requesterName?: string;
  requesterPhone?: string;
  anonymous?: boolean;
  confidential?: boolean;
  isEnterprise?: boolean;
  enterpriseName?: string;
  creditCode?: string;
  directAnswer?: string;
}

/** Server field names → this form's fields. */
const FIELD_MAP: Record<string, string> = {
  categoryId: 'category',
  'requester.name': 'requesterName',
  'requester.phone': 'requesterPhone',
  'enterprise.name': 'enterpriseName',
  'enterprise.creditCode': 'creditCode',
  enterprise: 'enterpriseName',
};

/** A category's default urgency, inherited from its class when the leaf sets none. */
function defaultUrgencyOf(categories: Category[], id: number | undefined): Urgency | null {
  const byId = new Map(categories.map((c) => [c.id, c]));
  let cur = id ? byId.get(id) : undefined;
  while (cur) {
    if (cur.defaultUrgency) return cur.defaultUrgency;
    cur = cur.parentId == null ? undefined : byId.get(cur.parentId);
  }
  return null;
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return v;
}

/**
 * 受理登记: the agent records what the caller says. Keyboard-first; the caller's earlier requests and
 * the dispatch catalogue's suggestion appear beside the form; consultations can be answered and closed
 * at once. One Idempotency-Key per form instance makes a double submit create one request.
 */
export default function IntakePage() {
  const { t, lang } = useT();
  const { message } = App.useApp();
  const isPhone = useIsPhone();
  const can = usePermissions();
  const [form] = Form.useForm<Values>();
  const wrapper = useRef<HTMLDivElement>(null);
  const idempotencyKey = useRef(newIdempotencyKey());
  const [formError, setFormError] = useState<string | null>(null);
  const [done, setDone] = useState<RequestDetail | null>(null);
  const accept = useAcceptRequest();

  const channels = useChannels();
  const types = useRequestTypes();
  const categories = useCategories();
  const districts = useUnitsWhere({ kind: 'district' });

  const type = Form.useWatch('type', form);
  const category = Form.useWatch('category', form);
  const districtId = Form.useWatch('districtId', form);
  const phone = Form.useWatch('requesterPhone', form);
  const anonymous = Form.useWatch('anonymous', form);
  const isEnterprise = Form.useWatch('isEnterprise', form);
  const streets = useUnitsWhere({ kind: 'street', parentId: districtId ?? null });

  const leafCategory = category?.length ? category[category.length - 1] : undefined;
  const suggestion = useDispatchSuggestion(leafCategory, districtId, !!leafCategory && !!districtId);
  const lookupPhone = useDebounced(normalisePhone(phone), 400);
  const canSeeHistory = can('requests.personal');
  const history = useCallerHistory(lookupPhone, canSeeHistory && isLookupPhone(lookupPhone));

  const categoryOptions = useMemo(() => buildCategoryOptions(categories.data?.items ?? []), [categories.data]);
  const activeChannels = (channels.data?.items ?? []).filter((c) => c.active).sort((a, b) => a.sortOrder - b.sortOrder);
  const defaultChannel = activeChannels.find((c) => c.family === 'phone')?.id ?? activeChannels[0]?.id;

  useEffect(() => {
    if (defaultChannel && !form.getFieldValue('channelId')) form.setFieldsValue({ channelId: defaultChannel });
  }, [defaultChannel, form]);

  const focusFirst = () => setTimeout(() => wrapper.current?.querySelector<HTMLElement>('#intake_channelId')?.focus(), 0);

  const toInput = (v: Values, directAnswer: string | null): AcceptInput => ({
    channelId: v.channelId!,
    type: v.type!,
    urgency: v.urgency,
    title: v.title?.trim() || undefined,
    content: v.content!.trim(),
    categoryId: v.category?.length ? v.category[v.category.length - 1] : null,
    districtId: v.districtId ?? null,
    streetId: v.streetId ?? null,
    address: v.address?.trim() || null,
    requester: {
      name: v.anonymous ? null : v.requesterName?.trim() || null,
      phone: normalisePhone(v.requesterPhone) || null,
      anonymous: !!v.anonymous,
      confidential: !!v.confidential,
    },
    enterprise: v.isEnterprise ? { name: v.enterpriseName!.trim(), creditCode: v.creditCode!.trim().toUpperCase() } : null,
    directAnswer,
  });

  // A second Ctrl+Enter can arrive before React renders the first one's pending state: the ref knows at once.
  const sending = useRef(false);
  const send = (v: Values, directAnswer: string | null) => {
    if (sending.current) return;
    sending.current = true;
    setFormError(null);
    accept.mutate(
      { input: toInput(v, directAnswer), idempotencyKey: idempotencyKey.current },
      {
        onSuccess: (detail) => {
          setDone(detail);
          message.success(t(detail.status === 'closed' ? m.closedDirect : m.accepted, { number: detail.number }));
          // The next caller gets a new form and a new key.
          idempotencyKey.current = newIdempotencyKey();
          const channelId = v.channelId;
          form.resetFields();
          form.setFieldsValue({ channelId });
          focusFirst();
        },
        onError: (e) => setFormError(applyServerErrors(form, e, FIELD_MAP).formMessage),
        onSettled: () => {
          sending.current = false;
        },
      },
    );
  };

  const answerAndClose = async () => {
    try {
      const v = await form.validateFields();
      const answer = v.directAnswer?.trim();
      if (!answer) {
        form.setFields([{ name: 'directAnswer', errors: [t(m.directRequired)] }]);
        return;
      }
      send(v, answer);
    } catch {
      // The fields show what is missing.
    }
  };

  const onKeyDown = enterNavigation(() => wrapper.current, () => form.submit());

  const req = (label: string) => ({ required: true, whitespace: true, message: t(common.required, { label }) });
  const pick = (label: string) => ({ required: true, message: t(common.requiredSelect, { label }) });

  const historyPanel = canSeeHistory ? (
    <Card size="small" title={t(m.history)} className="zt-rq-side" data-testid="caller-history">
      {!isLookupPhone(lookupPhone) ? (
        <Typography.Text type="secondary">{t(m.historyHint)}</Typography.Text>
      ) : history.isPending ? (
        <Typography.Text type="secondary">{t(common.loading)}</Typography.Text>
      ) : !history.data?.items.length ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t(m.historyNone)} />
      ) : (
        <>
          <Typography.Text type="secondary">{t(m.historyCount, { n: history.data.items.length })}</Typography.Text>
          <div className="zt-rq-history">
            {history.data.items.map((h) => (
              <div key={h.id} className="zt-rq-history-item" data-testid="history-item">
                <div className="zt-card-head" style={{ marginBottom: 2 }}>
                  <a href={`/requests/${h.id}`} target="_blank" rel="noopener noreferrer">
                    {h.number}
                  </a>
                  <StatusTag status={h.status} />
                </div>
                <div className="zt-card-meta">
                  {typeLabel(h.type, lang, types.data?.items)} · {formatDateTime(h.acceptedAt)}
                </div>
                <Typography.Paragraph ellipsis={{ rows: 2 }} style={{ marginBottom: 0 }}>
                  {h.title || h.content}
                </Typography.Paragraph>
              </div>
            ))}
          </div>
        </>
      )}
    </Card>
  ) : null;

  const suggestionPanel = (
    <Card size="small" title={t(m.suggestion)} className="zt-rq-side" data-testid="lead-suggestion">
      {!leafCategory || !districtId ? (
        <Typography.Text type="secondary">{t(m.suggestionHint)}</Typography.Text>
      ) : suggestion.data ? (
        <div>
          <div className="zt-rq-suggested-unit" data-testid="suggested-unit">
            {suggestion.data.lead.name}
          </div>
          {suggestion.data.coUnits.length ? (
            <div className="zt-card-meta">{t(m.coUnits, { units: suggestion.data.coUnits.map((u) => u.name).join('、') })}</div>
          ) : null}
          <Tag color={suggestion.data.fallback ? 'orange' : 'blue'} style={{ marginTop: 6 }}>
            {t(suggestion.data.fallback ? m.fallback : m.byRule)}
          </Tag>
        </div>
      ) : (
        <Typography.Text type="secondary">{t(common.loading)}</Typography.Text>
      )}
    </Card>
  );

  const col = (span: number) => ({ xs: 24, md: span });

  const formBody = (
    <Form<Values>
      form={form}
      name="intake"
      layout="vertical"
      initialValues={{ urgency: 'normal' }}
      onFinish={(v) => send(v, null)}
      onValuesChange={(changed: Partial<Values>) => {
        if ('districtId' in changed) form.setFieldsValue({ streetId: undefined });
        if ('category' in changed && !form.isFieldTouched('urgency')) {
          const leaf = changed.category?.length ? changed.category[changed.category.length - 1] : undefined;
          form.setFieldsValue({ urgency: defaultUrgencyOf(categories.data?.items ?? [], leaf) ?? 'normal' });
        }
      }}
      data-testid="intake-form"
      requiredMark
    >
      <Row gutter={16}>
        <Col {...col(8)}>
          <Form.Item name="channelId" label={t(m.channel)} rules={[pick(t(m.channel))]}>
            <Select
              autoFocus
              loading={channels.isPending}
              showSearch={{ optionFilterProp: 'label' }}
              options={(['phone', 'network'] as const).map((fam) => ({
                label: t(fam === 'phone' ? m.phoneFamily : m.networkFamily),
                options: activeChannels.filter((c) => c.family === fam).map((c) => ({ value: c.id, label: c.name })),
              }))}
              data-testid="intake-channel"
            />
          </Form.Item>
        </Col>
        <Col {...col(16)}>
          <Form.Item name="type" label={t(m.type)} rules={[pick(t(m.type))]}>
            <Radio.Group name="intake-type" optionType="button" buttonStyle="solid" className="zt-rq-choice zt-rq-choice-3" data-testid="intake-type">
              {(types.data?.items ?? []).filter((x) => x.active).map((x) => (
                <Radio.Button key={x.code} value={x.code}>
                  {typeLabel(x.code, lang, types.data?.items)}
                </Radio.Button>
              ))}
            </Radio.Group>
          </Form.Item>
        </Col>
        <Col {...col(14)}>
          <Form.Item name="category" label={t(m.category)}>
            <Cascader
              options={categoryOptions}
              showSearch={{ filter: (input, path) => path.some((o) => String(o.label).includes(input.trim())) }}
              changeOnSelect
              placeholder={t(m.categoryHint)}
              style={{ width: '100%' }}
              data-testid="intake-category"
            />
          </Form.Item>
        </Col>
        <Col {...col(10)}>
          <Form.Item name="urgency" label={t(m.urgency)}>
            <Radio.Group name="intake-urgency" optionType="button" className="zt-rq-choice zt-rq-choice-4" data-testid="intake-urgency">
              {(['normal', 'urgent', 'emergency', 'complex'] as const).map((u) => (
                <Radio.Button key={u} value={u}>
                  {t(urgencyLabels[u])}
                </Radio.Button>
              ))}
            </Radio.Group>
          </Form.Item>
        </Col>
        <Col {...col(8)}>
          <Form.Item name="districtId" label={t(m.district)}>
            <Select
              allowClear
              loading={districts.isPending}
              showSearch={{ optionFilterProp: 'label' }}
              options={(districts.data?.items ?? []).map((u) => ({ value: u.id, label: u.name }))}
              data-testid="intake-district"
            />
          </Form.Item>
        </Col>
        <Col {...col(8)}>
          <Form.Item name="streetId" label={t(m.street)}>
            <Select
              allowClear
              disabled={!districtId}
              placeholder={districtId ? undefined : t(m.streetFirst)}
              loading={!!districtId && streets.isPending}
              showSearch={{ optionFilterProp: 'label' }}
              options={(streets.data?.items ?? []).map((u) => ({ value: u.id, label: u.name }))}
              data-testid="intake-street"
            />
          </Form.Item>
        </Col>
        <Col {...col(8)}>
          <Form.Item name="address" label={t(m.address)}>
            <Input maxLength={300} autoComplete="off" data-testid="intake-address" />
          </Form.Item>
        </Col>
        {isPhone ? <Col span={24}>{suggestionPanel}</Col> : null}
        <Col span={24}>
          <Form.Item name="title" label={t(m.title)}>
            <Input maxLength={200} placeholder={t(m.titleHint)} autoComplete="off" data-testid="intake-title" />
          </Form.Item>
        </Col>
        <Col span={24}>
          <Form.Item name="content" label={t(m.content)} rules={[req(t(m.content)), { max: 4000 }]}>
            <Input.TextArea showCount maxLength={4000} autoSize={{ minRows: 4, maxRows: 12 }} data-testid="intake-content" />
          </Form.Item>
        </Col>
      </Row>

      <div className="zt-rq-subhead">{t(m.requester)}</div>
      <Row gutter={16}>
        <Col {...col(8)}>
          <Form.Item name="requesterPhone" label={t(m.phone)} rules={[{ pattern: /^[0-9+\- ]{5,20}$/, message: t(m.phoneInvalid) }]}>
            <Input inputMode="tel" maxLength={20} autoComplete="off" data-testid="intake-phone" />
          </Form.Item>
        </Col>
        <Col {...col(8)}>
          <Form.Item name="requesterName" label={t(m.name)}>
            <Input maxLength={50} disabled={!!anonymous} autoComplete="off" data-testid="intake-name" />
          </Form.Item>
        </Col>
        <Col {...col(8)}>
          <Form.Item label={isPhone ? undefined : ' '} colon={false} className="zt-rq-checks">
            <Space wrap>
              <Form.Item name="anonymous" valuePropName="checked" noStyle>
                <Checkbox data-testid="intake-anonymous">{t(m.anonymous)}</Checkbox>
              </Form.Item>
              <Form.Item name="confidential" valuePropName="checked" noStyle>
                <Checkbox data-testid="intake-confidential">{t(m.confidential)}</Checkbox>
              </Form.Item>
            </Space>
          </Form.Item>
        </Col>
      </Row>
      {isPhone ? historyPanel : null}

      <Form.Item name="isEnterprise" valuePropName="checked" label={t(m.enterprise)} layout="horizontal" colon={false}>
        <Switch data-testid="intake-enterprise" />
      </Form.Item>
      {isEnterprise ? (
        <Row gutter={16}>
          <Col {...col(12)}>
            <Form.Item name="enterpriseName" label={t(m.enterpriseName)} rules={[req(t(m.enterpriseName))]}>
              <Input maxLength={200} autoComplete="off" data-testid="intake-enterprise-name" />
            </Form.Item>
          </Col>
          <Col {...col(12)}>
            <Form.Item
              name="creditCode"
              label={t(m.creditCode)}
              normalize={(v: string) => v?.toUpperCase().replace(/\s/g, '')}
              rules={[
                req(t(m.creditCode)),
                { validator: (_, v: string | undefined) => (!v || isValidCreditCode(v) ? Promise.resolve() : Promise.reject(new Error(t(m.creditCodeInvalid)))), validateTrigger: 'onBlur' },
              ]}
              validateTrigger={['onChange', 'onBlur']}
            >
              <Input maxLength={18} showCount autoComplete="off" spellCheck={false} className="zt-rq-mono" data-testid="intake-credit-code" />
            </Form.Item>
          </Col>
        </Row>
      ) : null}

      {type === 'consult' ? (
        <Card size="small" className="zt-rq-direct" title={t(m.direct)} data-testid="direct-answer">
          <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>
            {t(m.directHint)}
          </Typography.Paragraph>
          <Form.Item name="directAnswer" label={t(m.directAnswer)} rules={[{ max: 4000 }]}>
            <Input.TextArea showCount maxLength={4000} autoSize={{ minRows: 3, maxRows: 10 }} data-testid="intake-direct-answer" />
          </Form.Item>
          <Button icon={<CheckCircleOutlined />} onClick={() => void answerAndClose()} loading={accept.isPending} size={isPhone ? 'large' : 'middle'} block={isPhone} data-testid="intake-direct-submit">
            {t(m.directButton)}
          </Button>
        </Card>
      ) : null}

      <div className="zt-rq-form-footer">
        <Button
          type="primary"
          htmlType="submit"
          icon={<SendOutlined />}
          loading={accept.isPending}
          size={isPhone ? 'large' : 'middle'}
          block={isPhone}
          data-kb-submit
          data-testid="intake-submit"
        >
          {t(m.submit)}
        </Button>
        <Button
          size={isPhone ? 'large' : 'middle'}
          block={isPhone}
          onClick={() => {
            const channelId = form.getFieldValue('channelId');
            form.resetFields();
            form.setFieldsValue({ channelId });
            setFormError(null);
            focusFirst();
          }}
        >
          {t(m.reset)}
        </Button>
        {!isPhone ? <span className="zt-rq-muted">{t(m.submitHint)}</span> : null}
      </div>
    </Form>
  );

  return (
    <div ref={wrapper} onKeyDownCapture={onKeyDown} data-testid="intake">
      {done ? (
        <Alert
          type="success"
          showIcon
          closable={{ onClose: () => setDone(null) }}
          style={{ marginBottom: 12 }}
          title={t(done.status === 'closed' ? m.closedDirect : m.accepted, { number: done.number })}
          action={
            <Link to={`/requests/${done.id}`} data-testid="intake-success-link">
              {t(m.open)}
            </Link>
          }
          data-testid="intake-success"
          data-request-id={done.id}
        />
      ) : null}
      {formError ? <Alert type="error" showIcon title={formError} style={{ marginBottom: 12 }} data-testid="form-error" /> : null}
      <Row gutter={16}>
        <Col xs={24} lg={17}>
          <div className="zt-panel">
            {formBody}
          </div>
        </Col>
        <Col xs={24} lg={7}>
          <div className="zt-rq-side-stack">
            {!isPhone ? historyPanel : null}
            {!isPhone ? suggestionPanel : null}
          </div>
        </Col>
      </Row>
    </div>
  );
}
