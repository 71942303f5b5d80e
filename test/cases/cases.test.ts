// Cases through the real server: a review opens its account's case with the evidence gathered from
// the journal and the engine; a second review joins it; analysts work it; resolving it as fraud
// emits labels that change the next payment's score; a second resolve is refused and changes
// nothing; roles hold; every change is audited; a restart keeps everything; a failed challenge
// (account_event challenge_failed) opens its own case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { account, at, baseWorld, GZ, HOUR, SZ, tx } from '../engine/world.js';
import { call, feed, journalSeq, startTestServer } from '../server/helpers.js';
import { auditOf, caseDir, casesOf, eventually, pay } from './helpers.js';

const T = 10 * HOUR;

test('a review opens a case with its evidence; resolving it as fraud changes a later score', async () => {
  const dir = caseDir('review');
  let s = await startTestServer({ dir });
  try {
    // A1's world, B1 sharing A1's phone D1, B2 paying at A1's usual snack bar M4
    await feed(s.url, s.keys.admin, [
      ...baseWorld(),
      account('B1'),
      account('B2'),
      tx(T - 3 * HOUR, { accountId: 'B1', deviceId: 'D1' }),
      tx(T - 2 * HOUR, { accountId: 'B2', deviceId: 'D2', merchantId: 'M4', terminalId: 'T4', mcc: '5814', merchantName: '深圳小吃' }),
    ]);
    // an unregistered terminal asks for review
    const first = await pay(s, tx(T, { id: 'r-1', terminalId: 'T404', amount: 30_000 }));
    assert.equal(first.outcome, 'review');
    const opened = await casesOf(s, 'account:A1');
    assert.equal(opened.length, 1);
    const c0 = opened[0];
    assert.deepEqual([c0.issue, c0.status, c0.items, c0.amount, c0.risk], ['review', 'open', 1, 30_000, first.score]);
    assert.match(c0.id, /^case-\d+$/);

    // a second review of A1, from Guangzhou: joins the same case, one case per account and issue
    const second = await pay(s, tx(T + 2 * HOUR, { id: 'r-2', terminalId: 'T404', amount: 50_000, geo: GZ }));
    assert.equal(second.outcome, 'review');
    const joined = await casesOf(s, 'account:A1');
    assert.equal(joined.length, 1);
    assert.equal(joined[0].id, c0.id);
    assert.equal(joined[0].items, 2);
    assert.equal(joined[0].amount, 80_000);
    const risk = Math.max(first.score, second.score);
    assert.equal(joined[0].priority, Math.round(risk * 80_000) / 100);

    // the case with its evidence
    const got = await call(s.url, `/v1/cases/${c0.id}`, { key: s.keys.analyst });
    assert.equal(got.status, 200, got.text);
    const { items, evidence } = got.json;
    assert.deepEqual(items.map((i: any) => [i.kind, i.txId]), [['decision', 'r-1'], ['decision', 'r-2']]);
    const byTx = new Map(evidence.payments.map((p: any) => [p.txId, p]));
    assert.equal(evidence.payments[0].txId, 'r-2', 'newest first');
    for (const id of ['r-1', 'r-2']) {
      const p = byTx.get(id) as any;
      assert.equal(p.outcome, 'review');
      assert.ok(p.reasons.includes('UNREGISTERED_TERMINAL'), p.reasons.join());
      assert.equal(typeof p.score, 'number');
    }
    assert.ok(byTx.size >= 7, 'the account\'s earlier payments are shown too');
    assert.ok((byTx.get('r-2') as any).distanceFromHomeKm > 90, 'Guangzhou is far from a Shenzhen home');
    assert.ok((byTx.get('r-2') as any).distanceFromPreviousKm > 90);
    assert.deepEqual(evidence.subject.home, SZ);
    assert.equal(evidence.subject.accountId, 'A1');
    const d1 = evidence.devices.find((d: any) => d.deviceId === 'D1');
    assert.deepEqual(d1.alsoUsedBy, ['B1']);
    assert.ok(evidence.places.length >= 2);
    assert.equal(evidence.distancesKm.length, evidence.places.length);
    const gz = evidence.places.find((p: any) => Math.abs(p.lat - GZ.lat) < 0.01);
    assert.ok(gz.distanceFromHomeKm > 90);
    const rule = evidence.reasons.find((r: any) => r.code === 'UNREGISTERED_TERMINAL');
    assert.deepEqual([rule.kind, rule.payments, rule.outcome], ['rule', 2, 'review']);
    assert.match(rule.description, /not registered/);
    assert.deepEqual(evidence.related.sharedDevices.map((r: any) => [r.accountId, r.devices]), [['B1', ['D1']]]);
    // every payment of this world comes from 10.0.0.1: B1 and B2 share A1's IP
    assert.deepEqual(evidence.related.sharedIps.map((r: any) => [r.accountId, r.ips]).sort(), [['B1', ['10.0.0.1']], ['B2', ['10.0.0.1']]]);
    assert.ok(evidence.related.sharedMerchants.some((r: any) => r.accountId === 'B2' && r.merchants.includes('M4')));

    // roles: decide and support keys may not see or work cases
    assert.equal((await call(s.url, '/v1/cases', { key: s.keys.decide })).status, 403);
    assert.equal((await call(s.url, `/v1/cases/${c0.id}`, { key: s.keys.support })).status, 403);
    assert.equal((await call(s.url, `/v1/cases/${c0.id}/resolve`, { key: s.keys.decide, body: { resolution: 'fraud' } })).status, 403);

    // an ordinary payment of A1 from a phone it just started using, before the case is resolved
    const before = await pay(s, tx(T + 4 * HOUR, { deviceId: 'D5' }));
    assert.equal(before.outcome, 'approve');

    // analysts work it
    const assigned = await call(s.url, `/v1/cases/${c0.id}/assign`, { key: s.keys.analyst, body: {} });
    assert.equal(assigned.status, 200, assigned.text);
    assert.match(assigned.json.case.assignee, /^key_/);
    const moved = await call(s.url, `/v1/cases/${c0.id}/status`, { key: s.keys.analyst, body: { status: 'investigating' } });
    assert.equal(moved.json.case.status, 'investigating');
    const noted = await call(s.url, `/v1/cases/${c0.id}/notes`, { key: s.keys.analyst, body: { text: 'customer denies both payments' } });
    assert.equal(noted.status, 201, noted.text);
    const mine = await call(s.url, `/v1/cases?assignee=${assigned.json.case.assignee}&status=investigating`, { key: s.keys.analyst });
    assert.deepEqual(mine.json.cases.map((c: any) => c.id), [c0.id]);

    // bad input: a clear error, nothing changes
    const seqBefore = await journalSeq(s.url, s.keys.analyst);
    const bad = [
      [await call(s.url, `/v1/cases/${c0.id}/resolve`, { key: s.keys.analyst, body: { resolution: 'maybe' } }), 400, 'resolution'],
      [await call(s.url, `/v1/cases/${c0.id}/resolve`, { key: s.keys.analyst, body: { resolution: 'fraud', typology: 'Account Takeover!' } }), 400, 'typology'],
      [await call(s.url, `/v1/cases/${c0.id}/status`, { key: s.keys.analyst, body: { status: 'resolved' } }), 400, 'status'],
      [await call(s.url, `/v1/cases/${c0.id}/notes`, { key: s.keys.analyst, body: { text: '   ' } }), 400, 'text'],
      [await call(s.url, '/v1/cases/case-999/resolve', { key: s.keys.analyst, body: { resolution: 'fraud' } }), 404, undefined],
      [await call(s.url, '/v1/cases/nonsense', { key: s.keys.analyst }), 404, undefined],
      [await call(s.url, '/v1/cases?status=closed', { key: s.keys.analyst }), 400, 'status'],
    ] as const;
    for (const [r, status, path] of bad) {
      assert.equal(r.status, status, r.text);
      assert.equal(r.json.error.path, path, r.text);
    }
    assert.equal(await journalSeq(s.url, s.keys.analyst), seqBefore);

    // resolve as fraud: labels for both payments and the account, journaled and applied before the answer
    const resolved = await call(s.url, `/v1/cases/${c0.id}/resolve`, {
      key: s.keys.analyst,
      body: { resolution: 'fraud', typology: 'account_takeover', note: 'confirmed with the customer' },
    });
    assert.equal(resolved.status, 200, resolved.text);
    assert.equal(resolved.json.labels, 3);
    assert.deepEqual([resolved.json.case.status, resolved.json.case.resolution, resolved.json.case.typology, resolved.json.case.labels], ['resolved', 'fraud', 'account_takeover', 3]);
    assert.equal(await journalSeq(s.url, s.keys.analyst), seqBefore + 3);

    // the very next payment of A1 from that phone sees the labels: a higher score and a step-up
    const after = await pay(s, tx(T + 5 * HOUR, { deviceId: 'D5' }));
    assert.ok(after.reasons.some((r) => r.code === 'ACCOUNT_CONFIRMED_FRAUD'), after.reasons.map((r) => r.code).join());
    assert.ok(after.score > before.score, `${after.score} > ${before.score}`);
    assert.equal(after.outcome, 'challenge');

    // resolving twice is refused and changes nothing: no label, no record
    const seqResolved = await journalSeq(s.url, s.keys.analyst);
    const twice = await call(s.url, `/v1/cases/${c0.id}/resolve`, { key: s.keys.analyst, body: { resolution: 'legitimate' } });
    assert.equal(twice.status, 409, twice.text);
    assert.equal(twice.json.error.code, 'conflict');
    assert.match(twice.json.error.message, /resolved as fraud/);
    assert.equal((await call(s.url, `/v1/cases/${c0.id}/assign`, { key: s.keys.admin, body: { assignee: 'bob' } })).status, 409);
    assert.equal(await journalSeq(s.url, s.keys.analyst), seqResolved);
    const still = await call(s.url, `/v1/cases/${c0.id}?evidence=false`, { key: s.keys.analyst });
    assert.equal(still.json.case.resolution, 'fraud');

    // every change is audited, in order
    const audit = await auditOf(s, 'cases/');
    assert.deepEqual(
      audit.map((e) => e.action),
      ['case.open', 'case.item', 'case.assign', 'case.status', 'case.note', 'case.resolve'],
    );
    assert.equal(audit[0].actor, 'engine');
    assert.match(audit[2].actor, /^key_/);
    assert.deepEqual([audit[5].before.status, audit[5].after.resolution], ['investigating', 'fraud']);

    // restart: the case, its notes and history are kept; a new review of A1 opens a new case
    await s.close(true);
    s = await startTestServer({ dir, keys: s.keys });
    const kept = await call(s.url, `/v1/cases/${c0.id}?evidence=false`, { key: s.keys.analyst });
    assert.equal(kept.status, 200, kept.text);
    assert.deepEqual([kept.json.case.status, kept.json.case.resolution, kept.json.case.labels], ['resolved', 'fraud', 3]);
    assert.deepEqual(kept.json.case.notes.map((n: any) => n.text), ['customer denies both payments', 'confirmed with the customer']);
    assert.deepEqual(
      kept.json.case.history.map((h: any) => h.action),
      ['open', 'assign', 'status', 'note', 'resolve'],
    );
    const again = await pay(s, tx(T + 6 * HOUR, { deviceId: 'D5' }));
    assert.equal(again.outcome, 'challenge', 'still stepped up after the restart: the labels were journaled');
    const third = await pay(s, tx(T + 7 * HOUR, { id: 'r-3', terminalId: 'T404' }));
    assert.equal(third.outcome, 'review');
    const reopened = await casesOf(s, 'account:A1');
    assert.equal(reopened.length, 1);
    assert.notEqual(reopened[0].id, c0.id, 'a resolved case is final: a new review opens a new case');
    const all = await call(s.url, '/v1/cases?status=all', { key: s.keys.analyst });
    assert.equal(all.json.cases.length, 2);
  } finally {
    await s.close();
  }
});

