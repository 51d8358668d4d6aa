import { beforeEach, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { describeInBrowser, type PageGuard, PHONE, screenshot } from './support/browser';
import { useBrowserTest } from './support/suite';
import { ADMIN } from './support/zhengtong';

async function expectTouchSized(el: Locator): Promise<void> {
  const box = await el.boundingBox();
  expect(box, 'element is visible').not.toBeNull();
  expect(box!.height).toBeGreaterThanOrEqual(44);
  expect(box!.width).toBeGreaterThanOrEqual(44);
}

async function expectNoSideways(page: Page): Promise<void> {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(PHONE.width);
}

/** Opens a page from the 我的 drawer, which lists every page the user may open (the tab bar shows a few). */
async function openFromDrawer(page: Page, key: string): Promise<void> {
  await page.getByTestId('tab-more').click();
  await page.getByTestId(`drawer-${key}`).click();
  await page.getByTestId('phone-drawer').waitFor({ state: 'hidden' });
}

describeInBrowser('web: phone layout at 390 × 844', () => {
  const ui = useBrowserTest('phone', ADMIN);
  let page: Page;
  let guard: PageGuard;
  beforeEach(() => ({ page, guard } = ui));

  it('uses a bottom tab bar and a drawer instead of the side menu', async () => {
    await page.getByTestId('phone-shell').waitFor();
    expect(await page.getByTestId('desktop-shell').count()).toBe(0);
    expect(await page.getByTestId('side-menu').count()).toBe(0);
    const bar = page.getByTestId('phone-tabbar');
    await bar.waitFor();
    const barBox = await bar.boundingBox();
    // Pinned to the bottom of the screen.
    expect(Math.round(barBox!.y + barBox!.height)).toBe(PHONE.height);
    const tabs = bar.locator('button');
    expect(await tabs.count()).toBeGreaterThanOrEqual(3);
    for (const tab of await tabs.all()) await expectTouchSized(tab);
    await expectTouchSized(page.getByTestId('tab-home'));
    await expectTouchSized(page.getByTestId('tab-more'));
    await page.getByTestId('card-value-units.count').waitFor();
    await page.getByTestId('card-audit.trend').locator('canvas').waitFor();
    await expectNoSideways(page);
    await screenshot(page, 'phone-home');

    await page.getByTestId('tab-more').click();
    const drawer = page.getByTestId('phone-drawer');
    await drawer.getByText('系统管理员').waitFor();
    for (const item of ['drawer-home', 'drawer-units', 'drawer-users', 'drawer-tokens', 'drawer-audit']) await expectTouchSized(page.getByTestId(item));
    await expectTouchSized(page.getByTestId('phone-logout'));
    await screenshot(page, 'phone-drawer');

    await page.getByTestId('drawer-audit').click();
    await page.waitForURL(/\/admin\/audit/);
    const cards = page.getByTestId('audit-cards');
    await cards.getByTestId('list-card').first().waitFor();
    expect(await page.getByTestId('audit-table').count()).toBe(0);
    await expectNoSideways(page);
    await screenshot(page, 'phone-audit');

    await page.getByTestId('tab-more').click();
    await page.getByTestId('phone-logout').click();
    await page.waitForURL(/\/login\?reason=logged_out/);
  });

  it('shows lists as cards, with touch-sized paging', async () => {
    await openFromDrawer(page, 'users');
    const cards = page.getByTestId('users-cards');
    await cards.getByTestId('list-card').first().waitFor();
    expect(await page.getByTestId('users-table').count()).toBe(0);
    expect(await cards.getByTestId('list-card').count()).toBe(20);
    await cards.getByTestId('user-card-dispatcher1').getByText('派单员').waitFor();
    await expectTouchSized(page.getByTestId('user-create'));
    await expectNoSideways(page);
    await screenshot(page, 'phone-users');

    // Paging on the phone asks the server for the next page.
    const next = page.waitForResponse((r) => r.url().includes('/api/v1/users?') && r.url().includes('page=2'));
    await page.locator('.zt-card-list-pager .ant-pagination-next').click();
    await next;
    await page.waitForURL(/page=2/);

    await openFromDrawer(page, 'tokens');
    await page.getByTestId('tokens-cards').waitFor();
    await screenshot(page, 'phone-tokens');
  });

  it('shows the unit tree and a unit in a bottom sheet', async () => {
    await openFromDrawer(page, 'units');
    await page.getByTestId('unit-tree').waitFor();
    await expectNoSideways(page);
    await screenshot(page, 'phone-units');
    await page.getByTestId('unit-node-QC-BGT').click();
    const sheet = page.getByTestId('unit-drawer');
    await sheet.getByText('市政府办公厅').first().waitFor();
    await expectTouchSized(page.getByTestId('unit-add-child'));
    await screenshot(page, 'phone-unit-details');
  });

  it('changes the password from the 我的 sheet', async () => {
    await page.getByTestId('tab-more').click();
    await page.getByTestId('phone-drawer').getByRole('button', { name: '修改密码' }).click();
    await page.getByTestId('password-form').waitFor();
    await expectTouchSized(page.getByTestId('password-submit'));
    await expectNoSideways(page);
    await screenshot(page, 'phone-change-password');
  });
});
