import type { AppContext } from '../../context';
import type { Actor } from '../../core/http/access';
import { buildXlsx } from '../../core/xlsx';
import { buildListQuery, type ListQuery } from './requests.query';
import { toRequestSummary } from './requests.service';
import { requestStats, type StatsQuery } from './requests.stats';

const EXPORT_LIMIT = 100_000;
const pct = (v: number | null) => (v == null ? null : Math.round(v * 10000) / 100);

/** The list as .xlsx; personal data is masked unless the exporter may see it (and never for confidential requests). */
export async function exportRequestsXlsx(ctx: AppContext, actor: Actor, q: ListQuery): Promise<Buffer> {
  const base = await buildListQuery(ctx, actor, q);
  const rows = await base
    .leftJoin('units as hu', 'hu.id', 'requests.handling_unit_id')
    .leftJoin('units as du', 'du.id', 'requests.district_unit_id')
    .leftJoin('categories', 'categories.id', 'requests.category_id')
    .leftJoin('channels', 'channels.id', 'requests.channel_id')
    .selectAll('requests')
    .select(['hu.name as unit_name', 'du.name as district_name', 'categories.path as category_path', 'channels.name as channel_name'])
    .orderBy('requests.accepted_at', 'desc').limit(EXPORT_LIMIT).execute();
  const items = rows.map((r) => ({ ...toRequestSummary(r, actor, ctx.config.timeZone, ctx.clock.now()), content: r.content, replyText: r.reply_text }));
  return buildXlsx('诉求', [
    { header: '编号 number', width: 16, value: (r) => r.number },
    { header: '受理时间 accepted', width: 22, value: (r) => r.acceptedAt },
    { header: '状态 status', width: 10, value: (r) => r.status },
    { header: '类型 type', width: 10, value: (r) => r.type },
    { header: '渠道 channel', width: 14, value: (r) => r.channelName },
    { header: '分类 category', width: 28, value: (r) => r.categoryPath },
    { header: '区县 district', width: 12, value: (r) => r.districtName },
    { header: '标题 title', width: 30, value: (r) => r.title },
    { header: '内容 content', width: 60, value: (r) => r.content },
    { header: '承办单位 unit', width: 22, value: (r) => r.handlingUnitName },
    { header: '诉求人 requester', width: 12, value: (r) => r.requesterName },
    { header: '电话 phone', width: 14, value: (r) => r.requesterPhone },
    { header: '答复期限 reply due', width: 22, value: (r) => r.replyDueAt },
    { header: '是否超期 overdue', width: 10, value: (r) => (r.isOverdue ? '是' : '否') },
    { header: '答复 reply', width: 60, value: (r) => r.replyText },
  ], items);
}

export async function exportStatsXlsx(ctx: AppContext, actor: Actor, q: StatsQuery): Promise<Buffer> {
  const stats = await requestStats(ctx, actor, q);
  const rows = [...stats.groups, { key: null, name: '合计', counts: stats.total.counts, rates: stats.total.rates }];
  return buildXlsx('考核指标', [
    { header: '分组 group', width: 26, value: (r) => r.name },
    { header: '受理 accepted', value: (r) => r.counts.accepted },
    { header: '派单 orders', value: (r) => r.counts.orders },
    { header: '响应率% response', value: (r) => pct(r.rates.responseRate) },
    { header: '回访 callbacks', value: (r) => r.counts.callbacks },
    { header: '解决率% resolution', value: (r) => pct(r.rates.resolutionRate) },
    { header: '满意率% satisfaction', value: (r) => pct(r.rates.satisfactionRate) },
    { header: '按期办结率% on time', value: (r) => pct(r.rates.onTimeRate) },
    { header: '退单率% returns', value: (r) => pct(r.rates.returnRate) },
    { header: '直接办结率% direct', value: (r) => pct(r.rates.directRate) },
    { header: '重办率% redo', value: (r) => pct(r.rates.redoRate) },
    { header: '考核得分 score', value: (r) => (r.rates.score == null ? null : Math.round(r.rates.score * 100) / 100) },
  ], rows);
}
