// The Rules page's performance view end to end: a real server with the built console, a few hundred
// simulated payments decided through the API, then Chromium opens Rules → Performance over the
// payments' days and finds the rules that fired with their hits (the same figures as
// GET /v1/rules/performance), sorts by precision, shows a rule's trend chart, and reads the view in
// Chinese; an admin then shadows a draft (the live rules plus one that reviews every payment) from its
// version page, sees the live-vs-shadow comparison of the next payments and the payments the two
// decided differently, listed with outcomes, scores and reasons, and stops it. Screenshots go to screenshots/console/ (git-ignored).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulate } from '../../src/sim/simulate.js';
import { ROOT } from '../helpers/paths.js';
import { defaultFiles, draft } from '../policy/helpers.js';
import { call, feed, startTestServer, type TestServer } from '../server/helpers.js';
import { launchChromium, openPage, signIn, ZH_SIGN_IN } from './drive.js';
import { SHOTS, shot } from './walk.js';

const CONSOLE_INDEX = join(ROOT, 'dist', 'console', 'index.html');
const PAYMENTS = 300;

let srv: TestServer;
let simDir: string;

before(async () => {
  if (!existsSync(CONSOLE_INDEX)) throw new Error(`${CONSOLE_INDEX} is missing: build the console first (\`npm run build:console\`)`);
  srv = await startTestServer();
  simDir = mkdtempSync(join(tmpdir(), 'fk-console-perf-'));
});

after(async () => {
  await srv?.close();
  if (simDir !== undefined) rmSync(simDir, { recursive: true, force: true });
});

interface Row { code: string; hits: number; precision: number | null }