test('a failed challenge opens the account\'s challenge_failed case with the payment at stake', async () => {
  const s = await startTestServer({ dir: caseDir('challenge') });
  try {
    await feed(s.url, s.keys.admin, baseWorld());
    // a new device right after a password reset is challenged
    await feed(s.url, s.keys.admin, [{ type: 'account_event', ts: at(T), accountId: 'A1', kind: 'password_reset', deviceId: 'D9' }]);
    const challenged = await pay(s, tx(T + 10 * 60_000, { id: 'c-1', deviceId: 'D9', amount: 88_800 }));
    assert.equal(challenged.outcome, 'challenge');
    assert.deepEqual(await casesOf(s, 'account:A1'), [], 'a challenge alone opens no case');
    // the step-up verification is the credit system's: it reports the failure with its ingest key
    const r = await call(s.url, '/v1/events', {
      key: s.keys.ingest,
      body: { type: 'account_event', ts: at(T + 12 * 60_000), accountId: 'A1', kind: 'challenge_failed', txId: 'c-1', deviceId: 'D9' },
    });
    assert.equal(r.status, 202, r.text);
    const [c] = await casesOf(s, 'account:A1');
    assert.deepEqual([c.issue, c.amount, c.risk], ['challenge_failed', 88_800, Math.max(50, challenged.score)]);
    const got = await call(s.url, `/v1/cases/${c.id}`, { key: s.keys.analyst });
    assert.equal(got.json.items[0].txId, 'c-1');
    assert.equal(got.json.items[0].detail.decision.outcome, 'challenge');
    assert.ok(got.json.evidence.payments.some((p: any) => p.txId === 'c-1' && p.outcome === 'challenge'));
    // a failed challenge without a payment named still opens (and joins) the case
    await call(s.url, '/v1/events', { key: s.keys.admin, body: { type: 'account_event', ts: at(T + HOUR), accountId: 'A1', kind: 'challenge_failed' } });
    const joined = await eventually(async () => {
      const [x] = await casesOf(s, 'account:A1');
      return x.items === 2 ? x : undefined;
    }, 'the second failed challenge to join');
    assert.equal(joined.id, c.id);
  } finally {
    await s.close();
  }
});

