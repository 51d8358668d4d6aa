import { Type } from 'typebox';
import { Nullable, PageQueryProps, Strict } from '../../core/http/schemas';

export const DataScopeSchema = Type.Union([Type.Literal('unit'), Type.Literal('subtree'), Type.Literal('all')], { description: 'unit = own unit, subtree = own unit and below, all' });

export const User = Type.Object({
  id: Type.Integer(), username: Type.String(), displayName: Type.String(), unitId: Type.Integer(), unitName: Type.String(),
  roles: Type.Array(Type.String()), dataScope: Type.String(), phone: Nullable(Type.String({ description: 'Masked unless the caller may see personal data' })),
  disabled: Type.Boolean(), lockedUntil: Nullable(Type.String()), lastLoginAt: Nullable(Type.String()), createdAt: Type.String(),
}, { $id: 'User', title: 'User' });

const Username = Type.String({ minLength: 3, maxLength: 32, pattern: '^[A-Za-z][A-Za-z0-9_.-]*$', description: 'Starts with a letter; letters, digits, _ . -' });
const DisplayName = Type.String({ minLength: 1, maxLength: 50 });
const Phone = Nullable(Type.String({ maxLength: 20, pattern: '^[0-9+\\- ]{5,20}$' }));
const Roles = Type.Array(Type.String({ minLength: 1, maxLength: 32 }), { minItems: 1, maxItems: 20, uniqueItems: true });

export const CreateUserBody = Strict({
  username: Username, displayName: DisplayName, unitId: Type.Integer({ minimum: 1 }), roles: Roles,
  dataScope: Type.Optional(DataScopeSchema), phone: Type.Optional(Phone), password: Type.String({ minLength: 1, maxLength: 256 }),
});

export const UpdateUserBody = Strict({
  displayName: Type.Optional(DisplayName), unitId: Type.Optional(Type.Integer({ minimum: 1 })), roles: Type.Optional(Roles),
  dataScope: Type.Optional(DataScopeSchema), phone: Type.Optional(Phone), disabled: Type.Optional(Type.Boolean()),
});

export const ResetPasswordBody = Strict({ newPassword: Type.String({ minLength: 1, maxLength: 256 }) });

export const ListUsersQuery = Strict({
  ...PageQueryProps,
  unit: Type.Optional(Type.Integer({ minimum: 1 })),
  role: Type.Optional(Type.String({ maxLength: 32 })),
  q: Type.Optional(Type.String({ maxLength: 64 })),
  disabled: Type.Optional(Type.Boolean()),
});

export const RoleItem = Type.Object({
  role: Type.String(), name: Type.String(), nameEn: Type.String(), defaultScope: Type.String(), permissions: Type.Array(Type.String()),
});
