import { Type, type TProperties, type TSchema } from 'typebox';

/** An object that rejects unknown properties: every input schema is built with this. */
export function Strict<T extends TProperties>(properties: T, options: { description?: string; title?: string } = {}) {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

export const ErrorReply = Type.Object(
  {
    error: Type.String({ description: 'Error code, e.g. VALIDATION_FAILED' }),
    message: Type.String(),
    details: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
    requestId: Type.Optional(Type.String()),
    lockedUntil: Type.Optional(Type.String({ description: 'AUTH_ACCOUNT_LOCKED: when the lock ends' })),
  },
  // Codes may carry more machine-readable facts (AppError.extra); the serializer must not drop them.
  { $id: 'ErrorReply', title: 'ErrorReply', additionalProperties: true },
);

export const IdParams = Strict({ id: Type.Integer({ minimum: 1 }) });

/** Paging, sorting: page is 1-based; sort is a field name, '-field' for descending. */
export const PageQueryProps = {
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })),
  sort: Type.Optional(Type.String({ maxLength: 64 })),
};

export function Page<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    total: Type.Integer(),
    page: Type.Integer(),
    pageSize: Type.Integer(),
  });
}

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
