// Engine snapshots through a real server: the checkpointer writes them from its own replica, a
// restart loads the newest usable one and replays only the journal after it, and decides exactly
// like a server that never stopped. A corrupt or truncated snapshot, or one made for other windows
// or another journal, is skipped (never trusted); the checkpointer follows a newly published policy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../src/engine/engine.js';
import { listSnapshots, snapshotsDir, writeEngineSnapshot } from '../../src/engine/snapshot/engine-snapshot.js';
import { readSnapshotHeader } from '../../src/engine/snapshot/format.js';
import { markOf } from '../../src/log/restore.js';
import { compileVersion } from '../../src/policy/compiled.js';
import { replayEntry } from '../../src/log/recovery.js';
import type { JournalEntry } from '../../src/log/journal.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { ROOT } from '../helpers/paths.js';
import { account, at, baseWorld, DAY, HOUR, MIN, tx } from '../engine/world.js';
import { addAdmin, defaultFiles, publish, waitLive } from '../policy/helpers.js';
import { call, feed, journalSeq, stable, startTestServer, type Answer, type TestServer } from './helpers.js';

const BIN = join(ROOT, 'bin', 'fengkong.js');
/** No automatic snapshot: the tests ask for each one. */
const ON_REQUEST = { everyEntries: 1e9, everyMs: 1e9, pollMs: 20 };

/** Two days of traffic over six accounts whose windows, devices and labels straddle every cut. */
function traffic(): Record<string, unknown>[] {
  const ev: Record<string, unknown>[] = [...baseWorld()];
  for (let a = 2; a <= 6; a++) ev.push(account(`A${a}`));
  const T = 9 * HOUR;
  for (let i = 0; i < 160; i++) {
    const acc = `A${1 + (i % 6)}`;
    const small = i % 5 === 0;
    ev.push(
      tx(T + i * 7 * MIN, {
        id: `s-${i}`,
        accountId: acc,
        amount: small ? 1_500 + i * 10 : 40_000 + ((i * 7919) % 200_000),
        merchantId: `M${1 + (i % 4)}`,
        terminalId: `T${1 + (i % 4)}`,
        deviceId: i % 9 === 0 ? `D-new-${i}` : `D${1 + (i % 6)}`,
        ip: `10.0.${i % 3}.1`,
      }),
    );
    if (i % 23 === 0) ev.push({ type: 'account_event', ts: at(T + i * 7 * MIN + MIN), accountId: acc, kind: 'password_reset', deviceId: `D-reset-${i}` });
    if (i % 31 === 7) ev.push({ type: 'label', ts: at(T + i * 7 * MIN + 2 * MIN), txId: `s-${i - 3}`, fraud: true, source: 'chargeback' });
  }
  for (let i = 0; i < 12; i++) ev.push(tx(T + DAY + i * 20 * MIN, { id: `n-${i}`, accountId: `A${1 + (i % 6)}`, amount: 90_000 + i * 1_000 }));
  return ev;
}

/** Answers of a server that never restarts. */
async function reference(inputs: Record<string, unknown>[]): Promise<Answer[]> {
  const a = await startTestServer({ snapshots: false });
  try {
    return await feed(a.url, a.keys.admin, inputs);
  } finally {
    await a.close();
  }
}

function sameAnswers(got: Answer[], want: Answer[], from = 0): void {
  assert.equal(got.length, want.length - from);
  for (let i = 0; i < got.length; i++) {
    assert.deepEqual(stable(got[i].json), stable(want[from + i].json), `decision ${from + i} (${want[from + i].json.txId})`);
  }
}

async function restart(s: TestServer, snapshots: object | false = ON_REQUEST): Promise<TestServer> {
  await s.close(true);
  return startTestServer({ dir: s.dir, keys: s.keys, snapshots: snapshots as never });
}

