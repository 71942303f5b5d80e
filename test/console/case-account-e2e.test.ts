// The case and account pages end to end: a real server with the built console, one account whose
// payment is challenged (a new device within a day of a password reset) and whose step-up then fails
// (`account_event` challenge_failed), which opens a `challenge_failed` case. In Chromium an admin
// opens the queue, the case, follows the account link and freezes the account through the form;
// the account's next payment is then declined with ACCOUNT_FROZEN. Screenshots go to
// screenshots/console/ (git-ignored).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/paths.js';
import { call, startTestServer, type TestServer } from '../server/helpers.js';
import { launchChromium, openPage, signIn, ZH_SIGN_IN } from './drive.js';
import { SHOTS, decideTx, postEvents, shot } from './walk.js';

const CONSOLE_INDEX = join(ROOT, 'dist', 'console', 'index.html');
const ACCOUNT = 'acc-e2e-7781';
const MERCHANT = '898440358120001';
const TERMINAL = 'T0A11F93';
const GEO = { lat: 22.5431, lon: 114.0579 };
/** A second terminal of the merchant, bound in Guangzhou, where the account paid once. */
const TERMINAL_GZ = 'T0A11F94';
const GZ = { lat: 23.1291, lon: 113.2644 };

let srv: TestServer;

before(async () => {
  if (!existsSync(CONSOLE_INDEX)) throw new Error(`${CONSOLE_INDEX} is missing: build the console first (\`npm run build:console\`)`);
  srv = await startTestServer();
});

after(async () => {
  await srv?.close();
});

function payment(id: string, ts: string, deviceId: string, amount: number, terminalId = TERMINAL, geo = GEO): Record<string, unknown> {
  return { type: 'transaction', id, ts, accountId: ACCOUNT, amount, currency: 'CNY', merchantId: MERCHANT, terminalId, mcc: '5732', acquirerId: '48021000', geo, deviceId, ip: '10.1.2.3', channel: 'qr' };
}

