import { Suspense, lazy, useEffect, type ReactNode } from 'react';
import { Spin } from 'antd';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { isApiError, setCsrfToken, setUnauthorizedHandler } from '../shared/api';
import { common, useT, type Msg } from '../shared/i18n';
import { hasSessionHint, setSessionHint, useMeQuery, usePermissions } from '../shared/session';
import { features } from './features';
// The login page is the first screen of most visits: in the entry chunk, no second round trip.
// The shell (menus, layout) is only needed after logging in.
import LoginPage from '../features/auth/login.page';
import { loginPath, reasonOf } from '../shared/login-redirect';

const Forbidden = lazy(() => import('./status-pages').then((mod) => ({ default: mod.Forbidden })));
const NotFound = lazy(() => import('./status-pages').then((mod) => ({ default: mod.NotFound })));
const SessionLoadError = lazy(() => import('./status-pages').then((mod) => ({ default: mod.SessionLoadError })));
const AppShell = lazy(() => import('./app-shell').then((mod) => ({ default: mod.AppShell })));

export function PageLoading() {
  return (
    <div className="zt-page-loading" data-testid="page-loading">
      <Spin size="large" />
    </div>
  );
}

/** Sends the user to the login page, with the reason, when any API call finds the session gone. */
function SessionLossRedirect() {
  const navigate = useNavigate();
  useEffect(() => {
    setUnauthorizedHandler((error) => {
      setSessionHint(false);
      setCsrfToken(null);
      if (window.location.pathname === '/login') return;
      navigate(loginPath(reasonOf(error.code), `${window.location.pathname}${window.location.search}`), { replace: true });
    });
    return () => setUnauthorizedHandler(null);
  }, [navigate]);
  return null;
}

function RequireAuth({ children }: { children: ReactNode }) {
  const location = useLocation();
  const me = useMeQuery();
  const next = `${location.pathname}${location.search}`;

  if (!hasSessionHint()) return <Navigate to={loginPath(null, next)} replace />;
  if (me.data) {
    if (me.data.user.mustChangePassword && location.pathname !== '/account/password') {
      return <Navigate to="/account/password?required=1" replace />;
    }
    return children;
  }
  if (me.isError) {
    if (isApiError(me.error) && me.error.status === 401) return <Navigate to={loginPath(reasonOf(me.error.code), next)} replace />;
    return <SessionLoadError error={me.error} onRetry={() => void me.refetch()} />;
  }
  return <PageLoading />;
}

function PermissionGate({ permission, title, children }: { permission?: string; title: Msg; children: ReactNode }) {
  const can = usePermissions();
  const { t } = useT();
  useEffect(() => {
    document.title = `${t(title)} - ${t(common.appName)}`;
  }, [t, title]);
  if (!can(permission))
    return (
      <Suspense fallback={<PageLoading />}>
        <Forbidden />
      </Suspense>
    );
  return children;
}

export function AppRoutes() {
  const routes = features.flatMap((f) => f.routes ?? []);
  return (
    <>
      <SessionLossRedirect />
      <Suspense fallback={<PageLoading />}>
        <Routes>
          <Route path="/login" element={<LoginPage />} />
          <Route
            path="/"
            element={
              <RequireAuth>
                <Suspense fallback={<PageLoading />}>
                  <AppShell />
                </Suspense>
              </RequireAuth>
            }
          >
            {routes.map((r) => {
              const Page = r.component;
              const element = (
                <PermissionGate permission={r.permission} title={r.title}>
                  <Suspense fallback={<PageLoading />}>
                    <Page />
                  </Suspense>
                </PermissionGate>
              );
              return r.path === '' ? <Route key="index" index element={element} /> : <Route key={r.path} path={r.path} element={element} />;
            })}
            <Route
              path="*"
              element={
                <Suspense fallback={<PageLoading />}>
                  <NotFound />
                </Suspense>
              }
            />
          </Route>
        </Routes>
      </Suspense>
    </>
  );
}
