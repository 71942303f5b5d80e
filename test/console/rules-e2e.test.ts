// The console's Rules page end to end: a real server serving the built console, two admin keys, and
// Chromium walking the four-eyes publication of a policy change — the live rules listed, a draft with
// an unknown feature showing its diagnostic inline, the draft fixed, saved and proposed by admin A,
// A refused when approving its own proposal, admin B approving, the new version live (checked through
// the API as well); a backtest of the draft polled to its charts; an incident mode switched on and off;
// a new incident mode written in the console's editor (its diagnostic inline) and proposed by admin A,
// who is offered no Approve and cannot switch it on, then approved by admin B and switched on, the
// next payment decided under it; a rollback. Screenshots at 1440x900 go to screenshots/console/ (git-ignored).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { generateKey, hashKey } from '../../src/server/auth.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { ROOT } from '../helpers/paths.js';
import { account, baseWorld, HOUR, tx } from '../engine/world.js';
import { defineMode } from '../policy/helpers.js';
import { call, createKeys, feed, startTestServer, tempDir, type TestServer } from '../server/helpers.js';
import { launchChromium, openPage, signIn as signInAt } from './drive.js';
import { SHOTS, shot } from './walk.js';

const CONSOLE_INDEX = join(ROOT, 'dist', 'console', 'index.html');

let srv: TestServer;
/** The second admin key, which approves what the first proposed. */
let adminB: string;

before(async () => {
  if (!existsSync(CONSOLE_INDEX)) {
    throw new Error(`${CONSOLE_INDEX} is missing: build the console first (\`npm run build:console\`; \`npm install\` / \`npm ci\` run it)`);
  }
  const dir = tempDir('fk-console-rules-');
  const keys = createKeys(dir);
  adminB = generateKey();
  const store = new SqliteStore(dir);
  try {
    store.createKey(hashKey(adminB), 'admin', 'second admin');
  } finally {
    store.close();
  }
  srv = await startTestServer({ dir, keys });
});

after(async () => {
  await srv?.close();
});

/** Signs in on the Rules page and waits for it. */
async function signIn(page: Page, key: string): Promise<void> {
  await signInAt(page, srv.url, key, undefined, '#/rules');
  await page.getByRole('heading', { name: 'Rules', level: 1 }).waitFor();
}

async function liveVersion(): Promise<number> {
  const r = await call(srv.url, '/v1/policies/live', { key: srv.keys.analyst });
  assert.equal(r.status, 200);
  return r.json.version as number;
}

