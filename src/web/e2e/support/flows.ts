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
  const option = page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: text }).first();
  await option.waitFor();
  await waitForStillness(option);
  await option.click();
}

/**
 * Waits until `el` has kept its place for 150 ms. antd animates dropdowns, filtered trees and error messages;
 * a click whose press lands on an element and whose release lands where it was a moment earlier is no click
 * at all (seen in the failure reports: mousedown on the button, mouseup on the dialog's wrapper 13 ms later).
 */
export async function waitForStillness(el: Locator): Promise<void> {
  let last = '';
  let since = 0;
  await expect.poll(async () => {
    const box = await el.boundingBox();
    const at = box ? `${box.x},${box.y},${box.width},${box.height}` : '';
    if (at !== last) [last, since] = [at, Date.now()];
    return !!at && Date.now() - since >= 150;
  }, { interval: 50 }).toBe(true);
}

/**
 * Adds `text` to an antd multiple Select (`select`: its root, e.g. by test id) and makes sure it stuck. On a
 * loaded machine the click that should open it can land while another picker's popup is still closing, or a
 * click on an option while the list re-renders, and be lost; so it opens and picks again until it sees the choice.
 */
export async function chooseOption(page: Page, select: Locator, text: string): Promise<void> {
  const chosen = select.locator('.ant-select-selection-item').filter({ hasText: text }).first();
  const option = page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: text }).first();
  await tryUntilShown(chosen, async () => {
    if ((await select.getByRole('combobox').getAttribute('aria-expanded')) !== 'true') await select.click();
    await clickStill(option);
  });
}

/**
 * Picks the entry named `text` in an antd Select or TreeSelect with search (`select`: its root) and makes sure it
 * stuck. Typing narrows the list to the entry, so it is found however long the list is and whether or not it had
 * loaded when the popup first opened; the list re-renders under the pointer as it narrows (the failure report of
 * a lost pick: mousedown on the node, mouseup 36 ms later on the list around it). So it searches and picks again
 * until it sees the choice.
 */
export async function searchAndChoose(page: Page, select: Locator, text: string): Promise<void> {
  // A single select shows its value as the text of its content box (the search input's value is no text).
  const chosen = select.locator('.ant-select-content').filter({ hasText: text }).first();
  const entry = page
    .locator('.ant-select-dropdown:visible')
    .locator('.ant-select-item-option, .ant-select-tree-node-content-wrapper')
    .filter({ hasText: text })
    .first();
  await tryUntilShown(chosen, async () => {
    const input = select.getByRole('combobox');
    await input.click();
    await input.fill(text);
    await clickStill(entry);
  });
}

/**
 * Picks the option `text` of an antd Radio.Group (`group`: its root) and makes sure it is checked. In a dialog still
 * zooming open, the press can land on the option and the release beside it (the failure report: mousedown on 已解决,
 * mouseup 15 ms later on the dialog's body), and nothing is picked; so it waits for the option to stand still, and
 * picks again until it sees it checked.
 */
export async function pickChoice(group: Locator, text: string): Promise<void> {
  const checked = group.locator('.ant-radio-button-wrapper-checked, .ant-radio-wrapper-checked').getByText(text, { exact: true });
  await tryUntilShown(checked, () => clickStill(group.getByText(text, { exact: true })));
}

/** Makes a pick (`pick`) up to three times, until `shown` (the pick's result on screen) appears; then waits for it. */
async function tryUntilShown(shown: Locator, pick: () => Promise<void>): Promise<void> {
  for (let attempt = 0; attempt < 3 && !(await shown.count()); attempt++) {
    await pick();
    await shown.waitFor({ timeout: 3000 }).catch(() => undefined);
  }
  await shown.waitFor();
}

/** One try at a click inside a picker's popup, once the target has stopped moving; a miss is retried by the caller. */
async function clickStill(el: Locator): Promise<void> {
  try {
    await el.waitFor({ timeout: 5000 });
    await waitForStillness(el);
    await el.click({ timeout: 5000 });
  } catch {
    // The caller looks for the choice and tries again.
  }
}

/**
 * Clicks an antd button once it is ready for a click that counts: it has left its loading state (a loading
 * button ignores clicks without being disabled), and it has stopped moving (waitForStillness: antd animates a
 * field's error message away once the field is valid again, and the dialog's footer moves up with it).
 */
export async function clickWhenReady(button: Locator): Promise<void> {
  await waitUntilClickable(button);
  await button.click();
}

async function waitUntilClickable(button: Locator): Promise<void> {
  await expect.poll(() => button.getAttribute('class')).not.toMatch(/\bant-btn-loading\b/);
  await waitForStillness(button);
}

/**
 * Submits a form with its button (clickWhenReady) and makes sure the request went out. Should a click still
 * be lost, a user would click again; so does this, but only when no `method` request to `url` has left the
 * page within 5 s of the click, so it never sends a form twice.
 */
export async function submitAndSend(page: Page, button: Locator, url: RegExp, method = 'POST'): Promise<void> {
  // Watched from before the click (the request may leave while Playwright still reports the click), timed
  // from after it: under load the click itself can take seconds (CI: 6 s waiting for a still button).
  let sent = false;
  const watch = (r: { method(): string; url(): string }) => {
    if (r.method() === method && url.test(r.url())) sent = true;
  };
  page.on('request', watch);
  try {
    for (let attempt = 1; ; attempt++) {
      await waitUntilClickable(button);
      await button.click();
      const deadline = Date.now() + 5_000;
      while (!sent && Date.now() < deadline) await page.waitForTimeout(50);
      if (sent) return;
      console.warn(`[e2e] click ${attempt} on the submit button sent no ${method} ${url}`);
      if (attempt === 3) throw new Error(`three clicks on the submit button sent no ${method} ${url}`);
    }
  } finally {
    page.off('request', watch);
  }
}

export async function expectText(page: Page, text: string | RegExp): Promise<void> {
  await page.getByText(text).first().waitFor();
  expect(await page.getByText(text).count()).toBeGreaterThan(0);
}

/** A unique suffix for names created by a test run. */
export function uniqueSuffix(): string {
  return Date.now().toString(36).slice(-5) + Math.floor(Math.random() * 100);
}

/**
 * Waits for the error `text` on the form field whose input has id `fieldId`. When it does not come, the
 * failure says what the page showed instead: every field error and alert in view.
 */
export async function waitForFieldError(page: Page, fieldId: string, text: string | RegExp, timeout = 15_000): Promise<void> {
  const error = page.locator('.ant-form-item-has-error').filter({ has: page.locator(`#${fieldId}`) }).getByText(text);
  try {
    await error.waitFor({ timeout });
  } catch (e) {
    const shown = await page.locator('.ant-form-item-explain-error:visible, .ant-alert:visible').allInnerTexts().catch(() => []);
    throw new Error(`no ${String(text)} on #${fieldId} within ${timeout} ms; the page showed: ${JSON.stringify(shown)}`, { cause: e });
  }
}