test('a restart starts from the checkpointer\'s snapshot, replays only the journal after it, and decides like a server that never stopped', async () => {
  const inputs = traffic();
  const want = await reference(inputs);
  const cut = Math.floor(inputs.length * 0.55);
  const cut2 = Math.floor(inputs.length * 0.8);
  let b = await startTestServer({ snapshots: ON_REQUEST });
  try {
    const got = await feed(b.url, b.keys.admin, inputs.slice(0, cut));
    const snap = await b.server.checkpointer!.snapshotNow();
    assert.ok(snap !== null);
    assert.equal(snap.seq, await journalSeq(b.url, b.keys.analyst), 'the snapshot covers everything journaled');
    got.push(...(await feed(b.url, b.keys.admin, inputs.slice(cut, cut2))));
    const before = await journalSeq(b.url, b.keys.analyst);
    b = await restart(b);
    const r = b.server.recovery;
    assert.equal(r.snapshot?.seq, snap.seq);
    assert.equal(r.events, before - snap.seq, 'only the entries after the snapshot were replayed');
    assert.equal(r.lastSeq, before);
    assert.equal(r.changedDecisions, 0);
    got.push(...(await feed(b.url, b.keys.admin, inputs.slice(cut2))));
    sameAnswers(got, want);
    // a payment decided before the snapshot is still known: re-posting it replays the stored answer
    const old = inputs.find((e) => e.id === 's-3')!;
    const again = await call(b.url, '/v1/decisions', { key: b.keys.decide, body: old });
    assert.equal(again.headers['fengkong-replayed'], 'true');
    assert.deepEqual(stable(again.json), stable(want.find((x) => x.json.txId === 's-3')!.json));
  } finally {
    await b.close();
  }
});

test('the checkpointer writes every N entries and keeps the newest two; `fengkong snapshot` writes one offline', async () => {
  const inputs = traffic();
  let s = await startTestServer({ snapshots: { everyEntries: 25, pollMs: 10 } });
  try {
    const cp = s.server.checkpointer!;
    // in three parts of 25+ entries each, so the checkpointer (a low-priority thread) has its turn after each
    const parts = [0, 70, 140, inputs.length];
    for (let p = 0; p < 3; p++) {
      await feed(s.url, s.keys.admin, inputs.slice(parts[p], parts[p + 1]));
      const seq = await journalSeq(s.url, s.keys.analyst);
      for (let i = 0; i < 400 && !cp.written.some((w) => w.seq > seq - 25); i++) await new Promise((r) => setTimeout(r, 25));
    }
    const end = await journalSeq(s.url, s.keys.analyst);
    assert.ok(cp.written.length >= 3, `${cp.written.length} snapshots written`);
    assert.ok(cp.written.every((w, i) => i === 0 || w.seq - cp.written[i - 1].seq >= 25), 'one every 25 entries or more');
    const files = listSnapshots(snapshotsDir(s.dir));
    assert.equal(files.length, 2, 'only the newest two are kept');
    assert.deepEqual(files.map((f) => f.seq), cp.written.slice(-2).map((w) => w.seq).reverse());
    await s.close(true);
    // offline, with the server stopped: a snapshot of the whole journal
    const out = execFileSync(process.execPath, [BIN, 'snapshot', '--data', s.dir], { encoding: 'utf8' });
    assert.match(out, new RegExp(`engine-0*${end}\\.fks`));
    s = await startTestServer({ dir: s.dir, keys: s.keys, snapshots: ON_REQUEST });
    assert.equal(s.server.recovery.snapshot?.seq, end);
    assert.equal(s.server.recovery.events, 0);
  } finally {
    await s.close();
  }
});

