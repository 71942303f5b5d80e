// ShardedMap agrees with a Map through its split (keys moving a few per insert while lookups,
// inserts and deletes go on), and a copy built from its iteration — as a snapshot's reader builds
// one — iterates in the same order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShardedMap } from '../../src/features/sharded-map.js';
import { Rng } from '../../src/sim/rng.js';

test('ShardedMap agrees with a Map before, during and after its split, and a copy from its iteration iterates the same', () => {
  const rng = new Rng(5);
  const rnd = (n: number): number => rng.int(0, n - 1);
  const m = new ShardedMap<number>();
  const model = new Map<string, number>();
  let checkedDuringSplit = 0;
  for (let step = 0; step < 120_000; step++) {
    const key = `k-${rnd(60_000)}`;
    const op = rnd(10);
    if (op < 6) {
      m.set(key, step);
      model.set(key, step);
    } else if (op < 8) {
      assert.equal(m.delete(key), model.delete(key), `delete ${key} at ${step}`);
    } else {
      assert.equal(m.get(key), model.get(key), `get ${key} at ${step}`);
      if ((m as unknown as { moving: unknown }).moving !== null) checkedDuringSplit++;
    }
    assert.equal(m.size, model.size, `size at ${step}`);
  }
  assert.ok(m.split, 'the map split');
  assert.ok(checkedDuringSplit > 50, `${checkedDuringSplit} lookups while the split was under way`);
  const seen = new Map<string, number>();
  m.forEach((v, k) => seen.set(k, v));
  assert.deepEqual([...seen.entries()].sort(), [...model.entries()].sort());
  // a reader restores it as a snapshot does: split first when it was, then the entries in order
  const copy = new ShardedMap<number>();
  if (m.split) copy.divide();
  m.forEach((v, k) => copy.set(k, v));
  const order = (x: ShardedMap<number>): string[] => {
    const out: string[] = [];
    x.forEach((_, k) => out.push(k));
    return out;
  };
  assert.deepEqual(order(copy), order(m));
});

test('a split under way reads old keys from the old Map, newer values from the shards, and forgets deleted keys in both', () => {
  const m = new ShardedMap<number>();
  for (let i = 0; i < 32_768; i++) m.set(`a${i}`, i); // the last insert begins the split
  assert.ok(m.split);
  assert.notEqual((m as unknown as { moving: unknown }).moving, null, 'keys are still moving');
  m.set('a32000', -1); // a key most likely not moved yet
  m.delete('a31999');
  assert.equal(m.get('a32000'), -1);
  assert.equal(m.get('a31999'), undefined);
  assert.equal(m.get('a5'), 5);
  m.settle();
  assert.equal((m as unknown as { moving: unknown }).moving, null);
  assert.equal(m.get('a32000'), -1, 'the newer value survives the move');
  assert.equal(m.get('a31999'), undefined, 'a deleted key is not moved back');
  assert.equal(m.size, 32_767);
});
