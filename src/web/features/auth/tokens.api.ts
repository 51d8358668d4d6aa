import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../shared/api';

/** API 令牌: a credential for another system (e.g. the 12345 hotline switchboard) acting as a user. */
export interface ApiToken {
  id: number;
  name: string;
  userId: number;
  username: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreatedToken {
  id: number;
  name: string;
  /** The secret itself: the server shows it this once and keeps only a hash. */
  token: string;
}

/** The server returns every token at once (the list is short): no paging parameters. */
export interface TokenList {
  items: ApiToken[];
  total: number;
}

export const TOKENS_KEY = ['tokens'] as const;

export function fetchTokens(signal?: AbortSignal) {
  return api.get<TokenList>('/tokens', undefined, signal);
}

export function useTokens() {
  return useQuery({ queryKey: TOKENS_KEY, queryFn: ({ signal }) => fetchTokens(signal) });
}

type SortableTokenField = 'name' | 'createdAt' | 'lastUsedAt';

/** Sorts and pages the full list in the browser, with the same `sort` syntax as the server lists. */
export function pageTokens(items: ApiToken[], page: number, pageSize: number, sort: string): ApiToken[] {
  const desc = sort.startsWith('-');
  const field = (desc ? sort.slice(1) : sort) as SortableTokenField;
  const key = (tk: ApiToken) => tk[field] ?? '';
  const sorted = [...items].sort((a, b) => {
    const c = String(key(a)).localeCompare(String(key(b)), 'zh-CN') || a.id - b.id;
    return desc ? -c : c;
  });
  return sorted.slice((page - 1) * pageSize, page * pageSize);
}

export function useCreateToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; userId?: number }) => api.post<CreatedToken>('/tokens', input),
    onSuccess: () => qc.invalidateQueries({ queryKey: TOKENS_KEY }),
  });
}

export function useRevokeToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete(`/tokens/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: TOKENS_KEY }),
  });
}