test('the performance view lists the rules that fired with their hits, sorts by precision and draws a rule trend', { timeout: 150_000 }, async () => {
  await simulate({ outDir: simDir, seed: 11, accounts: 300, days: 3 });
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
  const answers = await feed(srv.url, srv.keys.admin, upTo);
  assert.equal(answers.length, PAYMENTS);
  // the next 40 payments (with what comes between them), sent while the shadow runs
  const later: Record<string, unknown>[] = [];
  for (const e of events.slice(upTo.length)) {
    if (e.type === 'transaction' && later.filter((x) => x.type === 'transaction').length === 40) break;
    later.push(e);
  }

  // what the API says over the same range, to compare with the page
  const api = await call(srv.url, '/v1/rules/performance?from=2026-10-01&to=2026-10-04&bucket=day', { key: srv.keys.analyst });
  assert.equal(api.status, 200, api.text);
  const rules = api.json.rules as Row[];
  assert.equal((api.json.totals as Row).hits, PAYMENTS);
  assert.ok(rules.length > 0 && rules[0]!.hits > 0, 'some rule fired');
  const top = rules[0]!;
  const burst = rules.find((r) => r.code === 'SMALL_PAYMENT_BURST');

  mkdirSync(SHOTS, { recursive: true });
  const problems: string[] = [];
  const browser = await launchChromium();
  try {
    const ctx = await browser.newContext({ locale: 'en-US', viewport: { width: 1440, height: 900 } });
    const page = await openPage(ctx, problems);
    await signIn(page, srv.url, srv.keys.analyst, undefined, '#/rules');
    await page.getByRole('heading', { name: 'Rules', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Performance', exact: true }).click();
    await page.getByLabel('From').fill('2026-10-01');
    await page.getByLabel('To (included)').fill('2026-10-03');
    await page.getByLabel('Buckets', { exact: true }).selectOption('day');
    await page.getByRole('button', { name: 'Show performance' }).click();
    await page.getByTestId('perf-period').getByText('2026-10-01 00:00:00 +08:00 to 2026-10-04 00:00:00 +08:00', { exact: false }).waitFor();
    assert.match(await page.getByTestId('perf-period').innerText(), new RegExp(`${PAYMENTS} payments`));

    const table = page.getByTestId('rule-performance');
    const rowOf = (code: string) => table.locator('tbody tr', { has: page.getByRole('button', { name: code, exact: true }) });
    for (const r of burst === undefined ? [top] : [top, burst]) {
      const cells = await rowOf(r.code).locator('td').allInnerTexts();
      assert.equal(cells[0], String(r.hits), `${r.code} shows its ${r.hits} hits`);
      assert.ok(r.hits > 0);
    }
    assert.equal(await table.locator('tbody tr').count(), rules.length, 'every rule that fired is listed');
    // the trend of the first rule is drawn
    const trend = page.getByTestId('perf-trend');
    await trend.getByRole('heading', { name: `Trend of ${top.code}` }).waitFor();
    await trend.locator('canvas').first().waitFor();
    await shot(page, '50-rules-performance');

    // sorted by precision: the first row is the best precision
    await table.getByRole('button', { name: /^Precision/ }).click();
    const best = [...rules].sort((a, b) => (b.precision ?? -1) - (a.precision ?? -1) || b.hits - a.hits)[0]!;
    const firstRow = table.locator('tbody tr').first();
    assert.equal((await firstRow.locator('th').innerText()).trim(), best.code);
    assert.equal(await table.locator('th[aria-sort="descending"]').innerText(), 'Precision ↓');

    // another rule's trend
    const other = rules[rules.length - 1]!;
    await rowOf(other.code).getByRole('button', { name: other.code, exact: true }).click();
    await trend.getByRole('heading', { name: `Trend of ${other.code}` }).waitFor();
    await trend.getByText('Per bucket', { exact: true }).click();
    assert.ok((await trend.locator('tbody tr').count()) >= 1);
    await shot(page, '51-rules-performance-trend');

    // in Chinese
    const zh = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1440, height: 900 } });
    const zp = await openPage(zh, problems);
    await signIn(zp, srv.url, srv.keys.analyst, ZH_SIGN_IN, '#/rules');
    await zp.getByRole('button', { name: '规则表现', exact: true }).click();
    await zp.getByLabel('开始日期').fill('2026-10-01');
    await zp.getByLabel('结束日期（含）').fill('2026-10-03');
    await zp.getByRole('button', { name: '查看表现' }).click();
    await zp.getByTestId('rule-performance').getByRole('button', { name: top.code, exact: true }).waitFor();
    await zp.getByTestId('perf-trend').locator('canvas').first().waitFor();
    await shot(zp, '52-zh-rules-performance');
    await zh.close();

    // an admin shadows a draft (the live files again) from its version page
    const files = defaultFiles();
    files['70-e2e-shadow.fk'] = 'rule E2E_SHADOW_REVIEW\n  description "Review every payment (shadow test)"\n  when amount > ¥0.01\n  outcome review\n';
    const d = await draft(srv, srv.keys.admin, files, 'shadowed from the console');
    assert.equal(d.status, 201, d.text);
    const v = (d.json as { version: number }).version;
    const ap = await openPage(ctx, problems);
    await signIn(ap, srv.url, srv.keys.admin, undefined, '#/rules');
    await ap.getByRole('button', { name: 'Versions', exact: true }).click();
    await ap.getByRole('button', { name: new RegExp(`\\(version ${v}\\)$`) }).click();
    const shadow = ap.getByTestId('shadow');
    await shadow.getByText('This version has never been shadowed.').waitFor();
    await shadow.getByRole('button', { name: 'Start shadow' }).click();
    await shadow.getByTestId('shadow-state').getByText(/^Running as/).waitFor({ timeout: 30_000 });
    const more = await feed(srv.url, srv.keys.admin, later);
    assert.equal(more.length, 40);
    await shadow.getByTestId('shadow-figures').getByText('40', { exact: true }).first().waitFor({ timeout: 30_000 });
    const running = await call(srv.url, `/v1/policies/${v}/shadow`, { key: srv.keys.analyst });
    assert.ok((running.json.changed as number) > 0, `the shadow decided some payments differently: ${running.text}`);
    const dis = shadow.getByTestId('shadow-disagreements');
    await dis.locator('tbody tr', { hasText: 'E2E_SHADOW_REVIEW' }).first().waitFor({ timeout: 20_000 });
    const listed = await dis.locator('tbody tr').count();
    assert.equal(listed, Math.min(running.json.changed as number, 50), 'every disagreement, up to 50, is listed');
    const recorded = await call(srv.url, `/v1/policies/${v}/shadow/decisions?changed=true&limit=1`, { key: srv.keys.analyst });
    const newest = recorded.json.decisions[0] as { txId: string; live: { outcome: string }; shadow: { outcome: string } };
    const first = await dis.locator('tbody tr').first().innerText();
    assert.ok(first.includes(newest.txId), `the newest disagreement first: ${first}`);
    assert.match(first, /Review/i);
    await dis.scrollIntoViewIfNeeded();
    await shot(ap, '53-rules-shadow-running');
    await shadow.getByRole('button', { name: 'Stop shadow' }).click();
    await shadow.getByTestId('shadow-state').getByText(/^Stopped/).waitFor();
    await shadow.getByRole('button', { name: 'Start shadow' }).waitFor();
    const st = await call(srv.url, `/v1/policies/${v}/shadow`, { key: srv.keys.analyst });
    assert.equal(st.json.state, 'stopped');
    assert.ok((st.json.transactions as number) >= 1);
    await ap.close();
    await ctx.close();
  } finally {
    await browser.close();
  }
  assert.deepEqual(problems, [], 'no CSP violation or page error');
});
