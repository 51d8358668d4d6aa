import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context';
import { ErrorReply, IdParams, Page } from '../../core/http/schemas';
import { CreateUserBody, ListUsersQuery, ResetPasswordBody, RoleItem, UpdateUserBody, User } from './users.schema';
import * as users from './users.service';

const tags = ['users'];

export async function usersRoutes(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/roles', {
    config: { permission: 'authenticated' },
    schema: { tags, summary: '角色 Roles and the permissions they grant', response: { 200: Type.Object({ items: Type.Array(RoleItem) }) } },
  }, async () => ({ items: users.listRoleDefinitions() }));

  r.get('/users', {
    config: { permission: 'users.read' },
    schema: { tags, summary: '用户列表 Users in the caller\'s data scope', querystring: ListUsersQuery, response: { 200: Page(User), 400: ErrorReply } },
  }, async (req) => users.listUsers(ctx, req.actor!, req.query));

  r.get('/users/:id', {
    config: { permission: 'users.read' },
    schema: { tags, summary: '用户 One user', params: IdParams, response: { 200: User, 404: ErrorReply } },
  }, async (req) => users.getUser(ctx, req.actor!, req.params.id));

  r.post('/users', {
    config: { permission: 'users.write' },
    schema: { tags, summary: '新建用户 Create a user', body: CreateUserBody, response: { 201: User, 400: ErrorReply, 409: ErrorReply } },
  }, async (req, reply) => reply.status(201).send(await users.createUser(ctx, req.actor!, { ...req.body, mustChangePassword: true })));

  r.patch('/users/:id', {
    config: { permission: 'users.write' },
    schema: { tags, summary: '修改用户 Update a user (roles, unit, scope, disable)', params: IdParams, body: UpdateUserBody, response: { 200: User, 400: ErrorReply, 404: ErrorReply } },
  }, async (req) => users.updateUser(ctx, req.actor!, req.params.id, req.body));

  r.post('/users/:id/reset-password', {
    config: { permission: 'users.write' },
    schema: { tags, summary: '重置密码 Reset a user\'s password', params: IdParams, body: ResetPasswordBody, response: { 204: Type.Null(), 400: ErrorReply, 404: ErrorReply } },
  }, async (req, reply) => {
    await users.resetPassword(ctx, req.actor!, req.params.id, req.body.newPassword);
    return reply.status(204).send(null);
  });
}
