// Webhooks against a real server and a real receiver: a manual freeze reaches the receiver signed
// with the secret the creation returned (checked here with node:crypto, not with Fengkong's own
// verifier); a receiver that fails is retried with backoff until it answers, or until the retry
// window ends and the delivery is dead and listed; a delivery in flight when the server is killed
// with -9 is sent again after the restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, serveCli } from '../helpers/serve-cli.js';
import { baseWorld } from '../engine/world.js';
import { verifySignature } from '../../src/webhooks/signature.js';
import { call, feed, startTestServer, tempDir } from './helpers.js';
import { receiver, until } from '../helpers/webhook-receiver.js';

const FAST = { pollMs: 20, baseDelayMs: 40, maxDelayMs: 160, timeoutMs: 2_000 };

test('a manual freeze reaches the receiver signed with the secret; a restore follows; the secret is shown once', async () => {
  const rx = await receiver();
  const s = await startTestServer({ webhooks: FAST });
  try {
    await feed(s.url, s.keys.admin, baseWorld());
    const made = await call(s.url, '/v1/webhooks', { key: s.keys.admin, body: { url: rx.url, events: ['account.restricted', 'account.restored'], description: 'notices' } });
    assert.equal(made.status, 201, made.text);
    const secret = made.json.secret as string;
    assert.match(secret, /^whsec_[A-Za-z0-9_-]{43}$/);
    const listed = await call(s.url, '/v1/webhooks', { key: s.keys.admin });
    assert.equal((listed.json.webhooks as unknown[]).length, 1);
    assert.ok(!listed.text.includes(secret), 'the list never shows the secret');

    const frozen = await call(s.url, '/v1/accounts/A1/actions', { key: s.keys.admin, body: { action: 'freeze', reason: 'suspected takeover' } });
    assert.equal(frozen.status, 201, frozen.text);
    await until('the freeze delivery', () => rx.got.length >= 1);
    const first = rx.got[0];
    const header = first.headers['fengkong-signature'] as string;
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
    assert.ok(m !== null, header);
    assert.equal(m[2], createHmac('sha256', secret).update(`${m[1]}.${first.body}`).digest('hex'), 'HMAC-SHA256(secret, "<t>.<body>")');
    assert.ok(Math.abs(Number(m[1]) - Date.now() / 1000) < 60);
    assert.ok(verifySignature(secret, header, first.body));
    assert.ok(!verifySignature(secret, header, first.body.replace('A1', 'A2')), 'a changed body fails');
    const ev = JSON.parse(first.body) as { id: string; type: string; createdAt: string; data: Record<string, unknown> };
    assert.equal(ev.type, 'account.restricted');
    assert.match(ev.id, /^evt_\d+$/);
    assert.ok(!Number.isNaN(Date.parse(ev.createdAt)));
    assert.equal(ev.data.accountId, 'A1');
    assert.equal(ev.data.action, 'account.freeze');
    assert.equal(first.headers['content-type'], 'application/json');

    // events nobody subscribed to are not sent: a settlement hold
    await call(s.url, '/v1/merchants/M4/actions', { key: s.keys.admin, body: { action: 'hold_settlement', reason: 'review' } });
    const restored = await call(s.url, '/v1/accounts/A1/actions', { key: s.keys.admin, body: { action: 'unfreeze', reason: 'customer verified' } });
    assert.equal(restored.status, 201, restored.text);
    await until('the restore delivery', () => rx.got.length >= 2);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(rx.got.map((g) => (JSON.parse(g.body) as { type: string }).type), ['account.restricted', 'account.restored']);

    const deliveries = await call(s.url, `/v1/webhooks/${made.json.id as string}/deliveries`, { key: s.keys.admin });
    assert.deepEqual((deliveries.json.deliveries as { state: string }[]).map((d) => d.state), ['delivered', 'delivered']);
    const audit = await call(s.url, '/v1/audit?action=webhook.', { key: s.keys.admin });
    assert.ok(!audit.text.includes(secret), 'the audit log never holds the secret');
    // at rest: neither the secret nor the endpoint's URL is in clear anywhere in the data folder
    for (const f of readdirSync(s.dir)) {
      if (!f.startsWith('fengkong.db')) continue;
      const bytes = readFileSync(join(s.dir, f)).toString('latin1');
      assert.ok(!bytes.includes(secret), `the secret is in clear in ${f}`);
      assert.ok(!bytes.includes(rx.url.slice(7)), `the URL is in clear in ${f}`);
    }
    assert.ok((audit.json.entries as { action: string }[]).some((e) => e.action === 'webhook.create'), audit.text);
  } finally {
    await s.close();
    await rx.close();
  }
});

