import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context';
import { ErrorReply } from '../../core/http/schemas';
import { getCategoryAttributes, replaceCategoryAttributes } from './open311.attributes';
import { AttributesReply, CategoryParams, ReplaceAttributesBody, SettingsSchema, UpdateSettingsBody } from './open311.schema';
import { getOpen311Settings, updateOpen311Settings } from './open311.service';

const tags = ['open311: administration'];

/** Under /api/v1: what administrators configure for Open311 (service attributes per category, discovery settings). */
export async function open311AdminRoutes(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/open311/categories/:categoryId/attributes', {
    config: { permission: 'catalog.write' },
    schema: { tags, summary: 'Open311 服务属性 The extra fields a category (an Open311 service) asks partners for', params: CategoryParams, response: { 200: AttributesReply, 404: ErrorReply } },
  }, async (req) => getCategoryAttributes(ctx, req.params.categoryId));

  r.put('/open311/categories/:categoryId/attributes', {
    config: { permission: 'catalog.write' },
    schema: {
      tags, summary: '设置 Open311 服务属性 Replace the category\'s attribute list (the service definition)', params: CategoryParams, body: ReplaceAttributesBody,
      response: { 200: AttributesReply, 400: ErrorReply, 404: ErrorReply },
    },
  }, async (req) => replaceCategoryAttributes(ctx, req.actor!, req.params.categoryId, req.body.attributes));

  r.get('/open311/settings', {
    config: { permission: 'settings.write' },
    schema: { tags, summary: 'Open311 设置 jurisdiction_id and the discovery contact texts', response: { 200: SettingsSchema } },
  }, async () => getOpen311Settings(ctx.db));

  r.put('/open311/settings', {
    config: { permission: 'settings.write' },
    schema: { tags, summary: '修改 Open311 设置', body: UpdateSettingsBody, response: { 200: SettingsSchema, 400: ErrorReply } },
  }, async (req) => updateOpen311Settings(ctx, req.actor!, req.body));
}
