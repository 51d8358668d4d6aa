import { Type } from 'typebox';
import { Nullable, Strict } from '../../core/http/schemas';
import { ATTRIBUTE_DATATYPES } from './open311.tables';

export const CategoryParams = Strict({ categoryId: Type.Integer({ minimum: 1 }) });

const AttributeValueSchema = Strict({
  key: Type.String({ minLength: 1, maxLength: 100, description: 'What a partner sends, e.g. attribute[code]=key' }),
  name: Type.String({ minLength: 1, maxLength: 200, description: 'What the citizen reads' }),
});

export const AttributeSchema = Strict({
  code: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', description: 'Sent by partners as attribute[code]; letters, digits, _ and -' }),
  variable: Type.Optional(Type.Boolean({ description: 'false: information shown to the citizen, no value collected (default true)' })),
  datatype: Type.Union(ATTRIBUTE_DATATYPES.map((d) => Type.Literal(d)), { description: 'string | number | datetime | text | singlevaluelist | multivaluelist' }),
  required: Type.Optional(Type.Boolean()),
  datatypeDescription: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  order: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000, description: 'Display order; the list position when absent' })),
  description: Type.String({ minLength: 1, maxLength: 500, description: 'The question put to the citizen' }),
  values: Type.Optional(Type.Array(AttributeValueSchema, { maxItems: 200, description: 'The choices of a list datatype' })),
});

export const ReplaceAttributesBody = Strict({
  attributes: Type.Array(AttributeSchema, { maxItems: 50, description: 'The whole list; it replaces the current one' }),
});

export const AttributesReply = Type.Object({
  categoryId: Type.Integer(),
  serviceCode: Type.String({ description: 'The category code, which is the Open311 service_code' }),
  categoryPath: Type.String(),
  attributes: Type.Array(Type.Object({
    code: Type.String(), variable: Type.Boolean(), datatype: Type.String(), required: Type.Boolean(), datatypeDescription: Nullable(Type.String()),
    order: Type.Integer(), description: Type.String(), values: Type.Array(Type.Object({ key: Type.String(), name: Type.String() })),
  })),
});

export const SettingsSchema = Type.Object({
  jurisdictionId: Nullable(Type.String({ maxLength: 100, description: 'When set, a request giving another jurisdiction_id gets a 404' })),
  contact: Type.String({ maxLength: 500, description: 'discovery: contact' }),
  keyService: Type.String({ maxLength: 500, description: 'discovery: key_service (how to get an API key)' }),
});

export const UpdateSettingsBody = Strict({
  jurisdictionId: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  contact: Type.Optional(Type.String({ maxLength: 500 })),
  keyService: Type.Optional(Type.String({ maxLength: 500 })),
});
