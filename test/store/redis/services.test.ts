// The Redis test helper itself: a prefix of its own, and nothing left with it after cleanup().
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { clusterName, freshRedis, keysWithPrefix } from '../../helpers/services.js';

describe('test services: freshRedis', () => {
  it('gives a unique prefix and deletes every key with it (and no other)', async () => {
    const a = await freshRedis();
    const b = await freshRedis();
    const r = new Redis(a.url, { lazyConnect: true });
    await r.connect();
    try {
      assert.match(a.prefix, /^fk:t_[0-9a-f]{12}:$/);
      assert.equal(a.prefix, `fk:${a.cluster}:`);
      assert.notEqual(a.prefix, b.prefix);
      const many = Array.from({ length: 1200 }, (_, i) => [`${a.prefix}k${i}`, 'v']).flat();
      await r.mset(...many);
      await r.hset(`${a.prefix}w:{m:1}:g`, 'b1', '3');
      await r.set(`${b.prefix}keep`, 'v');
      assert.equal((await keysWithPrefix(a.prefix)).length, 1201);
      await a.cleanup();
      assert.deepEqual(await keysWithPrefix(a.prefix), []);
      assert.deepEqual(await keysWithPrefix(b.prefix), [`${b.prefix}keep`]);
    } finally {
      r.disconnect();
      await a.cleanup();
      await b.cleanup();
    }
    assert.deepEqual(await keysWithPrefix(b.prefix), []);
  });

  it('clusterName gives distinct names NATS, PostgreSQL and Redis all accept', () => {
    const names = new Set(Array.from({ length: 100 }, clusterName));
    assert.equal(names.size, 100);
    for (const n of names) assert.match(n, /^t_[0-9a-f]{12}$/);
  });
});

describe('test services: an unreachable Redis', () => {
  it('fails the test naming the service, its address and .ci/services', async () => {
    await assert.rejects(freshRedis('redis://127.0.0.1:1'), (e: Error) =>
      /Redis/.test(e.message) && e.message.includes('127.0.0.1:1') && e.message.includes('.ci/services'));
  });
});
