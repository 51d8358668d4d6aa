import fs from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

// —— a tiny XML reader, enough for GeoReport replies (elements, text, entities; no attributes) ——

export interface XmlNode {
  name: string;
  children: XmlNode[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    if (!(e in ENTITIES)) throw new Error(`unknown entity ${m}`);
    return ENTITIES[e];
  });
}

/** Parses a document strictly: one root, every tag closed by its own name, text only inside elements. */
export function parseXml(doc: string): XmlNode {
  let s = doc;
  const decl = /^<\?xml version="1\.0" encoding="utf-8"\?>\s*/i.exec(s);
  if (!decl) throw new Error('missing XML declaration with encoding="utf-8"');
  s = s.slice(decl[0].length);
  const stack: XmlNode[] = [{ name: '#document', children: [], text: '' }];
  const token = /<\/([A-Za-z_][\w.-]*)>|<([A-Za-z_][\w.-]*)(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  while (pos < s.length && (m = token.exec(s))) {
    pos = token.lastIndex;
    const top = stack[stack.length - 1];
    if (m[1]) {
      if (top.name !== m[1]) throw new Error(`</${m[1]}> closes <${top.name}>`);
      stack.pop();
    } else if (m[2]) {
      const node: XmlNode = { name: m[2], children: [], text: '' };
      top.children.push(node);
      if (!m[3]) stack.push(node);
    } else if (m[4]) {
      if (top.name === '#document') {
        if (m[4].trim()) throw new Error('text outside the root element');
      } else {
        if (/[<>]/.test(m[4])) throw new Error('unescaped markup in text');
        top.text += decode(m[4]);
      }
    }
  }
  if (pos !== s.length) throw new Error(`cannot read XML at ${pos}: ${s.slice(pos, pos + 40)}`);
  if (stack.length !== 1) throw new Error(`<${stack[stack.length - 1].name}> is not closed`);
  if (stack[0].children.length !== 1) throw new Error('a document has exactly one root element');
  return stack[0].children[0];
}

/** GeoReport's list elements: their children are items, not fields. */
const LISTS = new Set(['services', 'service_requests', 'service_request_updates', 'attributes', 'values', 'endpoints', 'formats', 'errors']);

/** An XML reply as data: lists as arrays, elements with children as objects, leaves as text or null. */
export function xmlToData(node: XmlNode): unknown {
  if (LISTS.has(node.name)) return node.children.map(xmlToData);
  if (node.children.length) {
    const out: Record<string, unknown> = {};
    for (const c of node.children) {
      if (c.name in out) throw new Error(`<${node.name}> has <${c.name}> twice`);
      out[c.name] = xmlToData(c);
    }
    return out;
  }
  return node.text === '' ? null : node.text;
}

/** A JSON reply as XML can carry it: every scalar as text, null and '' alike. */
export function jsonAsXmlText(value: unknown): unknown {
  if (value === null || value === undefined || value === '') return null;
  if (Array.isArray(value)) return value.map(jsonAsXmlText);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, jsonAsXmlText(v)]));
  return String(value);
}

// —— JSON Schemas: the Open311 project's published ones, and the facts we rely on, inline ——

export type ReplyKind = 'request' | 'requests' | 'service' | 'services' | 'service_definition' | 'errors' | 'updates' | 'post_reply' | 'token_reply' | 'update_reply' | 'discovery';

const nullable = (schema: object) => ({ anyOf: [schema, { type: 'null' }] });
const dateTime = { type: 'string', format: 'date-time', pattern: '(Z|[+-]\\d{2}:\\d{2})$' };

