import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { describeInBrowser, launchBrowser, newDesktopContext, newPhoneContext, PageGuard, PHONE, screenshot } from './support/browser';
import { cardValue, clickWhenReady, loginAs, pickChoice, pickOption, submitAndSend, waitForFieldError } from './support/flows';
import { DEMO_PASSWORD, startTestServer, type TestServer } from './support/zhengtong';

/**
 * 接诉即办 end to end in the browser, by the people who do it: the agent accepts a call, the dispatcher
 * sends it to 东湖区人民政府, a district handler signs for it, asks for more time and replies — on a
 * phone — the dispatcher approves and reviews, the agent calls the citizen back, the dispatcher closes.
 */

interface Actor {
  context: BrowserContext;
  page: Page;
  guard: PageGuard;
}

const CALLER_PHONE = '13912345678';

async function expectNoSideways(page: Page): Promise<void> {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(PHONE.width);
}

async function expectTouchSized(page: Page, testId: string): Promise<void> {
  const box = await page.getByTestId(testId).first().boundingBox();
  expect(box, `${testId} is visible`).not.toBeNull();
  expect(box!.height).toBeGreaterThanOrEqual(44);
}

/** Waits for the request page to show a state (after an action, or a visit). */
async function expectStatus(page: Page, status: string): Promise<void> {
  try {
    await page.locator(`[data-testid="request-detail"][data-status="${status}"]`).waitFor();
  } catch (e) {
    const seen = await page.getByTestId('request-detail').getAttribute('data-status', { timeout: 1000 }).catch(() => 'no detail page');
    throw new Error(`expected the request page at ${page.url()} to show status ${status}; it shows ${seen}`, { cause: e });
  }
}

