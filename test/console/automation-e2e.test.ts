// Rule actions and alerts in the console, end to end: a real server with the built console and a
// policy, published by two admins, whose rule freezes an account on a huge payment, capped at one
// action an hour. The account page names the rule as the freeze's author; the second huge payment
// is past the cap, so the overview lists a `rule_actions_capped` alert, which an analyst
// acknowledges with one click; the customer view lists the notice the freeze sent; the merchant page
// shows the licence list's date and a malicious complainant; the Reports page lists the weekly report
// the scheduler kept and downloads it in Chinese. Screenshots go to screenshots/console/ (git-ignored).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/paths.js';
import { account, baseWorld, FREEZE_HUGE, HOUR, tx } from '../engine/world.js';
import { addAdmin, decide, defaultFiles, publish, waitLive } from '../policy/helpers.js';
import { call, feed, startTestServer, type TestServer } from '../server/helpers.js';
import { launchChromium, openPage, signIn } from './drive.js';
import { SHOTS, shot } from './walk.js';

const CONSOLE_INDEX = join(ROOT, 'dist', 'console', 'index.html');

let srv: TestServer;
/** The scheduler's clock (a Monday morning), moved by the test to make the weekly report. */
let clock = Date.parse('2026-11-16T08:30:00+08:00');

before(async () => {
  if (!existsSync(CONSOLE_INDEX)) throw new Error(`${CONSOLE_INDEX} is missing: build the console first (\`npm run build:console\`)`);
  srv = await startTestServer({ schedules: { now: () => clock, tickMs: 50 } });
});

after(async () => {
  await srv?.close();
});

async function waitFor(what: string, ok: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await ok())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('the account page names the rule that froze the account; the overview lists the cap alert and an analyst acknowledges it', { timeout: 120_000 }, async () => {
  const admin2 = addAdmin(srv.dir);
  await feed(srv.url, srv.keys.admin, [...baseWorld(), account('A2')]);
  const files = defaultFiles();
  files['90-auto.fk'] = `setting actions.rule_cap_per_hour = 1\n${FREEZE_HUGE}`;
  const { version } = await publish(srv, srv.keys.admin, admin2, files, 'freeze on huge payments');
  await waitLive(srv, srv.keys.analyst, version);
  assert.equal((await decide(srv, srv.keys.decide, tx(10 * HOUR, { id: 'e2e-huge-1', amount: 950_000 }))).actions[0].capped, undefined);
  assert.equal((await decide(srv, srv.keys.decide, tx(10 * HOUR + 60_000, { id: 'e2e-huge-2', accountId: 'A2', amount: 950_000 }))).actions[0].capped, true);
  await waitFor('the freeze record, its notice and the alert', async () => {
    const acc = await call(srv.url, '/v1/accounts/A1', { key: srv.keys.analyst });
    const told = await call(srv.url, '/v1/accounts/A1/customer-view', { key: srv.keys.support });
    const alerts = await call(srv.url, '/v1/alerts?open=true', { key: srv.keys.analyst });
    return (acc.json.actions as unknown[]).length > 0 && (told.json.notices as unknown[]).length > 0 && (alerts.json.alerts as unknown[]).length > 0;
  });

  // complaints about merchants (one device against three: a pattern) and the central bank's list
  for (const m of ['M1', 'M2', 'M3']) {
    const filed = await call(srv.url, '/v1/complaints', { key: srv.keys.support, body: { subjectKind: 'merchant', subjectId: m, text: '商品没有发货', complainant: { deviceId: 'DX' } } });
    assert.equal(filed.status, 201, filed.text);
  }
  const listed = await call(srv.url, '/v1/acquirers/licence-list', { key: srv.keys.admin, body: { asOf: '2026-11-30', source: 'PBC list', rows: [{ name: '持牌支付', validUntil: '2030-12-31' }] } });
  assert.equal(listed.status, 200, listed.text);

  // Monday 09:00: the scheduler makes and keeps last week's report
  clock = Date.parse('2026-11-16T09:00:05+08:00');
  await waitFor('the kept report', async () => ((await call(srv.url, '/v1/reports', { key: srv.keys.analyst })).json.reports as unknown[]).length === 1);

  mkdirSync(SHOTS, { recursive: true });
  const problems: string[] = [];
  const browser = await launchChromium();
  try {
    const ctx = await browser.newContext({ locale: 'en-US', viewport: { width: 1440, height: 900 } });
    const page = await openPage(ctx, problems);
    await signIn(page, srv.url, srv.keys.analyst, undefined, '#/accounts/A1');
    const restrictions = page.getByTestId('restrictions');
    await restrictions.waitFor();
    const text = await restrictions.innerText();
    assert.match(text, /Rule AUTO_FREEZE_HUGE/);
    assert.match(text, /rule AUTO_FREEZE_HUGE of policy v2 on payment e2e-huge-1/);
    await shot(page, '60-account-frozen-by-rule');
    // what the customer was told: the freeze's notice, in the console's language
    await page.getByText('What the customer sees (customer view)').click();
    const told = page.getByTestId('customer-notices');
    await told.waitFor();
    assert.match(await told.innerText(), /your account A1 is temporarily frozen \(until 2026-11-11 10:00 \(Beijing time\)\)/);
    await shot(page, '62-customer-notices');

    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Overview' }).click();
    const open = page.getByTestId('open-alerts');
    await open.waitFor();
    assert.match(await open.innerText(), /rule_actions_capped · AUTO_FREEZE_HUGE/);
    await shot(page, '61-overview-open-alert');
    await open.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByText('No open alerts.').waitFor();
    const acked = await call(srv.url, '/v1/alerts', { key: srv.keys.analyst });
    const alert = (acked.json.alerts as { metric: string; ackedBy: string | null }[]).find((a) => a.metric === 'rule_actions_capped');
    assert.ok(alert?.ackedBy, 'the click acknowledged it on the server');
    // the merchant page: the licence list's date beside the acquirer, the complaints and the malicious pattern
    await page.goto(`${srv.url}/console/#/merchants/M1`);
    await page.getByTestId('merchant-complaints').waitFor();
    assert.match(await page.getByTestId('licence-list').innerText(), /by the licence list of 2026-11-30/);
    assert.match(await page.getByTestId('merchant-complaints').innerText(), /1 complaints in 30 days, 0 counted in the rating[\s\S]*Possibly malicious: this device complained about 3 merchants/);
    await shot(page, '63-merchant-complaints');
    // the Reports page lists the kept weekly report, downloadable in English or Chinese
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Reports' }).click();
    const kept = page.getByTestId('kept-reports');
    await kept.waitFor();
    assert.match(await kept.innerText(), /2026-11-09 00:00:00 \+08:00 – 2026-11-16 00:00:00 \+08:00/);
    const [download] = await Promise.all([page.waitForEvent('download'), kept.getByRole('button', { name: '下载（中文）' }).click()]);
    assert.equal(download.suggestedFilename(), 'fengkong-weekly-2026-11-09-zh-CN.html');
    // and the scheduler's jobs, each with its time and last run (the weekly report's: Monday 09:00)
    const jobs = await page.getByTestId('scheduled-jobs').innerText();
    assert.match(jobs, /Re-rate accounts idle for a week\s+every day 07:00/);
    assert.match(jobs, /Make and keep the weekly risk report\s+Mondays 09:00\s+2026-11-16 09:00:00 \+08:00/);
    await shot(page, '64-kept-reports');
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});
