// Rate limits and slow clients against a real server (issue 13, point 7): a key limited to 20
// requests per second sent ~200 quickly draws 429s with Retry-After and never a 5xx while unlimited
// keys are unaffected, counted per key id in /metrics; an admin changes a key's rate (audited) and it
// applies on the next request; one address sending unknown keys is slowed; and 500 connections
// trickling header bytes do not stop a decision from answering quickly.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { Worker } from 'node:worker_threads';
import { generateKey, hashKey, keyIdOf } from '../../src/server/auth.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tx } from '../engine/world.js';
import { call, createKeys, startTestServer, tempDir, type TestServer } from './helpers.js';

let s: TestServer;
let limited: string;
before(async () => {
  const dir = tempDir('fk-abuse-');
  const keys = createKeys(dir);
  limited = generateKey();
  const store = new SqliteStore(dir);
  store.createKey(hashKey(limited), 'analyst', { name: 'limited', rate: 20 });
  store.close();
  s = await startTestServer({ dir, keys, badKeyLimits: { maxFailures: 10, windowMs: 2_000, maxAddresses: 100 } });
});
after(async () => {
  await s.close();
});

/** Fires `n` calls at once and tallies the statuses. */
async function burst(n: number, key: string, path = '/v1/whoami'): Promise<{ statuses: Map<number, number>; retryAfter: string[] }> {
  const answers = await Promise.all(Array.from({ length: n }, () => call(s.url, path, { key })));
  const statuses = new Map<number, number>();
  const retryAfter: string[] = [];
  for (const a of answers) {
    statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
    if (a.status === 429) {
      retryAfter.push(String(a.headers['retry-after']));
      assert.equal(a.json.error.code, 'rate_limited');
    }
  }
  return { statuses, retryAfter };
}

test('a key limited to 20/s sent 200 requests at once draws 429s with Retry-After; unlimited keys are unaffected', async () => {
  const started = performance.now();
  const [lim, free] = await Promise.all([burst(200, limited), burst(200, s.keys.analyst)]);
  process.stdout.write(`# limited key: ${JSON.stringify([...lim.statuses])}, unlimited: ${JSON.stringify([...free.statuses])} in ${(performance.now() - started).toFixed(0)} ms\n`);
  const ok = lim.statuses.get(200) ?? 0;
  const refused = lim.statuses.get(429) ?? 0;
  assert.equal(ok + refused, 200, 'only 200s and 429s, no 5xx');
  const elapsed = (performance.now() - started) / 1000;
  assert.ok(ok >= 20 && ok <= 22 + Math.ceil(elapsed * 20), `a second's burst (20) passes, plus what refilled in ${elapsed.toFixed(1)} s: ${ok}`);
  assert.ok(refused >= 100);
  assert.ok(lim.retryAfter.every((r) => /^[1-9]\d*$/.test(r)), 'Retry-After in whole seconds');
  assert.deepEqual([...free.statuses], [[200, 200]], 'the unlimited key: every call answered');
  const metrics = await call(s.url, '/metrics', { key: s.keys.admin });
  const line = metrics.text.split('\n').find((l) => l.startsWith(`fengkong_rate_limited_total{key="${keyIdOf(hashKey(limited))}"}`));
  assert.equal(line?.split(' ')[1], String(refused), 'counted per key id in /metrics');
  // the bucket refills: after a second the key works again
  await new Promise((r) => setTimeout(r, 1_100));
  assert.equal((await call(s.url, '/v1/whoami', { key: limited })).status, 200);
});

test('an admin changes a key\'s rate: audited, in force on the next request; bad input is refused naming the field', async () => {
  const id = keyIdOf(hashKey(limited));
  const bad = await call(s.url, `/v1/keys/${id}`, { method: 'PATCH', key: s.keys.admin, body: { rate: -3 } });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.path, 'rate');
  const extra = await call(s.url, `/v1/keys/${id}`, { method: 'PATCH', key: s.keys.admin, body: { rate: 5, role: 'admin' } });
  assert.equal(extra.status, 400);
  assert.equal((await call(s.url, `/v1/keys/${id}`, { method: 'PATCH', key: s.keys.analyst, body: { rate: 1 } })).status, 403);
  assert.equal((await call(s.url, '/v1/keys/key_000000000000', { method: 'PATCH', key: s.keys.admin, body: { rate: 1 } })).status, 404);
  const listed = (await call(s.url, '/v1/keys', { key: s.keys.admin })).json.keys.find((k: { keyId: string }) => k.keyId === id);
  assert.equal(listed.rate, 20, 'a refused change changed nothing');

  const set = await call(s.url, `/v1/keys/${id}`, { method: 'PATCH', key: s.keys.admin, body: { rate: 2 } });
  assert.equal(set.status, 200, set.text);
  assert.equal(set.json.key.rate, 2);
  await new Promise((r) => setTimeout(r, 1_100));
  const two = await burst(10, limited);
  assert.equal(two.statuses.get(200), 2, `the new rate, at once: ${JSON.stringify([...two.statuses])}`);
  const lift = await call(s.url, `/v1/keys/${id}`, { method: 'PATCH', key: s.keys.admin, body: { rate: null } });
  assert.equal(lift.json.key.rate, null);
  assert.deepEqual([...(await burst(50, limited)).statuses], [[200, 50]], 'lifted: unlimited');
  const audit = await call(s.url, `/v1/audit?action=key.rate&target=keys/${id}`, { key: s.keys.admin });
  assert.equal(audit.status, 200, audit.text);
  const entries = audit.json.entries as { before: { rate: number | null }; after: { rate: number | null } }[];
  assert.deepEqual(entries.map((e) => [e.before.rate, e.after.rate]).sort(), [[2, null], [20, 2]].sort());
});

