// Publishing under load through a real server: 32 clients keep posting decisions while a version is
// approved — no request fails, every decision names the old or the new version (split exactly at
// the publication's journal seq), none after the approval's answer names the old one. And a version
// that adds a window warms it from the journal first: its velocity rule fires right after the
// publication on payments made before it, including one decided while it warmed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { account, at, HOUR, MIN, registry, tx } from '../engine/world.js';
import { addAdmin, decide, defaultFiles, draft, idOf, waitLive } from '../policy/helpers.js';
import { call, feed, startTestServer } from './helpers.js';

const ACCOUNTS = 200;

function world(): Record<string, unknown>[] {
  const ev: Record<string, unknown>[] = [...registry()];
  for (let i = 0; i < ACCOUNTS; i++) ev.push(account(`L${i}`));
  return ev;
}

test('an atomic publish under 32 concurrent clients: no failure, old or new exactly split at the swap', async () => {
  const s = await startTestServer();
  const admin2 = addAdmin(s.dir);
  try {
    await feed(s.url, s.keys.admin, world());
    const files = defaultFiles();
    files['70-extra.fk'] = 'rule LOAD_MARK\n  when amount == ¥1.23\n  outcome review\n';
    const d = await draft(s, s.keys.admin, files, 'adds a rule, same windows');
    assert.equal(d.status, 201, d.text);
    assert.deepEqual(d.json.compile.freshWindows, []);
    assert.equal((await call(s.url, `/v1/policies/${d.json.version}/publish`, { key: s.keys.admin, body: {} })).status, 200);

    type Seen = { status: number; policy: string | undefined; seq: number; sentAfterApproval: boolean };
    const seen: Seen[] = [];
    let approvedAt = Infinity; // performance.now() when the approval's answer arrived
    let stop = false;
    let k = 0;
    const client = async (c: number): Promise<void> => {
      while (!stop) {
        const i = k++;
        const sentAt = performance.now();
        const body = tx(HOUR + i * 1_000, { id: `load-${i}`, accountId: `L${(i * 7 + c) % ACCOUNTS}`, amount: 1_000 + (i % 50) * 100 });
        const r = await call(s.url, '/v1/decisions', { key: s.keys.decide, body });
        seen.push({ status: r.status, policy: r.json?.policy, seq: r.json?.seq ?? -1, sentAfterApproval: sentAt > approvedAt });
      }
    };
    const clients = Array.from({ length: 32 }, (_, c) => client(c));
    await new Promise((r) => setTimeout(r, 400));
    const approval = await call(s.url, `/v1/policies/${d.json.version}/approve`, { key: admin2, method: 'POST' });
    approvedAt = performance.now();
    await new Promise((r) => setTimeout(r, 400));
    stop = true;
    await Promise.all(clients);

    assert.equal(approval.status, 200, approval.text);
    const swapSeq = approval.json.publication.journalSeq as number;
    const failed = seen.filter((x) => x.status !== 200);
    assert.equal(failed.length, 0, `failed requests: ${JSON.stringify(failed.slice(0, 3))}`);
    const before = seen.filter((x) => x.policy === 'default');
    const after = seen.filter((x) => x.policy === 'v2');
    assert.equal(before.length + after.length, seen.length, 'every decision names the old or the new version');
    assert.ok(before.length > 50 && after.length > 50, `load on both sides of the swap (${before.length} before, ${after.length} after)`);
    for (const x of seen) assert.equal(x.policy === 'v2', x.seq > swapSeq, `decision seq ${x.seq} (swap after ${swapSeq}) named ${x.policy}`);
    const late = seen.filter((x) => x.sentAfterApproval);
    assert.ok(late.length > 0);
    assert.ok(late.every((x) => x.policy === 'v2'), 'after the approval answer, no decision names the old version');
  } finally {
    await s.close();
  }
});