test('a failing receiver is retried with backoff until it answers; past the retry window a delivery is dead and listed', async () => {
  const flaky = await receiver((n) => (n <= 2 ? 503 : 200));
  const s = await startTestServer({ webhooks: { ...FAST, retryForMs: 1_500 } });
  let dead: Awaited<ReturnType<typeof receiver>> | null = null;
  try {
    await feed(s.url, s.keys.admin, baseWorld());
    const good = await call(s.url, '/v1/webhooks', { key: s.keys.admin, body: { url: flaky.url, events: ['account.restricted'] } });
    dead = await receiver();
    const deadUrl = dead.url;
    await dead.close(); // nothing listens there any more: connection refused
    const bad = await call(s.url, '/v1/webhooks', { key: s.keys.admin, body: { url: deadUrl, events: ['account.restricted'] } });
    assert.equal(bad.status, 201);
    await call(s.url, '/v1/accounts/A1/actions', { key: s.keys.admin, body: { action: 'freeze', reason: 'r' } });
    await until('the third try', () => flaky.got.length >= 3);
    const ids = new Set(flaky.got.map((g) => (JSON.parse(g.body) as { id: string }).id));
    assert.equal(ids.size, 1, 'every retry carries the same event id');
    await until('delivered after retries', async () => {
      const d = await call(s.url, `/v1/webhooks/${good.json.id as string}/deliveries`, { key: s.keys.admin });
      const [one] = d.json.deliveries as { state: string; attempts: number; lastStatus: number }[];
      return one?.state === 'delivered' && one.attempts === 3 && one.lastStatus === 200;
    });
    await until('dead after the window', async () => {
      const d = await call(s.url, `/v1/webhooks/${bad.json.id as string}/deliveries?state=dead`, { key: s.keys.admin });
      return (d.json.deliveries as unknown[]).length === 1;
    });
    const d = await call(s.url, `/v1/webhooks/${bad.json.id as string}/deliveries?state=dead`, { key: s.keys.admin });
    const [letter] = d.json.deliveries as { attempts: number; lastError: string; lastStatus: number | null }[];
    assert.ok(letter.attempts >= 2, `tried ${letter.attempts} times`);
    assert.match(letter.lastError, /ECONNREFUSED|fetch failed/);
    const metrics = await call(s.url, '/metrics', { key: s.keys.admin });
    assert.match(metrics.text, /fengkong_webhook_deliveries\{state="dead"\} 1/);
    assert.match(metrics.text, /fengkong_webhook_deliveries\{state="delivered"\} 1/);
  } finally {
    await s.close();
    await flaky.close();
  }
});

test('a try that gets no answer within the timeout fails and is tried again', async () => {
  const rx = await receiver((n) => (n === 1 ? 'hang' : 200));
  const s = await startTestServer({ webhooks: { ...FAST, timeoutMs: 300 } });
  try {
    await feed(s.url, s.keys.admin, baseWorld());
    const made = await call(s.url, '/v1/webhooks', { key: s.keys.admin, body: { url: rx.url, events: ['account.restricted'] } });
    await call(s.url, '/v1/accounts/A1/actions', { key: s.keys.admin, body: { action: 'freeze', reason: 'r' } });
    await until('the second try', () => rx.got.length >= 2);
    await until('delivered on the second try', async () => {
      const d = await call(s.url, `/v1/webhooks/${made.json.id as string}/deliveries`, { key: s.keys.admin });
      const [one] = d.json.deliveries as { state: string; attempts: number }[];
      return one?.state === 'delivered' && one.attempts === 2;
    });
    assert.equal(rx.got[1].body, rx.got[0].body);
  } finally {
    await s.close();
    await rx.close();
  }
});

