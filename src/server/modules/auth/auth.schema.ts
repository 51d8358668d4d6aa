import { Type } from 'typebox';
import { Nullable, Strict } from '../../core/http/schemas';

export const LoginBody = Strict({
  username: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ minLength: 1, maxLength: 256 }),
});

export const ChangePasswordBody = Strict({
  currentPassword: Type.String({ minLength: 1, maxLength: 256 }),
  newPassword: Type.String({ minLength: 1, maxLength: 256 }),
});

export const MeReply = Type.Object({
  user: Type.Object({
    id: Type.Integer(), username: Type.String(), displayName: Type.String(), unitId: Type.Integer(),
    roles: Type.Array(Type.String()), dataScope: Type.String(), mustChangePassword: Type.Boolean(),
  }),
  unit: Type.Object({ id: Type.Integer(), code: Type.String(), name: Type.String(), kind: Type.String() }),
  permissions: Type.Array(Type.String()),
  csrfToken: Type.String({ description: 'Send as X-CSRF-Token on every cookie-authenticated write' }),
  sessionExpiresAt: Nullable(Type.String()),
});

export const CreateTokenBody = Strict({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  userId: Type.Optional(Type.Integer({ minimum: 1, description: 'Whose roles the token carries; default the caller' })),
});

export const TokenItem = Type.Object({
  id: Type.Integer(), name: Type.String(), userId: Type.Integer(), username: Type.String(),
  createdAt: Type.String(), lastUsedAt: Nullable(Type.String()), revokedAt: Nullable(Type.String()),
});
