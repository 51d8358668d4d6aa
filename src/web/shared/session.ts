import { useQuery } from '@tanstack/react-query';
import { api, setCsrfToken } from './api';

export type DataScope = 'unit' | 'subtree' | 'all';

export interface Me {
  user: {
    id: number;
    username: string;
    displayName: string;
    unitId: number;
    roles: string[];
    dataScope: DataScope;
    mustChangePassword: boolean;
  };
  unit: { id: number; code: string; name: string; kind: string };
  permissions: string[];
  csrfToken: string;
  sessionExpiresAt: string | null;
}

export const ME_KEY = ['auth', 'me'] as const;

/*
 * The session cookie is httpOnly, so the page cannot see whether one exists. We remember that a
 * login happened (not the session itself) so a first visit goes straight to the login form instead
 * of asking the server and getting a 401, and so a 401 later can be explained as "expired".
 */
const HINT_KEY = 'zt.session';

export function hasSessionHint(): boolean {
  try {
    return localStorage.getItem(HINT_KEY) === '1';
  } catch {
    return false;
  }
}

export function setSessionHint(on: boolean): void {
  try {
    if (on) localStorage.setItem(HINT_KEY, '1');
    else localStorage.removeItem(HINT_KEY);
  } catch {
    // ignore: storage unavailable
  }
}

export async function fetchMe(signal?: AbortSignal): Promise<Me> {
  const me = await api.get<Me>('/auth/me', undefined, signal);
  setCsrfToken(me.csrfToken);
  return me;
}

export function useMeQuery() {
  return useQuery({
    queryKey: ME_KEY,
    queryFn: ({ signal }) => fetchMe(signal),
    enabled: hasSessionHint(),
    retry: false,
    staleTime: 60_000,
  });
}

/** The signed-in user; only used under <RequireAuth>, which renders nothing until the data is there. */
export function useMe(): Me {
  const q = useMeQuery();
  if (!q.data) throw new Error('useMe() outside <RequireAuth>');
  return q.data;
}

/** Permission check against what the server returned; never against role names. */
export function usePermissions(): (permission: string | undefined) => boolean {
  const me = useMe();
  const set = new Set(me.permissions);
  return (p) => !p || set.has(p) || set.has('*');
}
