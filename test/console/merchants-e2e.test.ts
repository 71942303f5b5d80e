// The Merchants page end to end: a real server with the built console, a licensed acquirer, a
// merchant with two terminals (one bound across town) and a few payments through POST /v1/decisions.
// In Chromium an admin opens the Merchants page, finds the merchant in the riskiest list, opens it,
// suspends a terminal through the form with a reason and sees it suspended at once; the next payment
// at that terminal is then declined with TERMINAL_SUSPENDED. An analyst in a Chinese browser sees the
// page with "Hold settlement" only. Screenshots go to screenshots/console/ (git-ignored).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/paths.js';
import { call, startTestServer, type TestServer } from '../server/helpers.js';
import { launchChromium, openPage, signIn, ZH_SIGN_IN } from './drive.js';
import { SHOTS, decideTx, postEvents, shot } from './walk.js';

const CONSOLE_INDEX = join(ROOT, 'dist', 'console', 'index.html');
const MERCHANT = '898440358129901';
const ACQUIRER = '48029900';
const T1 = 'T0E2E001';
const T2 = 'T0E2E002';
const GEO = { lat: 22.5431, lon: 114.0579 };
const FAR = { lat: 22.6000, lon: 113.9000 };
/** Where T2's last payment is made: Dongguan, across the city line. */
const DONGGUAN = { lat: 23.0205, lon: 113.7518 };

let srv: TestServer;

before(async () => {
  if (!existsSync(CONSOLE_INDEX)) throw new Error(`${CONSOLE_INDEX} is missing: build the console first (\`npm run build:console\`)`);
  srv = await startTestServer();
});

after(async () => {
  await srv?.close();
});

function payment(id: string, ts: string, terminalId: string, accountId: string, amount: number, geo = GEO): Record<string, unknown> {
  return { type: 'transaction', id, ts, accountId, amount, currency: 'CNY', merchantId: MERCHANT, terminalId, mcc: '5411', acquirerId: ACQUIRER, geo, deviceId: `dev-${accountId}`, ip: '10.1.2.3', channel: 'card' };
}

