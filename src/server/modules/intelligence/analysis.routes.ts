import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context';
import { ErrorReply, IdParams, Page } from '../../core/http/schemas';
import { visibleUnitIds } from '../../core/http/scope';
import { ensureIndexJob } from './analysis.index';
import {
  BriefingBody, BriefingListQuery, BriefingParams, BriefingReply, BriefingSummary, HotspotsQuery, HotspotsReply, RelatedDraftBody, RelatedReply, TopicBody,
  TopicReply, TopicsQuery, TopicsReply,
} from './analysis.schema';
import { renderBriefingDocx } from './briefings.docx';
import { ensureBriefingSchedules, finishedContent, getBriefing, listBriefings, requestBriefing } from './briefings.service';
import { findRelatedForDraft, findRelatedForRequest } from './duplicates.service';
import { findHotspots } from './hotspots.service';
import { createTopic, getTopic, topicCandidates } from './topics.service';

const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const tags = ['intelligence'];

/** Request analysis: related requests, hotspots, 热线速递 briefings, 每月一题 topics. */
export async function analysisRoutes(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  // The instance that runs the job worker keeps the recurring jobs (analysis catch-up, weekly and monthly briefings) alive.
  if (ctx.config.runJobs) {
    await ensureIndexJob(ctx);
    await ensureBriefingSchedules(ctx);
  }

  r.post('/intelligence/related', {
    // requests.accept or requests.dispatch: checked by the service (a route names one permission).
    config: { permission: 'authenticated' },
    schema: {
      tags, summary: '关联诉求 While typing: requests of the last 30 days from the same phone, at the same address or with similar text',
      body: RelatedDraftBody, response: { 200: RelatedReply, 400: ErrorReply, 403: ErrorReply },
    },
  }, async (req) => findRelatedForDraft(ctx, req.actor!, req.body));

  r.get('/requests/:id/related', {
    config: { permission: 'requests.read' },
    schema: {
      tags, summary: '关联诉求 Related requests 30 days either side of this one, with what one-click merging needs', params: IdParams,
      response: { 200: RelatedReply, 404: ErrorReply },
    },
  }, async (req) => findRelatedForRequest(ctx, req.actor!, req.params.id));

  r.get('/intelligence/hotspots', {
    config: { permission: 'requests.stats' },
    schema: {
      tags, summary: '热点 Daily and weekly spikes per category × district and keyword cluster (Poisson / negative-binomial tail on the trailing 28 days)',
      querystring: HotspotsQuery, response: { 200: HotspotsReply, 400: ErrorReply },
    },
  }, async (req) => findHotspots(ctx, req.query, ctx.db, await visibleUnitIds(ctx, req.actor!)));

  r.post('/briefings', {
    config: { permission: 'requests.stats' },
    schema: {
      tags, summary: '生成热线速递 Create (or regenerate) the briefing of a week or month; generation runs as a durable job',
      body: BriefingBody, response: { 200: BriefingSummary, 202: BriefingSummary, 400: ErrorReply },
    },
  }, async (req, reply) => {
    const { view, created } = await requestBriefing(ctx, req.actor!, req.body);
    const { content: _content, ...summary } = view;
    return reply.status(created || req.body.regenerate ? 202 : 200).send(summary);
  });

  r.get('/briefings', {
    config: { permission: 'requests.stats' },
    schema: { tags, summary: '热线速递列表 Briefings, newest period first', querystring: BriefingListQuery, response: { 200: Page(BriefingSummary) } },
  }, async (req) => listBriefings(ctx, req.query));

  r.get('/briefings/:id', {
    config: { permission: 'requests.stats' },
    schema: { tags, summary: '热线速递 One briefing: status, progress and (when generated) its content', params: BriefingParams, response: { 200: BriefingReply, 404: ErrorReply } },
  }, async (req) => getBriefing(ctx, req.params.id));

  r.get('/briefings/:id.docx', {
    config: { permission: 'requests.stats' },
    schema: { tags, summary: '热线速递 (.docx) The briefing as a Word file with tables and charts (400 until generated)', params: BriefingParams },
  }, async (req, reply) => {
    const { content, view } = await finishedContent(ctx, req.params.id);
    const buf = await renderBriefingDocx(content);
    const filename = `热线速递-${view.period === 'week' ? '周' : '月'}-${view.start}.docx`;
    return reply.type(DOCX_MIME).header('content-disposition', `attachment; filename="briefing-${view.start}.docx"; filename*=UTF-8''${encodeURIComponent(filename)}`).send(buf);
  });

  r.get('/intelligence/topics', {
    config: { permission: 'requests.stats' },
    schema: { tags, summary: '每月一题候选 Recurring problem clusters of a month, ranked, with their score breakdown', querystring: TopicsQuery, response: { 200: TopicsReply, 400: ErrorReply } },
  }, async (req) => topicCandidates(ctx, req.query.month, await visibleUnitIds(ctx, req.actor!)));

  r.post('/intelligence/topics', {
    // requests.supervise or settings.write: checked by the service.
    config: { permission: 'authenticated' },
    schema: { tags, summary: '选定每月一题 Choose a topic and its lead unit', body: TopicBody, response: { 201: TopicReply, 400: ErrorReply, 403: ErrorReply, 409: ErrorReply } },
  }, async (req, reply) => reply.status(201).send(await createTopic(ctx, req.actor!, req.body)));

  r.get('/intelligence/topics/:id', {
    config: { permission: 'requests.stats' },
    schema: { tags, summary: '每月一题跟踪 A chosen topic with its monthly volume before and after', params: IdParams, response: { 200: TopicReply, 404: ErrorReply } },
  }, async (req) => getTopic(ctx, req.params.id));
}
