import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context';
import { ErrorReply, IdParams } from '../../core/http/schemas';
import { CreateUnitBody, ListUnitsQuery, Unit, UpdateUnitBody } from './org.schema';
import * as org from './org.service';

const tags = ['units'];

export async function orgRoutes(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/units', {
    config: { permission: 'units.read' },
    schema: { tags, summary: '单位列表 All units (flat; the tree is built from parentId)', querystring: ListUnitsQuery, response: { 200: Type.Object({ items: Type.Array(Unit), total: Type.Integer() }) } },
  }, async (req) => {
    const items = await org.listUnits(ctx, req.query);
    return { items, total: items.length };
  });

  r.get('/units/:id', {
    config: { permission: 'units.read' },
    schema: { tags, summary: '单位 One unit', params: IdParams, response: { 200: Unit, 404: ErrorReply } },
  }, async (req) => org.getUnit(ctx, req.params.id));

  r.post('/units', {
    config: { permission: 'units.write' },
    schema: { tags, summary: '新建单位 Create a unit', body: CreateUnitBody, response: { 201: Unit, 400: ErrorReply, 409: ErrorReply } },
  }, async (req, reply) => reply.status(201).send(await org.createUnit(ctx, req.actor!, req.body)));

  r.patch('/units/:id', {
    config: { permission: 'units.write' },
    schema: { tags, summary: '修改单位 Update a unit', params: IdParams, body: UpdateUnitBody, response: { 200: Unit, 400: ErrorReply, 404: ErrorReply, 409: ErrorReply } },
  }, async (req) => org.updateUnit(ctx, req.actor!, req.params.id, req.body));
}
