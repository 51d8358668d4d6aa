import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { api, setCsrfToken } from '../../shared/api';
import { loginPath } from '../../shared/login-redirect';
import { ME_KEY, setSessionHint, type Me } from '../../shared/session';

export interface LoginInput {
  username: string;
  password: string;
}

export async function login(input: LoginInput): Promise<Me> {
  const me = await api.post<Me>('/auth/login', input, { skipAuthRedirect: true });
  setCsrfToken(me.csrfToken);
  setSessionHint(true);
  return me;
}

export function useLogin() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: login,
    onSuccess: (me) => {
      // Nothing from a previous user may show to this one.
      qc.clear();
      qc.setQueryData(ME_KEY, me);
    },
  });
}

export function useLogout() {
  const navigate = useNavigate();
  return useMutation({
    mutationFn: async () => {
      try {
        await api.post<void>('/auth/logout', {}, { skipAuthRedirect: true });
      } finally {
        // Even if the server is unreachable, this page forgets the session.
        setSessionHint(false);
        setCsrfToken(null);
      }
    },
    onSettled: () => navigate(loginPath('logged_out'), { replace: true }),
  });
}

export interface ChangePasswordInput {
  currentPassword: string;
  newPassword: string;
}

export function useChangePassword() {
  return useMutation({
    mutationFn: (input: ChangePasswordInput) => api.post<void>('/auth/password', input),
  });
}