test('an address sending unknown keys is slowed: 429 after 10 in its window, good keys unaffected, free again after it', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 30; i++) statuses.push((await call(s.url, '/v1/whoami', { key: `fk_guess-${i}` })).status);
  assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
  assert.deepEqual(statuses.slice(10), Array(20).fill(429));
  const r = await call(s.url, '/v1/whoami', { key: 'fk_guess-x' });
  assert.equal(r.json.error.code, 'too_many_bad_keys');
  assert.match(String(r.headers['retry-after']), /^[12]$/);
  assert.equal((await call(s.url, '/v1/whoami', { key: s.keys.analyst })).status, 200, 'a key found valid before still works from the same address');
  await new Promise((res) => setTimeout(res, 2_100));
  const metrics = await call(s.url, '/metrics', { key: s.keys.metrics });
  assert.match(metrics.text, /^fengkong_auth_throttled_total\{reason="too_many_bad_keys"\} (2[1-9]|[3-9]\d)$/m);
  assert.equal((await call(s.url, '/v1/whoami', { key: 'fk_guess-later' })).status, 401, 'the window over: answered as usual');
  assert.equal((await call(s.url, '/v1/whoami', { key: s.keys.support })).status, 200);
});

/**
 * `n` slow clients in a worker thread (their own event loop, as they would be on another machine):
 * each opens a socket, sends the start of a request and trickles one header byte every `everyMs`.
 */
async function slowClients(port: number, n: number, everyMs: number): Promise<{ open: number; stop(): Promise<void> }> {
  // like a real attacker, a slow client cut by the server's headers timeout opens a new one, so about
  // `n` stay open throughout; the worker reports how many are connected once all first connected
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { connect } = require('node:net');
    let stopping = false;
    let open = 0;
    let first = 0;
    const sockets = new Set();
    function one() {
      const s = connect(workerData.port, '127.0.0.1');
      let up = false;
      sockets.add(s);
      s.on('error', () => {});
      s.on('connect', () => {
        open++;
        up = true;
        s.write('GET /v1/whoami HTTP/1.1\\r\\nHost: x\\r\\nX-Slow: ');
        if (++first === workerData.n) setTimeout(() => parentPort.postMessage(open), 500);
      });
      s.on('close', () => {
        sockets.delete(s);
        if (up) open--;
        if (!stopping) one();
      });
    }
    for (let i = 0; i < workerData.n; i++) one();
    const timer = setInterval(() => { for (const s of sockets) if (!s.destroyed) s.write('a'); }, workerData.everyMs);
    parentPort.on('message', () => { stopping = true; clearInterval(timer); for (const s of sockets) s.destroy(); parentPort.close(); });
  `;
  const worker = new Worker(code, { eval: true, workerData: { port, n, everyMs } });
  const open = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    open,
    async stop() {
      worker.postMessage('stop');
      await new Promise((r) => worker.once('exit', r));
    },
  };
}

/** 200 decisions one after another; p50 and p99 in ms. */
async function decisionTimes(prefix: string): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    const r = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: tx(i * 1000, { id: `${prefix}-${i}` }) });
    times.push(performance.now() - t0);
    assert.equal(r.status, 200, r.text);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length * 0.5)], p99: times[Math.floor(times.length * 0.99)] };
}

test('500 slow connections trickling header bytes: a decision still answers quickly (p99 printed)', async () => {
  const quiet = await decisionTimes('quiet');
  const slow = await slowClients(s.server.port, 500, 200);
  try {
    const loud = await decisionTimes('slowloris');
    const f = (x: number): string => x.toFixed(2);
    process.stdout.write(
      `# slowloris: 200 decisions, p50/p99 ${f(quiet.p50)}/${f(quiet.p99)} ms alone, ${f(loud.p50)}/${f(loud.p99)} ms beside ${slow.open} slow connections\n`,
    );
    assert.ok(slow.open >= 400, `the slow connections were open (${slow.open})`);
    // generous: this 2-core machine is shared with other jobs; see the printed figures
    assert.ok(loud.p99 < 1_000, `p99 ${f(loud.p99)} ms`);
  } finally {
    await slow.stop();
  }
});

/** One slow client in this thread, for the timeout test. */
function slowClient(port: number, everyMs: number): Socket {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  socket.on('connect', () => {
    socket.write('GET /v1/whoami HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    const timer = setInterval(() => {
      if (!socket.destroyed) socket.write('a');
    }, everyMs);
    socket.on('close', () => clearInterval(timer));
  });
  return socket;
}

test('a connection that never finishes its headers is cut after the headers timeout', { timeout: 30_000 }, async () => {
  const c = slowClient(s.server.port, 500);
  const t0 = performance.now();
  const ended = await new Promise<string>((resolve) => {
    let got = '';
    c.on('data', (d: Buffer) => (got += d.toString('utf8')));
    c.on('close', () => resolve(got));
  });
  const secs = (performance.now() - t0) / 1000;
  process.stdout.write(`# slowloris: a trickling connection was cut after ${secs.toFixed(1)} s (${ended.split('\r\n')[0] || 'closed'})\n`);
  assert.ok(secs >= 9 && secs < 14, `cut at the 10 s headers timeout, checked every second: ${secs.toFixed(1)} s`);
});
