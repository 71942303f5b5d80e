// The Redis shared-key window store reads exactly what the engine's in-memory windows read, for a
// stream fed one payment at a time (docs/scale-out.md, "What is shared across partitions").
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it, type TestContext } from 'node:test';
import { Keyring } from '../../../src/crypto/index.js';
import { KeyedWindows } from '../../../src/features/keyed-windows.js';
import { WindowLayout, type WindowSpec } from '../../../src/features/window-layout.js';
import { openRedisCluster, type RedisCluster } from '../../../src/store/redis/client.js';
import { SharedWindowGroup, type SharedKeyKind } from '../../../src/store/redis/shared-window-group.js';
import { SharedWindowStore, type SharedKeyUpdate } from '../../../src/store/redis/shared-windows.js';
import { freshRedis, keysWithPrefix } from '../../helpers/services.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

/** Every aggregate, odd widths (L not a multiple of B) and a long window with a distinct. */
const SPECS: readonly WindowSpec[] = [
  { agg: 'count', lengthMs: HOUR, buckets: 24 },
  { agg: 'sum', lengthMs: HOUR, buckets: 24 },
  { agg: 'count', lengthMs: 24 * HOUR, buckets: 24 },
  { agg: 'distinct', lengthMs: 24 * HOUR, buckets: 24 },
  { agg: 'max', lengthMs: 10 * MIN, buckets: 7 },
  { agg: 'min', lengthMs: 2 * HOUR, buckets: 5 },
  { agg: 'mean', lengthMs: 30 * MIN, buckets: 4 },
  { agg: 'distinct', lengthMs: 7 * MIN, buckets: 3 },
  { agg: 'sum', lengthMs: 10 * MIN, buckets: 7 },
];

/** Deterministic PRNG (mulberry32), so a failure is reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The engine's side: one KeyedWindows per key kind over the same specs, fed as WindowGroup.apply feeds it. */
class InMemory {
  private readonly kinds = new Map<string, KeyedWindows>();

  apply(ts: number, u: SharedKeyUpdate): Float64Array {
    let kw = this.kinds.get(u.kind);
    if (kw === undefined) this.kinds.set(u.kind, (kw = new KeyedWindows(new WindowLayout(u.group.specs))));
    const layout = kw.layout;
    const s = kw.getOrCreate(u.id);
    u.values.forEach((v, i) => {
      if (v === null) return;
      const agg = u.group.specs[i].agg;
      if (agg === 'distinct') {
        if (v !== '') layout.addDistinct(s, i, ts, v as string);
        else layout.touch(s, ts);
      } else layout.add(s, i, ts, agg === 'count' ? 1 : (v as number));
    });
    return Float64Array.from(u.group.specs, (_, i) => layout.read(s, i, ts));
  }
}

async function open(t: TestContext): Promise<{ rc: RedisCluster; store: SharedWindowStore; prefix: string }> {
  const fr = await freshRedis();
  const rc = await openRedisCluster(fr.url, fr.cluster);
  t.after(async () => {
    await rc.close();
    await fr.cleanup();
  });
  const store = new SharedWindowStore(rc.redis, new Keyring(randomBytes(32), [], fr.cluster));
  await store.load();
  return { rc, store, prefix: fr.prefix };
}

/** Feeds `stream` to both sides one payment at a time and asserts every aggregate read is equal. */
async function feedBoth(store: SharedWindowStore, stream: readonly { ts: number; updates: SharedKeyUpdate[] }[]): Promise<number> {
  const mem = new InMemory();
  let reads = 0;
  for (let n = 0; n < stream.length; n++) {
    const { ts, updates } = stream[n];
    const got = await store.apply(ts, updates);
    updates.forEach((u, k) => {
      const want = mem.apply(ts, u);
      for (let i = 0; i < want.length; i++) {
        if (!Object.is(got[k][i], want[i])) {
          assert.fail(`payment ${n} at ${ts}, ${u.kind} ${u.id}, window ${i} ${JSON.stringify(u.group.specs[i])}: Redis ${got[k][i]}, in memory ${want[i]}`);
        }
        reads++;
      }
    });
  }
  return reads;
}

