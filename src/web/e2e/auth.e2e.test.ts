import { beforeEach, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { describeInBrowser, type PageGuard, screenshot } from './support/browser';
import { cardValue, clickWhenReady, loginAs, submitLogin } from './support/flows';
import { useBrowserTest } from './support/suite';
import { ADMIN, DEMO_PASSWORD, type TestServer } from './support/zhengtong';

describeInBrowser('web: logging in and out', () => {
  const ui = useBrowserTest('desktop');
  let server: TestServer;
  let context: BrowserContext;
  let page: Page;
  let guard: PageGuard;
  beforeEach(() => ({ server, context, page, guard } = ui));

  it('sends a visitor to the login page, logs in, shows real figures, and logs out', async () => {
    await page.goto('/admin/users');
    await page.waitForURL(/\/login\?next=%2Fadmin%2Fusers/);
    await page.getByTestId('login-form').waitFor();
    expect(await page.title()).toBe('用户登录 - 政通');
    await screenshot(page, 'desktop-login');

    await submitLogin(page, ADMIN.username, ADMIN.password);
    // Back to the page asked for.
    await page.getByTestId('users-table').waitFor();
    await page.getByTestId('side-menu').getByText('首页').click();
    await page.getByTestId('home').waitFor();
    await page.getByText('系统管理员，您好').waitFor();

    // The cards show the list endpoints' totals, not placeholders.
    const units = await (await context.request.get('/api/v1/units')).json();
    const users = await (await context.request.get('/api/v1/users?pageSize=1')).json();
    expect(await cardValue(page, 'units.count')).toBe(units.total);
    expect(await cardValue(page, 'users.count')).toBe(users.total);
    expect(await cardValue(page, 'audit.today')).toBeGreaterThan(0);
    await page.getByTestId('card-audit.trend').locator('canvas').waitFor();
    // The menu follows the permissions /auth/me returned.
    for (const label of ['首页', '系统管理', '组织机构', '用户管理', 'API 令牌', '审计日志']) {
      await page.getByTestId('side-menu').getByText(label, { exact: true }).waitFor();
    }
    await screenshot(page, 'desktop-home');

    await page.getByTestId('user-menu').click();
    await page.getByText('退出登录').click();
    await page.waitForURL(/\/login\?reason=logged_out/);
    await page.getByText('您已安全退出').waitFor();
    // The session is gone on the server too.
    guard.allow(401, /\/api\/v1\/auth\/me$/);
    expect((await context.request.get('/api/v1/auth/me')).status()).toBe(401);
    await page.goto('/');
    await page.waitForURL(/\/login/);
  });

  it('explains a wrong password, then a locked account, by error code', async () => {
    await page.goto('/login');
    for (let i = 1; i <= 4; i++) {
      guard.allow(401, /\/api\/v1\/auth\/login$/);
      await submitLogin(page, 'agent2', 'not-the-password');
      const err = page.getByTestId('login-error');
      await err.waitFor();
      expect(await err.getAttribute('data-code')).toBe('AUTH_INVALID_CREDENTIALS');
      expect(await err.innerText()).toContain('用户名或密码错误');
      expect(await err.innerText()).toContain('锁定 15 分钟');
      // The password box is emptied for the next try.
      expect(await page.locator('#login_password').inputValue()).toBe('');
    }
    await screenshot(page, 'desktop-login-error');
    guard.allow(423, /\/api\/v1\/auth\/login$/);
    await submitLogin(page, 'agent2', 'still-wrong');
    await page.locator('[data-testid="login-error"][data-code="AUTH_ACCOUNT_LOCKED"]').waitFor();
    expect(await page.getByTestId('login-error').innerText()).toContain('账号已被临时锁定');
    // Locked means locked: the right password is refused too.
    guard.allow(423, /\/api\/v1\/auth\/login$/);
    await submitLogin(page, 'agent2', DEMO_PASSWORD);
    await page.locator('[data-testid="login-error"][data-code="AUTH_ACCOUNT_LOCKED"]').waitFor();
  });

  it('asks for a user name and password before calling the server, and speaks English when switched', async () => {
    await page.goto('/login');
    await page.getByTestId('login-submit').click();
    await page.getByText('请输入用户名').waitFor();
    await page.getByText('请输入密码').waitFor();

    await page.getByTestId('lang-switch').getByText('English').click();
    await page.getByText('Log in', { exact: true }).first().waitFor();
    // The server answers in English too (Accept-Language: en).
    guard.allow(401, /\/api\/v1\/auth\/login$/);
    const reply = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
    await submitLogin(page, 'dispatcher1', 'wrong-password');
    const res = await reply;
    expect(res.request().headers()['accept-language']).toBe('en');
    expect((await res.json()).message).toMatch(/wrong user name or password/i);
    await page.getByText('Wrong user name or password').first().waitFor();
    // The choice survives a reload, and the app after login is in English too.
    await page.reload();
    await page.getByText('Log in', { exact: true }).first().waitFor();
    expect(await page.evaluate(() => localStorage.getItem('zt.lang'))).toBe('en');
    await submitLogin(page, ADMIN.username, ADMIN.password);
    await page.getByText('Hello, 系统管理员').waitFor();
    for (const label of ['Home', 'Administration', 'Organisation', 'Users', 'API tokens', 'Audit log']) {
      await page.getByTestId('side-menu').getByText(label, { exact: true }).waitFor();
    }
    await page.getByTestId('card-value-units.count').waitFor();
    await screenshot(page, 'desktop-home-en');
  });

  it('explains a disabled account', async () => {
    // An administrator disables secretary1 through the API (with the session's CSRF token).
    const api = context.request;
    const me = await (await api.post('/api/v1/auth/login', { data: ADMIN })).json();
    const users = await (await api.get('/api/v1/users?q=secretary1')).json();
    const target = users.items.find((u: { username: string }) => u.username === 'secretary1');
    const patched = await api.patch(`/api/v1/users/${target.id}`, { data: { disabled: true }, headers: { 'X-CSRF-Token': me.csrfToken } });
    expect(patched.status()).toBe(200);
    await api.post('/api/v1/auth/logout', { headers: { 'X-CSRF-Token': me.csrfToken } });

    await page.goto('/login');
    guard.allow(403, /\/api\/v1\/auth\/login$/);
    await submitLogin(page, 'secretary1', DEMO_PASSWORD);
    const err = page.locator('[data-testid="login-error"][data-code="AUTH_ACCOUNT_DISABLED"]');
    await err.waitFor();
    expect(await err.innerText()).toContain('账号已停用');
    expect(await err.innerText()).toContain('联系本单位系统管理员');
  });

  it('explains an expired session and returns to the page after logging in again', async () => {
    await loginAs(page, ADMIN.username, ADMIN.password);
    await page.getByTestId('side-menu').getByText('组织机构').click();
    await page.getByTestId('unit-tree').waitFor();

    // 31 minutes idle on the server's clock: past the 30-minute idle limit.
    server.clock.advance(31 * 60_000);
    guard.allow(401, /\/api\/v1\//, 10);
    await page.getByTestId('side-menu').getByText('用户管理').click();
    await page.waitForURL(/\/login\?reason=expired/);
    const note = page.getByTestId('login-reason');
    await note.waitFor();
    expect(await note.innerText()).toContain('登录已过期，请重新登录');
    await screenshot(page, 'desktop-login-expired');
    guard.resetAllowances();

    await submitLogin(page, ADMIN.username, ADMIN.password);
    await page.waitForURL(/\/admin\/users/);
    await page.getByTestId('users-table').waitFor();
  });

  it('shows server field errors on the change-password form', async () => {
    await loginAs(page, 'analyst1', DEMO_PASSWORD);
    // An analyst has no administration permissions: the menu shows none of those pages.
    expect(await page.getByTestId('side-menu').getByText('用户管理').count()).toBe(0);
    expect(await page.getByTestId('side-menu').getByText('审计日志').count()).toBe(0);
    expect(await page.getByTestId('card-users.count').count()).toBe(0);

    await page.getByTestId('user-menu').click();
    await page.getByRole('menuitem', { name: '修改密码' }).click();
    await page.getByTestId('password-form').waitFor();
    guard.allow(400, /\/api\/v1\/auth\/password$/);
    await page.locator('#password_currentPassword').fill('Wrong-Password-1');
    await page.locator('#password_newPassword').fill('New-Passw0rd-2026');
    await page.locator('#password_confirm').fill('New-Passw0rd-2026');
    await clickWhenReady(page.getByTestId('password-submit'));
    // PASSWORD_WRONG lands under the current-password field.
    const fieldError = page.locator('.ant-form-item-has-error').filter({ has: page.locator('#password_currentPassword') });
    await fieldError.getByText('当前密码不正确').waitFor();
    await screenshot(page, 'desktop-change-password');
  });
});

describeInBrowser('web: login page on a phone', () => {
  const ui = useBrowserTest('phone');

  it('fits a 390 px screen with touch-sized controls', async () => {
    const { page } = ui;
    await page.goto('/login');
    await page.getByTestId('login-submit').waitFor();
    const box = await page.getByTestId('login-submit').boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(44);
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    const input = await page.locator('#login_username').boundingBox();
    expect(input!.height).toBeGreaterThanOrEqual(24);
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth).toBeLessThanOrEqual(390);
    await screenshot(page, 'phone-login');
  });
});
