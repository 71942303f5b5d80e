// The customer view and appeals through the real server, and what the support role may and may not
// do: it reads what the customer is told (status, restrictions in plain words, limit, transaction
// record with the merchant as registered) and files appeals; everything else is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY, HOUR, baseWorld, registry, account, at, tx } from '../engine/world.js';
import { call, feed, startTestServer, tempDir, type TestServer } from '../server/helpers.js';

const T = 10 * HOUR;

async function world(s: TestServer): Promise<void> {
  await feed(s.url, s.keys.admin, baseWorld());
  // a payment at T1 (bound to M1, registered as 深圳便利店) carrying another name: the record shows the registered one
  const r = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: tx(T, { id: 'cv-1', merchantName: '某某商行' }) });
  assert.equal(r.status, 200, r.text);
  // a declined one: an unlicensed acquirer
  const d = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: tx(T + 2 * HOUR, { id: 'cv-2', acquirerId: '48029999' }) });
  assert.equal(d.json.outcome, 'decline');
}

test('support reads the customer view: status, restrictions in plain words, credit, transaction record with paging', async () => {
  const s = await startTestServer({ dir: tempDir('acct-customer-') });
  try {
    await world(s);
    const fresh = await call(s.url, '/v1/accounts/A1/customer-view', { key: s.keys.support });
    assert.equal(fresh.status, 200, fresh.text);
    assert.equal(fresh.json.status, 'active');
    assert.deepEqual(fresh.json.restrictions, []);
    assert.equal(fresh.json.creditLimit, 2_000_000);
    assert.equal(fresh.json.availableCredit, 2_000_000 - 65_000); // the base world's ¥550 and cv-1's ¥100; cv-2 was declined
    const tx0 = fresh.json.transactions[0];
    assert.deepEqual(
      [tx0.txId, tx0.outcome, tx0.merchant, tx0.amount, tx0.currency, tx0.time],
      ['cv-2', 'declined', '深圳便利店', 10_000, 'CNY', at(T + 2 * HOUR)],
    );
    assert.deepEqual(tx0.outcomeText, { en: 'Declined', zh: '支付失败' });
    const tx1 = fresh.json.transactions[1];
    assert.deepEqual([tx1.txId, tx1.outcome, tx1.merchant], ['cv-1', 'approved', '深圳便利店'], 'the registered name, not the one the terminal sent');
    assert.equal(fresh.json.transactions.length, 7);
    // never a score, a rule or a reason code
    assert.doesNotMatch(fresh.text, /score|reasons|ACQUIRER_UNLICENSED|rule|policy/i);

    // paging: newest first, cursor from `next`, nothing twice, nothing left out
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = cursor === null ? '?limit=3' : `?limit=3&cursor=${cursor}`;
      const p = await call(s.url, `/v1/accounts/A1/customer-view${q}`, { key: s.keys.support });
      assert.equal(p.status, 200, p.text);
      seen.push(...p.json.transactions.map((t: { txId: string }) => t.txId));
      cursor = p.json.next;
      pages++;
    } while (cursor !== null);
    assert.equal(pages, 3);
    assert.deepEqual(seen, fresh.json.transactions.map((t: { txId: string }) => t.txId));
    const badLimit = await call(s.url, '/v1/accounts/A1/customer-view?limit=500', { key: s.keys.support });
    assert.deepEqual([badLimit.status, badLimit.json.error.path], [400, 'limit']);
    const badCursor = await call(s.url, '/v1/accounts/A1/customer-view?cursor=abc', { key: s.keys.support });
    assert.deepEqual([badCursor.status, badCursor.json.error.path], [400, 'cursor']);

    // restricted: each restriction in English and Chinese with what the customer can do; the internal reason never shows
    const act = async (body: Record<string, unknown>): Promise<void> => {
      const r = await call(s.url, '/v1/accounts/A1/actions', { key: s.keys.admin, body });
      assert.equal(r.status, 201, r.text);
    };
    await act({ action: 'lower_limit', limit: 150_000, reason: 'INTERNAL: mule ring suspicion #4411' });
    await act({ action: 'require_step_up', reason: 'INTERNAL: sim swap suspected' });
    const restricted = await call(s.url, '/v1/accounts/A1/customer-view', { key: s.keys.support });
    assert.equal(restricted.json.status, 'restricted');
    assert.equal(restricted.json.creditLimit, 150_000);
    assert.equal(restricted.json.availableCredit, 150_000 - 65_000);
    assert.deepEqual(restricted.json.restrictions.map((r: { kind: string }) => r.kind), ['limit_lowered', 'step_up']);
    const limit = restricted.json.restrictions[0];
    assert.match(limit.message.en, /lowered to ¥1,500\.00/);
    assert.match(limit.message.zh, /¥1,500\.00/);
    assert.ok(limit.whatYouCanDo.en.length > 20 && limit.whatYouCanDo.zh.length > 10);
    assert.doesNotMatch(restricted.text, /INTERNAL|mule|sim swap/);
    await act({ action: 'freeze', reason: 'INTERNAL: chargeback' });
    const frozen = await call(s.url, '/v1/accounts/A1/customer-view', { key: s.keys.support });
    assert.equal(frozen.json.status, 'frozen');
    const f = frozen.json.restrictions.find((r: { kind: string }) => r.kind === 'frozen');
    assert.match(f.message.en, /temporarily frozen/);
    assert.match(f.whatYouCanDo.en, /appeal/);
    assert.match(f.whatYouCanDo.zh, /申诉/);
    assert.equal(f.until, null);

    // analysts and admins may read it too (to see what the customer sees); a decide key may not
    assert.equal((await call(s.url, '/v1/accounts/A1/customer-view', { key: s.keys.analyst })).status, 200);
    assert.equal((await call(s.url, '/v1/accounts/A1/customer-view', { key: s.keys.admin })).status, 200);
    assert.equal((await call(s.url, '/v1/accounts/A1/customer-view', { key: s.keys.decide })).status, 403);
  } finally {
    await s.close();
  }
});

