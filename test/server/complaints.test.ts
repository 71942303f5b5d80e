// Complaints against a real server: support files a complaint about an account (with the payment
// concerned) and about merchants; each opens or joins the subject's complaint case; the account's
// complaint counts in its memory (complaints_30d, the credit rating); a merchant's complaints feed
// its rating, and one device complaining about three merchants is shown as malicious and not
// counted; bad input is refused naming the field, and changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { baseWorld, HOUR, tx } from '../engine/world.js';
import { call, feed, startTestServer } from './helpers.js';

test('complaints: cases, complaints_30d, the merchant rating and malicious complainants; bad input changes nothing', async () => {
  const s = await startTestServer();
  try {
    await feed(s.url, s.keys.admin, baseWorld());
    const paid = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: tx(10 * HOUR, { id: 'c-pay-1' }) });
    assert.equal(paid.status, 200, paid.text);
    const complain = (body: Record<string, unknown>) => call(s.url, '/v1/complaints', { key: s.keys.support, body });

    // bad input: refused, naming the field; nothing stored
    assert.equal((await complain({ subjectKind: 'account', subjectId: 'A1' })).json.error.path, 'text');
    const notMine = await complain({ subjectKind: 'merchant', subjectId: 'M2', text: '多收了钱', txId: 'c-pay-1' });
    assert.equal(notMine.status, 400, notMine.text);
    assert.equal(notMine.json.error.path, 'txId');
    assert.equal((await complain({ subjectKind: 'merchant', subjectId: 'M404', text: 'x' })).status, 404);
    assert.equal((await call(s.url, '/v1/complaints?subjectKind=merchant&subjectId=M2', { key: s.keys.analyst })).json.complaints.length, 0);

    // about the account, naming its payment: a case, and the account's memory counts it
    const mine = await complain({ subjectKind: 'account', subjectId: 'A1', text: '这笔不是我付的', txId: 'c-pay-1', complainant: { deviceId: 'D1' } });
    assert.equal(mine.status, 201, mine.text);
    assert.equal(mine.json.case.created, true);
    const cases = await call(s.url, '/v1/cases?subject=account:A1&issue=complaint', { key: s.keys.analyst });
    assert.deepEqual((cases.json.cases as { id: string }[]).map((c) => c.id), [mine.json.case.caseId]);
    const view = await call(s.url, '/v1/accounts/A1', { key: s.keys.analyst });
    assert.equal(view.json.activity.complaints.length, 1, 'the complaint event reached the account memory');
    const driver = (view.json.rating.drivers as { driver: string; measured?: unknown; points: number }[]).find((d) => d.driver === 'complaints');
    assert.ok(driver !== undefined && driver.points < 0, `the credit rating reads it: ${JSON.stringify(view.json.rating.drivers)}`);

    // about merchants: DX complains about three merchants (a pattern), DY about M1 once
    for (const m of ['M1', 'M2', 'M3']) assert.equal((await complain({ subjectKind: 'merchant', subjectId: m, text: '商品没有发货', complainant: { deviceId: 'DX', ip: '10.9.9.9' } })).status, 201);
    const second = await complain({ subjectKind: 'merchant', subjectId: 'M1', text: '多收了钱', txId: 'c-pay-1', complainant: { deviceId: 'DY' } });
    assert.equal(second.status, 201);
    assert.equal(second.json.case.created, false, "the second complaint about M1 joins M1's complaint case");
    const m1 = await call(s.url, '/v1/merchants/M1', { key: s.keys.analyst });
    assert.equal(m1.json.complaints.total30d, 2);
    assert.equal(m1.json.complaints.counted30d, 1, 'the malicious complainant does not count');
    assert.deepEqual((m1.json.complaints.maliciousComplainants as { kind: string; merchants: number }[]).map((c) => [c.kind, c.merchants]).sort(), [['device', 3], ['ip', 3]]);
    assert.ok(!JSON.stringify(m1.json.complaints).includes('DX'), 'complainants are shown as tokens');
    const rated = (m1.json.rating.drivers as { driver: string }[]).map((d) => d.driver);
    assert.ok(rated.includes('complaints'), JSON.stringify(m1.json.rating));
    const listed = await call(s.url, '/v1/complaints?subjectKind=merchant&subjectId=M1', { key: s.keys.analyst });
    assert.deepEqual((listed.json.complaints as { text: string }[]).map((c) => c.text), ['多收了钱', '商品没有发货']);
    assert.equal((await call(s.url, '/v1/complaints', { key: s.keys.decide, body: { subjectKind: 'account', subjectId: 'A1', text: 'x' } })).status, 403);

    // at rest the customer's words are sealed
    for (const f of readdirSync(s.dir)) {
      if (!f.startsWith('fengkong.db')) continue;
      assert.ok(!readFileSync(join(s.dir, f)).includes(Buffer.from('商品没有发货')), `a complaint is in clear in ${f}`);
    }
  } finally {
    await s.close();
  }
});
