import { expect } from 'vitest';
import type { Locator, Page } from 'playwright-core';

/** Fills the login form and submits; does not wait for the outcome. */
export async function submitLogin(page: Page, username: string, password: string): Promise<void> {
  await page.locator('#login_username').fill(username);
  await page.locator('#login_password').fill(password);
  await page.getByTestId('login-submit').click();
}

export async function loginAs(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/login');
  await submitLogin(page, username, password);
  await page.getByTestId('home').waitFor();
}

/** The number a dashboard card shows, once it has loaded. */
export async function cardValue(page: Page, id: string): Promise<number> {
  const el = page.getByTestId(`card-value-${id}`);
  await el.waitFor();
  return Number((await el.innerText()).replace(/[^\d]/g, ''));
}

/** Picks an option in an antd Select whose popup is open (by its visible text). */
export async function pickOption(page: Page, text: string): Promise<void> {
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: text }).first().click();
}

/**
 * Adds `text` to an antd multiple Select (`select`: its root, e.g. by test id) and makes sure it stuck. On a
 * loaded machine the click that should open it can land while another picker's popup is still closing, or a
 * click on an option while the list re-renders, and be lost; so it opens and picks again until it sees the choice.
 */
export async function chooseOption(page: Page, select: Locator, text: string): Promise<void> {
  const chosen = select.locator('.ant-select-selection-item').filter({ hasText: text }).first();
  const option = page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: text }).first();
  for (let attempt = 0; attempt < 3 && !(await chosen.count()); attempt++) {
    if ((await select.getByRole('combobox').getAttribute('aria-expanded')) !== 'true') await select.click();
    await option.click({ timeout: 5000 }).catch(() => undefined);
    await chosen.waitFor({ timeout: 3000 }).catch(() => undefined);
  }
  await chosen.waitFor();
}

/**
 * Clicks an antd button once it has left its loading state. A loading button ignores clicks without being
 * disabled, so right after a failed submit (the error already shown, the spinner not yet gone) a click
 * that Playwright sees as done can be lost.
 */
export async function clickWhenReady(button: Locator): Promise<void> {
  await expect.poll(() => button.getAttribute('class')).not.toMatch(/\bant-btn-loading\b/);
  await button.click();
}

export async function expectText(page: Page, text: string | RegExp): Promise<void> {
  await page.getByText(text).first().waitFor();
  expect(await page.getByText(text).count()).toBeGreaterThan(0);
}

/** A unique suffix for names created by a test run. */
export function uniqueSuffix(): string {
  return Date.now().toString(36).slice(-5) + Math.floor(Math.random() * 100);
}
