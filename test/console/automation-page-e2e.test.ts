// The console's Automation page, end to end: a real server with the built console, on a scheduler
// clock the test moves to Monday 08:00 so the weekly job proposes lower limits for an account graded
// D and one graded E. An admin ticks one proposal, writes the note and approves it in the browser; the
// API then lists it approved and the account's limit lowered by that admin. A webhook subscribed
// before to an endpoint that always answers 500 shows its dead-lettered deliveries; a new webhook made
// in the browser shows its secret once, and is deleted after the confirmation; a notice template
// edited in the browser is saved as version 1 (checked through the API). The event types offered and
// the placeholders listed are the server's own (src/webhooks/types.ts, src/notices/templates.ts). The
// page is also walked in Chinese and as an analyst (no button, no webhook). Screenshots go to
// screenshots/console/ (git-ignored).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PLACEHOLDERS } from '../../src/notices/templates.js';
import { WEBHOOK_EVENT_TYPES } from '../../src/webhooks/types.js';
import { account, at, baseWorld, DAY, HOUR, tx } from '../engine/world.js';
import { ROOT } from '../helpers/paths.js';
import { receiver, until } from '../helpers/webhook-receiver.js';
import { idOf } from '../policy/helpers.js';
import { call, feed, startTestServer, type TestServer } from '../server/helpers.js';
import { launchChromium, openPage, signIn, ZH_SIGN_IN } from './drive.js';
import { SHOTS, shot } from './walk.js';

const CONSOLE_INDEX = join(ROOT, 'dist', 'console', 'index.html');

interface Proposal {
  readonly id: number;
  readonly accountId: string;
  readonly grade: string;
  readonly state: string;
  readonly decidedBy: string | null;
  readonly note: string | null;
}

let srv: TestServer;
let failing: Awaited<ReturnType<typeof receiver>>;
/** The scheduler's clock: a Monday before 08:00, moved by the test to the weekly proposals' slot. */
let clock = Date.parse('2026-11-16T07:00:00+08:00');

before(async () => {
  if (!existsSync(CONSOLE_INDEX)) throw new Error(`${CONSOLE_INDEX} is missing: build the console first (\`npm run build:console\`)`);
  failing = await receiver(() => 500);
  // short retries, so a delivery to the failing endpoint is dead within a second
  srv = await startTestServer({ schedules: { now: () => clock, tickMs: 50 }, webhooks: { pollMs: 50, baseDelayMs: 50, maxDelayMs: 100, retryForMs: 500, timeoutMs: 2_000 } });
});

after(async () => {
  await srv?.close();
  await failing?.close();
});

async function proposals(state: string): Promise<Proposal[]> {
  const r = await call(srv.url, `/v1/limit-proposals?state=${state}`, { key: srv.keys.analyst });
  assert.equal(r.status, 200, r.text);
  return r.json.proposals as Proposal[];
}