test('a corrupt or truncated snapshot is skipped with the reason, never trusted', async () => {
  const inputs = traffic();
  const want = await reference(inputs);
  const cuts = [Math.floor(inputs.length * 0.3), Math.floor(inputs.length * 0.5), Math.floor(inputs.length * 0.7)];
  let s = await startTestServer({ snapshots: { ...ON_REQUEST, keep: 3 } });
  try {
    const got: Answer[] = [];
    let from = 0;
    const seqs: number[] = [];
    for (const c of cuts) {
      got.push(...(await feed(s.url, s.keys.admin, inputs.slice(from, c))));
      from = c;
      seqs.push((await s.server.checkpointer!.snapshotNow())!.seq);
    }
    const [oldest, middle, newest] = listSnapshots(snapshotsDir(s.dir)).reverse();
    assert.deepEqual([oldest.seq, middle.seq, newest.seq], seqs);
    // newest: one flipped byte in the body; middle: cut short
    const bytes = readFileSync(newest.file);
    bytes[bytes.length - 1000] ^= 0x40;
    writeFileSync(newest.file, bytes);
    truncateSync(middle.file, Math.floor(readFileSync(middle.file).length / 2));
    s = await restart(s, { ...ON_REQUEST, keep: 3 });
    const r = s.server.recovery;
    assert.equal(r.snapshot?.seq, oldest.seq, 'the oldest sound snapshot was used');
    assert.deepEqual(r.snapshotsSkipped?.map((x) => x.file), [newest.file, middle.file]);
    assert.match(r.snapshotsSkipped![0].reason, /checksum/);
    assert.match(r.snapshotsSkipped![1].reason, /truncated/);
    got.push(...(await feed(s.url, s.keys.admin, inputs.slice(from))));
    sameAnswers(got, want);
  } finally {
    await s.close();
  }
});

test('a snapshot made for other windows, or from another journal, is not used', async () => {
  const inputs = traffic();
  let s = await startTestServer({ snapshots: ON_REQUEST });
  let other: TestServer | null = null;
  try {
    await feed(s.url, s.keys.admin, inputs.slice(0, 60));
    const good = (await s.server.checkpointer!.snapshotNow())!;
    await feed(s.url, s.keys.admin, inputs.slice(60, 120));
    await s.close(true);
    // the same journal replayed under a policy with other windows, written as the newest snapshot
    const policy = compileVersion({
      name: 'other-windows',
      sources: [{ file: 'a.fk', text: 'feature tx_2h = count by account over 2h buckets 4\nrule BUSY\n  when tx_2h >= 50\n  score 10\n' }],
    });
    const store = new SqliteStore(s.dir, { readonly: true });
    const e = new Engine(policy);
    let last: JournalEntry | null = null;
    store.forEachEventInRange({}, (entry) => {
      replayEntry(e, entry, last?.seq ?? 0);
      last = entry;
    });
    store.close();
    const lastEntry = last as unknown as JournalEntry;
    writeEngineSnapshot(e, snapshotsDir(s.dir), { seq: lastEntry.seq, policy: { name: policy.name, key: null, modelHash: null }, writer: 'test', mark: markOf(lastEntry) });
    // and a sound snapshot of another data folder's journal, copied in under a higher seq
    other = await startTestServer({ snapshots: ON_REQUEST });
    await feed(other.url, other.keys.admin, inputs.slice(0, 140));
    const foreign = (await other.server.checkpointer!.snapshotNow())!;
    mkdirSync(snapshotsDir(s.dir), { recursive: true });
    copyFileSync(foreign.file, join(snapshotsDir(s.dir), `engine-${String(lastEntry.seq - 1).padStart(12, '0')}.fks`));
    s = await startTestServer({ dir: s.dir, keys: s.keys, snapshots: ON_REQUEST });
    const r = s.server.recovery;
    assert.equal(r.snapshot?.seq, good.seq, 'the sound snapshot of this journal and these windows was used');
    const reasons = r.snapshotsSkipped!.map((x) => x.reason);
    assert.match(reasons[0], /other windows/);
    assert.match(reasons[1], /differs from the one the snapshot was made from|ends at/);
  } finally {
    await s.close();
    await other?.close();
  }
});

