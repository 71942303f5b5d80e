// Engine snapshots, part by part and whole: written, read back into fresh objects, the restored
// engine decides the rest of a simulated stream exactly like one that never stopped (decisions,
// every feature value, and finally its whole state byte for byte).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FkEvent } from '../../src/contract/events.js';
import { parseEvent } from '../../src/contract/parse.js';
import { Engine } from '../../src/engine/engine.js';
import { SnapshotReader, SnapshotWriter } from '../../src/codec/codec.js';
import { AccountState } from '../../src/features/account-state.js';
import { LabelKnowledge } from '../../src/features/labels.js';
import { ReferenceData } from '../../src/features/reference.js';
import type { ShardedMap } from '../../src/features/sharded-map.js';
import { compileVersion } from '../../src/policy/compiled.js';
import { simulate } from '../../src/sim/simulate.js';
import { defaultPolicy } from './world.js';

const root = mkdtempSync(join(tmpdir(), 'fk-snap-engine-'));
after(() => rmSync(root, { recursive: true, force: true }));

let events: FkEvent[] = [];
before(async () => {
  // 300 accounts over 40 days: every event type, labels on payments and entities, sweeps and
  // payments leaving the 30-day lookback, distinct and pair-keyed windows
  await simulate({ outDir: root, seed: 11, accounts: 300, days: 40 });
  events = readFileSync(join(root, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => parseEvent(JSON.parse(l)));
});

function encode(write: (w: SnapshotWriter) => void): Buffer {
  const w = new SnapshotWriter();
  write(w);
  const body = w.finish();
  const buf = Buffer.concat(body.parts);
  assert.equal(buf.length, body.bytes);
  return buf;
}

function snapshotOf(e: Engine): Buffer {
  return encode((w) => e.writeSnapshot(w));
}

function restored(buf: Buffer, policy = defaultPolicy()): Engine {
  const e = new Engine(policy);
  const r = new SnapshotReader(buf);
  e.readSnapshot(r);
  assert.equal(r.remaining, 0, 'the whole body was read');
  return e;
}

function run(e: Engine, from: number, to: number): void {
  for (let i = from; i < to; i++) e.apply(events[i]);
}

function sameVector(a: Engine, b: Engine, where: string): void {
  const x = a.lastVector, y = b.lastVector;
  for (let i = 0; i < x.num.length; i++) {
    if (!Object.is(x.num[i], y.num[i])) assert.fail(`${where}: feature slot ${i} is ${y.num[i]}, never-stopped engine has ${x.num[i]}`);
  }
  assert.deepEqual(y.str, x.str, where);
}

test('a restored engine decides the rest of the stream exactly like one that never stopped', () => {
  assert.ok(events.length > 10_000, `${events.length} events`);
  for (const share of [0.1, 0.55, 0.97]) {
    const cut = Math.floor(events.length * share);
    const a = new Engine(defaultPolicy());
    run(a, 0, cut);
    const b = restored(snapshotOf(a));
    assert.equal(b.now, a.now);
    assert.deepEqual(b.windowSizes(), a.windowSizes());
    let decisions = 0;
    for (let i = cut; i < events.length; i++) {
      const da = a.apply(events[i]);
      const db = b.apply(events[i]);
      assert.deepEqual(db, da, `event ${i} after a snapshot at ${cut}`);
      if (da !== null) {
        decisions++;
        sameVector(a, b, `event ${i} after a snapshot at ${cut}`);
      }
    }
    assert.ok(decisions > 100, `${decisions} decisions after the cut`);
    // the whole state, not just what the stream happened to read, is the same
    assert.ok(snapshotOf(b).equals(snapshotOf(a)), `state after the stream (snapshot at ${cut})`);
  }
});

test('each part reads back to the same bytes (reference, accounts, labels with the payment index, windows)', () => {
  const a = new Engine(defaultPolicy());
  run(a, 0, Math.floor(events.length * 0.8));
  // the parts the engine keeps to itself, opened here to check each part's codec on its own
  const inner = a as unknown as { ref: ReferenceData; memory: ShardedMap<AccountState>; knowledge: LabelKnowledge };
  const remembered: [string, AccountState][] = [];
  inner.memory.forEach((x, id) => remembered.push([id, x]));
  assert.ok(inner.knowledge.payments.size > 1000 && inner.memory.size > 100);

  const ref = encode((w) => inner.ref.writeSnapshot(w));
  const ref2 = new ReferenceData();
  ref2.readSnapshot(new SnapshotReader(ref));
  assert.deepEqual([...ref2.merchants], [...inner.ref.merchants]);
  assert.deepEqual([...ref2.terminals], [...inner.ref.terminals]);
  assert.deepEqual([...ref2.acquirers], [...inner.ref.acquirers]);
  assert.ok(encode((w) => ref2.writeSnapshot(w)).equals(ref));

  const acc = encode((w) => AccountState.writeSnapshot(inner.memory, w));
  const accounts = AccountState.readSnapshot(new SnapshotReader(acc));
  assert.deepEqual([...accounts.keys()], remembered.map(([id]) => id));
  for (const [id, x] of remembered) {
    const y = accounts.get(id)!;
    for (const k of ['creditLimit', 'outstanding', 'lastTxT', 'amountMean', 'txCount', 'ratingScore', 'owingSince'] as const) {
      assert.ok(Object.is(y[k], x[k]), `${id}.${k}`);
    }
    assert.deepEqual([y.deviceList(), y.complaints, y.deviceChanges, y.kyc, y.lastDevice], [x.deviceList(), x.complaints, x.deviceChanges, x.kyc, x.lastDevice]);
  }
  assert.ok(encode((w) => AccountState.writeSnapshot(accounts, w)).equals(acc));

  const lab = encode((w) => inner.knowledge.writeSnapshot(w));
  const labels = new LabelKnowledge();
  labels.readSnapshot(new SnapshotReader(lab));
  assert.equal(labels.payments.size, inner.knowledge.payments.size);
  for (const id of ['tx-00000010', 'tx-00001000', 'tx-00005000', 'no-such-payment']) {
    const p = inner.knowledge.payments.find(id), q = labels.payments.find(id);
    assert.equal(q, p, id);
    if (p >= 0) assert.deepEqual([labels.payments.time(q), labels.payments.account(q), labels.payments.isFraud(q)], [inner.knowledge.payments.time(p), inner.knowledge.payments.account(p), inner.knowledge.payments.isFraud(p)]);
  }
  assert.deepEqual([...labels.accountsWithFraud], [...inner.knowledge.accountsWithFraud]);
  assert.ok(encode((w) => labels.writeSnapshot(w)).equals(lab));

  // window groups: every group, keys, free lists and distinct pools (through the engine, which owns them)
  const whole = snapshotOf(a);
  const b = restored(whole);
  assert.deepEqual(b.windowSizes(), a.windowSizes());
  assert.deepEqual(b.windowSignatures, a.windowSignatures);
  assert.ok(snapshotOf(b).equals(whole));
});

test('a snapshot serves a policy whose window groups it holds, and refuses one it lacks', () => {
  const a = new Engine(defaultPolicy());
  run(a, 0, 3_000);
  const buf = snapshotOf(a);
  // fewer window groups (a group is all windows of one key): the groups it has are restored, the others skipped
  const subset = compileVersion({
    name: 'subset',
    sources: [{ file: 'a.fk', text: 'feature shared = distinct(account) by device over 24h buckets 8\nrule BUSY\n  when shared >= 50\n  score 10\n' }],
  });
  const s = restored(buf, subset);
  assert.deepEqual(s.windowSizes(), { device: a.windowSizes().device });
  assert.ok(a.windowSizes().device > 0);
  // a window the snapshot never kept: refused, never guessed
  const other = compileVersion({
    name: 'other',
    sources: [{ file: 'a.fk', text: 'feature tx_2h = count by account over 2h buckets 4\nrule BUSY\n  when tx_2h >= 50\n  score 10\n' }],
  });
  assert.throws(() => restored(buf, other), /no state for window group/);
});

test('a body that does not match its parts is refused, not decoded into garbage', () => {
  const a = new Engine(defaultPolicy());
  run(a, 0, 2_000);
  const buf = snapshotOf(a);
  assert.throws(() => restored(buf.subarray(0, buf.length - 100)), /ends early|past the end|out of step|length/);
  const shifted = Buffer.concat([buf.subarray(0, 200), Buffer.alloc(3), buf.subarray(200)]);
  assert.throws(() => restored(shifted));
  assert.throws(() => new Engine(defaultPolicy()).readSnapshot(new SnapshotReader(Buffer.from('not a snapshot'))));
  const used = new Engine(defaultPolicy());
  run(used, 0, 10);
  assert.throws(() => used.readSnapshot(new SnapshotReader(buf)), /fresh engine/);
});

test('codec: numbers bit for bit, strings shared through one table, typed arrays, skippable blocks', () => {
  const w = new SnapshotWriter();
  w.tag('TEST');
  for (const v of [0, -0, 1.5, NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2]) w.f64(v);
  w.u32(0xffffffff);
  w.i32(-5);
  w.bool(true);
  w.str('深圳珠宝行');
  w.str(null);
  w.strs(['a', 'b', 'a', null, '深圳珠宝行', '']);
  w.f64s(new Float64Array([1, NaN, -Infinity]));
  w.u8s(new Uint8Array([1, 2, 3]).subarray(1));
  const mark = w.begin();
  w.f64s(new Float64Array(1000));
  w.end(mark);
  w.i32s(new Int32Array([-1, 2]));
  const body = w.finish();
  assert.equal(body.strings, 4, "'a', 'b', '深圳珠宝行' and '' once each");
  const r = new SnapshotReader(Buffer.concat(body.parts));
  r.expect('TEST');
  for (const v of [0, -0, 1.5, NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2]) assert.ok(Object.is(r.f64(), v));
  assert.equal(r.u32(), 0xffffffff);
  assert.equal(r.i32(), -5);
  assert.equal(r.bool(), true);
  assert.equal(r.str(), '深圳珠宝行');
  assert.equal(r.optStr(), null);
  assert.deepEqual(r.strs(), ['a', 'b', 'a', null, '深圳珠宝行', '']);
  assert.deepEqual([...r.f64s()], [1, NaN, -Infinity]);
  assert.deepEqual([...r.u8s()], [2, 3]);
  r.skipTo(r.block());
  assert.deepEqual([...r.i32s()], [-1, 2]);
  assert.equal(r.remaining, 0);
  const bad = new SnapshotReader(Buffer.concat(body.parts));
  assert.throws(() => bad.expect('NOPE'), /out of step: expected part 'NOPE', found 'TEST'/);
});

test('every field of the engine and of an account is either in the snapshot or deliberately left out', () => {
  // a field added to these classes must be added to the snapshot (or to the list of what it leaves out)
  const e = new Engine(defaultPolicy());
  for (const k of Object.keys(e)) assert.ok(Engine.SNAPSHOT_FIELDS.includes(k), `Engine.${k} is not in the snapshot`);
  const a = new AccountState('x');
  for (const k of Object.keys(a)) assert.ok(AccountState.SNAPSHOT_FIELDS.includes(k), `AccountState.${k} is not in the snapshot`);
  // and writing refuses an engine that has grown one
  (e as unknown as Record<string, unknown>).surprise = 1;
  assert.throws(() => snapshotOf(e), /field 'surprise' is not in the engine snapshot/);
});
