import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describeInBrowser, launchBrowser, newDesktopContext, newPhoneContext, PageGuard, PHONE, screenshot } from './support/browser';
import { clickWhenReady, loginAs, searchAndChoose, uniqueSuffix } from './support/flows';
import { apiLogin, buildRequest, kpiWorld } from './support/kpi-fixtures';
import { ADMIN, DEMO_PASSWORD, startTestServer, type TestServer } from './support/zhengtong';

/*
 * The KPI dashboard, the reference-data screens and the working calendar, driven in Chromium against
 * the real platform. The requests behind the figures are built through the API beforehand, so every
 * number the dashboard shows is checked against what those requests imply.
 */

async function expectNoSideways(page: Page): Promise<void> {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(PHONE.width);
}

describeInBrowser('web: KPI dashboard, reference data and working calendar', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    // 东湖区人民政府 gets four lead orders; three are signed for at once, one is returned unsigned:
    // response rate 3 / 4 = 75.0 %, return rate 1 / 4 = 25.0 %. Of the three callbacks two are resolved and satisfied, one is
    // neither: resolution and satisfaction 2 / 3 = 66.7 %, below the default floor of 85 %.
    const w = await kpiWorld(server.url);
    await buildRequest(w, 'closed', { callback: { resolved: true, satisfaction: 'satisfied' } });
    await buildRequest(w, 'closed', { type: 'consult', callback: { resolved: true, satisfaction: 'satisfied' } });
    await buildRequest(w, 'closed', { type: 'help', callback: { resolved: false, satisfaction: 'dissatisfied' } });
    await buildRequest(w, 'returned');
    // Accepted and not dispatched yet: counted in the volume, not in any unit's figures.
    await buildRequest(w, 'accepted', { type: 'suggestion' });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  describe('on a desktop', () => {
    let context: BrowserContext;
    let page: Page;
    let guard: PageGuard;
    beforeEach(async () => {
      context = await newDesktopContext(browser, server.url);
      page = await context.newPage();
      guard = new PageGuard(page);
    });
    afterEach(async (ctx) => {
      await guard?.reportIfFailed(ctx, page);
      await context?.close();
      guard.assertClean();
    });
    const menu = (label: string) => page.getByTestId('side-menu').getByText(label, { exact: true }).click();

    it('shows the unit ranking with the rates the requests imply, definitions and export', async () => {
      // What the server computes, as a cross-check of the fixture arithmetic above.
      const analyst = await apiLogin(server.url, 'analyst1');
      const stats = await analyst.call<{ groups: Array<{ name: string; rates: Record<string, number | null> }> }>('GET', '/requests/stats?groupBy=unit');
      const donghu = stats.groups.find((g) => g.name === '东湖区人民政府');
      expect(donghu?.rates.responseRate).toBe(0.75);

      await loginAs(page, 'analyst1', DEMO_PASSWORD);
      // Home: this month's volume and satisfaction from the same API.
      expect(Number((await page.getByTestId('card-value-kpi.month.accepted').innerText()).replace(/\D/g, ''))).toBe(5);
      await expect.poll(() => page.getByTestId('card-value-kpi.month.satisfaction').innerText()).toBe('66.7%');
      await screenshot(page, 'desktop-home-kpi-cards');

      await menu('考核指标');
      await page.waitForURL(/\/kpi$/);
      const table = page.getByTestId('kpi-units-table');
      const row = table.locator('tbody tr.ant-table-row').filter({ hasText: '东湖区人民政府' });
      await row.waitFor();
      const cells = await row.locator('td').allInnerTexts();
      // rank, unit, accepted, orders, response, resolution, satisfaction, on time, returns, score
      expect(cells[1]).toContain('东湖区人民政府');
      expect(cells[1]).toContain('低于底线');
      expect(cells[3]).toBe('4');
      expect(cells[4]).toBe('75.0%');
      expect(cells[5]).toBe('66.7%');
      expect(cells[6]).toContain('66.7%');
      expect(cells[8]).toBe('25.0%');
      // Score = (0.75 × 30 + 0.667 × 35 + 0.667 × 35) / 100 × 100 = 69.2
      expect(cells[9]).toBe('69.2');
      expect(await row.getAttribute('class')).toContain('zt-kpi-row-low');
      await page.getByTestId('kpi-units').getByText('另有 1 件尚未派单，不计入单位排名').waitFor();
      await page.getByTestId('kpi-total-accepted').getByText('5', { exact: true }).waitFor();

      // Each rate header explains itself with the server's definition.
      await table.locator('thead').getByTestId('def-responseRate').first().hover();
      await page.locator('.ant-tooltip:visible').getByText(/^响应率 = 按时签收的主办工单 ÷ /).waitFor();
      await page.mouse.move(0, 0);

      // Type and channel charts drew; the top category table lists what exists.
      await page.getByTestId('kpi-types').locator('canvas').waitFor();
      await page.getByTestId('kpi-channels').locator('canvas').waitFor();
      await page.getByTestId('kpi-trend').locator('canvas').waitFor();
      await page.evaluate(() => window.scrollTo(0, 0));
      await screenshot(page, 'desktop-kpi');
      await page.getByTestId('kpi-units').scrollIntoViewIfNeeded();
      await screenshot(page, 'desktop-kpi-units');

      // Export: the server's workbook for the same query.
      const download = page.waitForEvent('download');
      await page.getByTestId('kpi-units-export').click();
      const file = await download;
      expect(file.suggestedFilename()).toBe('request-stats.xlsx');
      const saved = await file.path();
      expect(fs.readFileSync(saved).subarray(0, 2).toString()).toBe('PK');

      // Another period and the week view of the trend come from the same figures.
      await page.getByTestId('period-quarter').click();
      await page.waitForURL(/period=quarter/);
      await page.getByTestId('kpi-trend').getByText('按周').click();
      await page.waitForURL(/step=week/);
      await row.waitFor();
      expect((await row.locator('td').allInnerTexts())[4]).toBe('75.0%');
      await page.getByTestId('period-custom').click();
      await page.waitForURL(/period=custom/);
      await page.getByTestId('kpi-range').first().waitFor();
      await page.evaluate(() => window.scrollTo(0, 0));
      await screenshot(page, 'desktop-kpi-quarter-week');

      // English through the dictionary; the definitions follow the language.
      await page.getByTestId('lang-switch').getByText('EN').click();
      await page.getByTestId('kpi-units').getByText('Unit ranking').waitFor();
      await table.locator('thead').getByTestId('def-satisfactionRate').first().hover();
      await page.locator('.ant-tooltip:visible').getByText(/Satisfaction rate = \(satisfied \+ weight/).waitFor();
      await page.mouse.move(0, 0);
      await screenshot(page, 'desktop-kpi-en');
    });

    it('computes a deadline over the National Day holiday and imports a year of holidays', async () => {
      await loginAs(page, ADMIN.username, ADMIN.password);
      await menu('工作日历');
      await page.waitForURL(/\/admin\/calendar/);
      await page.getByTestId('year-prev').waitFor();
      // Go to 2024, the year of the example.
      const thisYear = new Date().getFullYear();
      for (let y = thisYear; y > 2024; y--) await page.getByTestId('year-prev').click();
      await page.getByTestId('calendar-year-title').getByText('2024 年').waitFor();
      await expect.poll(() => page.getByTestId('cal-day-2024-10-12').getAttribute('data-kind')).toBe('work');
      expect(await page.getByTestId('cal-day-2024-10-01').getAttribute('data-kind')).toBe('off');

      const start = page.getByTestId('deadline-start');
      await start.click();
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.type('2024-09-30 10:00');
      await page.keyboard.press('Enter');
      await page.locator('#deadline_amount').fill('5');
      await page.getByTestId('deadline-compute').click();
      await expect.poll(() => page.getByTestId('deadline-due').innerText()).toBe('2024-10-12 17:30');
      await page.getByTestId('deadline-result').getByText('调休上班日').waitFor();
      await page.getByTestId('deadline-result').getByText('星期六').waitFor();
      await screenshot(page, 'desktop-calendar');

      // Import next-next year's official list by pasting JSON; bad JSON is explained first.
      await page.getByTestId('calendar-import-open').click();
      const text = page.getByTestId('calendar-import-text');
      await text.fill('{"years":{"2031":{"off":["2031-02-30"],"work":[]}}}');
      await page.getByTestId('calendar-import-problems').getByText('“2031-02-30”不是有效日期').waitFor();
      await text.fill(JSON.stringify({ years: { 2031: { off: ['2031-01-01', '2031-10-01', '2031-10-02', '2031-10-03'], work: ['2031-09-28'] } } }));
      await page.getByTestId('calendar-import-preview').getByText('2031 年：放假 4 天，调休上班 1 天').waitFor();
      await screenshot(page, 'desktop-calendar-import');
      await clickWhenReady(page.getByTestId('calendar-import-submit'));
      await page.getByText('已导入 2031 年的安排').waitFor();
      await page.goto('/admin/calendar?year=2031');
      await page.getByTestId('calendar-summary').getByText('放假 4 天 · 调休上班 1 天').waitFor();
      expect(await page.getByTestId('cal-day-2031-09-28').getAttribute('data-kind')).toBe('work');
      await page.getByTestId('calendar-off-list').getByText('2031-10-02').waitFor();
    });

    it('imports categories from a CSV, reports the bad line, and shows the new ones in the tree', async () => {
      const sfx = uniqueSuffix();
      const top = `测试导入${sfx}`;
      const csv = ['level1,level2,level3', `${top},公共设施,路灯维修`, `${top},公共设施,井盖缺失`, `${top}`, '城乡建设,物业管理,物业服务质量', ''].join('\n');

      await loginAs(page, ADMIN.username, ADMIN.password);
      await menu('基础数据');
      await page.getByTestId('category-tree').waitFor();
      await screenshot(page, 'desktop-catalog-categories');

      await page.getByTestId('category-import-open').click();
      await page.getByTestId('category-import').locator('input[type=file]').setInputFiles({ name: 'categories.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
      await page.getByTestId('category-import').getByText('categories.csv').waitFor();
      await clickWhenReady(page.getByTestId('category-import-submit'));
      const result = page.getByTestId('category-import-result');
      await result.waitFor();
      // New: the first level, its second level, two leaves. Existing: the demo path's three levels.
      expect(await result.getByTestId('import-created').innerText()).toBe('4');
      expect(await result.getByTestId('import-existing').innerText()).toBe('3');
      const bad = result.getByTestId('import-errors').locator('tbody tr.ant-table-row');
      await expect.poll(() => bad.count()).toBe(1);
      expect((await bad.first().locator('td').allInnerTexts())[0]).toBe('4');
      await screenshot(page, 'desktop-catalog-import-result');
      await page.getByTestId('category-import-close').click();

      await page.getByTestId('category-search').locator('input').fill(top);
      await page.getByTestId('category-tree').getByText('路灯维修').click();
      await page.getByTestId('category-details').getByText(`${top} / 公共设施 / 路灯维修`).waitFor();
      await screenshot(page, 'desktop-catalog-new-category');

      // The dispatch catalogue's preview answers with the district government when no rule matches.
      await page.getByTestId('catalog-tab-dispatch').click();
      await page.getByTestId('rules-table').locator('tbody tr.ant-table-row').first().waitFor();
      await searchAndChoose(page, page.getByTestId('preview-district'), '东湖区人民政府');
      await page.getByTestId('preview-run').click();
      await page.getByTestId('preview-result').getByText('东湖区人民政府').waitFor();
      await screenshot(page, 'desktop-catalog-dispatch');

      await page.getByTestId('catalog-tab-limits').click();
      await page.getByTestId('limits-table').getByText('5 个工作日').first().waitFor();
      await screenshot(page, 'desktop-catalog-limits');

      await page.getByTestId('catalog-tab-channels').click();
      await page.getByTestId('channels-table').getByText('12345热线电话').waitFor();
      await screenshot(page, 'desktop-catalog-channels');

      await page.getByTestId('catalog-tab-kpi').click();
      await page.getByTestId('kpi-floor').waitFor();
      await screenshot(page, 'desktop-catalog-kpi-settings');
    });
  });

  describe('on a phone', () => {
    let context: BrowserContext;
    let page: Page;
    let guard: PageGuard;
    beforeEach(async () => {
      context = await newPhoneContext(browser, server.url);
      page = await context.newPage();
      guard = new PageGuard(page);
    });
    afterEach(async (ctx) => {
      await guard?.reportIfFailed(ctx, page);
      await context?.close();
      guard.assertClean();
    });

    it('shows the KPI dashboard as cards without sideways scrolling', async () => {
      await loginAs(page, 'analyst1', DEMO_PASSWORD);
      await page.goto('/kpi');
      const card = page.getByTestId('kpi-units-cards').getByTestId('kpi-unit-card').filter({ hasText: '东湖区人民政府' });
      await card.waitFor();
      expect(await card.innerText()).toContain('75.0%');
      await page.getByTestId('kpi-trend').locator('canvas').waitFor();
      await expectNoSideways(page);
      await screenshot(page, 'phone-kpi');
      await card.scrollIntoViewIfNeeded();
      await screenshot(page, 'phone-kpi-units');
    });

    it('shows the calendar, the calculator and the category tree', async () => {
      await loginAs(page, ADMIN.username, ADMIN.password);
      await page.goto('/admin/calendar?year=2024');
      await page.getByTestId('cal-day-2024-10-12').waitFor();
      await expectNoSideways(page);
      await screenshot(page, 'phone-calendar');
      await page.getByTestId('deadline-calculator').scrollIntoViewIfNeeded();
      await screenshot(page, 'phone-calendar-calculator');

      await page.goto('/admin/catalog?tab=categories');
      await page.getByTestId('category-tree').waitFor();
      await expectNoSideways(page);
      await screenshot(page, 'phone-catalog');
      await page.getByTestId('category-node-01').click();
      await page.getByTestId('category-details').waitFor();
      await screenshot(page, 'phone-catalog-category');
    });
  });
});
