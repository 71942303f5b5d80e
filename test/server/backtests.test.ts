// Backtests over HTTP on a real server: the events and payments of the backtest fixture are posted
// through the API (so the journal holds what the server decided with a small live policy whose answers
// are worked out by hand), a draft version is created through POST /v1/policies, and its backtest's
// report is checked figure by figure. Then: listing, a restart keeping the report, one run at a time,
// shutdown and crash leaving nothing queued or running, 404s, roles and bad bodies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Role } from '../../src/keys/store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { JobQueue } from '../../src/report/worker-runner.js';
import { account, DAY, HOUR, MIN, registry } from '../engine/world.js';
import { DRAFT_SOURCES, FROM, label, payment, TO } from '../policy/backtest-fixture.js';
import { call, createKeys, feed, startTestServer, tempDir, type TestServer } from './helpers.js';

/**
 * The live policy: LARGE_AMOUNT (≥ ¥1,000) reviews, HUGE_AMOUNT (≥ ¥2,000) and BLOCKED_ACCOUNT (A3)
 * decline, MEDIUM_AMOUNT (≥ ¥500) adds 20 points (score 100·20/70 ≈ 28.6, under every threshold).
 */
const LIVE = `
setting score.scale = 50
setting score.review = 90
setting score.challenge = 95
setting score.decline = 99

rule LARGE_AMOUNT
  when amount >= ¥1000
  outcome review

rule HUGE_AMOUNT
  when amount >= ¥2000
  outcome decline

rule BLOCKED_ACCOUNT
  when account == "A3"
  outcome decline

rule MEDIUM_AMOUNT
  when amount >= ¥500
  score 20
`;

/** The backtest fixture's events as a client sends them (same order, so the same journal seqs 1–32). */
function events(): Record<string, unknown>[] {
  return [
    ...registry(),
    ...['A1', 'A2', 'A3'].map((id) => account(id)),
    payment('p0', 'A1', 800, -2 * DAY),
    payment('w1', 'A2', 20, -20 * MIN),
    payment('w2', 'A2', 20, -10 * MIN),
    payment('t1', 'A2', 20, 0),
    payment('t2', 'A1', 100, HOUR),
    payment('t3', 'A1', 600, 2 * HOUR + 10 * MIN),
    payment('t4', 'A1', 1500, 3 * HOUR + 20 * MIN),
    payment('t5', 'A3', 300, 4 * HOUR),
    payment('t6', 'A3', 700, 5 * HOUR + 10 * MIN),
    label(6 * HOUR, { txId: 't1' }, true, 'small_burst'),
    payment('t7', 'A1', 2000, 6 * HOUR + 30 * MIN),
    label(7 * HOUR, { txId: 't3' }, true),
    payment('t8', 'A2', 50, 23 * HOUR + 59 * MIN),
    payment('t9', 'A1', 100, DAY),
    label(DAY + 2 * DAY, { accountId: 'A3' }, true, 'account_anomaly'),
    label(DAY + 5 * DAY, { txId: 't4' }, true, 'account_takeover'),
    label(DAY + 6 * DAY, { txId: 't3' }, false),
    payment('t10', 'A1', 100, DAY + 6 * DAY + HOUR),
  ];
}

/** A server over a fresh folder whose version 1 is the live policy above (folder `live`). */
async function start(dir = tempDir('rep-bt-'), keys?: Record<Role, string>): Promise<TestServer> {
  const policyDir = join(dir, 'live');
  mkdirSync(policyDir, { recursive: true });
  writeFileSync(join(policyDir, 'live.fk'), LIVE);
  return startTestServer({ dir, keys, policy: undefined, policyDir });
}

/** Posts the journal and drafts the fixture's draft as version 2. */
async function prepare(s: TestServer): Promise<void> {
  const answers = await feed(s.url, s.keys.admin, events());
  const live = Object.fromEntries(answers.map((a) => [a.json.txId, [a.json.outcome, a.json.reasons.map((r: { code: string }) => r.code)]]));
  // the live answers, by hand
  assert.deepEqual(live.t1, ['approve', []]);
  assert.deepEqual(live.t3, ['approve', ['MEDIUM_AMOUNT']]);
  assert.deepEqual(live.t4[0], 'review');
  assert.deepEqual([...live.t4[1]].sort(), ['LARGE_AMOUNT', 'MEDIUM_AMOUNT']);
  assert.deepEqual(live.t5, ['decline', ['BLOCKED_ACCOUNT']]);
  assert.deepEqual(live.t6[0], 'decline');
  assert.deepEqual(live.t7[0], 'decline');
  assert.deepEqual([...live.t7[1]].sort(), ['HUGE_AMOUNT', 'LARGE_AMOUNT', 'MEDIUM_AMOUNT']);
  assert.deepEqual(live.t8, ['approve', []]);
  const d = await call(s.url, '/v1/policies', { key: s.keys.admin, body: { description: 'draft of the backtest fixture', files: { 'draft.fk': DRAFT_SOURCES[0].text } } });
  assert.equal(d.status, 201, d.text);
  assert.equal(d.json.version, 2);
}

