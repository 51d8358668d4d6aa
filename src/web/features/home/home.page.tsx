import { Suspense } from 'react';
import { Card, Col, Row, Skeleton, Statistic } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import dayjs from 'dayjs';
import { features } from '../../app/features';
import { formatNumber } from '../../shared/format';
import { defineMessages, useT } from '../../shared/i18n';
import { QueryError } from '../../shared/list/query-state';
import { allowed, type CustomCardDefinition, type StatCardDefinition } from '../../shared/registry';
import { useMe, usePermissions } from '../../shared/session';

const m = defineMessages({
  hello: { zh: '{name}，您好', en: 'Hello, {name}' },
  today: { zh: '今天是 {date}', en: 'Today is {date}' },
  noCards: { zh: '您的账号暂无可显示的统计信息。', en: 'There is nothing to show for your account yet.' },
});

function StatCard({ card }: { card: StatCardDefinition }) {
  const { t } = useT();
  const navigate = useNavigate();
  const q = useQuery({ queryKey: card.queryKey, queryFn: ({ signal }) => card.load(signal) });
  return (
    <Card
      className={`zt-stat-card${card.link ? ' zt-clickable' : ''}`}
      hoverable={!!card.link}
      onClick={card.link ? () => navigate(card.link!) : undefined}
      data-testid={`card-${card.id}`}
    >
      {q.isError ? (
        <QueryError compact error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'flex-start', gap: 12 }}>
          <Statistic
            title={t(card.title)}
            value={q.data ?? 0}
            loading={q.isPending}
            formatter={(v) => <span data-testid={`card-value-${card.id}`}>{formatNumber(Number(v))}</span>}
            suffix={card.suffix ? t(card.suffix) : undefined}
          />
          {card.icon ? <span className="zt-stat-icon">{card.icon}</span> : null}
        </div>
      )}
    </Card>
  );
}

function CustomCard({ card }: { card: CustomCardDefinition }) {
  const C = card.component;
  return (
    <Suspense
      fallback={
        <Card>
          <Skeleton active />
        </Card>
      }
    >
      <C />
    </Suspense>
  );
}

export default function HomePage() {
  const { t, lang } = useT();
  const me = useMe();
  const can = usePermissions();
  // Cards of modules the user cannot use (or that are not installed) never render.
  const cards = allowed(
    features.flatMap((f) => f.dashboardCards ?? []),
    can,
  ).sort((a, b) => a.order - b.order);
  const stats = cards.filter((c): c is StatCardDefinition => c.kind === 'stat');
  const custom = cards.filter((c): c is CustomCardDefinition => c.kind === 'custom');
  const date = dayjs().format(lang === 'zh' ? 'YYYY年M月D日 dddd' : 'dddd, D MMMM YYYY');

  return (
    <div data-testid="home">
      <div className="zt-welcome">
        <div>
          <h2>{t(m.hello, { name: me.user.displayName })}</h2>
          <div className="zt-welcome-sub">
            {me.unit.name} · {t(m.today, { date })}
          </div>
        </div>
      </div>
      {cards.length === 0 ? <Card>{t(m.noCards)}</Card> : null}
      <Row gutter={[16, 16]}>
        {stats.map((c) => (
          <Col key={c.id} xs={12} md={8} xl={6}>
            <StatCard card={c} />
          </Col>
        ))}
        {custom.map((c) => (
          <Col key={c.id} xs={24} lg={c.span ?? 12}>
            <CustomCard card={c} />
          </Col>
        ))}
      </Row>
    </div>
  );
}
