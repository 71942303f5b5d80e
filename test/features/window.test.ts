/**
 * Bucketed windows against a brute force that keeps every event and applies the documented bucket
 * semantics, plus the guarantee that a bucketed read covers between L - w and L of exact history.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DISTINCT_CAP, WindowLayout, type KeyWindows, type WindowSpec } from '../../src/features/window-layout.js';
import { KeyedWindows } from '../../src/features/keyed-windows.js';
import type { WindowAgg } from '../../src/rules/policy-types.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = 1_700_006_400_000; // a day boundary (UTC)

/** mulberry32: small, seedable, good enough to drive streams. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const logUniform = (r: () => number, lo: number, hi: number) => Math.round(Math.exp(Math.log(lo) + r() * (Math.log(hi) - Math.log(lo))));

interface Ev { b: number; ts: number; v: number; s: string }

/** One window of one key, kept exactly: every accepted event, and the head the ring would have. */
class RefWindow {
  readonly evs: Ev[] = [];
  head = -Infinity;
  readonly w: number;
  constructor(readonly spec: WindowSpec) {
    this.w = Math.ceil(spec.lengthMs / spec.buckets);
  }
  add(ts: number, v: number, s: string): void {
    if (this.spec.agg !== 'count' && this.spec.agg !== 'distinct' && !Number.isFinite(v)) return;
    const b = Math.floor(ts / this.w);
    if (b <= this.head - this.spec.buckets) return; // too old for the ring
    if (b > this.head) this.head = b;
    this.evs.push({ b, ts, v, s });
  }
  read(now: number): number {
    const B = this.spec.buckets;
    const hi = Math.min(Math.floor(now / this.w), this.head);
    const lo = Math.max(Math.floor((now - this.spec.lengthMs) / this.w) + 1, this.head - B + 1);
    const inRange = (b: number) => b >= lo && b <= hi;
    const agg = this.spec.agg;
    if (agg === 'distinct') {
      const last = new Map<string, number>();
      for (const e of this.evs) last.set(e.s, Math.max(last.get(e.s) ?? -Infinity, e.b));
      let c = 0;
      for (const b of last.values()) if (inRange(b)) c++;
      return c;
    }
    const vs = this.evs.filter((e) => inRange(e.b)).map((e) => e.v);
    if (agg === 'count') return vs.length;
    if (agg === 'sum') return vs.reduce((a, x) => a + x, 0);
    if (vs.length === 0) return NaN;
    if (agg === 'mean') return vs.reduce((a, x) => a + x, 0) / vs.length;
    return agg === 'max' ? Math.max(...vs) : Math.min(...vs);
  }
}

function randomSpecs(r: () => number, aggs: readonly WindowAgg[], n: number): WindowSpec[] {
  const specs: WindowSpec[] = [];
  for (let i = 0; i < n; i++) {
    const agg = aggs[i % aggs.length];
    // every other window has a length its bucket count divides, the rest a random one
    const buckets = 1 + Math.floor(r() * 60);
    let lengthMs = logUniform(r, MIN, 30 * DAY);
    if (i % 2 === 0) lengthMs = Math.max(1, Math.round(lengthMs / buckets)) * buckets;
    specs.push({ agg, lengthMs, buckets });
  }
  return specs;
}