/** Polls a backtest until it is no longer queued or running. */
async function settled(s: TestServer, path: string, key = s.keys.analyst): Promise<any> {
  for (let i = 0; i < 600; i++) {
    const r = await call(s.url, path, { key });
    assert.equal(r.status, 200, r.text);
    if (r.json.backtest.state !== 'queued' && r.json.backtest.state !== 'running') return r.json;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`${path} never finished`);
}

test('backtest over HTTP: the report of a draft version, every figure by hand, kept across a restart', async () => {
  let s = await start();
  const { dir, keys } = s;
  try {
    await prepare(s);
    const post = await call(s.url, '/v1/policies/2/backtests', { key: s.keys.analyst, body: { from: '2026-11-10', to: TO } });
    assert.equal(post.status, 202, post.text);
    const id = post.json.backtest.id as number;
    assert.equal(post.headers.location, `/v1/policies/2/backtests/${id}`);
    assert.ok(['queued', 'running'].includes(post.json.backtest.state));
    assert.deepEqual(post.json.backtest.params, { from: FROM, to: TO, warmUpDays: null, maxChanged: null });

    const done = await settled(s, `/v1/policies/2/backtests/${id}`);
    assert.equal(done.backtest.state, 'done', JSON.stringify(done.backtest.error));
    const r = done.report;
    // the same journal as the backtest fixture: seqs 1–32, replay 15–28, 8 payments compared
    const { durationMs, ...run } = r.run;
    assert.ok(durationMs >= 0);
    assert.deepEqual(run, {
      draftPolicy: 'v2', draftRules: 3, model: false, warmUpMs: 30 * DAY, warmUpFrom: FROM - 30 * DAY, lastSeq: 32,
      firstSeq: 15, endSeq: 28, eventsReplayed: 14, warmUpEvents: 3, preludeEvents: 14, transactions: 8, withoutLiveDecision: 0,
      actionsApplied: 0,
    });
    assert.deepEqual(r.labels, { events: 5, entityScopes: ['account'], fraud: 4, fraudByEntity: 2, legitimateLabelled: 1, unlabelled: 3 });
    // live, as answered: approve t1 t2 t3 t8, review t4, decline t5 t6 t7 (see backtest.test.ts for the
    // arithmetic); reasons MEDIUM_AMOUNT t3 t4 t6 t7, LARGE_AMOUNT t4 t7, BLOCKED_ACCOUNT t5 t6, HUGE_AMOUNT t7
    assert.deepEqual(r.live.policies, ['live']);
    assert.deepEqual(r.live.outcomes, { approve: 4, review: 1, challenge: 0, decline: 3 });
    assert.deepEqual(r.live.amounts, { approve: 77000, review: 150000, challenge: 0, decline: 300000 });
    assert.deepEqual(r.live.hits, { MEDIUM_AMOUNT: 4, BLOCKED_ACCOUNT: 2, LARGE_AMOUNT: 2, HUGE_AMOUNT: 1 });
    assert.deepEqual(r.live.fraud, {
      total: 4, totalAmount: 252000, caught: 3, caughtAmount: 250000, caughtByDecline: 2, caughtByDeclineAmount: 100000, missed: 1, missedAmount: 2000,
    });
    assert.equal(r.live.precision, 0.75);
    assert.equal(r.live.recall, 0.75);
    // the draft: approve t2 t5 t8, review t3 t6, challenge t1, decline t4 t7
    assert.deepEqual(r.draft.policies, ['v2']);
    assert.deepEqual(r.draft.outcomes, { approve: 3, review: 2, challenge: 1, decline: 2 });
    assert.deepEqual(r.draft.amounts, { approve: 45000, review: 130000, challenge: 2000, decline: 350000 });
    assert.deepEqual(r.draft.hits, { MID: 4, BIG: 2, BURST: 1 });
    assert.deepEqual(r.draft.fraud, {
      total: 4, totalAmount: 252000, caught: 3, caughtAmount: 222000, caughtByDecline: 1, caughtByDeclineAmount: 150000, missed: 1, missedAmount: 30000,
    });
    assert.deepEqual(r.draft.legitimate, {
      total: 4, totalAmount: 275000, declined: 1, declinedAmount: 200000, challenged: 0, challengedAmount: 0, reviewed: 1, reviewedAmount: 60000, flagged: 2, flaggedAmount: 260000,
    });
    assert.equal(r.draft.precision, 0.6);
    assert.equal(r.draft.recall, 0.75);
    assert.deepEqual(r.transitions, {
      approve: { approve: 2, review: 1, challenge: 1, decline: 0 },
      review: { approve: 0, review: 0, challenge: 0, decline: 1 },
      challenge: { approve: 0, review: 0, challenge: 0, decline: 0 },
      decline: { approve: 1, review: 1, challenge: 0, decline: 1 },
    });
    assert.deepEqual(r.changed.transactions.map((c: { txId: string }) => c.txId), ['t1', 't3', 't4', 't5', 't6']);
    assert.match(done.text, /8 payments compared/);
    assert.equal(done.backtest.summary.changed, 5);
    assert.equal(done.backtest.summary.draft.precision, 0.6);
    assert.ok(done.backtest.startedAt >= done.backtest.requestedAt && done.backtest.finishedAt >= done.backtest.startedAt);

    // a second run with a warm-up of 0 days and a cap of 2 changes
    const post2 = await call(s.url, '/v1/policies/2/backtests', { key: s.keys.admin, body: { from: FROM, to: TO, warmUpDays: 0, maxChanged: 2 } });
    assert.equal(post2.status, 202, post2.text);
    const second = await settled(s, `/v1/policies/2/backtests/${post2.json.backtest.id}`);
    assert.equal(second.report.run.warmUpEvents, 0);
    // without w1 and w2, t1 has no burst: the draft approves it and 4 payments change
    assert.equal(second.report.changed.total, 4);
    assert.equal(second.report.changed.transactions.length, 2);

    const list = await call(s.url, '/v1/policies/2/backtests', { key: s.keys.analyst });
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(list.json.backtests.map((b: { id: number }) => b.id), [post2.json.backtest.id, id]);
    assert.equal(list.json.backtests[1].summary.transactions, 8);
    assert.ok(!('report' in list.json.backtests[0]));
    const none = await call(s.url, '/v1/policies/1/backtests', { key: s.keys.analyst });
    assert.deepEqual(none.json.backtests, []);

    // restart: the reports are still there
    await s.close(true);
    s = await start(dir, keys);
    const again = await call(s.url, `/v1/policies/2/backtests/${id}`, { key: s.keys.analyst });
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.json.report, r);
    assert.equal(again.json.backtest.state, 'done');
  } finally {
    await s.close();
  }
});

