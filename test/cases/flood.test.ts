// A flood of flagged payments through the real server (a policy mistake, an attack wave, traffic for
// unregistered terminals): 2,000 reviews of 50 accounts posted 64 at a time. Every payment becomes an
// item of its account's one review case, with the right totals; the intake coalesces them — one
// audit entry per case per write batch, whose `added` counts the items it added — and its backlog is
// in /metrics and empty at the end; a restart re-derives nothing twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { account, HOUR, MIN, registry, tx } from '../engine/world.js';
import { call, feed, startTestServer } from '../server/helpers.js';
import { auditOf, caseDir, settled, type Answered } from './helpers.js';

const ACCOUNTS = 50;
const PAYMENTS = 2_000;
const IN_FLIGHT = 64;
const T = 10 * HOUR;

test('a flood of 2,000 flagged payments of 50 accounts: every one an item of its account\'s case, audit coalesced, nothing lost', async (t) => {
  const dir = caseDir('flood');
  let s = await startTestServer({ dir });
  try {
    await feed(s.url, s.keys.admin, [...registry(), ...Array.from({ length: ACCOUNTS }, (_, i) => account(`F${i}`))]);
    const payments = Array.from({ length: PAYMENTS }, (_, i) =>
      tx(T + Math.floor(i / ACCOUNTS) * 10 * MIN + (i % ACCOUNTS) * 1_000, {
        id: `flood-${i}`, accountId: `F${i % ACCOUNTS}`, deviceId: `DF${i % ACCOUNTS}`, ip: `10.1.0.${i % ACCOUNTS}`, terminalId: 'T404', amount: 10_000 + i,
      }),
    );
    const answers: Answered[] = new Array(PAYMENTS);
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < PAYMENTS) {
          const i = next++;
          const r = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: payments[i] });
          assert.equal(r.status, 200, r.text);
          answers[i] = r.json as Answered;
        }
      }),
    );
    const reviewed = answers.filter((a) => a.outcome === 'review');
    assert.equal(reviewed.length, PAYMENTS, JSON.stringify(answers.find((a) => a.outcome !== "review")));

    await settled(s);
    const metrics = await call(s.url, '/metrics', { key: s.keys.analyst });
    assert.match(metrics.text, /^fengkong_case_intake_backlog 0$/m);
    assert.match(metrics.text, /^fengkong_case_intake_backlog_seconds 0$/m);

    const expect = new Map<string, { items: Set<string>; amount: number; risk: number }>();
    for (let i = 0; i < PAYMENTS; i++) {
      const e = expect.get(`F${i % ACCOUNTS}`) ?? { items: new Set<string>(), amount: 0, risk: 0 };
      e.items.add(`flood-${i}`);
      e.amount += 10_000 + i;
      e.risk = Math.max(e.risk, answers[i].score);
      expect.set(`F${i % ACCOUNTS}`, e);
    }
    const list = await call(s.url, '/v1/cases?subject=account&issue=review&limit=500', { key: s.keys.analyst });
    assert.equal(list.status, 200, list.text);
    const cases = list.json.cases as any[];
    assert.equal(cases.length, ACCOUNTS, 'one case per account');
    let auditEntries = 0;
    const snapshot = new Map<string, [number, number]>();
    for (const c of cases) {
      const e = expect.get(c.subjectId)!;
      assert.deepEqual([c.items, c.amount, c.risk, c.status], [e.items.size, e.amount, e.risk, 'open'], c.subjectId);
      assert.equal(c.priority, Math.round(e.risk * e.amount) / 100);
      const got = await call(s.url, `/v1/cases/${c.id}?evidence=false`, { key: s.keys.analyst });
      assert.equal(got.status, 200, got.text);
      const items = got.json.items as any[];
      assert.deepEqual(new Set(items.map((i) => i.txId)), e.items, c.subjectId);
      assert.equal(items.length, e.items.size, 'no payment twice');
      // one audit entry per case per write batch: case.open first, then case.item; `added` sums to the items
      const audit = (await auditOf(s, `cases/${c.id}`)).filter((a) => a.target === `cases/${c.id}`);
      assert.equal(audit[0].action, 'case.open');
      assert.ok(audit.slice(1).every((a) => a.action === 'case.item'));
      assert.equal(audit.reduce((n, a) => n + a.after.added, 0), e.items.size);
      assert.equal(audit.at(-1).after.items, e.items.size);
      assert.equal(audit.at(-1).after.amount, e.amount);
      for (let k = 1; k < audit.length; k++) assert.equal(audit[k].before.items, audit[k - 1].after.items);
      auditEntries += audit.length;
      snapshot.set(c.id, [c.items, c.amount]);
    }
    assert.ok(auditEntries < PAYMENTS, `coalesced: ${auditEntries} audit entries for ${PAYMENTS} payments`);
    const st = (await call(s.url, '/v1/detectors', { key: s.keys.analyst })).json;
    t.diagnostic(
      `${auditEntries} audit entries for ${PAYMENTS} payments; feed main thread ${((st.busyMs * 1000) / st.processed).toFixed(1)} µs per entry, ` +
        `case writes ${((st.writeMs * 1000) / st.caseRequests).toFixed(1)} µs per request`,
    );

    // a restart picks up from the feed's checkpoint: nothing is added twice
    await s.close(true);
    s = await startTestServer({ dir, keys: s.keys });
    await settled(s);
    const again = await call(s.url, '/v1/cases?subject=account&issue=review&limit=500', { key: s.keys.analyst });
    assert.equal(again.json.cases.length, ACCOUNTS);
    for (const c of again.json.cases as any[]) assert.deepEqual([c.items, c.amount], snapshot.get(c.id));
  } finally {
    await s.close();
  }
});
