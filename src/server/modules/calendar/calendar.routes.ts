import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context';
import { Nullable, Strict, ErrorReply } from '../../core/http/schemas';
import * as calendar from './calendar.service';

const tags = ['calendar'];
const DateStr = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD (local date)' });
const Period = Strict({ start: Type.String({ pattern: '^\\d{2}:\\d{2}$' }), end: Type.String({ pattern: '^\\d{2}:\\d{2}$' }) });

export async function calendarRoutes(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/calendar/deadline', {
    config: { permission: 'authenticated' },
    schema: {
      tags, summary: '计算期限 Deadline from a start time by the working calendar',
      querystring: Strict({
        start: Type.String({ format: 'date-time' }),
        amount: Type.Number({ minimum: 0, maximum: 10000 }),
        unit: Type.Union([Type.Literal('working-days'), Type.Literal('working-hours'), Type.Literal('calendar-hours'), Type.Literal('calendar-days')]),
      }),
      response: { 200: Type.Object({ due: Type.String() }), 400: ErrorReply },
    },
  }, async (req) => calendar.computeDeadline(ctx, new Date(req.query.start), req.query.amount, req.query.unit));

  r.get('/calendar', {
    config: { permission: 'authenticated' },
    schema: {
      tags, summary: '工作日历 Days off and moved working days of a year, and the working hours',
      querystring: Strict({ year: Type.Integer({ minimum: 2000, maximum: 2100 }) }),
      response: { 200: Type.Object({ year: Type.Integer(), timeZone: Type.String(), workingHours: Type.Array(Period), days: Type.Array(Type.Object({ date: Type.String(), kind: Type.String(), note: Nullable(Type.String()) })) }) },
    },
  }, async (req) => calendar.getCalendarYear(ctx, req.query.year));

  r.put('/calendar/days/:date', {
    config: { permission: 'settings.write' },
    schema: {
      tags, summary: '设置日历例外 Mark a date as day off or moved working day', params: Strict({ date: DateStr }),
      body: Strict({ kind: Type.Union([Type.Literal('off'), Type.Literal('work')]), note: Type.Optional(Nullable(Type.String({ maxLength: 100 }))) }),
      response: { 204: Type.Null(), 400: ErrorReply },
    },
  }, async (req, reply) => {
    await calendar.setCalendarDay(ctx, req.actor!, req.params.date, req.body.kind, req.body.note ?? null);
    return reply.status(204).send(null);
  });

  r.delete('/calendar/days/:date', {
    config: { permission: 'settings.write' },
    schema: { tags, summary: '删除日历例外 Back to the plain week for a date', params: Strict({ date: DateStr }), response: { 204: Type.Null() } },
  }, async (req, reply) => {
    await calendar.setCalendarDay(ctx, req.actor!, req.params.date, null, null);
    return reply.status(204).send(null);
  });

  r.post('/calendar/import', {
    config: { permission: 'settings.write' },
    schema: {
      tags, summary: '导入节假日 Import official lists by year (same shape as the shipped cn-holidays.json)',
      body: Strict({ years: Type.Record(Type.String({ pattern: '^\\d{4}$' }), Strict({ off: Type.Array(DateStr), work: Type.Array(DateStr) })) }),
      response: { 204: Type.Null(), 400: ErrorReply },
    },
  }, async (req, reply) => {
    await calendar.importCalendarYears(ctx, req.actor!, req.body.years);
    return reply.status(204).send(null);
  });

  r.put('/calendar/working-hours', {
    config: { permission: 'settings.write' },
    schema: { tags, summary: '设置工作时间 Daily working periods', body: Strict({ workingHours: Type.Array(Period, { minItems: 1, maxItems: 4 }) }), response: { 204: Type.Null(), 400: ErrorReply } },
  }, async (req, reply) => {
    await calendar.setWorkingHours(ctx, req.actor!, req.body.workingHours);
    return reply.status(204).send(null);
  });
}
