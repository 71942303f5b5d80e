// The console's end-to-end walk in Chromium, against any server that serves the built console at
// /console/ and the API beside it: sign in and out, the overview's figures, the case queue, what a
// customer-service and a payment-switch key see, and the Chinese interface. Every page visited is
// saved as a screenshot; a CSP violation or an uncaught page error fails the walk.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium: the only browser the project's machines have (a downloaded one cannot be fetched). */
export const CHROMIUM = '/usr/bin/chromium';

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];

/** What the walk needs. */
export interface DriveOptions {
  /** The server's base URL (`http://127.0.0.1:PORT`). */
  readonly url: string;
  readonly keys: { readonly admin: string; readonly analyst: string; readonly support: string; readonly decide: string };
  /** Folder for the screenshots (created). */
  readonly screenshots: string;
}

/** Starts Debian's Chromium, or fails saying how to install it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it with \`apt-get update && apt-get install -y chromium\` (.ci/run does)`);
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/** A page that records CSP violations and uncaught errors for the end of the walk (every walk asserts none). */
export async function openPage(ctx: BrowserContext, problems: string[]): Promise<Page> {
  const page = await ctx.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return page;
}

/** The Chinese sign-in form's labels, for a zh-CN browser. */
export const ZH_SIGN_IN = { field: 'API 密钥', button: '登录' };

/** Opens `/console/` (at `hash`, e.g. `#/rules`) and signs in with `key` through the form, as a person does. */
export async function signIn(page: Page, url: string, key: string, labels = { field: 'API key', button: 'Sign in' }, hash = ''): Promise<void> {
  await page.goto(`${url}/console/${hash}`);
  await page.getByLabel(labels.field).fill(key);
  await page.getByRole('button', { name: labels.button }).click();
}

