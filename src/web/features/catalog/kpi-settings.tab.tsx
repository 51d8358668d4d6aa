import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, Col, Form, InputNumber, Row, Skeleton, Typography } from 'antd';
import { SaveOutlined } from '@ant-design/icons';
import { applyServerErrors } from '../../shared/form-errors';
import { common, defineMessages, useT } from '../../shared/i18n';
import { QueryError } from '../../shared/list/query-state';
import { useKpiSettings, useSaveKpiSettings, type KpiSettings } from '../kpi/kpi.api';

const m = defineMessages({
  intro: {
    zh: '考核参数决定满意率和考核得分的计算方式，修改后所有统计（含历史期间）按新参数重新计算，修改记入审计日志。',
    en: 'These settings decide how the satisfaction rate and the assessment score are computed; every figure (past periods too) follows them at once. Changes are audited.',
  },
  satisfaction: { zh: '满意率', en: 'Satisfaction rate' },
  basicWeight: { zh: '基本满意权重', en: 'Weight of "basically satisfied"' },
  basicWeightHint: { zh: '满意率 =（满意 + 权重 × 基本满意）÷ 回访答复件数。1.0 表示基本满意按满意计，部分城市取 0.8。', en: 'Satisfaction = (satisfied + weight × basically satisfied) ÷ callbacks answered. 1.0 counts it as satisfied; some cities use 0.8.' },
  floor: { zh: '满意率底线', en: 'Satisfaction floor' },
  floorHint: { zh: '满意率低于此值的单位在考核指标中标红提示。', en: 'Units below it are highlighted on the KPI dashboard.' },
  weights: { zh: '三率权重（考核得分）', en: 'Score weights (三率)' },
  weightsHint: { zh: '考核得分 = 按权重加权的响应率、解决率、满意率（百分制）；某项无数据时按其余两项的权重折算。', en: 'Score = weighted response, resolution and satisfaction rates (0–100); a rate with no data is left out and the others re-weighted.' },
  response: { zh: '响应率权重', en: 'Response rate' },
  resolution: { zh: '解决率权重', en: 'Resolution rate' },
  satisfactionW: { zh: '满意率权重', en: 'Satisfaction rate' },
  sum: { zh: '权重合计 {n}（各项占比 {a}% / {b}% / {c}%）', en: 'Total {n} (shares {a}% / {b}% / {c}%)' },
  sumZero: { zh: '权重之和必须大于 0', en: 'The weights must add up to more than 0' },
  readOnly: { zh: '您没有修改考核参数的权限。', en: 'You may not change these settings.' },
});

interface Values {
  basicSatisfiedWeight: number;
  floorPercent: number;
  response: number;
  resolution: number;
  satisfaction: number;
}

function toValues(s: KpiSettings): Values {
  return {
    basicSatisfiedWeight: s.basicSatisfiedWeight,
    floorPercent: Math.round(s.satisfactionFloor * 10000) / 100,
    response: s.weights.response,
    resolution: s.weights.resolution,
    satisfaction: s.weights.satisfaction,
  };
}

/** 考核参数: the KPI settings (settings.write). */
export default function KpiSettingsTab() {
  const { t } = useT();
  const { message } = App.useApp();
  const settings = useKpiSettings();
  const save = useSaveKpiSettings();
  const [form] = Form.useForm<Values>();
  const [formError, setFormError] = useState<string | null>(null);
  const [r, s1, s2] = [Form.useWatch('response', form) ?? 0, Form.useWatch('resolution', form) ?? 0, Form.useWatch('satisfaction', form) ?? 0];
  const sum = r + s1 + s2;
  const share = (x: number) => (sum > 0 ? Math.round((x / sum) * 1000) / 10 : 0);

  useEffect(() => {
    if (settings.data) form.setFieldsValue(toValues(settings.data));
  }, [settings.data, form]);

  if (settings.isError && !settings.data) return <QueryError error={settings.error} onRetry={() => void settings.refetch()} />;
  if (!settings.data) return <Skeleton active paragraph={{ rows: 8 }} />;

  const onFinish = (v: Values) => {
    setFormError(null);
    if (v.response + v.resolution + v.satisfaction <= 0) return setFormError(t(m.sumZero));
    save.mutate(
      {
        basicSatisfiedWeight: v.basicSatisfiedWeight,
        satisfactionFloor: Math.round(v.floorPercent * 100) / 10000,
        weights: { response: v.response, resolution: v.resolution, satisfaction: v.satisfaction },
      },
      {
        onSuccess: () => message.success(t(common.saved)),
        onError: (e) =>
          setFormError(
            applyServerErrors(form, e, {
              satisfactionFloor: 'floorPercent',
              'weights.response': 'response',
              'weights.resolution': 'resolution',
              'weights.satisfaction': 'satisfaction',
            }).formMessage,
          ),
      },
    );
  };

  return (
    <div data-testid="kpi-settings-tab" className="zt-cat-settings">
      <Typography.Paragraph type="secondary">{t(m.intro)}</Typography.Paragraph>
      {formError ? <Alert type="error" showIcon title={formError} style={{ marginBottom: 16 }} /> : null}
      <Form<Values> form={form} name="kpi" layout="vertical" onFinish={onFinish} initialValues={toValues(settings.data)}>
        <Row gutter={16}>
          <Col xs={24} lg={12}>
            <Card title={t(m.satisfaction)} size="small" style={{ marginBottom: 16 }}>
              <Form.Item name="basicSatisfiedWeight" label={t(m.basicWeight)} extra={t(m.basicWeightHint)} rules={[{ required: true }]}>
                <InputNumber<number> min={0} max={1} step={0.05} style={{ width: '100%' }} data-testid="kpi-basic-weight" />
              </Form.Item>
              <Form.Item name="floorPercent" label={t(m.floor)} extra={t(m.floorHint)} rules={[{ required: true }]}>
                <InputNumber<number> min={0} max={100} step={0.5} suffix="%" style={{ width: '100%' }} data-testid="kpi-floor" />
              </Form.Item>
            </Card>
          </Col>
          <Col xs={24} lg={12}>
            <Card title={t(m.weights)} size="small" style={{ marginBottom: 16 }}>
              <Typography.Paragraph type="secondary" style={{ fontSize: 13 }}>
                {t(m.weightsHint)}
              </Typography.Paragraph>
              <Row gutter={12}>
                {(['response', 'resolution', 'satisfaction'] as const).map((k) => (
                  <Col xs={24} sm={8} key={k}>
                    <Form.Item name={k} label={t(k === 'satisfaction' ? m.satisfactionW : m[k])} rules={[{ required: true }]}>
                      <InputNumber<number> min={0} max={100} style={{ width: '100%' }} data-testid={`kpi-weight-${k}`} />
                    </Form.Item>
                  </Col>
                ))}
              </Row>
              <Typography.Text type={sum > 0 ? 'secondary' : 'danger'}>{sum > 0 ? t(m.sum, { n: sum, a: share(r), b: share(s1), c: share(s2) }) : t(m.sumZero)}</Typography.Text>
            </Card>
          </Col>
        </Row>
        <Button type="primary" htmlType="submit" icon={<SaveOutlined />} loading={save.isPending} data-testid="kpi-settings-save">
          {t(common.save)}
        </Button>
      </Form>
    </div>
  );
}