test('an admin finds the merchant among the riskiest, suspends a terminal; its next payment is declined', { timeout: 120_000 }, async () => {
  await postEvents(srv, [
    { type: 'acquirer', ts: '2026-01-01T09:00:00+08:00', acquirerId: ACQUIRER, name: '深圳示例收单', licensed: true },
    { type: 'merchant', ts: '2026-01-02T09:00:00+08:00', merchantId: MERCHANT, name: '福田便利店', mcc: '5411', acquirerId: ACQUIRER, geo: GEO, region: '440304' },
    { type: 'terminal', ts: '2026-01-02T09:30:00+08:00', terminalId: T1, merchantId: MERCHANT, acquirerId: ACQUIRER, geo: GEO },
    { type: 'terminal', ts: '2026-01-02T09:40:00+08:00', terminalId: T2, merchantId: MERCHANT, acquirerId: ACQUIRER, geo: FAR },
  ]);
  const accounts = ['acc-m-1', 'acc-m-2', 'acc-m-3'];
  await postEvents(srv, accounts.map((a) => ({ type: 'account', ts: '2026-01-03T10:00:00+08:00', accountId: a, creditLimit: 2_000_000, home: GEO, kyc: 'full', openedAt: '2025-06-01T00:00:00+08:00' })));
  for (let i = 0; i < 6; i++) {
    const d = await decideTx(srv, payment(`tx-m-${i}`, `2026-12-05T1${i}:00:00+08:00`, i % 2 === 0 ? T1 : T2, accounts[i % 3]!, 3_000 + i * 1_000, i === 5 ? DONGGUAN : GEO));
    assert.notEqual(d.outcome, 'decline', `an ordinary payment is not declined (${JSON.stringify(d)})`);
  }
  // the 核实 check from the API: registered, licensed, T1 its own
  const check = await call(srv.url, `/v1/merchants/${MERCHANT}?terminalId=${T1}`, { key: srv.keys.analyst });
  assert.equal(check.status, 200, check.text);
  assert.equal((check.json.check as { ok: boolean }).ok, true, check.text);
  const places = (check.json.paymentPlaces as { places: { terminalId: string; payments: number }[] }).places;
  assert.deepEqual(places.map((p) => [p.terminalId, p.payments]).sort(), [[T1, 3], [T2, 1], [T2, 2]], 'payment places by terminal and ≈1 km');

  mkdirSync(SHOTS, { recursive: true });
  const problems: string[] = [];
  const browser = await launchChromium();
  try {
    const ctx = await browser.newContext({ locale: 'en-US', viewport: { width: 1440, height: 900 } });
    const page = await openPage(ctx, problems);
    await signIn(page, srv.url, srv.keys.admin);

    // the list: the merchant is there with its rating, its terminals in the other list
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Merchants' }).click();
    const list = page.getByTestId('merchant-list');
    await list.waitFor();
    await page.getByTestId('terminal-list').getByText(T2).waitFor();
    // the 核实 form
    await page.getByLabel('Merchant id', { exact: true }).last().fill(MERCHANT);
    await page.getByLabel('Terminal id (optional)').fill(T2);
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await page.getByTestId('check-result').getByText('Check passed').waitFor();
    await shot(page, '30-merchants');
    await list.getByRole('link', { name: MERCHANT, exact: true }).click();

    // the merchant's page
    await page.getByRole('heading', { name: `Merchant ${MERCHANT}`, level: 1 }).waitFor();
    const reg = page.getByTestId('merchant-registration');
    await reg.getByText('福田便利店').waitFor();
    assert.match(await reg.innerText(), /5411/);
    assert.match(await reg.innerText(), /licensed/);
    await page.getByTestId('merchant-grade').waitFor();
    // the places: payment places against the terminals' bound addresses, named after their cities
    const plot = page.getByTestId('merchant-places');
    await plot.waitFor();
    assert.equal(await plot.getByTestId('plot-place').count(), 3, 'three payment places');
    assert.equal(await plot.getByTestId('plot-bound').count(), 2, 'two bound terminals');
    const cityLabels = await plot.getByTestId('plot-city-label').allTextContents();
    assert.ok(cityLabels.includes('Shenzhen') && cityLabels.includes('Dongguan'), cityLabels.join());
    const paid = page.getByTestId('payment-places');
    assert.match(await paid.locator('tbody tr', { hasText: 'Dongguan' }).innerText(), new RegExp(T2));
    const terminals = page.getByTestId('merchant-terminals');
    const row = terminals.locator(`tr[data-terminal="${T2}"]`);
    assert.equal(await row.getByTestId('terminal-status').innerText(), 'In service');
    await shot(page, '31-merchant');
    await plot.screenshot({ path: join(SHOTS, '31a-merchant-places.png') });

    // suspend T2 through its form
    await row.getByRole('button', { name: 'Suspend terminal' }).click();
    await row.getByLabel('Reason').fill('Bound across town from the shop; 跳码 suspected');
    await shot(page, '32-merchant-suspend-form');
    await row.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText(`Terminal ${T2} suspended.`).waitFor();
    await page.waitForFunction((t) => document.querySelector(`tr[data-terminal="${t}"] [data-testid="terminal-status"]`)?.textContent === 'Suspended', T2);
    await row.getByRole('button', { name: 'Release terminal' }).waitFor();
    await page.getByTestId('merchant-actions').getByText('Bound across town from the shop; 跳码 suspected').waitFor();
    await shot(page, '33-merchant-suspended');

    // an analyst in a Chinese browser: the page in Chinese, only 暂停结算 offered
    const zh = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1440, height: 900 } });
    const zp = await openPage(zh, problems);
    await signIn(zp, srv.url, srv.keys.analyst, ZH_SIGN_IN, `#/merchants/${MERCHANT}`);
    await zp.getByRole('heading', { name: `商户 ${MERCHANT}`, level: 1 }).waitFor();
    await zp.getByRole('button', { name: '暂停结算' }).waitFor();
    assert.equal(await zp.getByRole('button', { name: /停用终端|恢复终端/ }).count(), 0, 'an analyst is offered no terminal action');
    assert.equal(await zp.locator(`tr[data-terminal="${T2}"] [data-testid="terminal-status"]`).innerText(), '已停用');
    const zhLabels = await zp.getByTestId('merchant-places').getByTestId('plot-city-label').allTextContents();
    assert.ok(zhLabels.includes('深圳') && zhLabels.includes('东莞'), zhLabels.join());
    await zp.getByTestId('payment-places').getByText('东莞', { exact: false }).waitFor();
    await shot(zp, '34-zh-merchant');
    await zp.getByTestId('merchant-places').screenshot({ path: join(SHOTS, '34a-zh-merchant-places.png') });
    await zh.close();
    await ctx.close();
  } finally {
    await browser.close();
  }
  assert.deepEqual(problems, [], 'no CSP violation or page error');

  // the suspended terminal's next payment is declined; the other terminal still pays
  const next = await decideTx(srv, payment('tx-m-next', '2026-12-05T17:00:00+08:00', T2, 'acc-m-1', 4_200));
  assert.equal(next.outcome, 'decline', JSON.stringify(next));
  assert.ok(next.reasons.some((r) => r.code === 'TERMINAL_SUSPENDED'), `declined with TERMINAL_SUSPENDED (${JSON.stringify(next.reasons)})`);
  const other = await decideTx(srv, payment('tx-m-other', '2026-12-05T17:05:00+08:00', T1, 'acc-m-2', 4_200));
  assert.notEqual(other.outcome, 'decline', JSON.stringify(other));
});