test('the checkpointer follows a newly published policy: its next snapshot holds the new windows, and a restart uses it', async () => {
  let s = await startTestServer({ snapshots: ON_REQUEST });
  const admin2 = addAdmin(s.dir);
  try {
    const inputs = traffic();
    await feed(s.url, s.keys.admin, inputs.slice(0, 100));
    const v1 = (await s.server.checkpointer!.snapshotNow())!;
    const files = defaultFiles();
    files['70-extra.fk'] = 'feature ip_tx_24h = count by ip over 24h buckets 4\nrule BUSY_IP\n  when ip_tx_24h >= 500\n  score 5\n';
    const { version } = await publish(s, s.keys.admin, admin2, files, 'adds an ip window');
    await waitLive(s, s.keys.admin, version);
    await feed(s.url, s.keys.admin, inputs.slice(100));
    const v2 = (await s.server.checkpointer!.snapshotNow())!;
    const h = readSnapshotHeader(v2.file).header;
    assert.match(h.policy.key ?? '', new RegExp(`^${version}\\u0001?`));
    // the ip group gained a window: its signature is new, and only the second snapshot holds it
    const oldGroups = readSnapshotHeader(v1.file).header.windowGroups;
    assert.deepEqual(h.windowGroups.filter((g) => !oldGroups.includes(g)).map((g) => g.slice(0, g.indexOf('\n'))), ['ip']);
    const before = await journalSeq(s.url, s.keys.analyst);
    s = await restart(s);
    assert.equal(s.server.recovery.snapshot?.seq, v2.seq);
    assert.equal(s.server.recovery.events, before - v2.seq);
  } finally {
    await s.close();
  }
});

test('account actions taken before and after the snapshot are applied where a full replay applies them', async () => {
  const inputs = traffic();
  const cuts = [Math.floor(inputs.length * 0.3), Math.floor(inputs.length * 0.45), Math.floor(inputs.length * 0.6), Math.floor(inputs.length * 0.75)];
  const freeze = { action: 'freeze', reason: 'test: suspected takeover' };
  const unfreeze = { action: 'unfreeze', reason: 'test: customer verified' };
  // one server that never stops, one that snapshots between the actions and restarts after them
  const a = await startTestServer({ snapshots: false });
  let b = await startTestServer({ snapshots: ON_REQUEST });
  try {
    const act = async (s: TestServer, account: string, body: object): Promise<void> => {
      const r = await call(s.url, `/v1/accounts/${account}/actions`, { key: s.keys.admin, body });
      assert.equal(r.status, 201, r.text);
    };
    const want: Answer[] = [];
    const got: Answer[] = [];
    const step = async (from: number, to: number): Promise<void> => {
      want.push(...(await feed(a.url, a.keys.admin, inputs.slice(from, to))));
      got.push(...(await feed(b.url, b.keys.admin, inputs.slice(from, to))));
    };
    await step(0, cuts[0]);
    for (const s of [a, b]) await act(s, 'A2', freeze);
    await step(cuts[0], cuts[1]);
    const snap = (await b.server.checkpointer!.snapshotNow())!; // A2 frozen in it
    for (const s of [a, b]) await act(s, 'A3', freeze);
    await step(cuts[1], cuts[2]);
    for (const s of [a, b]) await act(s, 'A2', unfreeze);
    await step(cuts[2], cuts[3]);
    b = await restart(b);
    assert.equal(b.server.recovery.snapshot?.seq, snap.seq);
    await step(cuts[3], inputs.length);
    sameAnswers(got, want);
    const frozen = (id: string): boolean => got.some((x) => x.json.reasons.some((r: { code: string }) => /FROZEN/.test(r.code)) && inputs.find((e) => e.id === x.json.txId)?.accountId === id);
    assert.ok(frozen('A2') && frozen('A3'), 'the freezes decided payments on both sides of the snapshot');
  } finally {
    await a.close();
    await b.close();
  }
});