test('an admin opens a failed step-up case, follows its account and freezes it; the next payment is declined', { timeout: 120_000 }, async () => {
  // the world: an acquirer's merchant and terminal, the account, a first payment from its own phone
  await postEvents(srv, [
    { type: 'merchant', ts: '2026-01-02T09:00:00+08:00', merchantId: MERCHANT, name: '深圳华强电子商行', mcc: '5732', acquirerId: '48021000', geo: GEO, region: '440304' },
    { type: 'terminal', ts: '2026-01-02T09:30:00+08:00', terminalId: TERMINAL, merchantId: MERCHANT, acquirerId: '48021000', geo: GEO },
    { type: 'terminal', ts: '2026-01-02T09:40:00+08:00', terminalId: TERMINAL_GZ, merchantId: MERCHANT, acquirerId: '48021000', geo: GZ },
    { type: 'account', ts: '2026-01-03T10:00:00+08:00', accountId: ACCOUNT, creditLimit: 1_500_000, home: { lat: 22.54, lon: 114.06 }, kyc: 'full', openedAt: '2025-06-01T00:00:00+08:00' },
  ]);
  await decideTx(srv, payment('tx-e2e-0', '2026-12-04T08:00:00+08:00', 'dev-own', 8_000, TERMINAL_GZ, GZ));
  await decideTx(srv, payment('tx-e2e-1', '2026-12-04T12:00:00+08:00', 'dev-own', 12_000));
  // a password reset, then a new device pays: challenged (step-up)
  await postEvents(srv, [{ type: 'account_event', ts: '2026-12-04T20:40:00+08:00', accountId: ACCOUNT, kind: 'password_reset', deviceId: 'dev-own' }]);
  const challenged = await decideTx(srv, payment('tx-e2e-2', '2026-12-04T20:51:00+08:00', 'dev-new', 49_900));
  assert.equal(challenged.outcome, 'challenge', `the payment from a new device after a password reset is challenged (${JSON.stringify(challenged)})`);
  // the step-up fails: the case feed opens the account's challenge_failed case
  await postEvents(srv, [{ type: 'account_event', ts: '2026-12-04T20:52:00+08:00', accountId: ACCOUNT, kind: 'challenge_failed', txId: 'tx-e2e-2', deviceId: 'dev-new' }]);
  let caseId: string | undefined;
  const deadline = Date.now() + 20_000;
  while (caseId === undefined && Date.now() < deadline) {
    const q = await call(srv.url, `/v1/cases?subject=account:${ACCOUNT}&issue=challenge_failed`, { key: srv.keys.analyst });
    assert.equal(q.status, 200);
    caseId = (q.json.cases as { id: string }[])[0]?.id;
    if (caseId === undefined) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(caseId !== undefined, 'the failed step-up opened a case');

  mkdirSync(SHOTS, { recursive: true });
  const problems: string[] = [];
  const browser = await launchChromium();
  try {
    const ctx = await browser.newContext({ locale: 'en-US', viewport: { width: 1440, height: 900 } });
    const page = await openPage(ctx, problems);
    await signIn(page, srv.url, srv.keys.admin);

    // the queue: the case id is a link to its page
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Cases' }).click();
    const queue = page.getByTestId('case-queue');
    await queue.waitFor();
    await shot(page, '20-queue');
    await queue.getByRole('link', { name: caseId, exact: true }).click();

    // the case page: header, items, evidence
    await page.getByRole('heading', { name: `Case ${caseId}`, level: 1 }).waitFor();
    await page.getByText('Failed step-up', { exact: false }).first().waitFor();
    const header = page.getByTestId('case-header');
    assert.match(await header.innerText(), /¥499\.00/, 'the header shows the amount at stake in yuan');
    const payments = page.getByTestId('evidence-payments');
    await payments.waitFor();
    const row = payments.locator('tbody tr', { hasText: 'tx-e2e-2' });
    assert.match(await row.innerText(), /2026-12-04 20:51:00 \+08:00/);
    assert.match(await row.innerText(), /Challenge/);
    assert.match(await row.innerText(), /NEW_DEVICE_AFTER_PASSWORD_RESET/);
    // the places: named after their cities, with the bound addresses of the terminals paid at
    const plot = page.getByTestId('places-plot');
    await plot.waitFor();
    const cityLabels = await plot.getByTestId('plot-city-label').allTextContents();
    assert.ok(cityLabels.includes('Shenzhen') && cityLabels.includes('Guangzhou'), cityLabels.join());
    assert.equal(await plot.getByTestId('plot-bound').count(), 2, 'both terminals paid at, at their bound addresses');
    assert.ok((await plot.getByTestId('plot-ref-label').count()) >= 1, 'cities of the extent as references');
    await page.getByText('bound address of a terminal paid at').waitFor();
    await page.getByTestId('places').getByText('Guangzhou', { exact: false }).waitFor();
    await page.getByTestId('case-items').getByText('tx-e2e-2', { exact: true }).waitFor();
    await shot(page, '21-case');
    await plot.screenshot({ path: join(SHOTS, '21a-case-places.png') });

    // add a note: it shows at once
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByLabel('Note', { exact: true }).fill('Customer did not recognise the new device.');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByTestId('case-notes').getByText('Customer did not recognise the new device.').waitFor();

    // follow the account link
    await page.getByTestId('case-subject').click();
    await page.getByRole('heading', { name: `Account ${ACCOUNT}`, level: 1 }).waitFor();
    await page.getByTestId('rating-grade').waitFor();
    assert.equal(await page.getByTestId('account-status').innerText(), 'Active');
    await shot(page, '22-account');

    // freeze it through the form
    await page.getByRole('button', { name: 'Freeze', exact: true }).click();
    await page.getByLabel('Reason').fill('Failed step-up on a new device after a password reset');
    await shot(page, '23-account-freeze-form');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('Account frozen.').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="account-status"]')?.textContent === 'Frozen');
    await page.getByTestId('restrictions').getByText('Failed step-up on a new device after a password reset').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Freeze', exact: true }).count(), 0, 'a frozen account offers no Freeze');
    await page.getByRole('button', { name: 'Unfreeze' }).waitFor();
    await shot(page, '24-account-frozen');

    // customer service sees what the customer is told, and no action
    const support = await browser.newContext({ locale: 'en-US', viewport: { width: 1440, height: 900 } });
    const sp = await openPage(support, problems);
    await signIn(sp, srv.url, srv.keys.support);
    await sp.getByLabel('Account id').fill(ACCOUNT);
    await sp.getByRole('button', { name: 'Open' }).click();
    await sp.getByText('Your account is temporarily frozen.').waitFor();
    assert.equal(await sp.getByRole('button', { name: /Freeze|Unfreeze/ }).count(), 0, 'customer service has no account action');
    await sp.getByRole('button', { name: 'File an appeal' }).waitFor();
    await shot(sp, '25-support-customer-view');
    await support.close();

    // the same case in a Chinese browser
    const zh = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1440, height: 900 } });
    const zp = await openPage(zh, problems);
    await signIn(zp, srv.url, srv.keys.analyst, ZH_SIGN_IN);
    await zp.getByRole('navigation', { name: '页面' }).getByRole('link', { name: '案件' }).click();
    await zp.getByTestId('case-queue').getByRole('link', { name: caseId, exact: true }).click();
    await zp.getByRole('heading', { name: `案件 ${caseId}`, level: 1 }).waitFor();
    await zp.getByTestId('places-plot').waitFor();
    const zhLabels = await zp.getByTestId('places-plot').getByTestId('plot-city-label').allTextContents();
    assert.ok(zhLabels.includes('深圳') && zhLabels.includes('广州'), zhLabels.join());
    await shot(zp, '26-zh-case');
    await zp.getByTestId('places-plot').screenshot({ path: join(SHOTS, '26a-zh-case-places.png') });
    await zp.getByTestId('case-subject').click();
    await zp.getByRole('heading', { name: `账户 ${ACCOUNT}`, level: 1 }).waitFor();
    assert.equal(await zp.getByTestId('account-status').innerText(), '已冻结');
    assert.equal(await zp.getByRole('button', { name: '解冻' }).count(), 0, 'an analyst is offered no account action');
    await shot(zp, '27-zh-account');
    await zh.close();
    await ctx.close();
  } finally {
    await browser.close();
  }
  assert.deepEqual(problems, [], 'no CSP violation or page error');

  // the account's next payment is declined because it is frozen
  const next = await decideTx(srv, payment('tx-e2e-3', '2026-12-04T21:05:00+08:00', 'dev-own', 8_800));
  assert.equal(next.outcome, 'decline');
  assert.ok(next.reasons.some((r) => r.code === 'ACCOUNT_FROZEN'), `declined with ACCOUNT_FROZEN (${JSON.stringify(next.reasons)})`);
});