/** Feeds one random stream to both sides and compares every read. */
function checkAgainstBruteForce(aggs: readonly WindowAgg[], seed: number, events: number, narrow = false): void {
  const r = prng(seed);
  const specs = randomSpecs(r, aggs, 6);
  const layout = new WindowLayout(specs, { narrow });
  const keys = ['a', 'b', 'c', 'd', 'e'];
  const states = new Map<string, KeyWindows>(keys.map((k) => [k, layout.createState()]));
  const refs = new Map(keys.map((k) => [k, specs.map((s) => new RefWindow(s))]));
  let clock = T0;
  for (let n = 0; n < events; n++) {
    const key = keys[Math.floor(r() * keys.length)];
    const late = r() < 0.1;
    if (!late) clock += logUniform(r, 1, 3 * DAY);
    // late events: half anywhere in the last 30 days, half aimed at the ring edge of one window
    const edge = specs[Math.floor(r() * specs.length)];
    const back = r() < 0.5 ? logUniform(r, 1, 30 * DAY) : Math.floor(r() * (edge.buckets + 2) * Math.ceil(edge.lengthMs / edge.buckets));
    const ts = late ? clock - back : clock;
    const v = r() < 0.01 ? [NaN, Infinity, -Infinity][Math.floor(r() * 3)] : Math.floor(r() * 100_000) - 1_000;
    const s = 'm' + Math.floor(r() * 40);
    if (r() < 0.01) {
      // the key is dropped and comes back: its storage (and its sets' blocks) go to the next new key
      layout.release(states.get(key) as KeyWindows);
      states.set(key, layout.createState());
      refs.set(key, specs.map((sp) => new RefWindow(sp)));
    }
    const st = states.get(key) as KeyWindows;
    const ref = refs.get(key) as RefWindow[];
    for (let i = 0; i < specs.length; i++) {
      if (r() < 0.2) continue; // a filter that did not match
      if (specs[i].agg === 'distinct') layout.addDistinct(st, i, ts, s);
      else layout.add(st, i, ts, v);
      ref[i].add(ts, v, s);
    }
    // now: the event, the clock, the future, the past, and just around where the window's start hits an event
    const aim = specs[Math.floor(r() * specs.length)];
    const reads = [ts, clock, clock + logUniform(r, 1, 10 * DAY), clock - logUniform(r, 1, 30 * DAY), ts + aim.lengthMs + Math.floor(r() * 5) - 2];
    for (const k of [key, keys[Math.floor(r() * keys.length)]]) {
      for (const now of reads) {
        for (let i = 0; i < specs.length; i++) {
          const got = layout.read(states.get(k) as KeyWindows, i, now);
          const want = (refs.get(k) as RefWindow[])[i].read(now);
          if (!Object.is(got, want)) {
            assert.fail(`seed ${seed} event ${n} key ${k} window ${JSON.stringify(specs[i])} now ${now}: got ${got}, want ${want}`);
          }
        }
      }
    }
  }
}

for (const agg of ['count', 'sum', 'mean', 'max', 'min', 'distinct'] as const) {
  test(`${agg}: random streams match the bucket-aligned brute force`, () => {
    for (let seed = 1; seed <= 4; seed++) checkAgainstBruteForce([agg], seed * 7919 + agg.length, 1500);
  });
}

test('mixed layouts: windows of every kind side by side in one state', () => {
  checkAgainstBruteForce(['count', 'sum', 'mean', 'max', 'min', 'distinct'], 4242, 2500);
});

test('narrow layouts (keys with the account) read the same as wide ones for whole amounts under 2^24', () => {
  for (let seed = 1; seed <= 3; seed++) checkAgainstBruteForce(['count', 'sum', 'mean', 'max', 'min', 'distinct'], seed * 31 + 7, 1500, true);
});

test('a bucketed read covers between lengthMs - w and lengthMs of exact history', () => {
  const r = prng(99);
  for (let round = 0; round < 20; round++) {
    const spec: WindowSpec = { agg: 'count', lengthMs: logUniform(r, MIN, 30 * DAY), buckets: 1 + Math.floor(r() * 60) };
    const w = Math.ceil(spec.lengthMs / spec.buckets);
    const layout = new WindowLayout([spec]);
    const st = layout.createState();
    const ts: number[] = [];
    let clock = T0 + Math.floor(r() * DAY);
    for (let n = 0; n < 300; n++) {
      clock += logUniform(r, 1, spec.lengthMs);
      const t = r() < 0.1 ? clock - logUniform(r, 1, 2 * spec.lengthMs) : clock;
      layout.add(st, 0, t, 1);
      ts.push(t);
      // half the reads put the window's start within a few ms of an earlier event, where rounding bites
      const aimed = ts[Math.max(0, ts.length - 1 - Math.floor(r() * 20))] + spec.lengthMs + Math.floor(r() * 7) - 3;
      const now = Math.max(clock, r() < 0.5 ? aimed : clock + Math.floor(r() * w * 3));
      const got = layout.read(st, 0, now);
      const inner = ts.filter((x) => x >= now - spec.lengthMs + w && x <= now).length;
      const outer = ts.filter((x) => x > now - spec.lengthMs && x <= now).length;
      assert.ok(inner <= got && got <= outer, `${JSON.stringify(spec)} now ${now}: ${inner} <= ${got} <= ${outer}`);
    }
  }
});

