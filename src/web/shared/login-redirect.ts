/** Why the login page is shown; it explains each one. */
export type LoginReason = 'expired' | 'required' | 'logged_out' | 'password_changed';

export function reasonOf(code: string): LoginReason {
  return code === 'AUTH_SESSION_EXPIRED' ? 'expired' : 'required';
}

export function loginPath(reason: LoginReason | null, next?: string): string {
  const p = new URLSearchParams();
  if (reason) p.set('reason', reason);
  if (next && next !== '/' && !next.startsWith('/login')) p.set('next', next);
  const qs = p.toString();
  return qs ? `/login?${qs}` : '/login';
}
