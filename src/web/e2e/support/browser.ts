import fs from 'node:fs';
import path from 'node:path';
import { describe } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from './web-build';

/** Debian's Chromium; ZT_CHROMIUM points elsewhere (e.g. to check the skip and CI paths). */
export const CHROMIUM = process.env.ZT_CHROMIUM || '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-artifacts/screenshots');
export const DESKTOP = { width: 1366, height: 768 };
export const PHONE = { width: 390, height: 844 };

const isCI = !!process.env.CI && !['0', 'false'].includes(process.env.CI.toLowerCase());

/**
 * A browser suite: skipped with one line where Chromium is not installed on a developer machine;
 * in CI a missing Chromium fails the suite (launchBrowser throws).
 */
export function describeInBrowser(name: string, fn: () => void): void {
  if (!fs.existsSync(CHROMIUM) && !isCI) {
    console.log(`[e2e] skipping "${name}": ${CHROMIUM} not found (apt-get install chromium fonts-noto-cjk to run browser tests)`);
    describe.skip(name, fn);
    return;
  }
  describe(name, { timeout: 120_000 }, fn);
}

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: browser tests cannot run (CI requires it; apt-get install chromium fonts-noto-cjk)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// A step that has not happened in 15 s will not happen: fail with the locator named, well inside the test timeout.
const STEP_TIMEOUT = 15_000;

export async function newDesktopContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL, viewport: DESKTOP, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  context.setDefaultTimeout(STEP_TIMEOUT);
  return context;
}

export async function newPhoneContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL, viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  context.setDefaultTimeout(STEP_TIMEOUT);
  return context;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // Let fonts and animations settle so the picture shows the real layout.
  await page.evaluate(() => document.fonts.ready);
  await page.waitForTimeout(350);
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: false });
}

interface Allowance {
  status: number;
  url: RegExp;
  remaining: number;
}

/**
 * Fails a test on any console error, uncaught page error, failed request, or HTTP reply ≥ 400 that
 * the test did not announce with allow().
 */
export class PageGuard {
  readonly problems: string[] = [];
  /** The last API calls and their outcomes, for the report of a failed test. */
  readonly recentApi: string[] = [];
  private allowances: Allowance[] = [];

  constructor(page: Page) {
    const note = (line: string) => {
      this.recentApi.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
      if (this.recentApi.length > 25) this.recentApi.shift();
    };
    // The last pointer events the page received, kept in the page (no round trip per event), for the report.
    void page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { __ztPointer: string[] }).__ztPointer = seen;
      for (const type of ['mousedown', 'mouseup', 'click']) {
        document.addEventListener(type, (e) => {
          const el = e.target instanceof Element ? e.target : null;
          const owner = el?.closest('button, a, input, [data-testid]');
          seen.push(`${(performance.now() / 1000).toFixed(3)} ${type} ${el ? el.tagName.toLowerCase() : '?'}${el?.isConnected ? '' : '(detached)'} in ${owner ? `${owner.tagName.toLowerCase()}[${owner.getAttribute('data-testid') ?? ''}] ${(owner.textContent ?? '').trim().slice(0, 12)}` : '-'}`);
          if (seen.length > 30) seen.shift();
        }, true);
      }
    });
    page.on('requestfinished', (req) => {
      if (!req.url().includes('/api/')) return;
      void req.response().then((res) => note(`${req.method()} ${new URL(req.url()).pathname} → ${res?.status() ?? '?'}`), () => undefined);
    });
    page.on('requestfailed', (req) => {
      if (req.url().includes('/api/')) note(`${req.method()} ${new URL(req.url()).pathname} ✗ ${req.failure()?.errorText ?? ''}`);
    });
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const text = msg.text();
      // Chrome logs every 4xx/5xx fetch; the response listener judges those precisely.
      if (/^Failed to load resource: the server responded with a status of \d+/.test(text)) return;
      this.problems.push(`console error: ${text}`);
    });
    page.on('pageerror', (err) => this.problems.push(`page error: ${err.message}`));
    page.on('requestfailed', (req) => {
      const failure = req.failure()?.errorText ?? '';
      // Aborted on purpose: a navigation or a superseded query cancels its fetch.
      if (failure.includes('ERR_ABORTED')) return;
      this.problems.push(`request failed: ${req.method()} ${req.url()} (${failure})`);
    });
    page.on('response', (res) => {
      const status = res.status();
      if (status < 400) return;
      const url = res.url();
      const a = this.allowances.find((x) => x.status === status && x.url.test(url) && x.remaining > 0);
      if (a) {
        a.remaining--;
        return;
      }
      this.problems.push(`unexpected HTTP ${status}: ${res.request().method()} ${url}`);
    });
  }

  /** Announces a failure the test provokes (count: how many such replies are fine). */
  allow(status: number, url: RegExp, count = 1): void {
    this.allowances.push({ status, url, remaining: count });
  }

  /** How many announced failures have not happened (yet). */
  pendingAllowances(): number {
    return this.allowances.reduce((n, a) => n + (Number.isFinite(a.remaining) ? a.remaining : 0), 0);
  }

  /** Forgets unused allowances, so a later step cannot hide an unexpected failure behind them. */
  resetAllowances(): void {
    this.allowances = [];
  }

  /**
   * What a failed test's page showed: the errors, alerts and messages in view and the last API calls, with a
   * screenshot kept under test-artifacts/screenshots/failed-<name>.png.
   */
  async reportFailure(page: Page, name: string): Promise<string> {
    const shown = await page
      .locator('.ant-form-item-explain-error:visible, .ant-alert:visible, .ant-message-notice:visible, .ant-notification-notice:visible')
      .allInnerTexts()
      .catch(() => [] as string[]);
    const pointer = await page.evaluate(() => (window as unknown as { __ztPointer?: string[] }).__ztPointer ?? []).catch(() => [] as string[]);
    const file = `failed-${name.replace(/[^\w-]+/g, '-').slice(0, 60)}`;
    await screenshot(page, file).catch(() => undefined);
    return [`[e2e] "${name}" failed at ${page.url()}`, `  in view: ${JSON.stringify(shown)}`, '  last API calls:', ...this.recentApi.map((l) => `    ${l}`), '  last pointer events (page seconds):', ...pointer.map((l) => `    ${l}`), `  screenshot: test-artifacts/screenshots/${file}.png`].join('\n');
  }

  /** For an afterEach hook: prints reportFailure when the test (`ctx`) failed; `who` names the page's user. */
  async reportIfFailed(ctx: { task: { name: string; result?: { state?: string } } }, page: Page | undefined, who = ''): Promise<void> {
    if (ctx.task.result?.state !== 'fail' || !page) return;
    console.error(`${who ? `${who}: ` : ''}${await this.reportFailure(page, `${ctx.task.name}${who ? ` ${who}` : ''}`)}`);
  }

  assertClean(): void {
    if (this.problems.length) {
      const list = this.problems.splice(0).join('\n  ');
      throw new Error(`The page reported problems:\n  ${list}`);
    }
  }
}