/** What this project relies on, whatever the published folder holds: required fields, types, formats. */
export const INLINE_SCHEMAS: Record<ReplyKind, object> = {
  request: {
    type: 'object',
    required: ['service_request_id', 'status', 'service_code', 'requested_datetime'],
    properties: {
      service_request_id: { type: 'string' }, status: { enum: ['open', 'closed'] }, service_code: { type: 'string' },
      status_notes: nullable({ type: 'string' }), service_name: nullable({ type: 'string' }), description: nullable({ type: 'string', maxLength: 4000 }),
      agency_responsible: nullable({ type: 'string' }), service_notice: nullable({ type: 'string' }), requested_datetime: dateTime,
      updated_datetime: nullable(dateTime), expected_datetime: nullable(dateTime), address: nullable({ type: 'string' }), address_id: nullable({ type: 'string' }),
      zipcode: nullable({ type: 'string' }), lat: nullable({ type: 'number' }), long: nullable({ type: 'number' }), media_url: nullable({ type: 'string', format: 'uri' }),
    },
  },
  requests: { type: 'array', maxItems: 1000, items: { $ref: '#/definitions/request' } },
  service: {
    type: 'object',
    required: ['service_code', 'service_name', 'metadata', 'type'],
    properties: {
      service_code: { type: 'string' }, service_name: { type: 'string' }, description: nullable({ type: 'string' }), metadata: { type: 'boolean' },
      type: { enum: ['realtime', 'batch', 'blackbox'] }, keywords: nullable({ type: 'string' }), group: nullable({ type: 'string' }),
    },
  },
  services: { type: 'array', items: { $ref: '#/definitions/service' } },
  service_definition: {
    type: 'object',
    required: ['service_code', 'attributes'],
    properties: {
      service_code: { type: 'string' },
      attributes: {
        type: 'array',
        items: {
          type: 'object', required: ['variable', 'code', 'datatype', 'required', 'order', 'description'],
          properties: {
            variable: { type: 'boolean' }, code: { type: 'string' }, required: { type: 'boolean' }, order: { type: 'integer' }, description: { type: 'string' },
            datatype: { enum: ['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'] }, datatype_description: nullable({ type: 'string' }),
            values: { type: 'array', items: { type: 'object', required: ['key', 'name'], properties: { key: { type: 'string' }, name: { type: 'string' } } } },
          },
        },
      },
    },
  },
  errors: { type: 'array', minItems: 1, items: { type: 'object', required: ['code', 'description'], additionalProperties: false, properties: { code: { type: 'integer' }, description: { type: 'string', minLength: 1 } } } },
  updates: {
    type: 'array', maxItems: 1000,
    items: {
      type: 'object', required: ['update_id', 'service_request_id', 'status', 'updated_datetime', 'description'],
      properties: { update_id: { type: 'string' }, service_request_id: { type: 'string' }, status: { type: 'string', pattern: '^[A-Z_]+$' }, updated_datetime: dateTime, description: { type: 'string' }, media_url: nullable({ type: 'string', format: 'uri' }) },
    },
  },
  post_reply: {
    type: 'array', minItems: 1, maxItems: 1,
    items: { type: 'object', required: ['service_request_id', 'service_notice', 'token'], properties: { service_request_id: { type: 'string' }, service_notice: { type: 'string' }, account_id: { type: 'string' }, token: { type: 'string' } } },
  },
  update_reply: {
    type: 'array', minItems: 1, maxItems: 1,
    items: { type: 'object', required: ['update_id'], additionalProperties: false, properties: { update_id: { type: 'string', pattern: '^\\d+$' } } },
  },
  token_reply: {
    type: 'array', minItems: 1, maxItems: 1,
    items: { type: 'object', required: ['service_request_id', 'token'], additionalProperties: false, properties: { service_request_id: { type: 'string' }, token: { type: 'string' } } },
  },
  discovery: {
    type: 'object', required: ['changeset', 'contact', 'key_service', 'endpoints'],
    properties: {
      changeset: dateTime, contact: { type: 'string' }, key_service: { type: 'string' },
      endpoints: { type: 'array', minItems: 1, items: { type: 'object', required: ['specification', 'url', 'changeset', 'type', 'formats'], properties: { url: { type: 'string', format: 'uri' }, formats: { type: 'array', items: { enum: ['text/xml', 'application/json'] } } } } },
    },
  },
};

