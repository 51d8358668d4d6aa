/**
 * One table from error code to HTTP status and message. A new code cannot be added without a
 * status and both messages (the `satisfies` clauses make the compiler check it).
 */
export const ERROR_STATUS = {
  /** The body, query or params failed validation; details name each field. */
  VALIDATION_FAILED: 400,
  /** A password does not meet the complexity rule. */
  PASSWORD_POLICY: 400,
  /** The current password given for a change is wrong. */
  PASSWORD_WRONG: 400,
  /** An action is not possible in the record's current state (workflow guard). */
  INVALID_TRANSITION: 400,
  /** No session cookie or bearer token, or one that does not exist. */
  AUTH_REQUIRED: 401,
  /** The session passed its idle or absolute expiry. */
  AUTH_SESSION_EXPIRED: 401,
  /** Login failed; never says whether the user exists. */
  AUTH_INVALID_CREDENTIALS: 401,
  /** The caller lacks the permission, or the record is outside its data scope for writing. */
  FORBIDDEN: 403,
  /** Login to a disabled account. */
  AUTH_ACCOUNT_DISABLED: 403,
  /** A cookie-authenticated write without the session's CSRF token. */
  CSRF_INVALID: 403,
  /** The user must set a new password (after an administrator's reset) before anything else. */
  PASSWORD_CHANGE_REQUIRED: 403,
  /** No such record, or one outside the caller's data scope (the two are indistinguishable). */
  NOT_FOUND: 404,
  /** A unique value is taken, or a concurrent change won (version check). */
  CONFLICT: 409,
  /** The same Idempotency-Key was reused with a different body. */
  IDEMPOTENCY_MISMATCH: 422,
  /** Too many failed logins: locked for 15 minutes. */
  AUTH_ACCOUNT_LOCKED: 423,
  /** Body larger than the limit. */
  PAYLOAD_TOO_LARGE: 413,
  /** Unsupported media type for an upload or body. */
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** Too many requests from one client. */
  RATE_LIMITED: 429,
  /** Anything unexpected; logged with the request id, never echoed. */
  INTERNAL: 500,
  /** The database does not answer. */
  UNAVAILABLE: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const ERROR_MESSAGES = {
  VALIDATION_FAILED: { zh: '输入有误，请检查标出的字段', en: 'The input is invalid; see the fields named' },
  PASSWORD_POLICY: { zh: '密码至少 10 位，且包含大写字母、小写字母、数字、符号中的三类', en: 'A password needs at least 10 characters from 3 of: upper case, lower case, digits, symbols' },
  PASSWORD_WRONG: { zh: '当前密码不正确', en: 'The current password is wrong' },
  INVALID_TRANSITION: { zh: '当前状态下不能执行此操作', en: 'This action is not possible in the current state' },
  AUTH_REQUIRED: { zh: '请先登录', en: 'Please log in' },
  AUTH_SESSION_EXPIRED: { zh: '登录已过期，请重新登录', en: 'Your session has expired; please log in again' },
  AUTH_INVALID_CREDENTIALS: { zh: '用户名或密码错误', en: 'Wrong user name or password' },
  FORBIDDEN: { zh: '没有执行此操作的权限', en: 'You do not have permission to do this' },
  AUTH_ACCOUNT_DISABLED: { zh: '账号已停用，请联系管理员', en: 'This account is disabled; contact an administrator' },
  CSRF_INVALID: { zh: '页面已失效，请刷新后重试', en: 'The page is out of date; reload and try again' },
  PASSWORD_CHANGE_REQUIRED: { zh: '请先修改密码', en: 'Set a new password first' },
  NOT_FOUND: { zh: '记录不存在', en: 'Not found' },
  CONFLICT: { zh: '记录已被他人修改或已存在，请刷新后重试', en: 'The record was changed by someone else or already exists; reload and try again' },
  IDEMPOTENCY_MISMATCH: { zh: '同一幂等键对应了不同的请求内容', en: 'The Idempotency-Key was used with a different body' },
  AUTH_ACCOUNT_LOCKED: { zh: '连续登录失败次数过多，账号已锁定 15 分钟', en: 'Too many failed logins; the account is locked for 15 minutes' },
  PAYLOAD_TOO_LARGE: { zh: '提交的内容过大', en: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { zh: '不支持的内容类型', en: 'Unsupported media type' },
  RATE_LIMITED: { zh: '请求过于频繁，请稍后再试', en: 'Too many requests; try again later' },
  INTERNAL: { zh: '服务器内部错误', en: 'Internal server error' },
  UNAVAILABLE: { zh: '服务暂不可用', en: 'Service unavailable' },
} as const satisfies Record<ErrorCode, { zh: string; en: string }>;

export type Lang = 'zh' | 'en';
/** A message in both languages, or one text that is the same in both. */
export type Msg = string | { zh: string; en: string };

export function resolveMsg(msg: Msg, lang: Lang): string {
  return typeof msg === 'string' ? msg : msg[lang];
}

export interface FieldError {
  field: string;
  message: Msg;
}

/** A business error: services throw these; the HTTP layer maps them by code, never by class. */
export class AppError extends Error {
  readonly status: number;
  readonly msg: Msg;
  constructor(
    readonly code: ErrorCode,
    opts: { message?: Msg; details?: FieldError[]; extra?: Record<string, unknown> } = {},
  ) {
    const msg = opts.message ?? ERROR_MESSAGES[code];
    super(typeof msg === 'string' ? msg : msg.en);
    this.name = 'AppError';
    this.status = ERROR_STATUS[code];
    this.msg = msg;
    this.details = opts.details;
    this.extra = opts.extra;
  }
  readonly details?: FieldError[];
  /** Extra machine-readable facts for the client (e.g. lockedUntil). */
  readonly extra?: Record<string, unknown>;
}

/** A 400 (or other code) naming one field. */
export function fieldError(field: string, message: Msg, code: ErrorCode = 'VALIDATION_FAILED'): AppError {
  return new AppError(code, { details: [{ field, message }] });
}

export function notFound(what: { zh: string; en: string }): AppError {
  return new AppError('NOT_FOUND', { message: { zh: `${what.zh}不存在`, en: `${what.en} not found` } });
}

export function pickLang(acceptLanguage: string | undefined): Lang {
  if (!acceptLanguage) return 'zh';
  const first = acceptLanguage.split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('en') ? 'en' : 'zh';
}
