// Customer notices against a real server: a freeze and its lifting, and an appeal decided, each
// make a notice in Chinese and English from the templates in use, listed in the customer view and
// delivered as signed `customer.notice` webhooks (and `appeal.decided`); the team edits the templates
// (a new version, audited; bad placeholders refused naming the field, nothing changed), and the next
// notice uses the new version.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseWorld } from '../engine/world.js';
import { DEFAULT_TEMPLATES } from '../../src/notices/templates.js';
import { verifySignature } from '../../src/webhooks/signature.js';
import { receiver, until } from '../helpers/webhook-receiver.js';
import { call, feed, startTestServer } from './helpers.js';

const FAST = { pollMs: 20, baseDelayMs: 40, maxDelayMs: 160, timeoutMs: 2_000 };

interface Notice {
  readonly kind: string;
  readonly text: { readonly 'zh-CN': string; readonly en: string };
  readonly at: string;
}

test('restrictions and appeals make notices in both languages from versioned templates: customer view and customer.notice webhooks', async () => {
  const rx = await receiver();
  const s = await startTestServer({ webhooks: FAST });
  try {
    await feed(s.url, s.keys.admin, baseWorld());
    const hook = await call(s.url, '/v1/webhooks', { key: s.keys.admin, body: { url: rx.url, events: ['customer.notice', 'appeal.decided'] } });
    assert.equal(hook.status, 201, hook.text);
    const notices = async (): Promise<Notice[]> => (await call(s.url, '/v1/accounts/A1/customer-view', { key: s.keys.support })).json.notices as Notice[];

    const until1 = Date.now() + 2 * 86_400_000;
    assert.equal((await call(s.url, '/v1/accounts/A1/actions', { key: s.keys.admin, body: { action: 'freeze', reason: 'suspected takeover (internal)', expiresAt: until1 } })).status, 201);
    await until('the freeze notice', async () => (await notices()).length === 1);
    const [frozen] = await notices();
    assert.equal(frozen.kind, 'account_frozen');
    assert.match(frozen.text['zh-CN'], /账户A1已暂时冻结（至北京时间\d{4}-\d\d-\d\d \d\d:\d\d）/);
    assert.match(frozen.text.en, /your account A1 is temporarily frozen \(until \d{4}-\d\d-\d\d \d\d:\d\d \(Beijing time\)\)/);
    assert.ok(!JSON.stringify(frozen).includes('internal'), "a notice never carries the analyst's reason");

    // a template with an unknown placeholder is refused, naming the field; nothing changes
    const templates = structuredClone(DEFAULT_TEMPLATES) as Record<string, Record<string, string>>;
    templates.account_unfrozen.en = 'Good news {name}: account {accountId} is unfrozen.';
    const bad = await call(s.url, '/v1/notices/templates', { key: s.keys.admin, method: 'PUT', body: { templates, note: 'friendlier' } });
    assert.equal(bad.status, 400, bad.text);
    assert.match(bad.text, /templates\.account_unfrozen\.en/);
    assert.equal((await call(s.url, '/v1/notices/templates', { key: s.keys.analyst })).json.version, 0);
    assert.equal((await call(s.url, '/v1/notices/templates', { key: s.keys.analyst, method: 'PUT', body: { templates } })).status, 403, 'only admins edit');

    templates.account_unfrozen.en = 'Good news: account {accountId} is unfrozen.';
    const put = await call(s.url, '/v1/notices/templates', { key: s.keys.admin, method: 'PUT', body: { templates, note: 'friendlier' } });
    assert.equal(put.status, 201, put.text);
    assert.equal(put.json.version, 1);
    const shown = await call(s.url, '/v1/notices/templates', { key: s.keys.analyst });
    assert.equal(shown.json.version, 1);
    assert.equal(shown.json.templates.account_unfrozen.en, 'Good news: account {accountId} is unfrozen.');
    assert.deepEqual((shown.json.versions as { version: number; note: string }[]).map((v) => [v.version, v.note]), [[1, 'friendlier']]);

    assert.equal((await call(s.url, '/v1/accounts/A1/actions', { key: s.keys.admin, body: { action: 'unfreeze', reason: 'verified' } })).status, 201);
    await until('the unfreeze notice', async () => (await notices()).length === 2);
    const [unfrozen] = await notices();
    assert.equal(unfrozen.kind, 'account_unfrozen');
    assert.equal(unfrozen.text.en, 'Good news: account A1 is unfrozen.');
    assert.equal(unfrozen.text['zh-CN'], '【风控提示】您的账户A1已解除冻结，可以正常付款。');

    // an appeal, decided by resolving its case as legitimate: upheld
    const appeal = await call(s.url, '/v1/accounts/A1/appeals', { key: s.keys.support, body: { text: '这笔是我本人消费' } });
    assert.equal(appeal.status, 201, appeal.text);
    const caseId = appeal.json.case.caseId as string;
    const resolved = await call(s.url, `/v1/cases/${caseId}/resolve`, { key: s.keys.analyst, body: { resolution: 'legitimate' } });
    assert.equal(resolved.status, 200, resolved.text);
    await until('the appeal notice', async () => (await notices()).length === 3);
    assert.equal((await notices())[0].kind, 'appeal_upheld');

    // webhooks: three notices and the appeal's decision, each signed with the subscription's secret
    await until('four deliveries', () => rx.got.length >= 4);
    const events = rx.got.map((g) => JSON.parse(g.body) as { type: string; data: Record<string, any> });
    for (const g of rx.got) assert.ok(verifySignature(hook.json.secret as string, g.headers['fengkong-signature'] as string, g.body));
    assert.deepEqual(events.map((e) => e.type).sort(), ['appeal.decided', 'customer.notice', 'customer.notice', 'customer.notice']);
    const decided = events.find((e) => e.type === 'appeal.decided')!;
    assert.equal(decided.data.accountId, 'A1');
    assert.equal(decided.data.upheld, true);
    assert.equal(decided.data.caseId, caseId);
    const kinds = events.filter((e) => e.type === 'customer.notice').map((e) => e.data.notice.kind);
    assert.deepEqual(kinds, ['account_frozen', 'account_unfrozen', 'appeal_upheld']);
    const audit = await call(s.url, '/v1/audit?action=notice.', { key: s.keys.admin });
    assert.deepEqual((audit.json.entries as { action: string }[]).map((e) => e.action).sort(), ['notice.issue', 'notice.issue', 'notice.issue', 'notice.templates']);
  } finally {
    await s.close();
    await rx.close();
  }
});