/**
 * Where the Open311 project publishes a schema for each kind of reply: its JSON Schema files, and for the
 * POST and token replies (which have none) the definitions of its Swagger 2 file.
 */
const PUBLISHED: Partial<Record<ReplyKind, string>> = {
  request: 'request.json', requests: 'requests.json', service: 'service.json', services: 'services.json', service_definition: 'service-definition.json',
  post_reply: 'swagger.json#/definitions/RequestResponse', token_reply: 'swagger.json#/definitions/TokenResponse',
};
/** Replies that are a list of the published item. */
const LIST_OF_ITEM: Partial<Record<ReplyKind, boolean>> = { post_reply: true, token_reply: true };

function newAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  // Formats of the Swagger file that constrain nothing JSON Schema can check.
  ajv.addFormat('uid', true);
  ajv.addFormat('uint', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= 0 });
  ajv.addFormat('double', { type: 'number', validate: () => true });
  return ajv;
}

export interface SchemaSet {
  /** The published folder, or null when it is absent (the inline schemas still run). */
  publishedDir: string | null;
  /** The published files found and used. */
  files: string[];
  published: Partial<Record<ReplyKind, ValidateFunction>>;
  inline: Record<ReplyKind, ValidateFunction>;
}

/**
 * Compiles the inline schemas, and the published ones found in `dir`, all registered under their file
 * names so that their relative references ("$ref": "request.json") resolve. The published files carry
 * no `$schema` (draft-07 rules read them correctly); one that says draft-04 is read with its `id` as
 * `$id`, the only difference that matters for schemas this simple.
 */
export function loadSchemas(dir: string): SchemaSet {
  const ajv = newAjv();
  const definitions = { request: INLINE_SCHEMAS.request, service: INLINE_SCHEMAS.service };
  const inline = Object.fromEntries(Object.entries(INLINE_SCHEMAS).map(([k, s]) => [k, ajv.compile({ ...s, definitions })])) as Record<ReplyKind, ValidateFunction>;
  const published: SchemaSet['published'] = {};
  if (!fs.existsSync(dir)) return { publishedDir: null, files: [], published, inline };
  const pub = newAjv();
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  for (const file of files) {
    const schema = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>;
    if (typeof schema.$schema === 'string' && schema.$schema.includes('draft-04')) {
      delete schema.$schema;
      if (typeof schema.id === 'string') {
        schema.$id = schema.id;
        delete schema.id;
      }
    }
    pub.addSchema(schema, file);
  }
  for (const [kind, ref] of Object.entries(PUBLISHED) as Array<[ReplyKind, string]>) {
    if (!files.includes(ref.split('#')[0])) continue;
    published[kind] = pub.compile(LIST_OF_ITEM[kind] ? { type: 'array', items: { $ref: ref } } : { $ref: ref });
  }
  return { publishedDir: dir, files, published, inline };
}

/** Validation errors of a JSON reply against every schema that describes it (empty when it is valid). */
export function schemaErrors(set: SchemaSet, kind: ReplyKind, body: unknown): string[] {
  const problems: string[] = [];
  const run = (name: string, v: ValidateFunction | undefined, data: unknown) => {
    if (v && !v(data)) problems.push(`${name}: ${JSON.stringify(v.errors)}`);
  };
  run(`inline ${kind}`, set.inline[kind], body);
  run(`published ${kind}`, set.published[kind], body);
  // The published request/service schemas describe one item: check every item of a list reply too.
  if (kind === 'requests' && Array.isArray(body)) body.forEach((r, i) => run(`published request [${i}]`, set.published.request, r));
  if (kind === 'services' && Array.isArray(body)) body.forEach((s, i) => run(`published service [${i}]`, set.published.service, s));
  return problems;
}