describe('redis: shared-key windows', () => {
  it('reads exactly what the in-memory windows read, payment by payment (gaps, late events, trims)', async (t) => {
    const { rc, store, prefix } = await open(t);
    const group = new SharedWindowGroup('g1', SPECS);
    const r = rng(14);
    const pick = (n: number): number => Math.floor(r() * n);
    let now = 1_750_000_000_000;
    let late = 0, gaps = 0;
    const stream: { ts: number; updates: SharedKeyUpdate[] }[] = [];
    for (let n = 0; n < 3000; n++) {
      const x = r();
      let ts: number;
      if (x < 0.08) {
        ts = now - pick(3 * HOUR); // late: some still in a window's ring, some too old for the short ones
        late++;
      } else {
        now += x > 0.995 ? 25 * HOUR + pick(HOUR) : x > 0.97 ? 2 * HOUR + pick(5 * HOUR) : pick(40_000);
        if (x > 0.97) gaps++;
        ts = now;
      }
      const merchant = `m${pick(6)}`;
      const values = (): (number | string | null)[] => {
        const amount = 1 + pick(200_000);
        const account = `acct-${pick(60)}`;
        return SPECS.map((s) => (r() < 0.1 ? null : s.agg === 'distinct' ? (r() < 0.05 ? '' : account) : amount));
      };
      const keys: [SharedKeyKind, string][] = [
        ['merchant', merchant],
        ['terminal', `${merchant}-t${pick(3)}`],
        ['device', `dev-${pick(40)}`],
        ['ip', `10.0.${pick(4)}.${pick(30)}`],
      ];
      stream.push({ ts, updates: keys.map(([kind, id]) => ({ kind, id, group, values: values() })) });
    }
    const reads = await feedBoth(store, stream);
    assert.equal(reads, 3000 * 4 * SPECS.length);
    assert.ok(late > 150 && gaps > 50, `the stream has late events (${late}) and gaps (${gaps})`);
    // bounded: a hash holds one ring per window that is not distinct (plus the distinct heads), a set at most the cap
    const keys = await keysWithPrefix(prefix);
    const raw = rc.redis.duplicate({ keyPrefix: '' });
    t.after(() => raw.disconnect());
    for (const k of keys) {
      const type = await raw.type(k);
      if (type === 'hash') assert.ok((await raw.hlen(k)) <= SPECS.length, `${k} holds ${await raw.hlen(k)} fields`);
      else assert.ok(type === 'zset' && (await raw.zcard(k)) <= 256, `${k}`);
      const ttl = await raw.pttl(k);
      assert.ok(ttl > 0 && ttl <= 24 * HOUR, `${k} has TTL ${ttl}`);
    }
    // device and IP ids (and distinct values) never appear in clear
    const all = keys.join(' ');
    assert.ok(keys.some((k) => k.includes('{m:m0}')) && keys.some((k) => k.includes('{t:m0-t0}')));
    assert.ok(!/dev-|10\.0\.|acct-/.test(all), all.slice(0, 300));
    const members = (await Promise.all(keys.filter((k) => /:d\d+$/.test(k)).map((k) => raw.zrange(k, 0, -1)))).flat();
    assert.ok(members.length > 0 && members.every((m) => /^[0-9a-f]{16}$/.test(m)));
  });

  it('a late event enters its own bucket while the ring holds it, and is ignored once it does not', async (t) => {
    const { store } = await open(t);
    const group = new SharedWindowGroup('late', [
      { agg: 'count', lengthMs: 4000, buckets: 4 },
      { agg: 'sum', lengthMs: 4000, buckets: 4 },
      { agg: 'distinct', lengthMs: 4000, buckets: 4 },
    ]);
    const at = (ts: number, amount: number, acct: string) => ({ ts, updates: [{ kind: 'merchant' as const, id: 'm1', group, values: [1, amount, acct] }] });
    const base = 1_000_000;
    const stream = [at(base, 10, 'a'), at(base + 3000, 20, 'b'), at(base + 1500, 5, 'c'), at(base + 3500, 7, 'a'), at(base + 500, 100, 'a'), at(base - 500, 50, 'f'), at(base + 7200, 1, 'e')];
    await feedBoth(store, stream);
    // spelled out (w = 1000 ms, buckets 1000 … 1007): a late event reads the buckets up to its own, not the newer ones
    const fresh = await open(t);
    const got: number[][] = [];
    for (const p of stream) got.push([...(await fresh.store.apply(p.ts, p.updates))[0]]);
    assert.deepEqual(got, [
      [1, 10, 1],
      [2, 30, 2],
      [2, 15, 2], // buckets 1000–1001: the events at +0 and +1500
      [4, 42, 3], // a, b, c (a seen again)
      [2, 110, 0], // +500: bucket 1000 is still in the ring (head 1003); a was last seen in 1003, so it is not in 1000
      [0, 0, 0], // -500: bucket 999 left the ring when the head reached 1003: ignored, and its range reads empty
      [1, 1, 1],
    ]);
    // one ring per window; the ignored event left nothing: the rings hold bucket 1007 alone
    assert.deepEqual((await fresh.rc.redis.hkeys('w:{m:m1}:late')).sort(), ['r0', 'r1', 'r2']);
    assert.equal((await fresh.rc.redis.zrange('w:{m:m1}:late:d2', 0, -1)).length, 1);
  });

  it('a key stays the size its specs give whatever its age: slots a head passes are cleared, sets pruned below the ring, a TTL set', async (t) => {
    const { rc, store } = await open(t);
    const group = new SharedWindowGroup('trim', [
      { agg: 'sum', lengthMs: 10_000, buckets: 10 },
      { agg: 'distinct', lengthMs: 10_000, buckets: 10 },
    ]);
    const bytes = async (): Promise<number> => Number(await rc.redis.call('MEMORY', 'USAGE', 'w:{t:t9}:trim'));
    await store.apply(5_000_000, [{ kind: 'terminal', id: 't9', group, values: [0, 'a'] }]);
    const small = await bytes();
    for (let s = 0; s < 200; s++) await store.apply(5_000_000 + s * 1000, [{ kind: 'terminal', id: 't9', group, values: [s, `a${s}`] }]);
    assert.equal(await rc.redis.hlen('w:{t:t9}:trim'), 2); // one ring a window
    assert.ok((await bytes()) <= small + 32, `${await bytes()} bytes after 200 payments, ${small} after one`);
    assert.equal(await rc.redis.zcard('w:{t:t9}:trim:d1'), 10);
    const [sum, distinct] = (await store.apply(5_000_000 + 199_500, [{ kind: 'terminal', id: 't9', group, values: [0, 'a199'] }]))[0];
    assert.equal(sum, 190 + 191 + 192 + 193 + 194 + 195 + 196 + 197 + 198 + 199);
    assert.equal(distinct, 10);
    // a jump past the longest window drops every old bucket at once
    assert.deepEqual([...(await store.apply(5_000_000 + 500_000, [{ kind: 'terminal', id: 't9', group, values: [3, 'z'] }]))[0]], [3, 1]);
    assert.equal(await rc.redis.zcard('w:{t:t9}:trim:d1'), 1);
    const ttl = await rc.redis.pttl('w:{t:t9}:trim');
    assert.ok(ttl > 9_000 && ttl <= 10_000, `TTL ${ttl}`);
  });

  it('falls back to EVAL when the server lost the script, and refuses amounts that are not minor units', async (t) => {
    const { rc, store } = await open(t);
    const group = new SharedWindowGroup('g', [{ agg: 'sum', lengthMs: HOUR, buckets: 6 }]);
    await rc.redis.script('FLUSH');
    assert.deepEqual([...(await store.apply(1000, [{ kind: 'ip', id: '1.2.3.4', group, values: [250] }, { kind: 'merchant', id: 'm', group, values: [5] }])).map((a) => a[0])], [250, 5]);
    assert.deepEqual([...(await store.apply(2000, [{ kind: 'ip', id: '1.2.3.4', group, values: [1] }]))[0]], [251]);
    await assert.rejects(store.apply(3000, [{ kind: 'merchant', id: 'm', group, values: [1.5] }]), RangeError);
    await assert.rejects(store.apply(3000, [{ kind: 'merchant', id: 'm', group, values: [] }]), RangeError);
    assert.throws(() => new SharedWindowGroup('a:b', SPECS), RangeError);
  });
});
