// Accessibility of the analyst console, checked in Chromium against a real server: axe-core's WCAG 2
// A and AA rules on every page an admin sees (Overview, Cases, a case, Accounts with an account open,
// Merchants, Rules, Lists, Reports, Automation with a webhook's deliveries and its form, Audit), and
// the keyboard: from the key field Tab reaches Sign in and Enter signs in; Tab reaches the navigation
// links and each shows a visible focus ring.
//
// Injecting axe under the console's CSP (`script-src 'self'`): page.addScriptTag({content}) adds an
// inline <script>, which the CSP refuses, and loosening the CSP (bypassCSP) would hide the violations
// this test also watches for. So axe's source is evaluated through page.evaluate, i.e. the DevTools
// protocol's Runtime.evaluate, which a page's CSP does not govern; nothing is added to the page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { simulate } from '../../src/sim/simulate.js';
import { ROOT } from '../helpers/paths.js';
import { call, feed, startTestServer, type TestServer } from '../server/helpers.js';
import { launchChromium } from './drive.js';

const CONSOLE_INDEX = join(ROOT, 'dist', 'console', 'index.html');
const PAYMENTS = 300;
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let srv: TestServer;
let simDir: string;

before(async () => {
  if (!existsSync(CONSOLE_INDEX)) throw new Error(`${CONSOLE_INDEX} is missing: build the console first (\`npm run build:console\`)`);
  srv = await startTestServer();
  simDir = mkdtempSync(join(tmpdir(), 'fk-a11y-sim-'));
});

after(async () => {
  await srv?.close();
  if (simDir !== undefined) rmSync(simDir, { recursive: true, force: true });
});

interface Violation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly { readonly target: readonly unknown[] }[];
}

/** Runs axe's WCAG 2 A and AA rules on the page; one readable line per violation and element. */
async function axe(page: Page, where: string): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(`${AXE_SOURCE}\n;void 0`);
  const result = (await page.evaluate(async () => {
    const a = (window as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<{ violations: unknown[] }> } }).axe;
    const r = await a.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
    return { violations: r.violations, passes: (r as unknown as { passes: unknown[] }).passes.length };
  })) as { violations: Violation[]; passes: number };
  assert.ok(result.passes > 5, `axe checked ${where} (${result.passes} rules passed)`);
  const violations = result.violations;
  return violations.flatMap((v) => v.nodes.map((n) => `${where}: ${v.id} (${v.impact ?? '?'}) ${JSON.stringify(n.target)} — ${v.help}`));
}

/** A string as a literal pattern. */
function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Waits for the page's heading and its reads to settle. */
async function settle(page: Page, heading: string | RegExp): Promise<void> {
  await page.getByRole('heading', { level: 1, name: heading }).first().waitFor();
  await page.waitForLoadState('networkidle').catch(() => undefined);
  await page.waitForFunction(() => !/Loading…/.test(document.querySelector('main')?.textContent ?? ''), undefined, { timeout: 10_000 }).catch(() => undefined);
}

