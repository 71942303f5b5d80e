// Shadow policies through the HTTP API of a real server: a draft that declines what the live policy
// approves is shadowed on live traffic — its window sees history from before it started (warm-up),
// its decisions are recorded beside live's and the totals match what is expected by hand, labels
// move payments into fraud caught / missed, the live answers are byte for byte what a server without
// a shadow answers. Then stop, the 409s, role checks, the audit entries, and the ways a shadow ends
// on its own: publication (at once or after warming), rejection, shutdown — and how a restart resumes
// it (after a shutdown or a crash) as a new run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { account, baseWorld, HOUR, MIN, at, tx } from '../engine/world.js';
import { addAdmin, auditOf, defaultFiles, defineMode, draft, idOf, waitLive } from '../policy/helpers.js';
import { call, feed, stable, startTestServer, type TestServer } from './helpers.js';

const T = 2 * HOUR;

/** The draft: a new window (QR payments per account in 30 min) and two decline rules the live policy lacks. */
function shadowFiles(): Record<string, string> {
  const files = defaultFiles();
  files['70-shadow.fk'] = [
    'feature qr_30m = count by account over 30m where channel == "qr"',
    '',
    'rule QR_STORM',
    '  description "Five QR payments from one account within half an hour"',
    '  when qr_30m >= 5',
    '  outcome decline',
    '',
    'rule MARKED',
    '  when amount == ¥1.23',
    '  outcome decline',
    '  reason MARKED_V2',
    '',
  ].join('\n');
  return files;
}

const M4 = { merchantId: 'M4', terminalId: 'T4', mcc: '5814', merchantName: '深圳小吃', geo: { lat: 22.55, lon: 114.07 } };
/** A QR payment by A1 (¥120), the i-th of a run of them two minutes apart, at M1 and M4 in turn. */
const qr = (i: number): Record<string, unknown> => tx(T + i * 2 * MIN, { id: `qr-${i}`, amount: 12_000, channel: 'qr', ...(i % 2 === 1 ? M4 : {}) });
/** A ¥1.23 payment by A2 (the draft declines it). */
const marked = (i: number): Record<string, unknown> => tx(T + 30 * MIN + i * MIN, { id: `mk-${i}`, accountId: 'A2', amount: 123, channel: 'card' });
/** An ordinary card payment by A3. */
const plain = (i: number): Record<string, unknown> => tx(T + 40 * MIN + i * MIN, { id: `pl-${i}`, accountId: 'A3', amount: 8_000 + i * 100, channel: 'card' });

const world = (): Record<string, unknown>[] => [...baseWorld(), account('A2'), account('A3')];

