// The Lists and Reports pages end to end: a real server with the built console and a few payments
// at one merchant's terminal. In Chromium an admin opens the Lists page, chooses block_devices, adds
// a device with a reason through the form and sees the entry at once; a payment from that device is
// then declined with LIST_BLOCKED_DEVICE. The Reports page shows the risk report over a range of
// dates with its figures, and the printable HTML downloads. Screenshots go to screenshots/console/
// (git-ignored).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/paths.js';
import { call, startTestServer, type TestServer } from '../server/helpers.js';
import { launchChromium, openPage, signIn, ZH_SIGN_IN } from './drive.js';
import { SHOTS, decideTx, shot } from './walk.js';

const CONSOLE_INDEX = join(ROOT, 'dist', 'console', 'index.html');
const ACCOUNT = 'acc-e2e-lists-1';
const MERCHANT = '898440358120002';
const TERMINAL = 'T0B22E04';
const GEO = { lat: 31.2304, lon: 121.4737 };
const DEVICE = 'dev-stolen-4471';

let srv: TestServer;

before(async () => {
  if (!existsSync(CONSOLE_INDEX)) throw new Error(`${CONSOLE_INDEX} is missing: build the console first (\`npm run build:console\`)`);
  srv = await startTestServer();
});

after(async () => {
  await srv?.close();
});

function payment(id: string, ts: string, deviceId: string, amount: number): Record<string, unknown> {
  return { type: 'transaction', id, ts, accountId: ACCOUNT, amount, currency: 'CNY', merchantId: MERCHANT, terminalId: TERMINAL, mcc: '5411', acquirerId: '48021000', geo: GEO, deviceId, ip: '10.2.3.4', channel: 'qr' };
}

test('an admin blocks a device on the Lists page, its payment is declined; the Reports page shows the period and downloads its HTML', { timeout: 120_000 }, async () => {
  const r = await call(srv.url, '/v1/events', {
    key: srv.keys.admin,
    body: [
      { type: 'merchant', ts: '2026-11-20T09:00:00+08:00', merchantId: MERCHANT, name: '上海徐汇便利店', mcc: '5411', acquirerId: '48021000', geo: GEO, region: '310104' },
      { type: 'terminal', ts: '2026-11-20T09:30:00+08:00', terminalId: TERMINAL, merchantId: MERCHANT, acquirerId: '48021000', geo: GEO },
      { type: 'account', ts: '2026-11-21T10:00:00+08:00', accountId: ACCOUNT, creditLimit: 2_000_000, home: GEO, kyc: 'full', openedAt: '2025-03-01T00:00:00+08:00' },
    ],
  });
  assert.equal(r.status, 202, r.text);
  for (let i = 0; i < 6; i++) await decideTx(srv, payment(`tx-lr-${i}`, `2026-12-0${1 + i}T1${i}:15:00+08:00`, 'dev-own-1', 3_500 + 1_000 * i));

  mkdirSync(SHOTS, { recursive: true });
  const problems: string[] = [];
  const browser = await launchChromium();
  try {
    const ctx = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = await openPage(ctx, problems);
    await signIn(page, srv.url, srv.keys.admin);

    // the lists, and block_devices chosen
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Lists' }).click();
    const lists = page.getByTestId('lists-table');
    await lists.waitFor();
    const row = lists.locator('tbody tr', { hasText: 'block_devices' });
    assert.match(await row.innerText(), /Device\s+Block\s+Payer devices whose payments are declined\s+0\s+Yes/);
    await shot(page, '40-lists');
    await row.getByRole('button', { name: 'block_devices' }).click();
    const entries = page.getByTestId('list-entries');
    await entries.getByText('This list has no entries in force.').waitFor();

    // add the device with a reason
    await entries.getByRole('button', { name: 'Add entry' }).click();
    await page.getByLabel('Value', { exact: true }).fill(DEVICE);
    await page.getByLabel('Reason').fill('Phone reported stolen by the customer');
    await shot(page, '41-lists-add-form');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText(`${DEVICE} added; it applies from the next decision.`).waitFor();
    const added = entries.locator('tbody tr', { hasText: DEVICE });
    await added.waitFor();
    assert.match(await added.innerText(), /Phone reported stolen by the customer/);
    assert.match(await added.innerText(), /Never/);
    assert.match(await row.innerText(), /\s1\s+Yes/, 'the entry count goes up at once');
    // a search by prefix finds it, another finds nothing
    await page.getByLabel('Value starts with').fill('dev-stolen');
    await page.getByRole('button', { name: 'Find' }).click();
    await added.waitFor();
    await page.getByLabel('Value starts with').fill('zzz');
    await page.getByRole('button', { name: 'Find' }).click();
    await entries.getByText('No entry starts with “zzz”.').waitFor();
    await page.getByRole('button', { name: 'Show all' }).click();
    await added.waitFor();
    await shot(page, '42-lists-entry-added');

    // the Reports page over the payments' days
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Reports' }).click();
    await page.getByLabel('From').fill('2026-12-01');
    await page.getByLabel('To (included)').fill('2026-12-06');
    await page.getByLabel('Buckets', { exact: true }).selectOption('day');
    await page.getByRole('button', { name: 'Show report' }).click();
    await page.getByTestId('report-period').getByText('2026-12-01 00:00:00 +08:00 to 2026-12-07 00:00:00 +08:00', { exact: false }).waitFor();
    assert.equal((await page.getByTestId('report-payments').locator('.stat-value').innerText()).trim(), '6');
    const volumes = page.getByTestId('report-volumes');
    await volumes.locator('canvas').first().waitFor();
    assert.equal(await volumes.locator('tbody tr').count(), 6, 'one row per day');
    assert.match(await page.getByTestId('report-outcomes').innerText(), /Approve\s+6/);
    await page.getByTestId('report-drift').locator('canvas').first().waitFor();
    await shot(page, '43-reports');

    // the printable HTML, fetched with the key and saved as a file
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download printable HTML' }).click()]);
    assert.equal(download.suggestedFilename(), 'fengkong-risk-report-2026-12-01-to-2026-12-06.html');
    const path = await download.path();
    const html = readFileSync(path, 'utf8');
    assert.match(html.slice(0, 200).trimStart(), /^<!doctype html>|^<html/i, 'the file is an HTML document');

    // the Chinese interface of both pages
    const zh = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    const zp = await openPage(zh, problems);
    await signIn(zp, srv.url, srv.keys.analyst, ZH_SIGN_IN);
    await zp.getByRole('navigation', { name: '页面' }).getByRole('link', { name: '名单' }).click();
    await zp.getByTestId('lists-table').getByRole('button', { name: 'block_devices' }).click();
    await zp.getByTestId('list-entries').locator('tbody tr', { hasText: DEVICE }).waitFor();
    assert.equal(await zp.getByRole('button', { name: '添加条目' }).count(), 0, 'an analyst is offered no list change');
    assert.equal(await zp.getByRole('button', { name: '移除' }).count(), 0, 'an analyst is offered no Remove');
    await shot(zp, '44-zh-lists');
    await zh.close();
    await ctx.close();
  } finally {
    await browser.close();
  }
  assert.deepEqual(problems, [], 'no CSP violation or page error');

  // a payment from the blocked device is declined by the list
  const blocked = await decideTx(srv, payment('tx-lr-blocked', '2026-12-05T20:10:00+08:00', DEVICE, 6_600));
  assert.equal(blocked.outcome, 'decline');
  assert.ok(blocked.reasons.some((x) => x.code === 'LIST_BLOCKED_DEVICE'), `declined with LIST_BLOCKED_DEVICE (${JSON.stringify(blocked.reasons)})`);
});