test('every console page passes axe (WCAG 2 A, AA); the keyboard reaches sign-in and the navigation with a visible focus', { timeout: 240_000 }, async () => {
  await simulate({ outDir: simDir, seed: 11, accounts: 200, days: 3 });
  const events = readFileSync(join(simDir, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const upTo: Record<string, unknown>[] = [];
  let payments = 0;
  for (const e of events) {
    if (e.type === 'transaction' && ++payments > PAYMENTS) break;
    upTo.push(e);
  }
  assert.equal((await feed(srv.url, srv.keys.admin, upTo)).length, PAYMENTS);

  // an account's case (the queue's subject filter, as the console sends it)
  let kase: { id: string; subjectId: string } | undefined;
  const deadline = Date.now() + 20_000;
  while (kase === undefined && Date.now() < deadline) {
    const q = await call(srv.url, '/v1/cases?subject=account&limit=1', { key: srv.keys.analyst });
    assert.equal(q.status, 200);
    kase = (q.json.cases as { id: string; subjectId: string }[])[0];
    if (kase === undefined) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(kase !== undefined, 'the simulated payments opened an account case');

  const problems: string[] = [];
  const found: string[] = [];
  const browser = await launchChromium();
  try {
    const ctx = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));

    // the keyboard: key field → Tab → Sign in → Enter
    await page.goto(`${srv.url}/console/`);
    const field = page.getByLabel('API key');
    await field.waitFor();
    found.push(...(await axe(page, 'Sign in')));
    await field.focus();
    await page.keyboard.type(srv.keys.admin);
    let onButton = false;
    for (let i = 0; i < 5 && !onButton; i++) {
      await page.keyboard.press('Tab');
      onButton = await page.evaluate(() => {
        const a = document.activeElement;
        return a instanceof HTMLButtonElement && a.textContent?.trim() === 'Sign in';
      });
    }
    assert.ok(onButton, 'Tab from the key field reaches the Sign in button');
    await page.keyboard.press('Enter');
    const nav = page.getByRole('navigation', { name: 'Pages' });
    await nav.getByRole('link', { name: 'Overview', exact: true }).waitFor();

    // Tab reaches every navigation link, each with a visible focus ring
    await page.evaluate(() => {
      (document.activeElement as HTMLElement | null)?.blur();
      window.scrollTo(0, 0);
    });
    const reached = new Map<string, string>();
    for (let i = 0; i < 40 && reached.size < 9; i++) {
      await page.keyboard.press('Tab');
      const f = await page.evaluate(() => {
        const a = document.activeElement;
        if (!(a instanceof HTMLAnchorElement) || a.closest('nav') === null) return null;
        const s = getComputedStyle(a);
        const outline = s.outlineStyle !== 'none' && Number.parseFloat(s.outlineWidth) > 0;
        return { name: a.textContent?.trim() ?? '', ring: outline || s.boxShadow !== 'none', outline: `${s.outlineStyle} ${s.outlineWidth}`, shadow: s.boxShadow };
      });
      if (f !== null) {
        assert.ok(f.ring, `the focused link ${f.name} shows a focus ring (outline ${f.outline}, box-shadow ${f.shadow})`);
        reached.set(f.name, f.outline);
      }
    }
    assert.deepEqual([...reached.keys()], ['Overview', 'Cases', 'Accounts', 'Merchants', 'Rules', 'Lists', 'Reports', 'Automation', 'Audit'], 'Tab reaches every navigation link in order');

    // axe on every page
    const visit = async (hash: string, heading: string | RegExp, where: string): Promise<void> => {
      await page.goto(`${srv.url}/console/${hash}`);
      await settle(page, heading);
      found.push(...(await axe(page, where)));
    };
    await page.locator('.chart canvas').first().waitFor();
    await settle(page, 'Overview');
    found.push(...(await axe(page, 'Overview')));
    await visit('#/cases', 'Cases', 'Cases');
    await page.getByTestId('case-queue').locator('tbody th button').first().click();
    found.push(...(await axe(page, 'Cases (a row expanded)')));
    // the queue's filters live in the address: a linked filter is applied and shown in its fields
    await page.goto(`${srv.url}/console/#/cases?state=all&subject=${encodeURIComponent(`account:${kase.subjectId}`)}&assignee=none`);
    await page.getByTestId('case-queue').waitFor();
    assert.equal(await page.getByLabel('Subject', { exact: true }).inputValue(), `account:${kase.subjectId}`);
    assert.equal(await page.getByLabel('State', { exact: true }).inputValue(), 'all');
    const subjects = await page.getByTestId('case-queue').locator('tbody > tr > td:nth-child(2)').allInnerTexts();
    assert.ok(subjects.length > 0 && subjects.every((x) => x.includes(kase.subjectId)), `the queue shows ${kase.subjectId}'s cases only: ${subjects.join(', ')}`);
    await page.getByLabel('Assignee', { exact: true }).fill('nobody-at-all');
    await page.keyboard.press('Enter');
    await page.getByText('No case matches these filters.').waitFor();
    assert.match(await page.evaluate(() => window.location.hash), /assignee=nobody-at-all/);
    found.push(...(await axe(page, 'Cases (filtered, none)')));
    await visit(`#/cases/${encodeURIComponent(kase.id)}`, new RegExp(escape(kase.id)), 'Case');
    await visit(`#/accounts/${encodeURIComponent(kase.subjectId)}`, new RegExp(escape(kase.subjectId)), 'Account');
    const freeze = page.getByRole('button', { name: 'Freeze', exact: true });
    if ((await freeze.count()) > 0) {
      await freeze.first().click();
      found.push(...(await axe(page, 'Account (the Freeze form)')));
    }
    await visit('#/merchants', 'Merchants', 'Merchants');
    await visit('#/rules', 'Rules', 'Rules');
    await page.getByTestId('live-rules').waitFor();
    await page.getByRole('button', { name: 'Versions' }).click();
    await page.getByTestId('versions').waitFor();
    await page.waitForLoadState('networkidle').catch(() => undefined);
    found.push(...(await axe(page, 'Rules (versions)')));
    await page.getByRole('button', { name: 'Draft editor' }).click();
    await page.getByRole('button', { name: /Start a draft from/ }).click();
    await page.getByLabel('File', { exact: true }).waitFor();
    await page.waitForLoadState('networkidle').catch(() => undefined);
    found.push(...(await axe(page, 'Rules (draft editor)')));
    await visit('#/lists', 'Lists', 'Lists');
    await page.getByTestId('lists-table').getByRole('button', { name: 'block_devices' }).click();
    await page.getByTestId('list-entries').waitFor();
    await page.getByTestId('list-entries').getByRole('button', { name: 'Add entry' }).click();
    await page.getByLabel('Value', { exact: true }).waitFor();
    found.push(...(await axe(page, 'Lists (a list, its Add entry form)')));
    await visit('#/reports', 'Risk report', 'Reports');
    const hook = await call(srv.url, '/v1/webhooks', { key: srv.keys.admin, body: { url: 'https://siem.example/fengkong', events: ['case.opened'], description: 'SIEM' } });
    assert.equal(hook.status, 201, hook.text);
    await visit('#/automation', 'Automation', 'Automation');
    await page.getByTestId('webhooks-table').getByRole('button', { name: 'Deliveries' }).click();
    await page.getByTestId('webhook-deliveries').waitFor();
    await page.getByRole('button', { name: 'New webhook' }).click();
    await page.getByLabel('Endpoint URL').waitFor();
    await page.waitForLoadState('networkidle').catch(() => undefined);
    found.push(...(await axe(page, 'Automation (deliveries, the New webhook form)')));
    await visit('#/audit', 'Audit', 'Audit');
    await ctx.close();
  } finally {
    await browser.close();
  }
  assert.deepEqual(found, [], `axe found WCAG 2 A/AA violations:\n${found.join('\n')}`);
  assert.deepEqual(problems, [], 'no CSP violation or page error');
});