test('analysts open cases by hand; the queue is ordered by priority, then age, and paged', async () => {
  const s = await startTestServer({ dir: caseDir('queue') });
  try {
    const open = (body: Record<string, unknown>) => call(s.url, '/v1/cases', { key: s.keys.analyst, body });
    const a = await open({ subjectKind: 'account', subjectId: 'X1', note: 'tip-off', risk: 40, amount: 100_000 });
    const b = await open({ subjectKind: 'merchant', subjectId: 'MX', note: 'press report', risk: 90, amount: 100_000 });
    const c = await open({ subjectKind: 'account', subjectId: 'X2', note: 'same priority as X1, newer', risk: 80, amount: 50_000 });
    assert.deepEqual([a.status, b.status, c.status], [201, 201, 201]);
    const joined = await open({ subjectKind: 'account', subjectId: 'X1', note: 'second tip-off', risk: 10, amount: 20_000, ref: 'tip-2' });
    assert.equal(joined.status, 200, joined.text);
    assert.equal(joined.json.caseId, a.json.caseId);
    assert.equal(joined.json.created, false);
    assert.deepEqual([joined.json.case.risk, joined.json.case.amount, joined.json.case.priority], [40, 120_000, 48_000]);
    const q1 = await call(s.url, '/v1/cases?limit=2', { key: s.keys.analyst });
    assert.deepEqual(q1.json.cases.map((x: any) => x.subjectId), ['MX', 'X1']);
    const q2 = await call(s.url, `/v1/cases?limit=2&after=${q1.json.next}`, { key: s.keys.analyst });
    assert.deepEqual(q2.json.cases.map((x: any) => x.subjectId), ['X2']);
    assert.equal(q2.json.next, null);
    const merchants = await call(s.url, '/v1/cases?subject=merchant', { key: s.keys.analyst });
    assert.deepEqual(merchants.json.cases.map((x: any) => x.subjectId), ['MX']);
    for (const [body, path] of [
      [{ subjectKind: 'card', subjectId: 'X', note: 'n' }, 'subjectKind'],
      [{ subjectKind: 'account', subjectId: 'X', note: 'n', risk: 101 }, 'risk'],
      [{ subjectKind: 'account', subjectId: 'X', note: 'n', amount: -1 }, 'amount'],
      [{ subjectKind: 'account', subjectId: 'X' }, 'note'],
      [{ subjectKind: 'account', subjectId: 'X', note: 'n', issue: 'Not An Issue' }, 'issue'],
    ] as const) {
      const r = await open(body);
      assert.deepEqual([r.status, r.json.error.path], [400, path], r.text);
    }
    assert.equal((await call(s.url, '/v1/cases?status=all', { key: s.keys.analyst })).json.cases.length, 3);
    // a resolved case is final: the next finding about the same subject and issue opens a new case
    const done = await call(s.url, `/v1/cases/${b.json.caseId}/resolve`, { key: s.keys.admin, body: { resolution: 'legitimate' } });
    assert.equal(done.status, 200, done.text);
    assert.equal(done.json.labels, 1, 'a case without payments labels its subject');
    const reopened = await open({ subjectKind: 'merchant', subjectId: 'MX', note: 'another report', risk: 60, amount: 1_000 });
    assert.equal(reopened.status, 201, reopened.text);
    assert.notEqual(reopened.json.caseId, b.json.caseId);
  } finally {
    await s.close();
  }
});