test('a version that adds a window warms it from the journal: its velocity rule fires at once on earlier history', async () => {
  const s = await startTestServer();
  const admin2 = addAdmin(s.dir);
  try {
    // enough history that the replay takes many slices
    const bulk: Record<string, unknown>[] = [];
    for (let i = 0; i < 30_000; i++) bulk.push({ type: 'account', ts: at(-HOUR), accountId: `B${i}`, creditLimit: 1_000_000 });
    for (let i = 0; i < bulk.length; i += 2_000) {
      const r = await call(s.url, '/v1/events', { key: s.keys.admin, body: bulk.slice(i, i + 2_000) });
      assert.equal(r.status, 202, r.text);
    }
    await feed(s.url, s.keys.admin, [...registry(), account('A1'), account('A3')]);
    const T = 2 * HOUR;
    const qr = (i: number, extra: Record<string, unknown> = {}) =>
      tx(T + i * MIN, { id: `qr-${i}`, amount: 2_000 + i, channel: 'qr', ...extra });
    for (let i = 0; i < 3; i++) {
      const d = await decide(s, s.keys.decide, qr(i));
      assert.equal(d.policy, 'default');
    }

    const files = defaultFiles();
    files['70-storm.fk'] = [
      'feature qr_30m = count by account over 30m where channel == "qr"',
      '',
      'rule QR_STORM',
      '  description "Five QR payments from one account within half an hour"',
      '  when qr_30m >= 5',
      '  outcome decline',
      '',
    ].join('\n');
    const d = await draft(s, s.keys.admin, files, 'QR storm');
    assert.equal(d.status, 201, d.text);
    assert.deepEqual(d.json.diff.summary.windows.added, ['qr_30m']);
    assert.ok(d.json.compile.freshWindows.includes('qr_30m'), JSON.stringify(d.json.compile));
    assert.equal((await call(s.url, '/v1/policies/2/publish', { key: s.keys.admin, body: {} })).status, 200);

    // other traffic keeps flowing while the version warms
    let stop = false;
    const failures: string[] = [];
    let j = 0;
    const load = (async () => {
      while (!stop) {
        const i = j++;
        const r = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: tx(T + i * 100, { id: `bg-${i}`, accountId: 'A3', amount: 12_000 }) });
        if (r.status !== 200) failures.push(r.text);
      }
    })();

    const approval = await call(s.url, '/v1/policies/2/approve', { key: admin2, method: 'POST' });
    assert.equal(approval.status, 202, approval.text);
    assert.equal(approval.json.state, 'warming');
    assert.ok(approval.json.freshWindows.includes('qr_30m'));
    // decided while warming (or just after): either way the warmed window must count it
    const during = await decide(s, s.keys.decide, qr(3));
    const progress = await call(s.url, '/v1/policies/live', { key: s.keys.analyst });
    assert.equal(progress.status, 200);
    const live = await waitLive(s, s.keys.analyst, 2);
    stop = true;
    await load;
    assert.deepEqual(failures, []);
    assert.equal(live.policy, 'v2');

    const fifth = await decide(s, s.keys.decide, qr(4));
    assert.equal(fifth.policy, 'v2');
    assert.equal(fifth.outcome, 'decline', JSON.stringify({ fifth, during: during.policy, progress: progress.json.publishing }));
    assert.ok(fifth.reasons.some((r: { code: string }) => r.code === 'QR_STORM'));

    const v2 = await call(s.url, '/v1/policies/2', { key: s.keys.analyst });
    assert.equal(v2.json.state, 'live');
    assert.deepEqual(v2.json.compile.freshWindows, []);
    const [approve] = (await call(s.url, '/v1/audit?action=policy.approve', { key: s.keys.analyst })).json.entries;
    assert.equal(approve.after.state, 'warming');
    const [published] = (await call(s.url, '/v1/audit?action=policy.publish', { key: s.keys.analyst })).json.entries;
    assert.equal(published.after.version, 2);
    process.stdout.write(`# warm-up: the payment during it was decided by ${during.policy}; progress seen: ${JSON.stringify(progress.json.publishing?.progress ?? null)}\n`);
  } finally {
    await s.close();
  }
});

