// The Bloom filter that lets new payments skip the journal lookup: never a false "no", few false "maybe"s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeenIds } from '../../src/server/seen-ids.js';

test('every added id is reported; unknown ids rarely are, as the filter grows', () => {
  const s = new SeenIds();
  const n = 300_000;
  for (let i = 0; i < n; i++) s.add(`tx-${i}`);
  for (let i = 0; i < n; i++) assert.ok(s.mightContain(`tx-${i}`), `tx-${i}`);
  let fp = 0;
  for (let i = 0; i < 100_000; i++) if (s.mightContain(`other-${i}`)) fp++;
  assert.ok(fp / 100_000 < 0.03, `false positive rate ${fp / 100_000}`);
  assert.equal(s.size, n);
  assert.ok(s.bytes < 2 * 1024 * 1024, `${s.bytes} bytes for ${n} ids`);
});
