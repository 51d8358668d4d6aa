import { beforeEach, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { describeInBrowser, type PageGuard, screenshot } from './support/browser';
import { chooseOption, clickWhenReady, loginAs, searchAndChoose, submitAndSend, uniqueSuffix, waitForFieldError } from './support/flows';
import { useBrowserTest } from './support/suite';
import { ADMIN, type TestServer } from './support/zhengtong';

describeInBrowser('web: administration on a desktop', () => {
  const ui = useBrowserTest('desktop', ADMIN);
  let server: TestServer;
  let context: BrowserContext;
  let page: Page;
  let guard: PageGuard;
  beforeEach(() => ({ server, context, page, guard } = ui));

  const menu = (label: string) => page.getByTestId('side-menu').getByText(label, { exact: true }).click();

  it('creates a unit and a user through the UI and finds both in the audit log', async () => {
    const sfx = uniqueSuffix();
    const unitName = `测试${sfx}街道办事处`;
    const unitCode = `QC-D01-T${sfx}`.toUpperCase();
    const username = `e2e.${sfx}`;
    const displayName = `测试用户${sfx}`;

    // 组织机构: pick 东湖区 and add a street office under it.
    await menu('组织机构');
    // The tree is virtual (only rows in view exist): find the district by name.
    await page.getByTestId('unit-search').locator('input').fill('东湖区');
    await page.getByTestId('unit-node-QC-D01').click();
    await page.getByTestId('unit-details').getByText('东湖区人民政府').waitFor();
    await screenshot(page, 'desktop-units');
    await page.getByTestId('unit-add-child').click();
    const unitForm = page.getByTestId('unit-form');
    await unitForm.waitFor();
    await page.locator('#unit_name').fill(unitName);
    // A code already in use: the server's 409 lands on the code field.
    guard.allow(409, /\/api\/v1\/units$/);
    await page.locator('#unit_code').fill('QC-D01-S01');
    await submitAndSend(page, page.getByTestId('unit-form-submit'), /\/api\/v1\/units$/);
    await waitForFieldError(page, 'unit_code', '单位编码已被使用');
    await screenshot(page, 'desktop-unit-form-error');
    await page.locator('#unit_code').fill(unitCode);
    await submitAndSend(page, page.getByTestId('unit-form-submit'), /\/api\/v1\/units$/);
    await page.getByText(`单位“${unitName}”已创建`).waitFor();
    // The new unit is selected, shown in the tree under its parent, and its id is in the URL.
    await page.getByTestId('unit-details').getByText(unitCode).waitFor();
    await page.getByTestId(`unit-node-${unitCode}`).waitFor();
    const unitId = new URL(page.url()).searchParams.get('unit');
    expect(unitId).toMatch(/^\d+$/);

    // 用户管理: create a user in that unit.
    await menu('用户管理');
    await page.getByTestId('users-table').locator('tbody tr.ant-table-row').first().waitFor();
    await screenshot(page, 'desktop-users');
    await page.getByTestId('user-create').click();
    await page.getByTestId('user-form').waitFor();
    guard.allow(409, /\/api\/v1\/users$/);
    await page.locator('#user_username').fill('admin');
    await page.locator('#user_displayName').fill(displayName);
    await searchAndChoose(page, page.getByTestId('user-form-unit'), unitName);
    await chooseOption(page, page.getByTestId('user-form-roles'), '承办人');
    // Close the dropdown by clicking outside it (Escape could also close the dialog under load).
    await page.locator('.ant-modal-title:visible').click();
    await page.locator('#user_phone').fill('13912345678');
    await page.getByRole('button', { name: '随机生成' }).click();
    await submitAndSend(page, page.getByTestId('user-form-submit'), /\/api\/v1\/users$/);
    await waitForFieldError(page, 'user_username', '用户名已被使用');
    await screenshot(page, 'desktop-user-form-error');
    await page.locator('#user_username').fill(username);
    await submitAndSend(page, page.getByTestId('user-form-submit'), /\/api\/v1\/users$/);
    await page.getByText(`用户“${displayName}”已创建`).waitFor();
    // The dialog hands the focus back to 新增用户 when its closing animation ends: type only after that, or the
    // Enter below presses that button (seen in a failure report: a click on 新增用户 with no mouse event).
    await page.getByTestId('user-form').waitFor({ state: 'hidden' });

    // Server-side keyword search finds the new user; the row shows unit and role.
    await page.getByTestId('user-search').locator('input').fill(username);
    await page.getByTestId('user-search').locator('input').press('Enter');
    await page.waitForURL(/q=e2e/);
    const row = page.getByTestId('users-table').locator('tbody tr.ant-table-row').filter({ hasText: username });
    await row.waitFor();
    await expect.poll(() => page.getByTestId('users-table').locator('tbody tr.ant-table-row').count()).toBe(1);
    expect(await row.innerText()).toContain(unitName);
    expect(await row.innerText()).toContain('承办人');

    // Disable the account (with confirmation); the status follows.
    await row.getByRole('button', { name: '停用' }).click();
    await page.locator('.ant-popconfirm:visible').getByRole('button', { name: '确定' }).click();
    await row.getByText('已停用').waitFor();

    // 审计日志: the unit, by entity and id.
    await menu('审计日志');
    await page.getByTestId('audit-table').locator('tbody tr.ant-table-row').first().waitFor();
    await page.locator('#audit_entity').fill('unit');
    await page.locator('#audit_entityId').fill(unitId!);
    await page.getByTestId('audit-search').click();
    await page.waitForURL(/entity=unit/);
    const unitRow = page.getByTestId('audit-table').locator('tbody tr.ant-table-row').filter({ hasText: '新增单位' });
    await unitRow.waitFor();
    await expect.poll(() => page.getByTestId('audit-table').locator('tbody tr.ant-table-row').count()).toBe(1);
    expect(await unitRow.innerText()).toContain('admin');
    await unitRow.locator('.ant-table-row-expand-icon').click();
    await page.getByTestId('audit-diff').getByText(unitName).waitFor();
    await screenshot(page, 'desktop-audit');

    // The user: by actor and action, newest first.
    // The form mirrors the URL: wait until the reset has reached it and the unfiltered list shows
    // before typing the next filters.
    await page.getByRole('button', { name: '重置' }).click();
    await page.waitForURL((u) => !u.searchParams.has('entity'));
    await expect.poll(() => page.getByTestId('audit-table').locator('tbody tr.ant-table-row').count()).toBeGreaterThan(1);
    await page.locator('#audit_actor').fill('admin');
    await page.locator('#audit_entity').fill('user');
    await page.locator('#audit_action').fill('user.');
    await page.getByTestId('audit-search').click();
    await page.waitForURL(/action=user\./);
    const rows = page.getByTestId('audit-table').locator('tbody tr.ant-table-row');
    await rows.filter({ hasText: '新增用户' }).waitFor();
    // Only this filter's rows, newest first: the disable (修改用户) comes before the creation.
    await expect.poll(async () => (await rows.allInnerTexts()).every((t) => t.includes('用户') && t.includes('admin'))).toBe(true);
    await expect.poll(async () => (await rows.allInnerTexts())[0]).toContain('修改用户');
    const createRow = rows.filter({ hasText: '新增用户' }).first();
    await createRow.locator('.ant-table-row-expand-icon').click();
    await page.getByTestId('audit-diff').filter({ hasText: username }).waitFor();
  });

  it('resets a password; the user must then set a new one before anything else', async () => {
    const temporary = 'Temp-Passw0rd-2026';
    const chosen = 'Own-Passw0rd-2026!';
    await menu('用户管理');
    await page.getByTestId('user-search').locator('input').fill('supervisor1');
    await page.getByTestId('user-search').locator('input').press('Enter');
    const row = page.getByTestId('users-table').locator('tbody tr.ant-table-row').filter({ hasText: 'supervisor1' });
    await row.waitFor();
    await row.getByRole('button', { name: '重置密码' }).click();
    // The browser checks the policy first: a weak password never reaches the server.
    await page.locator('#reset_newPassword').fill('short');
    await page.getByRole('dialog').getByRole('button', { name: '确定' }).click();
    await page.getByRole('dialog').getByText('密码强度不足').waitFor();
    await page.locator('#reset_newPassword').fill(temporary);
    await page.getByRole('dialog').getByRole('button', { name: '确定' }).click();
    await page.getByText('密码已重置').waitFor();

    await page.getByTestId('user-menu').click();
    await page.getByText('退出登录').click();
    await page.waitForURL(/\/login/);
    await page.locator('#login_username').fill('supervisor1');
    await page.locator('#login_password').fill(temporary);
    await page.getByTestId('login-submit').click();
    // Sent to change the password, and kept there.
    await page.waitForURL(/\/account\/password/);
    await page.getByTestId('must-change').waitFor();
    await page.goto('/');
    await page.waitForURL(/\/account\/password/);
    await page.locator('#password_currentPassword').fill(temporary);
    await page.locator('#password_newPassword').fill(chosen);
    await page.locator('#password_confirm').fill(chosen);
    await clickWhenReady(page.getByTestId('password-submit'));
    await page.getByTestId('home').waitFor();
    await page.getByText('周建国，您好').waitFor();
  });

  it('creates an API token, shows it once, and revokes it', async () => {
    const name = `热线话务系统对接-${uniqueSuffix()}`;
    await menu('API 令牌');
    await page.getByTestId('tokens-table').waitFor();
    // Logging in again in a second tab replaces the session: this tab's CSRF token is now stale.
    const second = await context.newPage();
    await loginAs(second, ADMIN.username, ADMIN.password);
    await second.close();
    await page.getByTestId('token-create').click();
    await page.locator('#token_name').fill(name);
    // The write is refused once (CSRF_INVALID); the client fetches the new token and retries by itself.
    guard.allow(403, /\/api\/v1\/tokens$/);
    await clickWhenReady(page.getByTestId('token-form-submit'));
    const value = page.getByTestId('token-value');
    await value.waitFor();
    const token = (await value.innerText()).trim();
    expect(guard.pendingAllowances(), 'the stale-token write was refused, then retried').toBe(0);
    expect(token.length).toBeGreaterThan(20);
    await screenshot(page, 'desktop-token-created');

    // The token works as a bearer credential.
    const me = await fetch(`${server.url}/api/v1/units`, { headers: { Authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);

    await page.getByTestId('token-created-close').click();
    const row = page.getByTestId('tokens-table').locator('tbody tr.ant-table-row').filter({ hasText: name });
    await row.getByText('有效').waitFor();
    // Shown once: the list never contains the secret.
    expect(await page.getByTestId('tokens-table').innerText()).not.toContain(token);
    await screenshot(page, 'desktop-tokens');

    await row.getByRole('button', { name: '吊销' }).click();
    await page.locator('.ant-popconfirm:visible').getByRole('button', { name: '吊销' }).click();
    await row.getByText('已吊销').waitFor();
    const after = await fetch(`${server.url}/api/v1/units`, { headers: { Authorization: `Bearer ${token}` } });
    expect(after.status).toBe(401);
  });

  it('pages and sorts the user list on the server', async () => {
    await menu('用户管理');
    const table = page.getByTestId('users-table');
    await table.locator('tbody tr.ant-table-row').first().waitFor();
    const total = Number((await page.locator('.ant-pagination-total-text').innerText()).replace(/[^\d]/g, ''));
    expect(total).toBeGreaterThan(20);
    expect(await table.locator('tbody tr.ant-table-row').count()).toBe(20);

    const sorted = page.waitForResponse((r) => r.url().includes('/api/v1/users?') && r.url().includes('sort=-username'));
    // Sorted by user name ascending by default: one click turns it to descending.
    await table.locator('th').filter({ hasText: '用户名' }).click();
    await sorted;
    await page.waitForURL(/sort=-username/);
    const firstRows = await table.locator('tbody tr.ant-table-row td:first-child').allInnerTexts();
    expect(firstRows).toEqual([...firstRows].sort().reverse());

    const paged = page.waitForResponse((r) => r.url().includes('/api/v1/users?') && r.url().includes('page=2'));
    await page.locator('.ant-pagination-item-2').click();
    await paged;
    await page.waitForURL(/page=2/);
    expect(await table.locator('tbody tr.ant-table-row').count()).toBeGreaterThan(0);

    // Filtering by role is done by the server too.
    await page.goto('/admin/users?role=dispatcher');
    await table.locator('tbody tr.ant-table-row').first().waitFor();
    const roles = await table.locator('tbody tr.ant-table-row').allInnerTexts();
    expect(roles.length).toBeGreaterThan(0);
    for (const r of roles) expect(r).toContain('派单员');

    // A failing server shows the error state; 重试 loads the list once the server is back.
    await page.route('**/api/v1/users?**', (route) =>
      route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: 'UNAVAILABLE', message: '服务暂不可用' }) }),
    );
    guard.allow(503, /\/api\/v1\/users\?/, 3);
    await page.goto('/admin/users?role=leader');
    const failed = page.getByTestId('query-error');
    await failed.waitFor();
    expect(await failed.innerText()).toContain('数据加载失败');
    await screenshot(page, 'desktop-list-error');
    await page.unroute('**/api/v1/users?**');
    await failed.getByTestId('retry').click();
    await table.locator('tbody tr.ant-table-row').filter({ hasText: '领导' }).first().waitFor();
    guard.resetAllowances();

    // An empty result says so.
    await page.goto('/admin/users?q=no-such-person-xyz');
    await page.getByTestId('empty').getByText('没有符合条件的记录').waitFor();
  });
});