test('while a version warms, a rollback to the live one stops it and a rejection stops it; rollback can skip warming', async () => {
  const s = await startTestServer();
  const admin2 = addAdmin(s.dir);
  try {
    const bulk: Record<string, unknown>[] = [];
    for (let i = 0; i < 60_000; i++) bulk.push({ type: 'account', ts: at(-HOUR), accountId: `B${i}`, creditLimit: 1_000_000 });
    for (let i = 0; i < bulk.length; i += 3_000) assert.equal((await call(s.url, '/v1/events', { key: s.keys.admin, body: bulk.slice(i, i + 3_000) })).status, 202);
    await feed(s.url, s.keys.admin, [...registry(), account('A1')]);
    const T = 3 * HOUR;
    const qr = (i: number) => tx(T + i * MIN, { id: `rb-${i}`, amount: 2_000 + i, channel: 'qr' });
    for (let i = 0; i < 3; i++) await decide(s, s.keys.decide, qr(i));
    const files = defaultFiles();
    files['70-storm.fk'] = 'feature qr_30m = count by account over 30m where channel == "qr"\n\nrule QR_STORM\n  when qr_30m >= 5\n  outcome decline\n';
    assert.equal((await draft(s, s.keys.admin, files, 'QR storm')).status, 201);
    const propose = async (): Promise<void> => {
      const p = await call(s.url, '/v1/policies/2/publish', { key: s.keys.admin, body: {} });
      assert.equal(p.status, 200, p.text);
    };
    const approve = async (): Promise<void> => {
      const a = await call(s.url, '/v1/policies/2/approve', { key: admin2, method: 'POST' });
      assert.equal(a.status, 202, a.text);
    };
    const liveNow = async () => (await call(s.url, '/v1/policies/live', { key: s.keys.analyst })).json;

    // the brake: a rollback naming nothing (or the live version) stops the publication under way
    await propose();
    await approve();
    const stopped = await call(s.url, '/v1/policies/rollback', { key: s.keys.admin, body: { reason: 'not now' } });
    assert.equal(stopped.status, 200, stopped.text);
    assert.deepEqual([stopped.json.version, stopped.json.state, stopped.json.cancelled], [1, 'live', 2]);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await liveNow()).version, 1, 'the cancelled warm-up never went live');
    assert.equal((await decide(s, s.keys.decide, qr(3))).policy, 'default');
    const v2 = (await call(s.url, '/v1/policies/2', { key: s.keys.analyst })).json;
    assert.equal(v2.state, 'draft');
    assert.equal(v2.proposals[0].state, 'cancelled');
    const [cancel] = (await call(s.url, '/v1/audit?action=policy.publish.cancel', { key: s.keys.analyst })).json.entries;
    assert.deepEqual([cancel.target, cancel.before.state, cancel.after.reason], ['policies/2', 'warming', 'not now']);

    // a rejection of the approved proposal stops it too
    await propose();
    await approve();
    const rejected = await call(s.url, '/v1/policies/2/reject', { key: s.keys.admin, body: { reason: 'wrong threshold' } });
    assert.equal(rejected.status, 200, rejected.text);
    assert.equal(rejected.json.state, 'rejected');
    assert.equal((await liveNow()).publishing, null);

    // published for real: the window is warm
    await propose();
    await approve();
    await waitLive(s, s.keys.analyst, 2);
    const fifth = await decide(s, s.keys.decide, qr(4));
    assert.equal(fifth.outcome, 'decline', JSON.stringify(fifth));

    // back to 1 without warming: at once, with the windows it lacks named
    const cold = await call(s.url, '/v1/policies/rollback', { key: s.keys.admin, body: { version: 1, reason: 'declines', warm: false } });
    assert.equal(cold.status, 200, cold.text);
    assert.ok(cold.json.emptyWindows.includes('small_tx_10m'), JSON.stringify(cold.json));
    assert.equal((await decide(s, s.keys.decide, qr(5))).policy, 'default');
    // and forward to 2 again: a rollback to a version whose windows are gone warms them first
    const warmBack = await call(s.url, '/v1/policies/rollback', { key: s.keys.admin, body: { version: 2, reason: 'it was fine' } });
    assert.equal(warmBack.status, 202, warmBack.text);
    await waitLive(s, s.keys.analyst, 2);
    const again = await decide(s, s.keys.decide, qr(6));
    assert.equal(again.policy, 'v2');
    assert.ok(again.reasons.some((r: { code: string }) => r.code === 'QR_STORM'), 'seven QR payments in the warmed window');
  } finally {
    await s.close();
  }
});

test('a restart during a warm-up completes the approved publication at start', async () => {
  let s = await startTestServer();
  const admin2 = addAdmin(s.dir);
  try {
    const bulk: Record<string, unknown>[] = [];
    for (let i = 0; i < 60_000; i++) bulk.push({ type: 'account', ts: at(-HOUR), accountId: `B${i}`, creditLimit: 1_000_000 });
    for (let i = 0; i < bulk.length; i += 3_000) assert.equal((await call(s.url, '/v1/events', { key: s.keys.admin, body: bulk.slice(i, i + 3_000) })).status, 202);
    await feed(s.url, s.keys.admin, [...registry(), account('A1')]);
    const files = defaultFiles();
    files['70-storm.fk'] = 'feature qr_30m = count by account over 30m where channel == "qr"\n\nrule QR_STORM\n  when qr_30m >= 5\n  outcome decline\n';
    assert.equal((await draft(s, s.keys.admin, files, 'QR storm')).status, 201);
    assert.equal((await call(s.url, '/v1/policies/2/publish', { key: s.keys.admin, body: {} })).status, 200);
    const a = await call(s.url, '/v1/policies/2/approve', { key: admin2, method: 'POST' });
    assert.equal(a.status, 202, a.text);
    await s.close(true); // cuts the warm-up short
    s = await startTestServer({ dir: s.dir, keys: s.keys });
    assert.equal(s.server.policy, 'v2');
    const live = (await call(s.url, '/v1/policies/live', { key: s.keys.analyst })).json;
    assert.equal(live.version, 2);
    assert.equal(live.publication.actor, idOf(admin2));
    // (on a machine fast enough to finish warming before the close, it was published the usual way)
    if (live.publication.reason === null) process.stdout.write('# the warm-up finished before the restart\n');
    else assert.match(live.publication.reason, /completed at start/);
    const v2 = (await call(s.url, '/v1/policies/2', { key: s.keys.analyst })).json;
    assert.equal(v2.proposals[0].state, 'published');
  } finally {
    await s.close();
  }
});