test('the Automation page: approve a limit proposal, see dead letters, create and delete a webhook, save a notice template version', { timeout: 180_000 }, async () => {
  // accounts A1 (graded D) and B1 (graded E) once labelled fraud, then Monday 08:00
  await feed(srv.url, srv.keys.admin, [
    ...baseWorld(),
    account('B1', { openedAt: at(-20 * DAY), creditLimit: 1_000_000 }),
    tx(HOUR, { id: 'b1-pay', accountId: 'B1', amount: 900_000 }),
    { type: 'label', ts: at(2 * HOUR), accountId: 'B1', fraud: true },
    { type: 'label', ts: at(2 * HOUR), accountId: 'A1', fraud: true },
  ]);
  clock = Date.parse('2026-11-16T08:00:05+08:00');
  await until('the weekly proposals', async () => (await proposals('pending')).length === 2, 20_000);
  const b1 = (await proposals('pending')).find((p) => p.accountId === 'B1');
  assert.equal(b1?.grade, 'E');

  // a subscription (made through the API) whose endpoint always fails: its deliveries end dead
  const hook = await call(srv.url, '/v1/webhooks', { key: srv.keys.admin, body: { url: failing.url, events: ['account.restricted', 'customer.notice'], description: 'SMS gateway (down)' } });
  assert.equal(hook.status, 201, hook.text);

  mkdirSync(SHOTS, { recursive: true });
  const problems: string[] = [];
  const browser = await launchChromium();
  try {
    const ctx = await browser.newContext({ locale: 'en-US', viewport: { width: 1440, height: 900 } });
    const page = await openPage(ctx, problems);
    await signIn(page, srv.url, srv.keys.admin, undefined, '#/automation');
    const nav = page.getByRole('navigation', { name: 'Pages' });
    assert.equal(await nav.getByRole('link', { name: 'Automation' }).getAttribute('aria-current'), 'page');
    await page.getByRole('heading', { level: 1, name: 'Automation' }).waitFor();

    // --- limit proposals: both pending, B1 linked to its account page; approve B1 with a note
    const table = page.getByTestId('proposals-table');
    await table.waitFor();
    assert.equal(await table.locator('tbody tr').count(), 2);
    assert.equal(await table.getByRole('link', { name: 'B1' }).getAttribute('href'), '#/accounts/B1');
    const b1Row = table.locator('tbody tr', { has: page.getByRole('link', { name: 'B1' }) });
    assert.match(await b1Row.innerText(), /E\s+¥10,000\.00\s+¥5,000\.00 \(50\.0%\)\s+2026-11-16 08:00:00 \+08:00\s+Pending/);
    await page.getByLabel('Select the proposal for account B1').check();
    await page.getByRole('button', { name: 'Approve selected (1)' }).click();
    await page.getByText('Write a note saying why.').waitFor();
    await page.getByLabel('Note (required)').fill('weekly credit review');
    await page.getByRole('button', { name: 'Approve selected (1)' }).click();
    await page.getByText('Approved: 1. Each is now a lowered limit, effective from the next decision.').waitFor();
    await until('the approved row to leave the pending list', async () => (await table.locator('tbody tr').count()) === 1);
    const approved = await proposals('approved');
    assert.deepEqual(
      approved.map((p) => [p.id, p.accountId, p.decidedBy, p.note]),
      [[b1!.id, 'B1', idOf(srv.keys.admin), 'weekly credit review']],
      'the click approved B1 on the server, by this admin, with the note',
    );
    const view = await call(srv.url, '/v1/accounts/B1', { key: srv.keys.analyst });
    assert.equal(view.json.restrictions.limit.limit, 500_000);
    assert.match(view.json.restrictions.limit.reason, /^limit proposal \d+ \(credit grade E\): weekly credit review$/);
    assert.deepEqual((await proposals('pending')).map((p) => p.accountId), ['A1']);
    await shot(page, '70-automation-proposal-approved');

    // --- the failing webhook's deliveries: the approval's events, dead after the retry window
    await until('a dead delivery', async () => {
      const d = await call(srv.url, `/v1/webhooks/${hook.json.id as string}/deliveries?state=dead`, { key: srv.keys.admin });
      return (d.json.deliveries as unknown[]).length > 0;
    }, 20_000);
    const hooks = page.getByTestId('webhooks-table');
    const failingRow = hooks.locator('tbody tr', { hasText: failing.url });
    assert.match(await failingRow.innerText(), /account\.restricted[\s\S]*customer\.notice[\s\S]*SMS gateway \(down\)/);
    await failingRow.getByRole('button', { name: 'Deliveries' }).click();
    const deliveries = page.getByTestId('deliveries-table');
    await deliveries.waitFor();
    await page.getByLabel('State', { exact: true }).last().selectOption('dead');
    await deliveries.getByText('Dead').first().waitFor();
    const deadRow = await deliveries.locator('tbody tr').first().innerText();
    assert.match(deadRow, /HTTP 500 · the endpoint answered 500/);
    assert.match(deadRow, /Dead\s+\d+/);
    await shot(page, '71-automation-dead-deliveries');

    // --- a new webhook: the server's event types offered, the secret shown once
    await page.getByRole('button', { name: 'New webhook' }).click();
    const form = page.getByRole('form', { name: 'New webhook' });
    const offered = await form.getByRole('group', { name: 'Event types' }).locator('code').allInnerTexts();
    assert.deepEqual(offered, [...WEBHOOK_EVENT_TYPES], 'the form offers exactly the server\u2019s event types');
    await form.getByLabel('Endpoint URL').fill('not a url');
    await form.getByRole('checkbox', { name: /case\.opened/ }).check();
    await form.getByRole('button', { name: 'Confirm' }).click();
    await form.getByText('Enter an http:// or https:// URL without spaces').waitFor();
    await form.getByLabel('Endpoint URL').fill('https://tickets.example/fengkong');
    await form.getByLabel('Description').fill('Ticketing: new cases');
    await form.getByRole('button', { name: 'Confirm' }).click();
    const secretBox = page.getByTestId('webhook-secret');
    await secretBox.waitFor();
    const secret = await page.getByLabel('Secret', { exact: true }).inputValue();
    assert.match(secret, /^whsec_[A-Za-z0-9_-]{20,}$/);
    assert.match(await secretBox.innerText(), /Store this secret now in the system behind https:\/\/tickets\.example\/fengkong[\s\S]*Fengkong shows it only this once/);
    const listed = (await call(srv.url, '/v1/webhooks', { key: srv.keys.admin })).json.webhooks as { id: string; url: string; events: string[]; description: string }[];
    const made = listed.find((w) => w.url === 'https://tickets.example/fengkong');
    assert.deepEqual([made?.events, made?.description], [['case.opened'], 'Ticketing: new cases']);
    assert.ok(!JSON.stringify(listed).includes(secret), 'the list never carries the secret');
    await shot(page, '72-automation-webhook-secret');
    await page.getByRole('button', { name: /I have stored it/ }).click();
    assert.equal(await page.getByTestId('webhook-secret').count(), 0, 'the secret is gone from the page once stored');

    // --- delete it, after the confirmation
    const madeRow = hooks.locator('tbody tr', { hasText: 'https://tickets.example/fengkong' });
    await madeRow.getByRole('button', { name: 'Delete' }).click();
    await madeRow.getByText('Delete the webhook to https://tickets.example/fengkong?').waitFor();
    await madeRow.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('The webhook to https://tickets.example/fengkong is deleted.').waitFor();
    const left = (await call(srv.url, '/v1/webhooks', { key: srv.keys.admin })).json.webhooks as { url: string }[];
    assert.deepEqual(left.map((w) => w.url), [failing.url], 'the click deleted it on the server');

    // --- notice templates: the server's placeholders, an unknown one flagged, a new version saved
    const templates = page.getByTestId('notice-templates');
    assert.match(await page.getByTestId('notice-version').innerText(), /Version 0 the built-in texts/);
    const shown = await page.getByTestId('notice-placeholders').locator('dt').allInnerTexts();
    assert.deepEqual(shown, PLACEHOLDERS.map((p) => `{${p}}`), 'the placeholders listed are the server\u2019s');
    const lowered = templates.getByRole('group', { name: /Limit lowered/ });
    const english = lowered.getByLabel('English', { exact: true });
    await english.fill('Your credit limit is now ¥{limit} ({until}) because of {rule}.');
    await lowered.getByText('Not a placeholder the server knows: {rule}').waitFor();
    const text = 'Your credit limit is now ¥{limit} ({until}). Repaying on time helps restore it.';
    await english.fill(text);
    await templates.getByLabel('Note on this version (optional)').fill('plainer English');
    await templates.getByRole('button', { name: 'Save as version 1' }).click();
    await page.getByText('Saved as version 1; every notice from now on uses it.').waitFor();
    await page.getByTestId('notice-version').getByText('Version 1').waitFor();
    const t = await call(srv.url, '/v1/notices/templates', { key: srv.keys.analyst });
    assert.equal(t.json.version, 1);
    assert.equal(t.json.templates.limit_lowered.en, text);
    assert.equal(t.json.templates.account_frozen.en, 'For your security, your account {accountId} is temporarily frozen ({until}); payments are declined meanwhile. Call customer service or appeal in the app.', 'the other texts are kept');
    assert.deepEqual([t.json.versions[0].version, t.json.versions[0].createdBy, t.json.versions[0].note], [1, idOf(srv.keys.admin), 'plainer English']);
    await shot(page, '73-automation-template-saved');
    await ctx.close();

    // --- in Chinese
    const zh = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1440, height: 900 } });
    const zhPage = await openPage(zh, problems);
    await signIn(zhPage, srv.url, srv.keys.admin, ZH_SIGN_IN, '#/automation');
    await zhPage.getByRole('navigation', { name: '页面' }).getByRole('link', { name: '自动化' }).waitFor();
    await zhPage.getByRole('heading', { level: 1, name: '自动化' }).waitFor();
    await zhPage.getByRole('heading', { level: 2, name: '降额建议' }).waitFor();
    await zhPage.getByRole('heading', { level: 2, name: 'Webhook 回调' }).waitFor();
    await zhPage.getByRole('heading', { level: 2, name: '客户通知模板' }).waitFor();
    await zhPage.getByRole('button', { name: '批准所选（0）' }).waitFor();
    await zhPage.getByRole('group', { name: /额度下调/ }).waitFor();
    await zhPage.getByLabel('状态', { exact: true }).first().selectOption('approved');
    await zhPage.getByTestId('proposals-table').getByText('已批准').waitFor();
    await shot(zhPage, '74-automation-zh');
    await zh.close();

    // --- an analyst reads the proposals and templates, with no button and no webhook
    const an = await browser.newContext({ locale: 'en-US', viewport: { width: 1440, height: 900 } });
    const anPage = await openPage(an, problems);
    await signIn(anPage, srv.url, srv.keys.analyst, undefined, '#/automation');
    await anPage.getByTestId('proposals-table').waitFor();
    await anPage.getByText('Only admins see and manage the webhooks.').waitFor();
    await anPage.getByTestId('templates-table').waitFor();
    assert.equal(await anPage.getByRole('button', { name: /Approve|Reject|New webhook|Save as version/ }).count(), 0, 'an analyst is shown no admin action');
    assert.equal(await anPage.getByRole('checkbox').count(), 0);
    await shot(anPage, '75-automation-analyst');
    await an.close();
  } finally {
    await browser.close();
  }
  assert.deepEqual(problems, [], 'no CSP violation or page error');
});