test('backtest over HTTP: unknown versions and ids, roles, bad bodies', async () => {
  const s = await start();
  try {
    await prepare(s);
    const body = { from: FROM, to: TO };
    const v99 = await call(s.url, '/v1/policies/99/backtests', { key: s.keys.analyst, body });
    assert.equal(v99.status, 404, v99.text);
    assert.equal(v99.json.error.code, 'not_found');
    assert.equal((await call(s.url, '/v1/policies/99/backtests', { key: s.keys.analyst })).status, 404);
    assert.equal((await call(s.url, '/v1/policies/2/backtests/12345', { key: s.keys.analyst })).status, 404);
    const notNumber = await call(s.url, '/v1/policies/abc/backtests', { key: s.keys.analyst, body });
    assert.equal(notNumber.status, 400);
    assert.equal(notNumber.json.error.path, 'version');

    const asDecide = await call(s.url, '/v1/policies/2/backtests', { key: s.keys.decide, body });
    assert.equal(asDecide.status, 403);
    assert.equal(asDecide.json.error.code, 'forbidden');
    assert.equal((await call(s.url, '/v1/policies/2/backtests', { key: s.keys.decide })).status, 403);
    assert.equal((await call(s.url, '/v1/policies/2/backtests', { body })).status, 401);

    const bad = async (b: unknown, path: string): Promise<void> => {
      const r = await call(s.url, '/v1/policies/2/backtests', { key: s.keys.analyst, body: b });
      assert.equal(r.status, 400, `${JSON.stringify(b)}: ${r.text}`);
      assert.equal(r.json.error.code, 'invalid_request');
      assert.equal(r.json.error.path, path, r.text);
    };
    await bad({ to: TO }, 'from');
    await bad({ from: FROM }, 'to');
    await bad({ from: 'last tuesday', to: TO }, 'from');
    await bad({ from: FROM, to: FROM }, 'to');
    await bad({ from: TO, to: FROM }, 'to');
    await bad({ from: FROM, to: -5 }, 'to');
    await bad({ from: FROM, to: TO, warmUpDays: -1 }, 'warmUpDays');
    await bad({ from: FROM, to: TO, warmUpDays: 'thirty' }, 'warmUpDays');
    await bad({ from: FROM, to: TO, maxChanged: 1.5 }, 'maxChanged');
    await bad({ from: FROM, to: TO, form: 1 }, 'form');
    await bad([FROM, TO], '');
    // nothing was recorded for any of these
    const list = await call(s.url, '/v1/policies/2/backtests', { key: s.keys.analyst });
    assert.deepEqual(list.json.backtests, []);
  } finally {
    await s.close();
  }
});