async function shadowOf(s: TestServer, n: number): Promise<any> {
  const r = await call(s.url, `/v1/policies/${n}/shadow`, { key: s.keys.analyst });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

/** Polls the shadow's status until `ok` holds. */
async function until(s: TestServer, n: number, ok: (st: any) => boolean, what: string, timeoutMs = 20_000): Promise<any> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const st = await shadowOf(s, n);
    if (ok(st)) return st;
    if (Date.now() > end) throw new Error(`shadow of version ${n} not ${what} in time: ${JSON.stringify(st).slice(0, 600)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const caughtUp = (st: any): boolean => st.state === 'running' && st.lag.events === 0;

test('a shadowed draft is compared on live traffic: warmed history, recorded decisions, totals by hand, labels, unchanged live answers', async () => {
  const s = await startTestServer();
  const control = await startTestServer(); // the same traffic without a shadow
  try {
    const before = [...world(), qr(0), qr(1), qr(2)];
    await feed(s.url, s.keys.admin, before);
    await feed(control.url, control.keys.admin, before);
    const d = await draft(s, s.keys.admin, shadowFiles(), 'QR storm and marked amounts');
    assert.equal(d.status, 201, d.text);
    assert.ok(d.json.compile.freshWindows.includes('qr_30m'));
    const v = d.json.version as number;

    // refusals first: roles, unknown versions, the live version, never shadowed
    assert.equal((await call(s.url, `/v1/policies/${v}/shadow`, { key: s.keys.analyst, method: 'POST' })).status, 403);
    assert.equal((await call(s.url, `/v1/policies/${v}/shadow`, { key: s.keys.decide })).status, 403);
    assert.equal((await call(s.url, `/v1/policies/${v}/shadow/decisions`, { key: s.keys.decide })).status, 403);
    assert.equal((await call(s.url, '/v1/policies/99/shadow', { key: s.keys.admin, method: 'POST' })).status, 404);
    const never = await call(s.url, `/v1/policies/${v}/shadow`, { key: s.keys.analyst });
    assert.equal(never.status, 404, never.text);
    const liveOne = await call(s.url, '/v1/policies/1/shadow', { key: s.keys.admin, method: 'POST' });
    assert.equal(liveOne.status, 409, liveOne.text);
    assert.match(liveOne.json.error.message, /is live/);
    assert.equal((await call(s.url, `/v1/policies/${v}/shadow`, { key: s.keys.admin, method: 'DELETE' })).status, 409, 'not shadowing');

    const started = await call(s.url, `/v1/policies/${v}/shadow`, { key: s.keys.admin, method: 'POST' });
    assert.equal(started.status, 202, started.text);
    assert.equal(started.json.state, 'warming');
    assert.equal(started.json.policy, `v${v}`);
    const again = await call(s.url, `/v1/policies/${v}/shadow`, { key: s.keys.admin, method: 'POST' });
    assert.equal(again.status, 409, again.text);
    assert.match(again.json.error.message, /already shadowing/);

    // at most two at once
    const d3 = await draft(s, s.keys.admin, defaultFiles(), 'plain copy');
    const d4 = await draft(s, s.keys.admin, defaultFiles(), 'another plain copy');
    assert.equal((await call(s.url, `/v1/policies/${d3.json.version}/shadow`, { key: s.keys.admin, method: 'POST' })).status, 202);
    const third = await call(s.url, `/v1/policies/${d4.json.version}/shadow`, { key: s.keys.admin, method: 'POST' });
    assert.equal(third.status, 409, third.text);
    assert.match(third.json.error.message, /2 shadows are running/);

    const running = await until(s, v, caughtUp, 'running');
    assert.ok(running.since !== null && running.startSeq > 0, JSON.stringify(running));
    assert.equal(running.transactions, 0, 'history replayed by the warm-up is not compared');

    // live traffic: 7 payments, all approved by the live policy; the draft declines three of them
    const traffic = [qr(3), qr(4), marked(0), plain(0), marked(1), plain(1), plain(2)];
    const answers = await feed(s.url, s.keys.admin, traffic);
    const controlAnswers = await feed(control.url, control.keys.admin, traffic);
    assert.deepEqual(
      answers.map((a) => stable(a.json)),
      controlAnswers.map((a) => stable(a.json)),
      'the live answers are exactly those of a server without a shadow',
    );
    for (const a of answers) {
      assert.equal(a.json.policy, 'default');
      assert.equal(a.json.outcome, 'approve', a.text);
    }
    const st = await until(s, v, (x) => caughtUp(x) && x.transactions === 7, 'caught up');
    const declined = ['qr-4', 'mk-0', 'mk-1'];
    const amountOf = (id: string): number => traffic.find((t) => t.id === id)!.amount as number;
    const declinedValue = declined.reduce((sum, id) => sum + amountOf(id), 0);
    const allValue = traffic.reduce((sum, t) => sum + (t.amount as number), 0);
    assert.equal(st.changed, 3);
    assert.equal(st.agreementRate, 4 / 7);
    assert.deepEqual(st.outcomes.live, { approve: 7, review: 0, challenge: 0, decline: 0 });
    assert.deepEqual(st.outcomes.shadow, { approve: 4, review: 0, challenge: 0, decline: 3 });
    assert.deepEqual(st.transitions.approve, { approve: 4, review: 0, challenge: 0, decline: 3 });
    assert.deepEqual(st.amounts.shadow.decline, declinedValue);
    assert.deepEqual(st.amounts.live.approve, allValue);
    assert.deepEqual(st.alertRate, { live: 0, shadow: 3 / 7 });
    assert.equal(st.hits.shadow.QR_STORM, 1, JSON.stringify(st.hits));
    assert.equal(st.hits.shadow.MARKED_V2, 2);
    assert.equal(st.hits.live.QR_STORM, undefined);
    assert.deepEqual(st.newlyDeclined, { count: 3, amount: declinedValue, fraudAmount: 0, legitimateAmount: declinedValue });
    assert.deepEqual(st.livePolicies, ['default']);

    // the recorded decisions, newest first; only the changed ones; paging
    const all = await call(s.url, `/v1/policies/${v}/shadow/decisions`, { key: s.keys.analyst });
    assert.equal(all.status, 200, all.text);
    assert.deepEqual(all.json.decisions.map((r: { txId: string }) => r.txId), [...traffic].reverse().map((t) => t.id));
    assert.deepEqual(all.json.decisions.map((r: { seq: number }) => r.seq), [...answers].reverse().map((a) => a.json.seq));
    const changed = await call(s.url, `/v1/policies/${v}/shadow/decisions?changed=true`, { key: s.keys.analyst });
    assert.deepEqual(changed.json.decisions.map((r: { txId: string }) => r.txId), [...declined].reverse());
    const storm = changed.json.decisions.find((r: { txId: string }) => r.txId === 'qr-4');
    assert.deepEqual(storm.live.outcome, 'approve');
    assert.equal(storm.live.policy, 'default');
    assert.equal(storm.shadow.outcome, 'decline');
    assert.ok(storm.shadow.reasons.includes('QR_STORM'), 'the warmed window counted the three QR payments made before the shadow started');
    assert.equal(storm.amount, 12_000);
    assert.equal(storm.changed, true);
    const p1 = await call(s.url, `/v1/policies/${v}/shadow/decisions?limit=2`, { key: s.keys.analyst });
    assert.equal(p1.json.decisions.length, 2);
    const p2 = await call(s.url, `/v1/policies/${v}/shadow/decisions?limit=10&before=${p1.json.next}`, { key: s.keys.analyst });
    assert.deepEqual([...p1.json.decisions, ...p2.json.decisions].map((r: { txId: string }) => r.txId), all.json.decisions.map((r: { txId: string }) => r.txId));
    assert.equal(p2.json.next, null);
    assert.equal((await call(s.url, `/v1/policies/${v}/shadow/decisions?changed=maybe`, { key: s.keys.analyst })).status, 400);

    // labels arriving later: mk-0 was fraud (the shadow stops it, live let it through), pl-0 legitimate
    const labels = [
      { type: 'label', ts: at(T + 2 * HOUR), txId: 'mk-0', fraud: true },
      { type: 'label', ts: at(T + 2 * HOUR), txId: 'pl-0', fraud: false },
    ];
    assert.equal((await call(s.url, '/v1/events', { key: s.keys.admin, body: labels })).status, 202);
    const lab = await until(s, v, (x) => caughtUp(x) && x.labels.labelled === 2, 'labelled');
    assert.deepEqual(lab.labels, { labelled: 2, fraud: 1, legitimate: 1 });
    assert.deepEqual(lab.fraud.shadow, { caught: 1, caughtAmount: 123, declined: 1, declinedAmount: 123, missed: 0, missedAmount: 0 });
    assert.deepEqual(lab.fraud.live, { caught: 0, caughtAmount: 0, declined: 0, declinedAmount: 0, missed: 1, missedAmount: 123 });
    assert.equal(lab.money.shadow.fraudStopped, 123);
    assert.equal(lab.money.live.fraudMissed, 123);
    assert.equal(lab.money.shadow.legitimateDeclined, declinedValue - 123);
    assert.equal(lab.newlyDeclined.legitimateAmount, declinedValue - 123);
    const labelled = await call(s.url, `/v1/policies/${v}/shadow/decisions?changed=true`, { key: s.keys.analyst });
    assert.equal(labelled.json.decisions.find((r: { txId: string }) => r.txId === 'mk-0').label, true);
    assert.equal(labelled.json.decisions.find((r: { txId: string }) => r.txId === 'mk-1').label, null);

    // stop: the records and totals stay readable
    assert.equal((await call(s.url, `/v1/policies/${v}/shadow`, { key: s.keys.analyst, method: 'DELETE' })).status, 403);
    const stopped = await call(s.url, `/v1/policies/${v}/shadow`, { key: s.keys.admin, method: 'DELETE' });
    assert.equal(stopped.status, 200, stopped.text);
    assert.equal(stopped.json.state, 'stopped');
    assert.equal(stopped.json.stoppedBy, idOf(s.keys.admin));
    await feed(s.url, s.keys.admin, [plain(3)]);
    const after = await shadowOf(s, v);
    assert.equal(after.state, 'stopped');
    assert.equal(after.transactions, 7, 'nothing compared after the stop');
    assert.equal(after.fraud.shadow.caught, 1);
    assert.equal((await call(s.url, `/v1/policies/${v}/shadow/decisions`, { key: s.keys.analyst })).json.decisions.length, 7);
    assert.equal((await call(s.url, `/v1/policies/${v}/shadow`, { key: s.keys.admin, method: 'DELETE' })).status, 409);
    // a slot is free again
    assert.equal((await call(s.url, `/v1/policies/${d4.json.version}/shadow`, { key: s.keys.admin, method: 'POST' })).status, 202);

    // the audit trail
    const starts = (await auditOf(s, s.keys.analyst, 'policy.shadow.start')).filter((e) => e.target === `policies/${v}`);
    assert.equal(starts.length, 1, 'refused starts left no entry');
    assert.equal(starts[0].actor, idOf(s.keys.admin));
    assert.deepEqual([starts[0].before.state, starts[0].after.state, starts[0].after.policy, starts[0].after.livePolicy], ['draft', 'warming', `v${v}`, 'default']);
    const [stop] = (await auditOf(s, s.keys.analyst, 'policy.shadow.stop')).filter((e) => e.target === `policies/${v}`);
    assert.equal(stop.actor, idOf(s.keys.admin));
    assert.deepEqual([stop.before.state, stop.before.transactions, stop.before.changed, stop.after.state, stop.after.reason], ['running', 7, 3, 'stopped', 'stopped by request']);
  } finally {
    await s.close();
    await control.close();
  }
});

test('a shadow ends when its version is published (at once or after warming) or rejected, and at shutdown; a restart resumes it as a new run', async () => {
  let s = await startTestServer();
  const admin2 = addAdmin(s.dir);
  try {
    await feed(s.url, s.keys.admin, [...world(), qr(0)]);
    const shadowed = async (files: Record<string, string>, what: string): Promise<number> => {
      const d = await draft(s, s.keys.admin, files, what);
      assert.equal(d.status, 201, d.text);
      const r = await call(s.url, `/v1/policies/${d.json.version}/shadow`, { key: s.keys.admin, method: 'POST' });
      assert.equal(r.status, 202, r.text);
      await until(s, d.json.version, caughtUp, 'running');
      return d.json.version as number;
    };
    const propose = async (n: number): Promise<void> => {
      assert.equal((await call(s.url, `/v1/policies/${n}/publish`, { key: s.keys.admin, body: {} })).status, 200);
    };
    const same = defaultFiles();
    same['70-mark.fk'] = 'rule MARKED\n  when amount == ¥1.23\n  outcome decline\n';

    // rejected while shadowing
    const a = await shadowed(same, 'to be rejected');
    await propose(a);
    assert.equal((await call(s.url, `/v1/policies/${a}/reject`, { key: admin2, body: { reason: 'no' } })).status, 200);
    const ra = await shadowOf(s, a);
    assert.deepEqual([ra.state, ra.stopReason, ra.stoppedBy], ['stopped', 'its proposal was rejected', idOf(admin2)]);

    // published at once (same windows)
    const b = await shadowed(same, 'to be published');
    await feed(s.url, s.keys.admin, [marked(0)]);
    await until(s, b, (x) => caughtUp(x) && x.transactions === 1, 'comparing');
    await propose(b);
    assert.equal((await call(s.url, `/v1/policies/${b}/approve`, { key: admin2, method: 'POST' })).status, 200);
    const rb = await shadowOf(s, b);
    assert.deepEqual([rb.state, rb.stopReason, rb.stoppedBy, rb.transactions, rb.changed], ['stopped', 'the version was published', idOf(admin2), 1, 1]);
    // the live version cannot be shadowed
    assert.equal((await call(s.url, `/v1/policies/${b}/shadow`, { key: s.keys.admin, method: 'POST' })).status, 409);

    // published after warming a new window: noticed by the engine swap
    const c = await shadowed(shadowFiles(), 'new window, published');
    await propose(c);
    const approval = await call(s.url, `/v1/policies/${c}/approve`, { key: admin2, method: 'POST' });
    assert.equal(approval.status, 202, approval.text);
    await waitLive(s, s.keys.analyst, c);
    const rc = await shadowOf(s, c);
    assert.deepEqual([rc.state, rc.stopReason], ['stopped', 'the version was published']);

    // shutdown stops the running shadow (audited by system); after a restart it stays stopped, readable
    const e = await shadowed(defaultFiles(), 'shadowing at shutdown');
    // an incident mode switched on is followed: the shadow decides as the version would if published now
    const mode = await defineMode(s, s.keys.admin, addAdmin(s.dir), 'wave', { description: 'wave', rules: 'rule INCIDENT_WAVE\n  when amount == ¥7.77\n  outcome challenge\n' });
    assert.equal(mode.status, 200, mode.text);
    assert.equal((await call(s.url, '/v1/modes/wave/on', { key: s.keys.admin, method: 'POST' })).status, 200);
    const waved = await feed(s.url, s.keys.admin, [plain(0), tx(T + 50 * MIN, { id: 'wave-1', accountId: 'A3', amount: 777, channel: 'card' })]);
    assert.equal(waved[1].json.outcome, 'challenge', waved[1].text);
    const we = await until(s, e, (x) => caughtUp(x) && x.transactions === 2, 'comparing');
    assert.equal(we.policy, `v${e}+incident:wave`);
    assert.equal(we.changed, 0, JSON.stringify(we.transitions));
    assert.equal(we.hits.shadow.INCIDENT_WAVE, 1);
    await s.close(true);
    s = await startTestServer({ dir: s.dir, keys: s.keys });
    // the interrupted run stays readable; a new run of the same version warms and compares again
    const old = (await call(s.url, `/v1/policies/${e}/shadow/decisions?run=${we.run}`, { key: s.keys.analyst })).json;
    assert.equal(old.decisions.length, 2);
    const resumed = await until(s, e, caughtUp, 'resumed');
    assert.equal(resumed.resumedFrom, we.run);
    assert.ok(resumed.run > we.run);
    assert.equal(resumed.startedBy, we.startedBy, 'the resumed run keeps who started the shadow');
    assert.equal(resumed.policy, `v${e}+incident:wave`, 'modes still on are followed');
    assert.equal(resumed.transactions, 0);
    await feed(s.url, s.keys.admin, [plain(1)]);
    const after = await until(s, e, (x) => caughtUp(x) && x.transactions === 1, 'comparing after the restart');
    assert.equal(after.changed, 0);
    const starts = await auditOf(s, s.keys.analyst, 'policy.shadow.start');
    assert.deepEqual([starts[0].actor, starts[0].target, starts[0].after.resumedFrom, starts[0].after.run], ['system', `policies/${e}`, we.run, resumed.run]);

    // a crash leaves the run open: the next start stops it (audited) and resumes it too
    await s.close(true);
    const db = new BetterSqlite3(join(s.dir, 'shadow.db'));
    db.prepare('UPDATE shadow_runs SET stopped_at = NULL, stopped_by = NULL, stop_reason = NULL, resume = 0 WHERE run = ?').run(resumed.run);
    db.close();
    s = await startTestServer({ dir: s.dir, keys: s.keys });
    const again = await until(s, e, caughtUp, 'resumed after a crash');
    assert.equal(again.resumedFrom, resumed.run);
    const crashed = (await auditOf(s, s.keys.analyst, 'policy.shadow.stop'))[0];
    assert.deepEqual([crashed.actor, crashed.before.run, crashed.after.reason], ['system', resumed.run, 'the server stopped while it ran']);
    // a version shadowed and then stopped by request is not resumed
    assert.equal((await call(s.url, `/v1/policies/${e}/shadow`, { key: s.keys.admin, method: 'DELETE' })).status, 200);
    await s.close(true);
    s = await startTestServer({ dir: s.dir, keys: s.keys });
    const stopped = await shadowOf(s, e);
    assert.deepEqual([stopped.state, stopped.run, stopped.stopReason], ['stopped', again.run, 'stopped by request']);

    const stops = await auditOf(s, s.keys.analyst, 'policy.shadow.stop');
    assert.deepEqual(
      stops.map((x) => [x.target, x.actor, x.after.reason]).reverse(),
      [
        [`policies/${a}`, idOf(admin2), 'its proposal was rejected'],
        [`policies/${b}`, idOf(admin2), 'the version was published'],
        [`policies/${c}`, idOf(admin2), 'the version was published'],
        [`policies/${e}`, 'system', 'the server is shutting down'],
        [`policies/${e}`, 'system', 'the server is shutting down'],
        [`policies/${e}`, 'system', 'the server stopped while it ran'],
        [`policies/${e}`, idOf(s.keys.admin), 'stopped by request'],
      ],
    );
  } finally {
    await s.close();
  }
});

test('a shadow of a copy of the live policy, started under load with history to replay, agrees on every payment', async () => {
  const s = await startTestServer();
  try {
    const bulk: Record<string, unknown>[] = [];
    for (let i = 0; i < 20_000; i++) bulk.push({ type: 'account', ts: at(-HOUR), accountId: `B${i}`, creditLimit: 1_000_000 });
    for (let i = 0; i < bulk.length; i += 2_000) assert.equal((await call(s.url, '/v1/events', { key: s.keys.admin, body: bulk.slice(i, i + 2_000) })).status, 202);
    const accounts = Array.from({ length: 40 }, (_, i) => account(`L${i}`));
    await feed(s.url, s.keys.admin, [...world(), ...accounts]);
    const d = await draft(s, s.keys.admin, defaultFiles(), 'the live policy, again');
    assert.equal(d.status, 201, d.text);
    const v = d.json.version as number;

    let stop = false;
    let k = 0;
    const failures: string[] = [];
    const client = async (c: number): Promise<void> => {
      while (!stop) {
        const i = k++;
        const body = tx(T + i * 7_000, { id: `ld-${i}`, accountId: `L${(i * 7 + c) % 40}`, amount: 1_500 + (i % 40) * 700, channel: i % 3 === 0 ? 'qr' : 'card' });
        const r = await call(s.url, '/v1/decisions', { key: s.keys.decide, body });
        if (r.status !== 200) failures.push(r.text);
      }
    };
    const clients = Array.from({ length: 8 }, (_, c) => client(c));
    await new Promise((r) => setTimeout(r, 200));
    const started = await call(s.url, `/v1/policies/${v}/shadow`, { key: s.keys.admin, method: 'POST' });
    assert.equal(started.status, 202, started.text);
    const warming = await shadowOf(s, v);
    await until(s, v, (x) => x.state === 'running', 'running');
    await new Promise((r) => setTimeout(r, 500));
    stop = true;
    await Promise.all(clients);
    assert.deepEqual(failures, []);
    const st = await until(s, v, caughtUp, 'caught up');
    assert.ok(st.transactions > 20, `compared ${st.transactions}`);
    assert.equal(st.changed, 0, JSON.stringify(st.transitions));
    const rows: any[] = [];
    let before: number | null = null;
    do {
      const p = await call(s.url, `/v1/policies/${v}/shadow/decisions?limit=500${before === null ? '' : `&before=${before}`}`, { key: s.keys.analyst });
      rows.push(...p.json.decisions);
      before = p.json.next;
    } while (before !== null);
    assert.equal(rows.length, st.transactions);
    for (const r of rows) {
      assert.equal(r.shadow.score, r.live.score, JSON.stringify(r));
      assert.deepEqual(r.shadow.reasons, r.live.reasons);
    }
    // consecutive seqs from where comparisons started: nothing skipped, nothing twice
    const seqs = rows.map((r) => r.seq).reverse();
    for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1]);
    process.stdout.write(`# warm-up seen: ${JSON.stringify(warming.warmup)}; compared ${st.transactions} payments\n`);
  } finally {
    await s.close();
  }
});
