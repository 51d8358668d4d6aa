import { Type } from 'typebox';
import { Nullable, Strict } from '../../core/http/schemas';

export const DictionaryBody = Strict({
  words: Type.Array(Type.String({ maxLength: 30 }), { maxItems: 20_000, description: 'The administrator\'s words (replaces the list); names of units and categories are in the dictionary already' }),
});

export const DictionaryReply = Type.Object({
  version: Type.Integer(),
  words: Type.Array(Type.String()),
  builtIn: Type.Object({ places: Type.Integer(), organisations: Type.Integer(), categoryTerms: Type.Integer() }),
  totalWords: Type.Integer({ description: 'Words of the city dictionary in use, built-in and added' }),
});

export const SegmentBody = Strict({ text: Type.String({ minLength: 1, maxLength: 4000 }) });

export const SegmentReply = Type.Object({
  words: Type.Array(Type.String()),
  searchTokens: Type.Array(Type.String()),
  keywords: Type.Array(Type.Object({ word: Type.String(), weight: Type.Number() })),
});

export const ClassifyBody = Strict({
  title: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  content: Type.String({ minLength: 1, maxLength: 4000 }),
  district: Type.Optional(Nullable(Type.Integer({ minimum: 1, description: 'The district unit id' }))),
});

export const ClassifyReply = Type.Object({
  categories: Type.Array(Type.Object({ id: Type.Integer(), code: Type.String(), path: Type.Array(Type.String()), score: Type.Number() })),
  units: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String(), score: Type.Number() })),
  keywords: Type.Array(Type.String()),
  model: Nullable(Type.Object({ version: Type.Integer(), trainedAt: Type.String() })),
});

export const ModelReply = Nullable(Type.Object({
  version: Type.Integer(), trainedAt: Type.String(), trainedBy: Type.String(), trainingRows: Type.Integer(),
  metrics: Nullable(Type.Object({}, { additionalProperties: true })),
}));

export const SettingsSchema = Strict({
  autoDispatch: Strict({
    enabled: Type.Boolean({ description: '自动派单: dispatch new requests to the suggested unit when the model is sure enough' }),
    minConfidence: Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'Probability the top unit must reach' }),
  }),
  training: Strict({
    hour: Type.Integer({ minimum: 0, maximum: 23, description: 'Local hour of the nightly retraining' }),
    maxRows: Type.Integer({ minimum: 100, maximum: 2_000_000, description: 'Newest closed requests it learns from' }),
  }),
});

export const ImportView = Type.Object({
  id: Type.Integer(), filename: Type.String(), status: Type.String(), totalRows: Nullable(Type.Integer()), rowsDone: Type.Integer(),
  imported: Type.Integer(), skipped: Type.Integer(), errorCount: Type.Integer(),
  errors: Type.Optional(Type.Array(Type.Object({ line: Type.Integer(), message: Type.String() }))),
  progress: Type.Number({ description: 'rowsDone ÷ totalRows' }), message: Nullable(Type.String()),
  createdAt: Type.String(), startedAt: Nullable(Type.String()), finishedAt: Nullable(Type.String()),
});
