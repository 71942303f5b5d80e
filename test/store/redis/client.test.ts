// A cluster's Redis client: every key under fk:<c>:, a dead server refused at once naming it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, StoreError } from '../../../src/errors.js';
import { openRedisCluster, redisPrefixOf, type RedisCluster } from '../../../src/store/redis/client.js';
import { freshRedis, keysWithPrefix } from '../../helpers/services.js';

describe('redis: cluster client', () => {
  it('prefixes every key with fk:<cluster>: and keeps clusters apart', async (t) => {
    const a = await freshRedis();
    const b = await freshRedis();
    const clients: RedisCluster[] = [];
    t.after(async () => {
      await Promise.all(clients.map((c) => c.close()));
      await Promise.all([a.cleanup(), b.cleanup()]);
    });
    const ra = await openRedisCluster(a.url, a.cluster);
    clients.push(ra);
    const rb = await openRedisCluster(b.url, b.cluster);
    clients.push(rb);
    assert.equal(ra.prefix, a.prefix);
    await ra.redis.hincrby('w:{m:7}:g1', 'b12', 3);
    await rb.redis.set('w:{m:7}:g1', 'other');
    assert.deepEqual(await keysWithPrefix(a.prefix), [`${a.prefix}w:{m:7}:g1`]);
    assert.equal(await ra.redis.hget('w:{m:7}:g1', 'b12'), '3');
    assert.equal(await rb.redis.get('w:{m:7}:g1'), 'other');
  });

  it('fails fast naming the URL (never the password) when the server is not there', async () => {
    const started = Date.now();
    await assert.rejects(openRedisCluster('redis://:s3cret@127.0.0.1:1', 'c', { connectTimeoutMs: 1000 }), (e: unknown) =>
      e instanceof StoreError && e.message.includes('127.0.0.1:1') && e.message.includes('ECONNREFUSED') && e.message.includes('--redis') && !e.message.includes('s3cret'));
    await assert.rejects(openRedisCluster('http://127.0.0.1:6379', 'c'), (e: unknown) => e instanceof StoreError && e.message.includes('not a Redis URL'));
    assert.ok(Date.now() - started < 3000);
  });

  it('refuses a cluster name that is not letters, digits and _', async () => {
    assert.throws(() => redisPrefixOf('a:b'), ConfigError);
    await assert.rejects(openRedisCluster('redis://127.0.0.1:6379', 'a*'), ConfigError);
  });

  it('close() waits for pending replies and is safe twice', async (t) => {
    const a = await freshRedis();
    t.after(() => a.cleanup());
    const r = await openRedisCluster(a.url, a.cluster);
    const pending = r.redis.set('k', 'v');
    await Promise.all([r.close(), r.close()]);
    assert.equal(await pending, 'OK');
    assert.deepEqual(await keysWithPrefix(a.prefix), [`${a.prefix}k`]);
  });
});