test('empty windows: count/sum/distinct 0, mean/max/min NaN, also once history has aged out', () => {
  const aggs: WindowAgg[] = ['count', 'sum', 'mean', 'max', 'min', 'distinct'];
  const layout = new WindowLayout(aggs.map((agg) => ({ agg, lengthMs: HOUR, buckets: 12 })));
  const st = layout.createState();
  const expectEmpty = (now: number) => assert.deepEqual(aggs.map((_, i) => layout.read(st, i, now)), [0, 0, NaN, NaN, NaN, 0]);
  expectEmpty(T0);
  aggs.forEach((agg, i) => (agg === 'distinct' ? layout.addDistinct(st, i, T0, 'x') : layout.add(st, i, T0, 5)));
  assert.deepEqual(aggs.map((_, i) => layout.read(st, i, T0)), [1, 5, 5, 5, 5, 1]);
  expectEmpty(T0 + HOUR + 1);
  expectEmpty(T0 - 1); // before the event
  layout.add(st, 1, T0, NaN); // unknown amount is ignored, not summed
  assert.equal(layout.read(st, 1, T0), 5);
});

test('a narrow layout: sums exact, mean/max/min single precision (exact for whole fen up to 2^24), counts saturate at 65,535', () => {
  const aggs: WindowAgg[] = ['sum', 'mean', 'max', 'min'];
  const specs = aggs.map((agg) => ({ agg, lengthMs: DAY, buckets: 4 }));
  const wide = new WindowLayout(specs);
  const ws = wide.createState();
  const layout = new WindowLayout(specs, { narrow: true });
  const st = layout.createState();
  const add = (v: number) => aggs.forEach((_, i) => layout.add(st, i, T0, v));
  add(16_777_215); // 2^24 − 1 fen: the largest whole amount every f32 ring keeps exactly
  add(1);
  assert.deepEqual(aggs.map((_, i) => layout.read(st, i, T0)), [16_777_216, 8_388_608, 16_777_215, 1]);
  add(0.1); // a fraction, and a bucket sum past 2^24: the sum stays exact, the baselines round
  for (const v of [16_777_215, 1, 0.1]) aggs.forEach((_, i) => wide.add(ws, i, T0, v));
  assert.deepEqual(aggs.map((_, i) => wide.read(ws, i, T0)), [16_777_216.1, 16_777_216.1 / 3, 16_777_215, 0.1]); // wide: all f64
  const [sum, mean, max, min] = aggs.map((_, i) => layout.read(st, i, T0));
  assert.equal(sum, 16_777_216.1);
  assert.notEqual(mean, 16_777_216.1 / 3); // the mean's sum is held in f32
  assert.ok(Math.abs(mean / (16_777_216.1 / 3) - 1) < 1e-7, `mean ${mean}`);
  assert.equal(max, 16_777_215);
  assert.equal(min, Math.fround(0.1));

  const counts = new WindowLayout([{ agg: 'count', lengthMs: DAY, buckets: 2 }, { agg: 'mean', lengthMs: DAY, buckets: 2 }], { narrow: true });
  const c = counts.createState();
  for (let n = 0; n < 70_000; n++) {
    counts.add(c, 0, T0, 1);
    counts.add(c, 1, T0, n < 65_535 ? 2 : 1000); // a saturated bucket takes no more into its mean
  }
  counts.add(c, 0, T0 + DAY / 2, 1); // the next bucket counts on
  assert.deepEqual([counts.read(c, 0, T0 + DAY / 2), counts.read(c, 1, T0)], [65_536, 2]);
  const wideCounts = new WindowLayout([{ agg: 'count', lengthMs: DAY, buckets: 2 }]);
  const wc = wideCounts.createState();
  for (let n = 0; n < 70_000; n++) wideCounts.add(wc, 0, T0, 1);
  assert.equal(wideCounts.read(wc, 0, T0), 70_000);
});