async function shot(page: Page, dir: string, name: string): Promise<void> {
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

/** Walks the console; throws (an assertion) at the first thing that is not as it should be. */
export async function driveConsole(o: DriveOptions): Promise<void> {
  mkdirSync(o.screenshots, { recursive: true });
  const problems: string[] = [];
  const browser = await launchChromium();
  try {
    // --- an admin, in English
    const en = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    const page = await openPage(en, problems);
    await page.goto(`${o.url}/console/`);
    await page.getByLabel('API key').waitFor();
    await shot(page, o.screenshots, '01-sign-in');

    // a bad key: the refusal next to the field, and nothing kept
    await page.getByLabel('API key').fill('fk_not-a-real-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const refusal = page.getByRole('alert');
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /does not accept this key/);
    await shot(page, o.screenshots, '02-sign-in-refused');

    await signIn(page, o.url, o.keys.admin);
    const nav = page.getByRole('navigation', { name: 'Pages' });
    for (const label of ['Overview', 'Cases', 'Accounts', 'Merchants', 'Rules', 'Lists', 'Reports', 'Audit']) {
      await nav.getByRole('link', { name: label, exact: true }).waitFor();
    }
    await page.getByText('Admin ·').waitFor();

    // the overview: a decisions-per-second figure above zero, the top rules, the histogram drawn
    const rate = page.getByTestId('stat-rate').locator('.stat-value');
    await page.waitForFunction(() => {
      const t = document.querySelector('[data-testid="stat-rate"] .stat-value')?.textContent ?? '';
      return /^[\d,.]+ \/s$/.test(t) && Number.parseFloat(t.replace(/,/g, '')) > 0;
    });
    assert.match(await rate.innerText(), /^[\d,.]+ \/s$/);
    const topRules = page.getByTestId('top-rules');
    await topRules.waitFor();
    assert.ok((await topRules.locator('tbody tr').count()) > 0, 'the overview lists the rules firing most');
    assert.match(await topRules.locator('tbody tr').first().innerText(), /[A-Z][A-Z0-9_]+/);
    await page.locator('.chart canvas').first().waitFor();
    await page.getByText(/Figures at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+08:00/).waitFor();
    await shot(page, o.screenshots, '03-overview');

    // the case queue lists the open cases, highest priority first; a row expands
    await nav.getByRole('link', { name: 'Cases' }).click();
    const queue = page.getByTestId('case-queue');
    await queue.waitFor();
    const rows = queue.locator('tbody > tr');
    assert.ok((await rows.count()) > 0, 'the queue lists the open cases');
    const first = queue.locator('tbody th button').first();
    await first.click();
    assert.equal(await first.getAttribute('aria-expanded'), 'true');
    await queue.getByText('Opened by', { exact: true }).waitFor();
    await shot(page, o.screenshots, '04-cases');

    // the other pages of the slice
    await nav.getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('heading', { name: 'Audit', level: 1 }).waitFor();
    await page.getByLabel('Action').waitFor();
    await shot(page, o.screenshots, '05-audit');
    await nav.getByRole('link', { name: 'Rules' }).click();
    await page.getByTestId('live-rules').waitFor();
    await page.getByRole('button', { name: 'Draft editor' }).waitFor();
    await shot(page, o.screenshots, '06-rules');

    // sign out: back to the form, the key gone from the tab
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'signing out forgets the key');
    await shot(page, o.screenshots, '07-signed-out');

    // --- an analyst sees no admin action
    await signIn(page, o.url, o.keys.analyst);
    await nav.getByRole('link', { name: 'Rules' }).click();
    await page.getByTestId('live-rules').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Draft editor' }).count(), 0, 'an analyst is shown no admin action');
    await shot(page, o.screenshots, '08-analyst-rules');
    await page.getByRole('button', { name: 'Sign out' }).click();

    // --- customer service: the accounts page only
    await signIn(page, o.url, o.keys.support);
    await nav.getByRole('link', { name: 'Accounts' }).waitFor();
    assert.equal(await nav.getByRole('link').count(), 1, 'a support key sees one page');
    assert.equal(await page.getByRole('link', { name: 'Rules' }).count(), 0, 'a support key sees no Rules link');
    await page.getByText('GET /v1/accounts/{accountId}/customer-view').waitFor();
    assert.equal(await page.getByText(/freeze|POST \/v1\/accounts\/\{accountId\}\/actions/).count(), 0, 'customer service is shown no account action');
    await shot(page, o.screenshots, '09-support');
    await page.getByRole('button', { name: 'Sign out' }).click();

    // --- the payment switch's key
    await signIn(page, o.url, o.keys.decide);
    await page.getByRole('heading', { name: 'This key is for a system, not a person' }).waitFor();
    assert.equal(await page.getByRole('navigation', { name: 'Pages' }).count(), 0);
    await shot(page, o.screenshots, '10-switch-key');
    await en.close();

    // --- a browser in Chinese
    const zh = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    const zhPage = await openPage(zh, problems);
    await signIn(zhPage, o.url, o.keys.analyst, ZH_SIGN_IN);
    const zhNav = zhPage.getByRole('navigation', { name: '页面' });
    for (const label of ['概览', '案件', '账户', '商户', '规则', '名单', '报表', '审计']) {
      await zhNav.getByRole('link', { name: label, exact: true }).waitFor();
    }
    await zhPage.getByText('每秒决策数', { exact: true }).waitFor();
    assert.equal(await zhPage.evaluate(() => document.documentElement.lang), 'zh-CN');
    await zhPage.locator('.chart canvas').first().waitFor();
    await shot(zhPage, o.screenshots, '11-zh-overview');
    // the choice is the analyst's: switch to English, and it is remembered
    await zhPage.getByLabel('语言').selectOption('en');
    await zhNav.page().getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Overview' }).waitFor();
    await zhPage.reload();
    await zhPage.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Cases' }).waitFor();
    await shot(zhPage, o.screenshots, '12-zh-browser-english-chosen');
    await zh.close();
  } finally {
    await browser.close();
  }
  assert.deepEqual(problems, [], 'no CSP violation or page error');
}