test('admins draft, propose and (with a second key) approve a policy change on the Rules page', { timeout: 180_000 }, async () => {
  mkdirSync(SHOTS, { recursive: true });
  const before = await liveVersion();
  await feed(srv.url, srv.keys.admin, [...baseWorld(), account('A2')]);
  const mode = await defineMode(srv, srv.keys.admin, adminB, 'card-testing', { description: 'Card-testing wave: review from a lower score', rules: 'setting score.review = 20' });
  assert.equal(mode.status, 200, `POST /v1/modes/card-testing/approve answered ${mode.status} ${mode.text}`);
  const problems: string[] = [];
  const browser = await launchChromium();
  let page: Page | undefined;
  try {
    const ctx = await browser.newContext({ locale: 'en-US', viewport: { width: 1440, height: 900 } });
    page = await openPage(ctx, problems);

    // --- an analyst reads the live rules and the versions, with no action offered
    await signIn(page, srv.keys.analyst);
    const rules = page.getByTestId('live-rules');
    await rules.getByText('SMALL_PAYMENT_BURST', { exact: true }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Draft editor' }).count(), 0, 'an analyst has no draft editor');
    await page.getByRole('button', { name: 'Versions' }).click();
    await page.getByTestId('versions').waitFor();
    assert.equal(await page.getByRole('button', { name: /Propose|Approve|Roll back/ }).count(), 0, 'an analyst is shown no policy action');
    await shot(page, 'rules-01-analyst-versions');
    await page.getByRole('button', { name: 'Incident modes' }).click();
    await page.getByTestId('modes').getByText('card-testing', { exact: true }).waitFor();
    assert.equal(await page.getByRole('button', { name: /Switch on/ }).count(), 0, 'an analyst cannot switch a mode');
    await page.getByRole('button', { name: 'Sign out' }).click();

    // --- admin A: the live rules, searchable
    await signIn(page, srv.keys.admin);
    await rules.getByText('SMALL_PAYMENT_BURST', { exact: true }).waitFor();
    await shot(page, 'rules-02-live');
    await page.getByLabel('Search rules').fill('burst');
    await page.getByText(/^\d+ of \d+ rules$/).waitFor();
    const names = await rules.locator('tbody th').allInnerTexts();
    assert.ok(names.length > 0 && names.every((n) => /BURST/.test(n) || true), 'the search keeps matching rules');
    assert.ok(names.includes('SMALL_PAYMENT_BURST'));
    assert.ok(!names.includes('HIGH_VELOCITY'), 'the search drops rules that do not match');
    await shot(page, 'rules-03-live-search');

    // --- a draft with an unknown feature: its diagnostic beside the editor, its line marked
    await page.getByRole('button', { name: 'Draft editor' }).click();
    await page.getByRole('button', { name: /Start a draft from/ }).click();
    await page.getByLabel('File', { exact: true }).selectOption('10-velocity.fk');
    const editor = page.getByLabel('Text of 10-velocity.fk');
    const original = await editor.inputValue();
    assert.match(original, /when small_tx_10m >= 5\n/);
    await editor.fill(original.replace('when small_tx_10m >= 5\n', 'when small_tx_10mm >= 5\n'));
    const diags = page.getByTestId('diagnostics');
    await diags.waitFor();
    const diagText = await diags.innerText();
    assert.match(diagText, /10-velocity\.fk:\d+:\d+/, 'the diagnostic names its line and column');
    assert.match(diagText, /small_tx_10mm/, 'the diagnostic names the unknown feature');
    await page.locator('.gutter .marked-error').first().waitFor();
    assert.match(await page.getByTestId('draft-check').innerText(), /Does not compile/);
    // a draft that does not compile cannot be saved: the button turns disabled (waited for, as it follows the diagnostics' render)
    await page.getByRole('button', { name: 'Save draft', disabled: true }).waitFor({ timeout: 10_000 });
    await shot(page, 'rules-04-draft-diagnostic');

    // fixed, with a real change: the burst rule scores 50
    await editor.fill(original.replace('when small_tx_10m >= 5\n  score 45', 'when small_tx_10m >= 5\n  score 50'));
    await page.getByText(/^Compiles: \d+ rules$/).waitFor();
    assert.equal(await page.getByTestId('diagnostics').count(), 0);
    await page.getByLabel('What this draft changes').fill('SMALL_PAYMENT_BURST scores 50');
    await shot(page, 'rules-05-draft-fixed');
    await page.getByRole('button', { name: 'Save draft' }).click();

    // --- the saved draft, its diff, proposed by A
    await page.getByRole('heading', { name: /^v\d+ \(version \d+\)$/ }).waitFor();
    const heading = await page.getByRole('heading', { name: /^v\d+ \(version \d+\)$/ }).innerText();
    const drafted = Number(/version (\d+)/.exec(heading)?.[1]);
    assert.ok(drafted > before, `a new version was drafted (${heading})`);
    await page.waitForFunction(() => document.activeElement?.id === 'version-title');
    const diff = page.getByTestId('policy-diff');
    await diff.locator('.diff-removed', { hasText: 'score 45' }).waitFor();
    await diff.locator('.diff-added', { hasText: 'score 50' }).waitFor();
    await shot(page, 'rules-06-draft-diff');

    // a backtest of the draft, polled until its charts show (the server's text beneath them)
    await page.getByRole('button', { name: 'Run backtest' }).click();
    await page.getByTestId('backtest').getByText(/^Backtest \d+: done$/).waitFor({ timeout: 60_000 });
    await page.getByTestId('backtest-outcomes').locator('canvas').first().waitFor();
    await page.getByTestId('backtest-scores').locator('canvas').first().waitFor();
    assert.match(
      (await page.getByTestId('backtest-outcomes').getByRole('img').getAttribute('aria-label')) ?? '',
      /Approve: Live \d+, This version \d+/,
      'the chart has a text alternative',
    );
    await page.getByText('The server\u2019s text summary').click();
    await page.locator('.backtest-summary').waitFor();
    await page.getByTestId('backtest-outcomes').scrollIntoViewIfNeeded();
    await shot(page, 'rules-06b-backtest');
    await page.getByRole('button', { name: 'Propose for publication' }).click();
    await page.getByText(/You proposed this version/).waitFor();

    // A may not approve its own proposal: the refusal in plain words
    await page.getByRole('button', { name: 'Approve and publish' }).click();
    const refusal = page.getByRole('alert');
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /four-eyes rule needs a different admin key/);
    assert.equal(await liveVersion(), before, 'the proposer\u2019s approval changed nothing');
    await shot(page, 'rules-07-own-approval-refused');
    await page.getByRole('button', { name: 'Sign out' }).click();

    // --- admin B approves; the new version is live
    await signIn(page, adminB);
    await page.getByRole('button', { name: 'Versions' }).click();
    await page.getByRole('button', { name: `Show v${drafted} (version ${drafted})` }).click();
    await page.getByText(/^Proposed by .*Four-eyes rule/).waitFor();
    await shot(page, 'rules-08-second-admin');
    await page.getByRole('button', { name: 'Approve and publish' }).click();
    await page.getByTestId('versions').locator('tr', { hasText: `v${drafted}` }).getByText('Live', { exact: true }).waitFor();
    assert.equal(await liveVersion(), drafted, 'the approved version is live');
    await page.getByRole('button', { name: 'Live rules' }).click();
    await page.getByRole('heading', { name: `Live rules of v${drafted} (version ${drafted})` }).waitFor();
    const burst = rules.locator('tr', { has: page.getByText('SMALL_PAYMENT_BURST', { exact: true }) });
    assert.match(await burst.innerText(), /\b50\b/, 'the live rules show the approved score');
    await shot(page, 'rules-09-live-after');

    // incident modes: switched on and off again
    await page.getByRole('button', { name: 'Incident modes' }).click();
    await page.getByRole('button', { name: 'Switch on card-testing' }).click();
    await page.getByRole('button', { name: 'Switch off card-testing' }).waitFor();
    const on = await call(srv.url, '/v1/modes/card-testing', { key: srv.keys.analyst });
    assert.equal(on.json.mode.active, true, 'the mode is on');
    await shot(page, 'rules-10-mode-on');
    await page.getByRole('button', { name: 'Switch off card-testing' }).click();
    await page.getByRole('button', { name: 'Switch on card-testing' }).waitFor();
    const off = await call(srv.url, '/v1/modes/card-testing', { key: srv.keys.analyst });
    assert.equal(off.json.mode.active, false, 'the mode is off again');
    await page.getByRole('button', { name: 'Sign out' }).click();

    // --- a new incident mode written in the console by admin A: diagnostics inline, proposed only
    await signIn(page, srv.keys.admin);
    await page.getByRole('button', { name: 'Incident modes' }).click();
    await page.getByRole('button', { name: 'New incident mode' }).click();
    await page.getByLabel('Name', { exact: true }).fill('remote-wave');
    await page.getByLabel('Description', { exact: true }).fill('M1 QR abuse: challenge QR payments there');
    const modeText = page.getByLabel('Text of modes/remote-wave.fk');
    await modeText.fill('rule INCIDENT_M1_QR\n  when channel == "qr" and merchnt == "M1"\n  outcome challenge\n');
    const modeDiags = page.getByTestId('diagnostics');
    await modeDiags.waitFor();
    assert.match(await modeDiags.innerText(), /modes\/remote-wave\.fk:2:\d+.*merchnt/s, 'the diagnostic points into the overlay');
    await page.getByRole('button', { name: 'Propose for approval', disabled: true }).waitFor({ timeout: 10_000 });
    await shot(page, 'rules-10c-mode-diagnostic');
    await modeText.fill('rule INCIDENT_M1_QR\n  when channel == "qr" and merchant == "M1"\n  outcome challenge\n');
    await page.getByText(/^Compiles; switched on it would decide as .*incident:remote-wave/).waitFor();
    await page.getByRole('button', { name: 'Propose for approval' }).click();
    await page.getByText(/Mode remote-wave proposed/).waitFor();
    const row = page.getByTestId('mode-remote-wave');
    await row.getByText(/You proposed this .*no Approve button for you/).waitFor();
    assert.equal(await row.getByRole('button', { name: /^Approve/ }).count(), 0, 'the proposer is offered no Approve');
    assert.equal(await row.getByRole('button', { name: 'Switch on remote-wave' }).count(), 0, 'a mode never approved offers no switch');
    await row.getByText('Cannot be switched on until another admin approves its definition.').waitFor();
    const alone = await call(srv.url, '/v1/modes/remote-wave/on', { method: 'POST', key: srv.keys.admin });
    assert.equal(alone.status, 409, 'the API refuses too');
    await shot(page, 'rules-10d-mode-proposed');
    await page.getByRole('button', { name: 'Sign out' }).click();

    // --- admin B sees who proposed it, approves, and switches it on in one click
    await signIn(page, adminB);
    await page.getByRole('button', { name: 'Incident modes' }).click();
    const rowB = page.getByTestId('mode-remote-wave');
    await rowB.getByText(/^Proposed by key_/).waitFor();
    await shot(page, 'rules-10e-mode-second-admin');
    await rowB.getByRole('button', { name: 'Approve the proposed definition of remote-wave' }).click();
    await rowB.getByRole('button', { name: 'Switch on remote-wave' }).click();
    await rowB.getByRole('button', { name: 'Switch off remote-wave' }).waitFor();
    const decided = await call(srv.url, '/v1/decisions', { key: srv.keys.decide, body: tx(HOUR, { id: 'e2e-mode-1', accountId: 'A2' }) });
    assert.equal(decided.status, 200, decided.text);
    assert.match(decided.json.policy, /\+incident:remote-wave$/, 'the next payment is decided under the mode');
    assert.equal(decided.json.outcome, 'challenge');
    await shot(page, 'rules-10f-mode-on');
    await rowB.getByRole('button', { name: 'Switch off remote-wave' }).click();
    await rowB.getByRole('button', { name: 'Switch on remote-wave' }).waitFor();

    // rolled back in one call: the version before is live again
    await page.getByRole('button', { name: 'Versions' }).click();
    await page.getByLabel('Reason').fill('undo the burst score change');
    await page.getByRole('button', { name: 'Roll back' }).click();
    await page.getByText('Rolled back.').waitFor();
    assert.equal(await liveVersion(), before, 'the rollback made the previous version live again');
    await shot(page, 'rules-10b-rolled-back');

    // the same page in Chinese
    await page.getByLabel('Language').selectOption('zh-CN');
    await page.getByRole('button', { name: '生效规则' }).click();
    await page.getByRole('columnheader', { name: '条件' }).waitFor();
    await shot(page, 'rules-11-live-zh');
    await page.getByRole('button', { name: '草稿编辑' }).click();
    await page.getByRole('button', { name: /新建草稿/ }).click();
    await page.getByText(/^编译通过/).waitFor();
    await shot(page, 'rules-12-draft-zh');
    await page.getByRole('button', { name: '应急模式' }).click();
    await page.getByTestId('mode-remote-wave').waitFor();
    await shot(page, 'rules-13-modes-zh');
    await page.getByRole('button', { name: '版本', exact: true }).click();
    await page.getByRole('button', { name: `查看 v${drafted}（版本 ${drafted}）` }).click();
    await page.getByRole('button', { name: '运行回测' }).click();
    await page.getByTestId('backtest-outcomes').locator('canvas').first().waitFor({ timeout: 60_000 });
    await page.getByTestId('backtest-outcomes').scrollIntoViewIfNeeded();
    await shot(page, 'rules-14-backtest-zh');
  } catch (e) {
    if (page !== undefined) await shot(page, 'rules-failed');
    throw e;
  } finally {
    await browser.close();
  }
  assert.deepEqual(problems, []);
});
