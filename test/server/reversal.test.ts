// Reversals over HTTP on a real server (issue 15): POST /v1/events with an `account_event` of kind
// `reversal` gives the reversed payment's credit back; the server journals it with the payment as
// decided, so a restart (a replay of the journal) ends in the same state; what a client sends as
// `original` is never believed; a reversal naming another account's payment is refused naming
// `accountId`, changing nothing; one naming no payment is recorded and changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { account, at, MIN, registry, tx } from '../engine/world.js';
import { call, feed, startTestServer, tempDir } from './helpers.js';

async function outstanding(url: string, key: string, id: string): Promise<number> {
  const v = await call(url, `/v1/accounts/${id}`, { key });
  assert.equal(v.status, 200, v.text);
  return (v.json as { credit: { outstanding: number } }).credit.outstanding;
}

test('a reversal over HTTP gives the credit back, survives a restart, and believes no client-sent original', async () => {
  const dir = tempDir();
  let s = await startTestServer({ dir });
  const { admin, analyst } = s.keys;
  const keys = s.keys;
  let start = NaN;
  try {
    await feed(s.url, admin, [...registry(), account('A1'), account('A2'), { type: 'account_event', ts: at(-60 * 86_400_000), accountId: 'A1', kind: 'repayment', amount: 100 }]);
    start = await outstanding(s.url, analyst, 'A1');
    const pay = tx(10 * MIN, { id: 'rev-1', amount: 7_700 });
    const d = await call(s.url, '/v1/decisions', { key: admin, body: pay });
    assert.equal(d.status, 200, d.text);
    assert.equal((d.json as { outcome: string }).outcome, 'approve');
    assert.equal(await outstanding(s.url, analyst, 'A1'), start + 7_700);

    // another account's payment: refused naming accountId, nothing applied
    const wrong = await call(s.url, '/v1/events', { key: admin, body: { type: 'account_event', ts: at(11 * MIN), accountId: 'A2', kind: 'reversal', txId: 'rev-1' } });
    assert.equal(wrong.status, 400, wrong.text);
    assert.match(wrong.text, /accountId/);
    assert.equal(await outstanding(s.url, analyst, 'A1'), start + 7_700);

    // a reversal of a payment never decided, with a forged original: recorded, nothing given back
    const forged = { ...pay, id: 'never-decided', amount: 99_999 };
    const none = await call(s.url, '/v1/events', { key: admin, body: { type: 'account_event', ts: at(11 * MIN), accountId: 'A1', kind: 'reversal', txId: 'never-decided', original: forged, originalOutcome: 'approve' } });
    assert.equal(none.status, 202, none.text);
    assert.equal(await outstanding(s.url, analyst, 'A1'), start + 7_700);

    const rev = await call(s.url, '/v1/events', { key: admin, body: { type: 'account_event', ts: at(12 * MIN), accountId: 'A1', kind: 'reversal', txId: 'rev-1' } });
    assert.equal(rev.status, 202, rev.text);
    assert.equal(await outstanding(s.url, analyst, 'A1'), start);
  } finally {
    await s.close(true);
  }
  // the journal replayed: the reversal undoes the same payment again
  s = await startTestServer({ dir, keys });
  try {
    assert.equal(await outstanding(s.url, keys.analyst, 'A1'), start);
    const d = await call(s.url, '/v1/decisions/rev-1', { key: keys.analyst });
    assert.equal(d.status, 200, d.text);
  } finally {
    await s.close();
  }
});
