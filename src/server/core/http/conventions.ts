import { timingSafeEqual } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { can, type Actor } from './access';
import { AppError, ERROR_MESSAGES, pickLang, resolveMsg, type ErrorCode, type FieldError, type Lang } from './errors';
import { toFieldErrors } from './validation';

/**
 * Every API route names what it needs in `config.permission`: a permission string, 'authenticated'
 * (any logged-in caller), or 'public'. A route without one fails at start-up, not in production.
 */
declare module 'fastify' {
  interface FastifyContextConfig {
    permission?: string;
    /** Answers a session whose user must still set a new password (me, change password, log out). */
    duringPasswordChange?: boolean;
  }
  interface FastifyRequest {
    actor: Actor | null;
    /** Why authentication failed, when a credential was presented but was not good. */
    authError: ErrorCode | null;
    lang: Lang;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Constant-time comparison, so response timing does not reveal how much of a token was right. */
function sameSecret(given: unknown, expected: string | undefined): boolean {
  if (typeof given !== 'string' || !expected) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function installHttpConventions(app: FastifyInstance, opts: { apiPrefixes: string[] }): void {
  app.decorateRequest('actor', null);
  app.decorateRequest('authError', null);
  app.decorateRequest('lang', 'zh');

  app.addHook('onRoute', (route) => {
    const isApi = opts.apiPrefixes.some((p) => route.url.startsWith(p));
    const permission = (route.config as { permission?: string } | undefined)?.permission;
    if (isApi && !permission) throw new Error(`Route ${route.method} ${route.url} declares no permission`);
    const schema = route.schema as Record<string, unknown> | undefined;
    for (const part of ['body', 'querystring', 'params', 'headers']) capIntegers(schema?.[part]);
  });

  app.addHook('onRequest', async (req) => {
    req.lang = pickLang(req.headers['accept-language']);
  });

  app.addHook('preValidation', async (req) => {
    const permission = req.routeOptions.config?.permission;
    if (!permission || permission === 'public') return;
    const actor = req.actor;
    if (!actor) throw new AppError(req.authError ?? 'AUTH_REQUIRED');
    // Cookies ride along on cross-site requests; a write must also prove it came from our page.
    if (actor.via === 'session' && !SAFE_METHODS.has(req.method) && !sameSecret(req.headers['x-csrf-token'], actor.csrfToken)) {
      throw new AppError('CSRF_INVALID');
    }
    // After an administrator's reset the user sets a new password before anything else, whatever the client.
    if (actor.mustChangePassword && !req.routeOptions.config?.duringPasswordChange) throw new AppError('PASSWORD_CHANGE_REQUIRED');
    if (permission !== 'authenticated' && !can(actor, permission)) throw new AppError('FORBIDDEN');
  });

  // PostgreSQL refuses NUL in text (a 500 deep in a query); no field of ours has a use for it.
  app.addHook('preValidation', async (req) => {
    const field = findNulField(req.params, '') ?? findNulField(req.query, '') ?? findNulField(req.body, '');
    if (field !== null) throw new AppError('VALIDATION_FAILED', { details: [{ field: field || 'body', message: { zh: '不能包含空字符 \\u0000', en: 'must not contain the NUL character \\u0000' } }] });
  });

  app.setErrorHandler((err: FastifyError | AppError | Error, req, reply) => sendError(err, req, reply));
}

export function sendError(err: unknown, req: FastifyRequest, reply: FastifyReply) {
  const lang = req.lang ?? 'zh';
  if (err instanceof AppError) {
    return reply.status(err.status).send(errorBody(err.code, lang, err.msg, err.details, err.extra));
  }
  const fe = err as FastifyError & { validation?: unknown[]; validationContext?: string };
  if (fe.validation) {
    const details = toFieldErrors(fe.validation as Parameters<typeof toFieldErrors>[0], fe.validationContext);
    return reply.status(400).send(errorBody('VALIDATION_FAILED', lang, undefined, details));
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.status(413).send(errorBody('PAYLOAD_TOO_LARGE', lang));
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return reply.status(415).send(errorBody('UNSUPPORTED_MEDIA_TYPE', lang));
  if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || (fe.statusCode === 400 && fe.code?.startsWith('FST_ERR_CTP'))) {
    return reply.status(400).send(errorBody('VALIDATION_FAILED', lang, undefined, [{ field: 'body', message: { zh: '请求体不是有效的 JSON', en: 'the body is not valid JSON' } }]));
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode === 429) return reply.status(429).send(errorBody('RATE_LIMITED', lang));
  // Anything else is ours to fix: log it with the request id and reveal nothing.
  req.log.error({ err, requestId: req.id }, 'unhandled error');
  return reply.status(500).send({ ...errorBody('INTERNAL', lang), requestId: String(req.id) });
}

export function errorBody(code: ErrorCode, lang: Lang, msg?: AppError['msg'], details?: FieldError[], extra?: Record<string, unknown>) {
  return {
    error: code,
    message: resolveMsg(msg ?? ERROR_MESSAGES[code], lang),
    ...(details?.length ? { details: details.map((d) => ({ field: d.field, message: resolveMsg(d.message, lang) })) } : {}),
    ...(extra ?? {}),
  };
}

/**
 * An integer beyond 2^53 loses precision in JavaScript and overflows PostgreSQL's bigint (a 500 on
 * `GET /users/99999999999999999999`), so every input integer without a maximum gets this one.
 */
function capIntegers(schema: unknown): void {
  if (!schema || typeof schema !== 'object') return;
  if (Array.isArray(schema)) {
    for (const s of schema) capIntegers(s);
    return;
  }
  const s = schema as Record<string, unknown>;
  if (s.type === 'integer' && s.maximum === undefined && s.exclusiveMaximum === undefined) s.maximum = Number.MAX_SAFE_INTEGER;
  for (const key of ['properties', 'patternProperties']) {
    const props = s[key];
    if (props && typeof props === 'object') for (const v of Object.values(props)) capIntegers(v);
  }
  for (const key of ['items', 'additionalProperties', 'anyOf', 'oneOf', 'allOf', 'not']) capIntegers(s[key]);
}

/** The path of the first string holding a NUL character ('' for the value itself), or null. */
function findNulField(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (!value || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const hit = findNulField(v, path ? `${path}.${i}` : String(i));
      if (hit !== null) return hit;
    }
    return null;
  }
  // Parsed JSON and query strings only (the query parser's objects have a bare prototype of their own);
  // uploads (streams, buffers) are not walked.
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null && Object.getPrototypeOf(proto) !== null) return null;
  for (const [k, v] of Object.entries(value)) {
    const hit = findNulField(v, path ? `${path}.${k}` : k);
    if (hit !== null) return hit;
  }
  return null;
}
