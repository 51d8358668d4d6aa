import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Paged, type PageQuery } from '../../shared/api';
import { defineMessages, type Lang, type Msg } from '../../shared/i18n';
import type { DataScope } from '../../shared/session';

export interface User {
  id: number;
  username: string;
  displayName: string;
  unitId: number;
  unitName: string;
  roles: string[];
  dataScope: DataScope;
  /** Masked (138****1234) unless the caller may see personal data. */
  phone: string | null;
  disabled: boolean;
  lockedUntil: string | null;
  lastLoginAt: string | null;
  createdAt: string;
}

export interface RoleInfo {
  role: string;
  name: string;
  nameEn: string;
  permissions: string[];
}

export interface UserListQuery extends PageQuery {
  unit?: number;
  role?: string;
  q?: string;
  disabled?: boolean;
}

export const dataScopeLabels: Record<DataScope, Msg> = defineMessages({
  unit: { zh: '本单位', en: 'Own unit' },
  subtree: { zh: '本单位及下级', en: 'Unit and below' },
  all: { zh: '全部', en: 'All' },
});

export const USERS_KEY = ['users'] as const;

export function fetchUsers(query: UserListQuery, signal?: AbortSignal) {
  return api.get<Paged<User>>('/users', { ...query }, signal);
}

export function useUsers(query: UserListQuery) {
  return useQuery({
    queryKey: [...USERS_KEY, 'list', query],
    queryFn: ({ signal }) => fetchUsers(query, signal),
    placeholderData: keepPreviousData,
  });
}

export function useRoles(enabled = true) {
  return useQuery({
    queryKey: ['roles'],
    queryFn: ({ signal }) => api.get<{ items: RoleInfo[] }>('/roles', undefined, signal),
    staleTime: 5 * 60_000,
    enabled,
  });
}

export function roleLabel(roles: RoleInfo[] | undefined, role: string, lang: Lang): string {
  const r = roles?.find((x) => x.role === role);
  if (!r) return role;
  return lang === 'en' ? r.nameEn : r.name;
}

export interface CreateUserInput {
  username: string;
  displayName: string;
  unitId: number;
  roles: string[];
  dataScope?: DataScope;
  phone?: string;
  password: string;
}

export type UpdateUserInput = Partial<Pick<User, 'displayName' | 'unitId' | 'roles' | 'dataScope' | 'phone' | 'disabled'>>;


export function useCreateUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateUserInput) => api.post<User>('/users', input),
    onSuccess: () => qc.invalidateQueries({ queryKey: USERS_KEY }),
  });
}

export function useUpdateUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...patch }: UpdateUserInput & { id: number }) => api.patch<User>(`/users/${id}`, patch),
    onSuccess: () => qc.invalidateQueries({ queryKey: USERS_KEY }),
  });
}

export function useResetPassword() {
  return useMutation({
    mutationFn: ({ id, newPassword }: { id: number; newPassword: string }) => api.post<void>(`/users/${id}/reset-password`, { newPassword }),
  });
}
