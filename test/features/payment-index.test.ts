import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/sim/rng.js';
import { PaymentIndex } from '../../src/features/payment-index.js';

test('payment index: positions stay valid across chunks, old payments are forgotten oldest first', () => {
  const ix = new PaymentIndex();
  const n = 150_000; // more than two chunks of 65,536
  for (let i = 0; i < n; i++) ix.add(`tx${i}`, `a${i % 7}`, i * 1000, i % 11, i % 13);
  assert.equal(ix.size, n);
  const p = ix.find('tx70000');
  assert.ok(p >= 0);
  assert.deepEqual([ix.time(p), ix.account(p), ix.terminal(p), ix.merchant(p), ix.isFraud(p)], [70_000_000, `a${70000 % 7}`, 70000 % 11, 70000 % 13, false]);
  ix.setFraud(p, true);
  assert.equal(ix.isFraud(ix.find('tx70000')), true);
  ix.forgetUpTo(99_999 * 1000);
  assert.equal(ix.size, n - 100_000);
  assert.equal(ix.has('tx99999'), false);
  assert.equal(ix.find('tx0'), -1);
  assert.equal(ix.has('tx100000'), true);
  const q = ix.find('tx149999');
  assert.equal(ix.time(q), 149_999_000);
  for (let i = n; i < n + 10; i++) ix.add(`tx${i}`, 'a', i * 1000, 0, 0);
  assert.equal(ix.time(ix.find(`tx${n + 9}`)), (n + 9) * 1000);
});

test('payment index agrees with a Map under random adds, repeats, lookups and forgetting', () => {
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const ix = new PaymentIndex();
  const model = new Map<string, number>(); // id → time of its newest payment
  const times: [string, number][] = [];
  let t = 0;
  let forgotten = -1;
  for (let step = 0; step < 60_000; step++) {
    t += 1 + rnd(3);
    // ids drawn from a small space so repeats and hash-neighbour churn happen often
    const id = `p${rnd(20_000)}`;
    if (rnd(10) === 0) {
      const pos = ix.find(id);
      assert.equal(pos >= 0 ? ix.time(pos) : -1, model.get(id) ?? -1, `find ${id} at step ${step}`);
      continue;
    }
    ix.add(id, 'a', t, 0, 0);
    model.set(id, t);
    times.push([id, t]);
    if (step % 997 === 0) {
      const cutoff = t - 5_000;
      ix.forgetUpTo(cutoff);
      for (; forgotten + 1 < times.length && times[forgotten + 1][1] <= cutoff; forgotten++) {
        const [old, ot] = times[forgotten + 1];
        if (model.get(old) === ot) model.delete(old);
      }
      assert.equal(ix.size, times.length - forgotten - 1);
    }
  }
  for (const [id, time] of model) assert.equal(ix.time(ix.find(id)), time, id);
  for (let k = 0; k < 20_000; k++) if (!model.has(`p${k}`)) assert.equal(ix.has(`p${k}`), false, `p${k}`);
});

test('payment index: while an outgrown table moves into one twice its size, every lookup, repeat and forgetting agrees with a Map — and a snapshot taken mid-move reads back to the same state', async () => {
  const { SnapshotReader, SnapshotWriter } = await import('../../src/codec/codec.js');
  const bytesOf = (ix: PaymentIndex): Buffer => {
    const w = new SnapshotWriter();
    ix.writeSnapshot(w);
    return Buffer.concat(w.finish().parts);
  };
  // the simulator's generator: the low bits of a power-of-two LCG repeat too soon for probes to meet the ids added
  const rng = new Rng(11);
  const rnd = (n: number): number => rng.int(0, n - 1);
  let ix = new PaymentIndex();
  const model = new Map<string, number>();
  const times: [string, number][] = [];
  let forgotten = -1;
  let snapshots = 0;
  let foundDuringMoves = 0;
  // the index grows through 4,096 … 65,536 slots; ids repeat often, and old payments are forgotten throughout
  for (let t = 1; t <= 40_000; t++) {
    const id = `q${rnd(30_000)}`;
    ix.add(id, 'a', t, 0, 0);
    model.set(id, t);
    times.push([id, t]);
    if (t % 500 === 0) {
      const cutoff = Math.floor(t / 2); // the older half goes: forgetting meets every move while the index still grows
      ix.forgetUpTo(cutoff);
      for (; forgotten + 1 < times.length && times[forgotten + 1][1] <= cutoff; forgotten++) {
        const [old, ot] = times[forgotten + 1];
        if (model.get(old) === ot) model.delete(old);
      }
    }
    // every lookup agrees with the model, a move under way or not
    const probe = `q${rnd(30_000)}`;
    const pos = ix.find(probe);
    assert.equal(pos >= 0 ? ix.time(pos) : -1, model.get(probe) ?? -1, `find ${probe} at ${t}`);
    if (pos >= 0 && (ix as unknown as { old: Int32Array | null }).old !== null) foundDuringMoves++;
    if (t === 4_200 || t === 8_300 || t === 16_500) {
      // just past a doubling: the move is under way
      const bytes = bytesOf(ix);
      const back = new PaymentIndex();
      back.readSnapshot(new SnapshotReader(bytes));
      assert.ok(bytesOf(back).equals(bytes), `snapshot at ${t} reads back to the same bytes`);
      assert.ok((ix as unknown as { old: Int32Array | null }).old !== null, `a move is under way at ${t}`);
      ix = back;
      snapshots++;
    }
  }
  assert.equal(snapshots, 3);
  assert.ok(foundDuringMoves > 100, `${foundDuringMoves} payments found while a move was under way`);
  // no entry of a forgotten or replaced payment was carried along: one entry per id held
  const inner = ix as unknown as { old: Int32Array | null; table: Int32Array };
  assert.equal(inner.old, null, 'the last move ended');
  let entries = 0;
  for (let i = 1; i < inner.table.length; i += 2) if (inner.table[i] > 0) entries++;
  assert.equal(entries, model.size);
  for (const [id, time] of model) assert.equal(ix.time(ix.find(id)), time, id);
  for (let k = 0; k < 30_000; k++) if (!model.has(`q${k}`)) assert.equal(ix.has(`q${k}`), false, `q${k}`);
});