test('appeals: support files one, it is recorded and audited; bad input is refused with the field and changes nothing', async () => {
  const s = await startTestServer({ dir: tempDir('acct-appeal-') });
  try {
    await world(s);
    const filed = await call(s.url, '/v1/accounts/A1/appeals', {
      key: s.keys.support,
      body: { text: 'The customer says the declined payment at the convenience store was theirs.', txId: 'cv-2' },
    });
    assert.equal(filed.status, 201, filed.text);
    assert.equal(filed.json.appeal.txId, 'cv-2');
    assert.match(filed.json.appeal.author, /^key_/);
    // it opened a case (issue appeal) on the account, with the appealed payment's risk and amount
    const caseId = filed.json.appeal.caseId;
    assert.match(caseId, /^case-\d+$/);
    assert.deepEqual(filed.json.case, { caseId, created: true });
    const opened = await call(s.url, `/v1/cases/${caseId}?evidence=false`, { key: s.keys.analyst });
    assert.equal(opened.status, 200, opened.text);
    assert.deepEqual(
      [opened.json.case.subjectKind, opened.json.case.subjectId, opened.json.case.issue, opened.json.case.amount],
      ['account', 'A1', 'appeal', 10_000],
    );
    const declined = await call(s.url, '/v1/decisions/cv-2', { key: s.keys.analyst });
    assert.equal(opened.json.case.risk, declined.json.score);
    assert.deepEqual([opened.json.items[0].kind, opened.json.items[0].ref], ['appeal', `appeal-${filed.json.appeal.id}`]);
    assert.match(opened.json.items[0].note, /declined payment at the convenience store/);
    // a second appeal joins the open appeal case of the account as an item of its own
    const plain = await call(s.url, '/v1/accounts/A1/appeals', { key: s.keys.admin, body: { text: '客户表示账户被冻结影响生活，请尽快核查。' } });
    assert.equal(plain.status, 201, plain.text);
    assert.deepEqual(plain.json.case, { caseId, created: false });
    assert.equal((await call(s.url, `/v1/cases/${caseId}?evidence=false`, { key: s.keys.analyst })).json.items.length, 2);
    // support files appeals but does not read cases
    assert.equal((await call(s.url, `/v1/cases/${caseId}`, { key: s.keys.support })).status, 403);

    const audit = await call(s.url, '/v1/audit?action=account.appeal', { key: s.keys.analyst });
    assert.equal(audit.json.entries.length, 2);
    assert.equal(audit.json.entries[1].after.txId, 'cv-2');
    const view = await call(s.url, '/v1/accounts/A1', { key: s.keys.analyst });
    assert.deepEqual(view.json.appeals.map((a: { txId: string | null }) => a.txId), [null, 'cv-2']);

    // the appealed payment is the case item's payment: resolving the appeal as legitimate labels it so
    const seqBefore = (await call(s.url, '/healthz', { key: s.keys.analyst })).json.journalSeq as number;
    const resolved = await call(s.url, `/v1/cases/${caseId}/resolve`, { key: s.keys.analyst, body: { resolution: 'legitimate', note: 'the customer paid' } });
    assert.equal(resolved.status, 200, resolved.text);
    const seqAfter = (await call(s.url, '/healthz', { key: s.keys.analyst })).json.journalSeq as number;
    assert.ok(seqAfter > seqBefore, 'labels were journaled');
    const { SqliteStore } = await import('../../src/store/sqlite/sqlite-store.js');
    const store = new SqliteStore(s.dir, { readonly: true });
    const emitted: { txId?: string; accountId?: string; fraud: boolean }[] = [];
    try {
      store.forEachEventInRange({ fromSeq: seqBefore + 1, toSeq: seqAfter, type: 'label' }, (e) => {
        emitted.push(JSON.parse(e.event) as { txId?: string; accountId?: string; fraud: boolean });
      });
    } finally {
      store.close();
    }
    assert.ok(emitted.some((l) => l.txId === 'cv-2' && l.fraud === false), `a legitimate label for the appealed payment: ${JSON.stringify(emitted)}`);

    // bad input: 400 naming the field, 404 for an unknown account; nothing is recorded
    const refusals: [string, unknown, number, string | undefined][] = [
      ['A1', {}, 400, 'text'],
      ['A1', { text: '' }, 400, 'text'],
      ['A1', { text: '   \n ' }, 400, 'text'],
      ['A1', { text: 'x'.repeat(2001) }, 400, 'text'],
      ['A1', { text: 42 }, 400, 'text'],
      ['A1', { text: 'about a payment', txId: 'no-such-tx' }, 400, 'txId'],
      ['A1', { text: 'ok', comment: 'typo field' }, 400, 'comment'],
      ['A1', [], 400, ''],
      ['NOBODY', { text: 'hello' }, 404, undefined],
    ];
    for (const [acc, body, status, path] of refusals) {
      const r = await call(s.url, `/v1/accounts/${acc}/appeals`, { key: s.keys.support, body });
      assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.text}`);
      if (path !== undefined) assert.deepEqual([r.json.error.code, r.json.error.path], ['invalid_request', path], r.text);
      else assert.equal(r.json.error.code, 'not_found');
    }
    // another account's payment cannot be appealed through this one
    await feed(s.url, s.keys.admin, [account('A2')]);
    const other = await call(s.url, '/v1/accounts/A2/appeals', { key: s.keys.support, body: { text: 'mine?', txId: 'cv-1' } });
    assert.deepEqual([other.status, other.json.error.path], [400, 'txId']);
    assert.equal((await call(s.url, '/v1/audit?action=account.appeal', { key: s.keys.analyst })).json.entries.length, 2);
  } finally {
    await s.close();
  }
});

test('the support role reads the customer view and files appeals, and nothing else', async () => {
  const s = await startTestServer({ dir: tempDir('acct-support-') });
  try {
    await feed(s.url, s.keys.admin, [...registry(), account('A1')]);
    const key = s.keys.support;
    const allowed = await call(s.url, '/v1/accounts/A1/customer-view', { key });
    assert.equal(allowed.status, 200, allowed.text);
    assert.equal((await call(s.url, '/v1/accounts/A1/appeals', { key, body: { text: 'please check' } })).status, 201);
    const refused: [string, string, unknown?][] = [
      ['POST', '/v1/decisions', tx(T, { id: 'support-tx' })],
      ['POST', '/v1/events', account('A9')],
      ['GET', '/v1/decisions/support-tx'],
      ['GET', '/v1/accounts/A1'],
      ['POST', '/v1/accounts/A1/actions', { action: 'freeze', reason: 'x' }],
      ['GET', '/v1/lists'],
      ['POST', '/v1/lists/block_accounts/entries', { value: 'A1', reason: 'x' }],
      ['GET', '/v1/audit'],
      ['GET', '/v1/policies'],
      ['GET', '/v1/modes'],
      ['GET', '/metrics'],
      ['GET', '/v1/openapi.json'],
    ];
    for (const [method, path, body] of refused) {
      const r = await call(s.url, path, { method, key, body });
      assert.equal(r.status, 403, `${method} ${path}: ${r.text}`);
      assert.equal(r.json.error.code, 'forbidden');
    }
    // nothing was decided or changed by the refused calls
    const view = await call(s.url, '/v1/accounts/A1', { key: s.keys.analyst });
    assert.deepEqual([view.json.status, view.json.recentPayments.length, view.json.actions.length], ['active', 0, 0]);
    // analysts read but do not act or appeal; decide keys do neither
    assert.equal((await call(s.url, '/v1/accounts/A1/actions', { key: s.keys.analyst, body: { action: 'freeze', reason: 'x' } })).status, 403);
    assert.equal((await call(s.url, '/v1/accounts/A1/appeals', { key: s.keys.analyst, body: { text: 'x' } })).status, 403);
    assert.equal((await call(s.url, '/v1/accounts/A1', { key: s.keys.decide })).status, 403);
    assert.equal((await call(s.url, '/v1/accounts/A1/appeals', { key: s.keys.decide, body: { text: 'x' } })).status, 403);
  } finally {
    await s.close();
  }
});

test('bad account actions get a clear error naming the field, and change nothing', async () => {
  const s = await startTestServer({ dir: tempDir('acct-bad-') });
  try {
    await feed(s.url, s.keys.admin, [...registry(), account('A1'), tx(-DAY)]);
    const refusals: [string, unknown, number, string | undefined, RegExp?][] = [
      ['NOBODY', { action: 'freeze', reason: 'x' }, 404, undefined, /unknown/],
      ['A1', { action: 'lower_limit', limit: -1, reason: 'x' }, 400, 'limit', /from 0 to 2000000/],
      ['A1', { action: 'lower_limit', limit: 2_000_001, reason: 'x' }, 400, 'limit', /registered credit limit/],
      ['A1', { action: 'lower_limit', limit: 12.5, reason: 'x' }, 400, 'limit'],
      ['A1', { action: 'lower_limit', reason: 'x' }, 400, 'limit', /required/],
      ['A1', { action: 'freeze', limit: 5, reason: 'x' }, 400, 'limit'],
      ['A1', { action: 'freeze' }, 400, 'reason', /required/],
      ['A1', { action: 'freeze', reason: '  ' }, 400, 'reason'],
      ['A1', { action: 'freeze', reason: 'r'.repeat(501) }, 400, 'reason'],
      ['A1', { action: 'suspend', reason: 'x' }, 400, 'action', /one of freeze/],
      ['A1', { reason: 'x' }, 400, 'action'],
      ['A1', { action: 'freeze', reason: 'x', expiresAt: '2020-01-01T00:00:00+08:00' }, 400, 'expiresAt', /passed already/],
      ['A1', { action: 'freeze', reason: 'x', expiresAt: 'tomorrow' }, 400, 'expiresAt'],
      ['A1', { action: 'restore', reason: 'x', expiresAt: Date.now() + DAY }, 400, 'expiresAt'],
      ['A1', { action: 'freeze', reason: 'x', until: 5 }, 400, 'until'],
      ['A1', ['freeze'], 400, ''],
      ['A1', { action: 'unfreeze', reason: 'x' }, 409, undefined, /no freeze/],
      ['A1', { action: 'restore', reason: 'x' }, 409, undefined, /no restriction/],
    ];
    for (const [acc, body, status, path, message] of refusals) {
      const r = await call(s.url, `/v1/accounts/${acc}/actions`, { key: s.keys.admin, body });
      assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.text}`);
      if (path !== undefined) assert.deepEqual([r.json.error.code, r.json.error.path], ['invalid_request', path], r.text);
      if (message !== undefined) assert.match(r.json.error.message, message);
    }
    for (const path of ['/v1/accounts/NOBODY', '/v1/accounts/NOBODY/customer-view']) {
      const r = await call(s.url, path, { key: s.keys.admin });
      assert.deepEqual([r.status, r.json.error.code], [404, 'not_found'], path);
    }
    // nothing changed: no action stored or audited, the next payment is approved
    const view = await call(s.url, '/v1/accounts/A1', { key: s.keys.analyst });
    assert.deepEqual([view.json.status, view.json.actions.length], ['active', 0]);
    assert.equal((await call(s.url, '/v1/audit?action=account.', { key: s.keys.analyst })).json.entries.length, 0);
    const d = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: tx(T) });
    assert.equal(d.json.outcome, 'approve', d.text);
    // an account seen only in a payment (never registered) can be acted on; its maximum is the contract's
    const ghost = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: tx(T, { accountId: 'GHOST' }) });
    assert.equal(ghost.status, 200);
    const r = await call(s.url, '/v1/accounts/GHOST/actions', { key: s.keys.admin, body: { action: 'lower_limit', limit: 0, reason: 'unregistered account' } });
    assert.equal(r.status, 201, r.text);
    const blocked = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: tx(T + HOUR, { accountId: 'GHOST' }) });
    assert.deepEqual([blocked.json.outcome, blocked.json.reasons[0].code], ['decline', 'OVER_LIMIT']);
  } finally {
    await s.close();
  }
});
