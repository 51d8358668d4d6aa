import { ApiError, buildUrl, toApiError, type QueryValue } from '../../shared/api';
import { getLang } from '../../shared/i18n';

/**
 * File transfers beside the JSON client: .xlsx downloads (a GET with the session cookie, saved
 * through a blob so a failure shows as a message instead of a page of JSON) and multipart uploads
 * (the CSRF token is the session's, passed in by the caller from /auth/me).
 */

function networkError(): ApiError {
  const zh = getLang() === 'zh';
  return new ApiError(0, 'NETWORK_ERROR', zh ? '无法连接服务器，请检查网络后重试' : 'Cannot reach the server; check the network and try again');
}

async function errorOf(res: Response): Promise<ApiError> {
  let body: Record<string, unknown> | null = null;
  try {
    const text = await res.text();
    const parsed: unknown = text ? JSON.parse(text) : null;
    body = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : null;
  } catch {
    body = null;
  }
  return toApiError(res.status, body);
}

/** The file name the server suggests in Content-Disposition, else the fallback. */
export function fileNameOf(disposition: string | null, fallback: string): string {
  if (!disposition) return fallback;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (star) {
    try {
      return decodeURIComponent(star[1]);
    } catch {
      // fall through to the plain name
    }
  }
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  return plain ? plain[1] : fallback;
}

/** Downloads a file the API generates (e.g. an .xlsx export) and hands it to the browser to save. */
export async function downloadFile(path: string, query: Record<string, QueryValue> | undefined, fallbackName: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(buildUrl(path, query), {
      credentials: 'include',
      headers: { 'Accept-Language': getLang() === 'en' ? 'en' : 'zh-CN' },
    });
  } catch {
    throw networkError();
  }
  if (!res.ok) throw await errorOf(res);
  const name = fileNameOf(res.headers.get('content-disposition'), fallbackName);
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}

/** Posts a multipart form (a file upload) and reads the JSON reply. */
export async function uploadForm<T>(path: string, form: FormData, csrfToken: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(buildUrl(path), {
      method: 'POST',
      body: form,
      credentials: 'include',
      headers: { Accept: 'application/json', 'Accept-Language': getLang() === 'en' ? 'en' : 'zh-CN', 'X-CSRF-Token': csrfToken },
    });
  } catch {
    throw networkError();
  }
  if (!res.ok) throw await errorOf(res);
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}