test('backtest over HTTP: one run at a time; shutdown and a crash leave nothing queued or running', async () => {
  let s = await start();
  const { dir, keys } = s;
  try {
    await prepare(s);
    const ids: number[] = [];
    const posts = await Promise.all([1, 2, 3].map(() => call(s.url, '/v1/policies/2/backtests', { key: s.keys.analyst, body: { from: FROM, to: TO } })));
    for (const p of posts) {
      assert.equal(p.status, 202, p.text);
      ids.push(p.json.backtest.id);
    }
    const runs = [];
    for (const id of ids) runs.push((await settled(s, `/v1/policies/2/backtests/${id}`)).backtest);
    runs.sort((a, b) => a.startedAt - b.startedAt);
    for (const r of runs) assert.equal(r.state, 'done');
    // never two at once: each started after the one before had finished
    for (let i = 1; i < runs.length; i++) assert.ok(runs[i].startedAt >= runs[i - 1].finishedAt, JSON.stringify(runs));

    // shutdown right after posting: whatever had not finished is cancelled, nothing stays open
    await Promise.all([1, 2].map(() => call(s.url, '/v1/policies/2/backtests', { key: s.keys.analyst, body: { from: FROM, to: TO } })));
    await s.close(true);
    // a crash mid-run: a row left running by a process that died
    const store = new SqliteStore(dir);
    store.database.prepare("UPDATE policy_backtests SET state = 'running', finished_at = NULL WHERE id = ?").run(ids[0]);
    store.close();
    s = await start(dir, keys);
    const list = await call(s.url, '/v1/policies/2/backtests', { key: s.keys.analyst });
    const states = list.json.backtests.map((b: { state: string }) => b.state);
    assert.equal(states.length, 5);
    for (const st of states) assert.ok(st === 'done' || st === 'cancelled', states.join());
    const crashed = list.json.backtests.find((b: { id: number }) => b.id === ids[0]);
    assert.equal(crashed.state, 'cancelled');
    assert.match(crashed.error.message, /stopped before this backtest finished/);
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('job queue: one at a time, a bounded line, everything cancelled on close', async () => {
  const q = new JobQueue(1);
  const order: string[] = [];
  let release!: () => void;
  const first = q.run(() => new Promise<string>((r) => (release = () => r('a'))).then((v) => (order.push(v), v)));
  const second = q.run(async () => (order.push('b'), 'b'));
  assert.equal(q.queued, 1);
  assert.equal(q.full, true);
  await assert.rejects(q.run(async () => 'c'), /already waiting/);
  release();
  assert.equal(await first, 'a');
  assert.equal(await second, 'b');
  assert.deepEqual(order, ['a', 'b']);
  // close: the running job's signal aborts, the waiting one is rejected
  let aborted = false;
  const running = q.run((signal) => new Promise<void>((_, reject) => signal.addEventListener('abort', () => ((aborted = true), reject(signal.reason)))));
  const waiting = q.run(async () => 'never');
  q.close();
  await assert.rejects(running, /shutting down/);
  await assert.rejects(waiting, /shutting down/);
  assert.equal(aborted, true);
  await assert.rejects(q.run(async () => 'x'), /shutting down/);
});

test('backtest over HTTP: a fresh data folder has keys and the table is created on start', async () => {
  const dir = tempDir('rep-bt-');
  const keys = createKeys(dir);
  const s = await start(dir, keys);
  try {
    const r = await call(s.url, '/v1/policies/1/backtests', { key: keys.analyst });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { backtests: [], next: null });
  } finally {
    await s.close();
  }
});
