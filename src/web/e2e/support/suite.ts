import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, newDesktopContext, newPhoneContext, PageGuard } from './browser';
import { loginAs } from './flows';
import { startTestServer, type TestServer } from './zhengtong';

/** What a page-level browser test works with; the hooks of useBrowserTest fill it. */
export interface BrowserTest {
  server: TestServer;
  context: BrowserContext;
  page: Page;
  guard: PageGuard;
}

/**
 * The hooks every page-level browser suite has: one Zhengtong and one Chromium for the file; for each test
 * a fresh context at the viewport, its page, and a guard that fails the test on an unannounced error,
 * logged in first when `login` is given. Call it inside the describe; read the fields inside tests.
 */
export function useBrowserTest(viewport: 'desktop' | 'phone', login?: { username: string; password: string }): BrowserTest {
  const t = {} as BrowserTest;
  let browser: Browser;
  beforeAll(async () => {
    t.server = await startTestServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t.server?.close();
  });
  beforeEach(async () => {
    t.context = await (viewport === 'phone' ? newPhoneContext : newDesktopContext)(browser, t.server.url);
    t.page = await t.context.newPage();
    t.guard = new PageGuard(t.page);
    if (login) await loginAs(t.page, login.username, login.password);
  });
  afterEach(async (ctx) => {
    await t.guard?.reportIfFailed(ctx, t.page);
    await t.context?.close();
    t.guard.assertClean();
  });
  return t;
}