test('late events land in their bucket while it is in the ring, else are ignored; future events are not read', () => {
  const layout = new WindowLayout([{ agg: 'count', lengthMs: 10 * MIN, buckets: 10 }]);
  const st = layout.createState();
  const base = Math.floor(T0 / MIN) * MIN;
  layout.add(st, 0, base + 100 * MIN, 1);
  layout.add(st, 0, base + 95 * MIN, 1); // late, bucket still in the ring
  layout.add(st, 0, base + 85 * MIN, 1); // late, older than the ring: ignored, no throw
  layout.add(st, 0, NaN, 1); // garbage timestamp: ignored
  assert.equal(layout.read(st, 0, base + 100 * MIN), 2);
  assert.equal(layout.read(st, 0, base + 95 * MIN + 30_000), 1); // a read before the head sees the ring only
  layout.add(st, 0, base + 103 * MIN, 1);
  assert.equal(layout.read(st, 0, base + 102 * MIN), 2); // the event at 103 min is in its future
  assert.equal(layout.read(st, 0, base + 103 * MIN), 3);
  assert.equal(layout.read(st, 0, base + 105 * MIN + 59_999), 2); // the 95 min bucket has left the window
});

test('distinct keeps at most DISTINCT_CAP values, dropping the least recently seen', () => {
  const layout = new WindowLayout([{ agg: 'distinct', lengthMs: 1000 * MIN, buckets: 1000 }]);
  const st = layout.createState();
  const base = Math.floor(T0 / MIN) * MIN;
  for (let i = 0; i < 300; i++) layout.addDistinct(st, 0, base + i * MIN, 'v' + i);
  const end = base + 299 * MIN;
  assert.equal(layout.read(st, 0, end), DISTINCT_CAP);
  // kept: v44 … v299. A read whose window starts at minute 100 sees v100 … v299.
  assert.equal(layout.read(st, 0, base + 1099 * MIN), 200);
  layout.addDistinct(st, 0, end, 'v10'); // dropped long ago, so new again: v44 makes room
  assert.equal(layout.read(st, 0, end), DISTINCT_CAP);
  assert.equal(layout.read(st, 0, base + 1099 * MIN), 201);
  layout.addDistinct(st, 0, base + 10 * MIN, 'old'); // older than everything kept: not worth a slot
  assert.equal(layout.read(st, 0, base + 1099 * MIN), 201);
});

test('expiry, sweep and reuse of swept storage', () => {
  const layout = new WindowLayout([
    { agg: 'count', lengthMs: 10 * MIN, buckets: 10 },
    { agg: 'max', lengthMs: HOUR, buckets: 6 },
    { agg: 'distinct', lengthMs: 30 * MIN, buckets: 3 },
  ]);
  assert.equal(layout.maxLengthMs, HOUR);
  const kw = new KeyedWindows(layout);
  const n = 3000; // several chunks
  for (let k = 0; k < n; k++) {
    const st = kw.getOrCreate('k' + k);
    const ts = T0 + (k % 2 === 0 ? 0 : 2 * HOUR);
    layout.add(st, 0, ts, 0);
    layout.add(st, 1, ts, k);
    layout.addDistinct(st, 2, ts, 'd' + k);
  }
  assert.equal(kw.size, n);
  assert.equal(kw.getOrCreate('k7'), kw.get('k7'));
  for (let k = 0; k < n; k++) assert.equal(layout.read(kw.get('k' + k) as KeyWindows, 1, T0 + 2 * HOUR), k % 2 === 0 ? NaN : k);
  const old = kw.get('k0') as KeyWindows;
  assert.equal(layout.isExpired(old, T0 + HOUR), false);
  assert.equal(layout.isExpired(old, T0 + HOUR + 1), true);
  const untouched = layout.createState();
  assert.equal(layout.isExpired(untouched, T0), true); // never touched
  layout.release(untouched); // a state made outside kw is the test's own to give back
  const bytesBefore = kw.approxBytes();
  assert.equal(kw.sweep(T0 + HOUR + 1), n / 2);
  assert.equal(kw.size, n / 2);
  assert.equal(kw.get('k0'), undefined);
  assert.ok(kw.approxBytes() < bytesBefore);
  // swept storage is reused (the last released slot is handed out first) and starts empty
  const fresh = kw.getOrCreate('new');
  assert.equal(typeof fresh, 'number');
  assert.ok(kw.get('new') === fresh && fresh !== kw.get('k1'));
  assert.deepEqual([0, 1, 2].map((i) => layout.read(fresh, i, T0)), [0, NaN, 0]);
  layout.add(fresh, 1, T0, 9);
  assert.equal(layout.read(fresh, 1, T0), 9);
  assert.equal(layout.read(kw.get('k3') as KeyWindows, 1, T0 + 2 * HOUR), 3);
  assert.equal(layout.read(kw.get('k1') as KeyWindows, 1, T0 + 2 * HOUR), 1);
  layout.touch(fresh, T0 + 5 * HOUR);
  assert.equal(kw.delete('k1'), true);
  assert.equal(kw.delete('k1'), false);
  assert.equal(kw.sweep(T0 + 5 * HOUR), n / 2 - 1);
  assert.equal(kw.size, 1);
});