test('refusals name the field; deleting a webhook stops its deliveries', async () => {
  const s = await startTestServer({ webhooks: FAST });
  try {
    const bad = [
      [{ url: 'ftp://x', events: ['account.restricted'] }, /url/],
      [{ url: 'http://127.0.0.1:1/x', events: [] }, /events/],
      [{ url: 'http://127.0.0.1:1/x', events: ['account.exploded'] }, /events/],
    ] as const;
    for (const [body, field] of bad) {
      const r = await call(s.url, '/v1/webhooks', { key: s.keys.admin, body });
      assert.equal(r.status, 400, r.text);
      assert.match(r.text, field);
    }
    const analyst = await call(s.url, '/v1/webhooks', { key: s.keys.analyst, body: { url: 'http://127.0.0.1:1/x', events: ['case.opened'] } });
    assert.equal(analyst.status, 403);
    const made = await call(s.url, '/v1/webhooks', { key: s.keys.admin, body: { url: 'http://127.0.0.1:1/x', events: ['case.opened'] } });
    const gone = await call(s.url, `/v1/webhooks/${made.json.id as string}`, { key: s.keys.admin, method: 'DELETE' });
    assert.equal(gone.status, 200, gone.text);
    assert.equal((await call(s.url, '/v1/webhooks', { key: s.keys.admin })).json.webhooks instanceof Array, true);
    assert.deepEqual((await call(s.url, '/v1/webhooks', { key: s.keys.admin })).json.webhooks, []);
    const again = await call(s.url, `/v1/webhooks/${made.json.id as string}`, { key: s.keys.admin, method: 'DELETE' });
    assert.equal(again.status, 404);
  } finally {
    await s.close();
  }
});

test('kill -9 while a delivery is in flight: the restarted server sends it again', async () => {
  const dir = tempDir('fk-webhook-crash-');
  let hang = true;
  const rx = await receiver(() => (hang ? 'hang' : 200));
  const serve = async (): Promise<{ url: string; kill(sig: NodeJS.Signals): Promise<void> }> => {
    const c = await serveCli(['--data', dir]);
    return { url: c.url, kill: async (sig) => void (c.proc.kill(sig), await c.exited) };
  };
  try {
    const key = execFileSync(process.execPath, [BIN, 'keys', 'create', '--role', 'admin', '--data', dir], { encoding: 'utf8' }).trim();
    const first = await serve();
    await feed(first.url, key, baseWorld());
    await call(first.url, '/v1/webhooks', { key, body: { url: rx.url, events: ['account.restricted'] } });
    await call(first.url, '/v1/accounts/A1/actions', { key, body: { action: 'freeze', reason: 'r' } });
    await until('the delivery in flight', () => rx.got.length === 1);
    await first.kill('SIGKILL');
    hang = false;
    const second = await serve();
    try {
      await until('the delivery sent again', () => rx.got.length >= 2);
      assert.equal(rx.got[1].body, rx.got[0].body, 'the same event, byte for byte');
    } finally {
      await second.kill('SIGTERM');
    }
  } finally {
    await rx.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a receiver that never answers holds neither decisions nor a graceful stop; its delivery stays pending', async () => {
  const rx = await receiver(() => 'hang');
  const s = await startTestServer({ webhooks: { ...FAST, timeoutMs: 60_000 } });
  try {
    await feed(s.url, s.keys.admin, baseWorld());
    const made = await call(s.url, '/v1/webhooks', { key: s.keys.admin, body: { url: rx.url, events: ['account.restricted'] } });
    await call(s.url, '/v1/accounts/A1/actions', { key: s.keys.admin, body: { action: 'freeze', reason: 'r' } });
    await until('the delivery in flight', () => rx.got.length === 1);
    const d = await call(s.url, `/v1/webhooks/${made.json.id as string}/deliveries`, { key: s.keys.admin });
    assert.equal((d.json.deliveries as { state: string }[])[0].state, 'pending');
    const started = Date.now();
    await s.close(true);
    assert.ok(Date.now() - started < 15_000, `stopped in ${Date.now() - started} ms, not after the 60 s timeout`);
    const again = await startTestServer({ dir: s.dir, keys: s.keys, webhooks: FAST });
    try {
      const after = await call(again.url, `/v1/webhooks/${made.json.id as string}/deliveries`, { key: s.keys.admin });
      const [one] = after.json.deliveries as { state: string; attempts: number }[];
      assert.equal(one.state, 'pending', 'an aborted try is not a failure: sent again, not counted');
    } finally {
      await again.close();
    }
  } finally {
    await rx.close();
  }
});
