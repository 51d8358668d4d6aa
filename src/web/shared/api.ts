import { getLang } from './i18n';

/**
 * The typed API client: fetch with the session cookie, JSON both ways, the CSRF token on every write,
 * and one error type for every failure so screens can switch on `code`.
 */

export interface FieldDetail {
  field: string;
  message: string;
}

/** Codes the server sends, plus two of ours for failures that never reached it. */
export type ApiErrorCode =
  | 'VALIDATION_FAILED'
  | 'PASSWORD_POLICY'
  | 'PASSWORD_WRONG'
  | 'AUTH_REQUIRED'
  | 'AUTH_SESSION_EXPIRED'
  | 'AUTH_INVALID_CREDENTIALS'
  | 'AUTH_ACCOUNT_LOCKED'
  | 'AUTH_ACCOUNT_DISABLED'
  | 'CSRF_INVALID'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'INTERNAL'
  | 'UNAVAILABLE'
  /** fetch itself failed: offline, server down, connection reset. */
  | 'NETWORK_ERROR'
  /** The reply was not our JSON error shape (e.g. a proxy's HTML page). */
  | 'HTTP_ERROR'
  | (string & {});

export class ApiError extends Error {
  readonly status: number;
  readonly code: ApiErrorCode;
  readonly details: FieldDetail[];
  /** The whole error body: some codes carry extra facts (e.g. lockedUntil). */
  readonly body: Record<string, unknown>;
  constructor(status: number, code: ApiErrorCode, message: string, details: FieldDetail[] = [], body: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.body = body;
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** A paged list reply. */
export interface Paged<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface PageQuery {
  page?: number;
  pageSize?: number;
  sort?: string;
}

export type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  query?: Record<string, QueryValue>;
  body?: unknown;
  signal?: AbortSignal;
  /** Do not send the user to the login page on a 401 (the login call itself, logout). */
  skipAuthRedirect?: boolean;
  /** Extra request headers (e.g. Idempotency-Key); they cannot replace the client's own. */
  headers?: Record<string, string>;
  /** Internal: this is the one retry after refreshing a stale CSRF token. */
  isCsrfRetry?: boolean;
}

export const API_PREFIX = '/api/v1';

let csrfToken: string | null = null;
/** Set from the login and /auth/me replies; sent as X-CSRF-Token on every non-GET request. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

type UnauthorizedHandler = (error: ApiError) => void;
let onUnauthorized: UnauthorizedHandler | null = null;
/** The app installs one handler that clears the session and shows the login page with the reason. */
export function setUnauthorizedHandler(handler: UnauthorizedHandler | null): void {
  onUnauthorized = handler;
}

const SESSION_LOST = new Set(['AUTH_REQUIRED', 'AUTH_SESSION_EXPIRED']);

export function buildUrl(path: string, query?: Record<string, QueryValue>): string {
  const url = path.startsWith('/api/') || path.startsWith('/open311') ? path : API_PREFIX + path;
  if (!query) return url;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${url}?${qs}` : url;
}

async function readErrorBody(res: Response): Promise<Record<string, unknown> | null> {
  try {
    const text = await res.text();
    const parsed: unknown = text ? JSON.parse(text) : null;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function toApiError(status: number, body: Record<string, unknown> | null): ApiError {
  if (body && typeof body.error === 'string') {
    const details = Array.isArray(body.details)
      ? body.details
          .filter((d): d is { field: unknown; message: unknown } => !!d && typeof d === 'object')
          .map((d) => ({ field: String(d.field ?? ''), message: String(d.message ?? '') }))
      : [];
    return new ApiError(status, body.error, typeof body.message === 'string' ? body.message : body.error, details, body);
  }
  const zh = getLang() === 'zh';
  const message = status >= 500 ? (zh ? '服务器出错了，请稍后重试' : 'The server had a problem; try again later') : `HTTP ${status}`;
  return new ApiError(status, 'HTTP_ERROR', message, [], body ?? {});
}

export async function apiRequest<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method ?? 'GET';
  const headers: Record<string, string> = {
    ...opts.headers,
    Accept: 'application/json',
    'Accept-Language': getLang() === 'en' ? 'en' : 'zh-CN',
  };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;

  let res: Response;
  try {
    res = await fetch(buildUrl(path, opts.query), {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      credentials: 'include',
      signal: opts.signal,
    });
  } catch (e) {
    if ((e as Error)?.name === 'AbortError') throw e;
    const zh = getLang() === 'zh';
    throw new ApiError(0, 'NETWORK_ERROR', zh ? '无法连接服务器，请检查网络后重试' : 'Cannot reach the server; check the network and try again');
  }

  if (res.ok) {
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  const error = toApiError(res.status, await readErrorBody(res));
  // Logging in again in another tab gives a new session and token; this page still holds the old
  // token. Our own page may read the new one from /auth/me (a cross-site page cannot) and try once more.
  if (error.code === 'CSRF_INVALID' && method !== 'GET' && !opts.isCsrfRetry) {
    const me = await apiRequest<{ csrfToken: string }>('/auth/me').catch(() => null);
    if (me?.csrfToken) {
      setCsrfToken(me.csrfToken);
      return apiRequest<T>(path, { ...opts, isCsrfRetry: true });
    }
  }
  if (res.status === 401 && SESSION_LOST.has(error.code) && !opts.skipAuthRedirect) onUnauthorized?.(error);
  throw error;
}

export const api = {
  get: <T>(path: string, query?: Record<string, QueryValue>, signal?: AbortSignal) => apiRequest<T>(path, { query, signal }),
  post: <T>(path: string, body?: unknown, opts: Omit<RequestOptions, 'method' | 'body'> = {}) => apiRequest<T>(path, { ...opts, method: 'POST', body: body ?? {} }),
  patch: <T>(path: string, body: unknown) => apiRequest<T>(path, { method: 'PATCH', body }),
  delete: <T = void>(path: string) => apiRequest<T>(path, { method: 'DELETE' }),
};

/** The text to show for a failure outside a form (a toast). */
export function errorMessage(e: unknown): string {
  if (isApiError(e)) return e.details.length ? `${e.message}：${e.details.map((d) => d.message).join('；')}` : e.message;
  return e instanceof Error ? e.message : String(e);
}