test('distinct forgets values no read can see, so a long stream stays small', () => {
  const layout = new WindowLayout([{ agg: 'distinct', lengthMs: HOUR, buckets: 60 }]);
  const st = layout.createState();
  let bytesAt100 = 0;
  for (let i = 0; i < 2000; i++) {
    layout.addDistinct(st, 0, T0 + i * MIN, 'v' + i);
    if (i === 100) bytesAt100 = layout.approxBytes();
    assert.equal(layout.read(st, 0, T0 + i * MIN), Math.min(i + 1, 60));
  }
  assert.equal(layout.approxBytes(), bytesAt100);
});

test('released storage is reused: churning keys does not grow memory', () => {
  const layout = new WindowLayout([
    { agg: 'sum', lengthMs: DAY, buckets: 24 },
    { agg: 'distinct', lengthMs: DAY, buckets: 24 },
  ]);
  let after1 = 0;
  for (let round = 0; round < 10; round++) {
    const states = Array.from({ length: 300 }, () => layout.createState());
    states.forEach((st, k) => {
      for (let v = 0; v < (k % 40) + 1; v++) layout.addDistinct(st, 1, T0 + v * MIN, 'v' + v);
      layout.add(st, 0, T0, k);
      assert.equal(layout.read(st, 1, T0 + HOUR), (k % 40) + 1);
    });
    for (const st of states) layout.release(st);
    if (round === 0) after1 = layout.approxBytes();
  }
  assert.equal(layout.approxBytes(), after1);
});

test('two key maps on one layout: one sweep forgets each expired key in its own map, never leaving a stale handle', () => {
  const layout = new WindowLayout([{ agg: 'count', lengthMs: HOUR, buckets: 6 }]);
  const terminals = new KeyedWindows(layout);
  const merchants = new KeyedWindows(layout);
  const idle = merchants.getOrCreate('X'); // the same id in both maps, on purpose
  layout.add(idle, 0, T0, 0);
  const busy = terminals.getOrCreate('X');
  layout.add(busy, 0, T0 + 2 * HOUR, 0);
  const n = layout.sweepExpired(T0 + 2 * HOUR, (key, state) => {
    if (!terminals.forgetIf(key, state)) merchants.forgetIf(key, state);
  });
  assert.equal(n, 1);
  assert.equal(merchants.get('X'), undefined, 'the idle merchant is forgotten by its own map');
  assert.equal(terminals.get('X'), busy, 'the live terminal of the same id keeps its state');
  // the freed slot goes to the next new key; no map may still point at it
  const next = merchants.getOrCreate('Y');
  assert.equal(next, idle, 'the released slot is reused');
  assert.notEqual(terminals.get('X'), next);
  assert.equal(layout.read(terminals.get('X')!, 0, T0 + 2 * HOUR), 1);
  assert.equal(layout.read(next, 0, T0 + 2 * HOUR), 0);
});
