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
  private allowances: Allowance[] = [];

  constructor(page: Page) {
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

  assertClean(): void {
    if (this.problems.length) {
      const list = this.problems.splice(0).join('\n  ');
      throw new Error(`The page reported problems:\n  ${list}`);
    }
  }
}
