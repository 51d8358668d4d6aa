import { Type } from 'typebox';
import { Nullable, Strict } from '../../core/http/schemas';
import { UNIT_KINDS } from './org.tables';

export const UnitKindSchema = Type.Union(UNIT_KINDS.map((k) => Type.Literal(k)), { description: 'government, office, division, hotline_centre, department, district, street, enterprise' });

export const Unit = Type.Object({
  id: Type.Integer(), parentId: Nullable(Type.Integer()), code: Type.String(), name: Type.String(), kind: Type.String(),
  sortOrder: Type.Integer(), active: Type.Boolean(),
}, { $id: 'Unit', title: 'Unit' });

const Code = Type.String({ minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9_.-]+$', description: 'Letters, digits, _ . -' });
const Name = Type.String({ minLength: 1, maxLength: 100 });

export const CreateUnitBody = Strict({
  parentId: Nullable(Type.Integer({ minimum: 1 })),
  code: Code,
  name: Name,
  kind: UnitKindSchema,
  sortOrder: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
});

export const UpdateUnitBody = Strict({
  parentId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  code: Type.Optional(Code),
  name: Type.Optional(Name),
  kind: Type.Optional(UnitKindSchema),
  sortOrder: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
  active: Type.Optional(Type.Boolean()),
});

export const ListUnitsQuery = Strict({
  kind: Type.Optional(UnitKindSchema),
  parentId: Type.Optional(Type.Integer({ minimum: 1 })),
  q: Type.Optional(Type.String({ maxLength: 100 })),
  active: Type.Optional(Type.Boolean()),
});