describeInBrowser('web: 接诉即办 from the call to the archive', () => {
  let server: TestServer;
  let browser: Browser;
  const actors = new Map<string, Actor>();
  let requestId = 0;
  let requestNumber = '';

  /** One signed-in browser context per user, kept for the whole story (desktop, or a 390 px phone). */
  async function as(username: string, phone = false): Promise<Actor> {
    const key = `${username}${phone ? '@phone' : ''}`;
    const known = actors.get(key);
    if (known) return known;
    const context = phone ? await newPhoneContext(browser, server.url) : await newDesktopContext(browser, server.url);
    const page = await context.newPage();
    const guard = new PageGuard(page);
    await loginAs(page, username, DEMO_PASSWORD);
    const actor = { context, page, guard };
    actors.set(key, actor);
    return actor;
  }

  async function openRequest(page: Page): Promise<void> {
    await page.goto(`/requests/${requestId}`);
    await page.getByTestId('request-detail').waitFor();
  }

  async function runAction(page: Page, action: string, fill?: () => Promise<void>): Promise<void> {
    await page.getByTestId(`action-${action}`).click();
    const dialog = page.getByTestId('action-dialog').filter({ visible: true });
    await dialog.waitFor();
    if (fill) await fill();
    await submitAction(page, action);
  }

  /** Presses the open action dialog's submit button until the action's POST has gone out (submitAndSend). */
  async function submitAction(page: Page, action: string): Promise<void> {
    await submitAndSend(page, page.getByTestId('action-submit').filter({ visible: true }), new RegExp(`/api/v1/requests/\\d+/actions/${action}$`));
  }

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const a of actors.values()) await a.context.close();
    await browser?.close();
    await server?.close();
  });
  afterEach(async (ctx) => {
    for (const [who, a] of actors) await a.guard.reportIfFailed(ctx, a.page, who);
    for (const a of actors.values()) a.guard.assertClean();
  });

  it('agent1 answers a consultation at once, then accepts a complaint from the keyboard', async () => {
    const { page, context } = await as('agent1');
    expect(await cardValue(page, 'requests.today')).toBe(0);
    await page.getByTestId('side-menu').getByText('受理登记', { exact: true }).click();
    await page.getByTestId('intake-form').waitFor();
    // The channel field has the focus and a default: the 12345 phone line.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('intake_channelId');
    await page.getByTestId('intake-channel').getByText('12345热线电话').waitFor();

    // 1. A consultation answered from the knowledge base: accepted and closed in one step.
    await page.getByTestId('intake-type').getByText('咨询', { exact: true }).click();
    await page.locator('#intake_content').fill('咨询公租房申请需要哪些材料？');
    await page.locator('#intake_requesterPhone').fill(CALLER_PHONE);
    await page.locator('#intake_requesterName').fill('李先生');
    await page.getByTestId('direct-answer').waitFor();
    // The answer is required for 直接答复办结.
    await clickWhenReady(page.getByTestId('intake-direct-submit'));
    await page.getByText('请填写答复内容').waitFor();
    await page.locator('#intake_directAnswer').fill('请携带身份证、户口簿及收入证明到所在街道办事处申请。');
    await submitAndSend(page, page.getByTestId('intake-direct-submit'), /\/api\/v1\/requests$/);
    await page.getByTestId('intake-success').getByText(/已直接答复办结，编号 \d{13}/).waitFor();

    // 2. A complaint. The same caller's earlier request shows beside the form as the number is typed.
    await page.getByTestId('intake-type').getByText('投诉', { exact: true }).click();
    await page.locator('#intake_requesterPhone').fill(CALLER_PHONE);
    await page.getByTestId('caller-history').getByTestId('history-item').first().waitFor();
    await page.getByTestId('caller-history').getByText('已办结').waitFor();
    await page.locator('#intake_requesterName').fill('李先生');

    await page.locator('#intake_category').click();
    await page.locator('#intake_category').fill('物业服务质量');
    await page.locator('.ant-cascader-dropdown:visible .ant-cascader-menu-item').filter({ hasText: '物业服务质量' }).first().click();
    // Picking from a dropdown with the keyboard moves on to the next field.
    await page.locator('#intake_districtId').focus();
    await page.keyboard.type('东湖');
    await page.locator('.ant-select-dropdown:visible').getByText('东湖区人民政府').waitFor();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('intake_streetId');
    // The dispatch catalogue's suggestion for 物业 × 东湖区: the district itself (属地).
    await page.getByTestId('suggested-unit').getByText('东湖区人民政府').waitFor();
    await page.locator('#intake_streetId').click();
    await pickOption(page, '花园街道办事处');

    // Keyboard-first: Enter moves from the address to the title, Ctrl+Enter submits.
    await page.locator('#intake_address').fill('花园街道幸福里小区 3 栋');
    await page.locator('#intake_address').press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('intake_title');
    await page.keyboard.type('小区电梯长期故障物业不维修');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('intake_content');
    await page.keyboard.type('3 栋电梯停运两周，物业一直推诿，老人上下楼困难，请尽快督促维修。');
    await page.locator('#intake_content').press('Enter');
    // In the text area Enter is a new line, not the next field.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('intake_content');
    await page.getByText(/\d+ \/ 4000/).first().waitFor();
    await screenshot(page, 'requests-intake-desktop');

    // A double submit while the server is slow makes one request; the POST carries an Idempotency-Key.
    // The POSTs are counted from the page's request events, which every request raises; the route only
    // slows the server's answer down (CI once saw a success whose POST the route handler never saw).
    const keys: string[] = [];
    const countAccept = (request: Request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/v1/requests') {
        keys.push(request.headers()['idempotency-key'] ?? '');
      }
    };
    page.on('request', countAccept);
    await page.route('**/api/v1/requests', async (route) => {
      if (route.request().method() === 'POST') await new Promise((r) => setTimeout(r, 400));
      await route.continue();
    });
    await page.keyboard.press('Control+Enter');
    await page.keyboard.press('Control+Enter');
    const success = page.getByTestId('intake-success').getByText(/已受理，编号 \d{13}/);
    await success.waitFor();
    requestNumber = /(\d{13})/.exec(await success.innerText())![1];
    const href = await page.getByTestId('intake-success-link').getAttribute('href');
    requestId = Number(/\/requests\/(\d+)/.exec(href ?? '')![1]);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    page.off('request', countAccept);
    await page.unroute('**/api/v1/requests');
    const today = await (await context.request.get(`/api/v1/requests?q=${requestNumber}`)).json();
    expect(today.total).toBe(1);
    const all = await (await context.request.get('/api/v1/requests?pageSize=1')).json();
    expect(all.total).toBe(2);
    // The form is ready for the next caller, with a new key.
    await expect.poll(() => page.locator('#intake_content').inputValue()).toBe('');

    await page.getByTestId('intake-success-link').click();
    await expectStatus(page, 'accepted');
    await page.getByTestId('request-number').getByText(requestNumber).waitFor();
    await page.getByTestId('request-requester').getByText(CALLER_PHONE).waitFor();
    await screenshot(page, 'requests-detail-accepted-desktop');
  });

  it('dispatcher1 dispatches it from the queue to 东湖区人民政府', async () => {
    const { page } = await as('dispatcher1');
    expect(await cardValue(page, 'requests.to-dispatch')).toBe(1);
    await page.getByTestId('side-menu').getByText('派单审核', { exact: true }).click();
    await page.getByTestId('dispatch').waitFor();
    await page.getByTestId('count-to-dispatch').getByText('1').first().waitFor();
    const row = page.getByTestId('dispatch-to-dispatch-table').locator('tr', { hasText: requestNumber });
    await row.waitFor();
    await screenshot(page, 'requests-dispatch-queue-desktop');
    await page.getByTestId(`quick-dispatch-${requestNumber}`).click();
    // The suggested lead unit is filled in from the dispatch catalogue.
    await page.getByTestId('dispatch-suggestion').getByText('东湖区人民政府').waitFor();
    await page.getByTestId('dispatch-lead').getByText('东湖区人民政府').waitFor();
    await screenshot(page, 'requests-dispatch-dialog-desktop');
    await submitAction(page, 'dispatch');
    await page.getByText('派单成功').waitFor();
    await page.getByTestId('dispatch-to-dispatch-table').getByText(requestNumber).waitFor({ state: 'detached' });
  });

  it('donghu.handler1 signs for it and asks for more time on a phone', async () => {
    const { page } = await as('donghu.handler1', true);
    expect(await cardValue(page, 'requests.to-sign')).toBe(1);
    await screenshot(page, 'requests-home-handler-phone');
    await page.getByTestId('tab-requests-inbox').click();
    await page.getByTestId('inbox').waitFor();
    await page.getByTestId('count-to-sign').getByText('1').first().waitFor();
    const card = page.getByTestId(`request-card-${requestNumber}`);
    await card.waitFor();
    await expectTouchSized(page, `quick-sign-${requestNumber}`);
    await expectNoSideways(page);
    await screenshot(page, 'requests-inbox-phone');

    await page.getByTestId(`quick-sign-${requestNumber}`).click();
    await page.getByTestId('action-dialog').filter({ visible: true }).getByText(/签收即表示本单位接收该工单/).waitFor();
    await screenshot(page, 'requests-sign-sheet-phone');
    await submitAction(page, 'sign');
    await page.getByText('签收成功').waitFor();
    await page.getByTestId('count-to-sign').getByText('0').first().waitFor();

    // The card opens the request: the reply clock is running, the sign-for clock is done.
    await page.getByTestId('tab-box-handling').click();
    await page.getByTestId(`request-card-${requestNumber}`).locator('.zt-rq-card-body').click();
    await expectStatus(page, 'handling');
    await page.locator('[data-testid="clock-sign"][data-state="done"]').waitFor();
    await page.locator('[data-testid="clock-reply"][data-state="green"]').waitFor();
    await expectNoSideways(page);
    await screenshot(page, 'requests-detail-handling-phone');

    // 申请延期 with more days than the rules allow: the server's message lands on the field.
    const server400 = /\/api\/v1\/requests\/\d+\/actions\/request-extension$/;
    actors.get('donghu.handler1@phone')!.guard.allow(400, server400);
    await runAction(page, 'request-extension', async () => {
      await page.getByTestId('extension-preview').getByText('当前办理期限').waitFor();
      await page.locator('#action-request-extension_days').fill('20');
      await page.locator('#action-request-extension_reason').fill('需协调物业公司更换电梯主板，配件采购周期较长');
    });
    await waitForFieldError(page, 'action-request-extension_days', /延期天数应为 1 至 \d+ 个工作日/);
    await screenshot(page, 'requests-extension-error-phone');
    await page.locator('#action-request-extension_days').fill('2');
    await page.getByTestId('extension-preview').getByText('延期后办理期限').waitFor();
    await submitAction(page, 'request-extension');
    await page.getByText('申请延期成功').waitFor();
    await page.getByTestId('extension-pending').waitFor();
    // While the centre decides, the reply clock is paused and there is no 回复 button.
    await page.locator('[data-testid="clock-reply"][data-state="paused"]').waitFor();
    expect(await page.getByTestId('action-reply').count()).toBe(0);
  });

  it('dispatcher1 approves the extension from the review queue', async () => {
    const { page } = await as('dispatcher1');
    await page.getByTestId('tab-box-to-review').click();
    await page.getByTestId('dispatch-to-review-table').getByTestId('reason-extension').waitFor();
    await page.getByTestId(`open-${requestNumber}`).click();
    await expectStatus(page, 'handling');
    await runAction(page, 'approve-extension', async () => {
      await page.getByTestId('action-dialog').getByText(/承办单位申请延期 2 个工作日/).waitFor();
      await page.getByTestId('extension-preview').getByText('延期后办理期限').waitFor();
    });
    await page.getByText('批准延期成功').waitFor();
    await page.getByTestId('request-timeline').getByText(/批准延期/).waitFor();
  });

  it('donghu.handler1 replies on the phone', async () => {
    const { page } = await as('donghu.handler1', true);
    await page.getByTestId('request-refresh').click();
    await page.getByTestId('action-reply').waitFor();
    await expectTouchSized(page, 'action-reply');
    await runAction(page, 'reply', async () => {
      await pickChoice(page.getByTestId('reply-result'), '已解决');
      await page.locator('#action-reply_text').fill('经协调，物业公司已于今日更换电梯主板并恢复运行，已告知诉求人。');
      await screenshot(page, 'requests-reply-sheet-phone');
    });
    await page.getByText('回复成功').waitFor();
    await expectStatus(page, 'replied');
    await page.getByTestId('request-reply').getByText('更换电梯主板').waitFor();
    await page.getByTestId('no-actions').waitFor();
    await expectNoSideways(page);
    await screenshot(page, 'requests-detail-replied-phone');
  });

  it('dispatcher1 reviews the reply; a stale second tab is told someone else acted', async () => {
    const { page, context } = await as('dispatcher1');
    await page.getByTestId('side-menu').getByText('派单审核', { exact: true }).click();
    await page.getByTestId('tab-box-to-review').click();
    await page.getByTestId('dispatch-to-review-table').getByTestId('reason-reply').waitFor();
    await page.getByTestId(`open-${requestNumber}`).click();
    await expectStatus(page, 'replied');

    // The same request open in a second tab, which then falls behind.
    const stale = await context.newPage();
    const staleGuard = new PageGuard(stale);
    await stale.goto(`/requests/${requestId}`);
    await expectStatus(stale, 'replied');
    await stale.getByTestId('action-review').waitFor();

    await runAction(page, 'review', async () => {
      await pickChoice(page.getByTestId('review-decision'), '通过');
    });
    await page.getByText('审核成功').waitFor();
    await expectStatus(page, 'callback');
    await screenshot(page, 'requests-detail-reviewed-desktop');

    staleGuard.allow(409, /\/actions\/review$/);
    await runAction(stale, 'review');
    await stale.getByText(/该诉求已被他人处理/).waitFor();
    await expectStatus(stale, 'callback');
    expect(await stale.getByTestId('action-review').count()).toBe(0);
    await screenshot(stale, 'requests-conflict-desktop');
    await stale.close();
    staleGuard.assertClean();
  });

  it('agent1 calls the citizen back from the callback list', async () => {
    const { page } = await as('agent1');
    await page.getByTestId('side-menu').getByText('回访', { exact: true }).click();
    await page.getByTestId('callbacks').waitFor();
    await page.getByTestId(`quick-callback-${requestNumber}`).click();
    await pickChoice(page.getByTestId('callback-resolved'), '已解决');
    await pickChoice(page.getByTestId('callback-satisfaction'), '满意');
    await screenshot(page, 'requests-callback-dialog-desktop');
    await submitAction(page, 'callback');
    await page.getByText('回访成功').waitFor();
    // Agents do not close: the row stays for the centre, without a button for the agent.
    await page.getByTestId('callbacks').getByText('已回访').waitFor();
    await expect.poll(() => page.getByTestId(`quick-callback-${requestNumber}`).count()).toBe(0);
  });

  it('dispatcher1 closes it; the page shows 已办结 and the whole story', async () => {
    const { page } = await as('dispatcher1');
    await page.getByTestId('side-menu').getByText('派单审核', { exact: true }).click();
    await page.getByTestId('tab-box-to-callback').click();
    await page.getByTestId(`quick-close-${requestNumber}`).click();
    await submitAction(page, 'close');
    await page.getByText('办结成功').waitFor();

    await openRequest(page);
    await expectStatus(page, 'closed');
    await page.getByTestId('request-detail').getByTestId('status-tag').getByText('已办结').waitFor();
    for (const clock of ['sign', 'reply', 'overall']) await page.locator(`[data-testid="clock-${clock}"][data-state="done"]`).waitFor();
    await expect.poll(() => page.getByTestId('timeline-event').evaluateAll((els) => els.map((e) => e.getAttribute('data-action'))))
      .toEqual(['accept', 'dispatch', 'sign', 'request-extension', 'approve-extension', 'reply', 'review', 'callback', 'close']);
    const timeline = page.getByTestId('request-timeline');
    // Who, in which unit, and what.
    await timeline.getByText('王晓燕 · 12345市民服务热线中心').first().waitFor();
    await timeline.getByText('刘洋 · 东湖区人民政府').first().waitFor();
    await timeline.getByText('主办：东湖区人民政府').waitFor();
    await timeline.getByText('办理结果：已解决').waitFor();
    await timeline.getByText('已解决，满意').waitFor();
    await page.getByTestId('request-callback').getByText('满意', { exact: true }).waitFor();
    await page.getByTestId('no-actions').waitFor();
    await screenshot(page, 'requests-detail-closed-desktop');
    await page.getByTestId('request-timeline').screenshot({ path: 'test-artifacts/screenshots/requests-timeline-desktop.png' });

    // The language switch turns the same page into English.
    await page.getByTestId('lang-switch').getByText('EN').click();
    await page.getByTestId('request-detail').getByTestId('status-tag').getByText('Closed').waitFor();
    await page.getByTestId('request-timeline').getByText('Outcome: Resolved').waitFor();
    await screenshot(page, 'requests-detail-closed-desktop-en');
    await page.getByTestId('lang-switch').getByText('中文').click();
  });

  it('the full list filters, pages and exports on a desktop, and shows cards on a phone', async () => {
    const { page } = await as('dispatcher1');
    await page.getByTestId('side-menu').getByText('全部诉求', { exact: true }).click();
    const table = page.getByTestId('requests-table');
    await table.getByText(requestNumber).waitFor();
    await screenshot(page, 'requests-list-desktop');
    // Filters go to the server and into the URL.
    await page.locator('#requests-filter_status').click();
    await pickOption(page, '已办结');
    await page.keyboard.press('Escape');
    await page.getByTestId('requests-q').fill('电梯');
    const filtered = page.waitForResponse((r) => r.url().includes('/api/v1/requests?') && r.url().includes('status=closed') && r.url().includes(`q=${encodeURIComponent('电梯')}`));
    await page.getByTestId('requests-search').click();
    await filtered;
    await page.waitForURL(/status=closed/);
    await table.getByText(requestNumber).waitFor();
    // The row was in the list before the filter too: wait for the table to show the filtered page alone.
    await expect.poll(() => table.locator('tbody tr.ant-table-row').count()).toBe(1);
    const download = page.waitForEvent('download');
    await page.getByTestId('requests-export').click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/\.xlsx$/);

    const phone = await as('donghu.handler1', true);
    await phone.page.goto('/requests');
    await phone.page.getByTestId('requests-cards').getByTestId(`request-card-${requestNumber}`).waitFor();
    expect(await phone.page.getByTestId('requests-table').count()).toBe(0);
    await expectNoSideways(phone.page);
    await screenshot(phone.page, 'requests-list-phone');
    await phone.page.getByTestId(`request-card-${requestNumber}`).locator('.zt-rq-card-body').click();
    await expectStatus(phone.page, 'closed');
    await phone.page.getByTestId('request-timeline').scrollIntoViewIfNeeded();
    await screenshot(phone.page, 'requests-detail-closed-phone');
    // Handling units see the requester masked.
    await phone.page.getByTestId('request-requester').getByText('139****5678').waitFor();
  });

  it('the intake form and queues work on a phone too', async () => {
    const { page } = await as('agent1', true);
    await page.goto('/requests/new');
    await page.getByTestId('intake-form').waitFor();
    await expectNoSideways(page);
    await expectTouchSized(page, 'intake-submit');
    await screenshot(page, 'requests-intake-phone');
    const d = await as('dispatcher1', true);
    await d.page.goto('/requests/dispatch?tab=to-callback');
    await d.page.getByTestId('dispatch').waitFor();
    await expectNoSideways(d.page);
    await screenshot(d.page, 'requests-dispatch-phone');
    await d.page.goto('/');
    await d.page.getByTestId('card-value-requests.to-dispatch').waitFor();
    await screenshot(d.page, 'requests-home-dispatcher-phone');
  });
});
