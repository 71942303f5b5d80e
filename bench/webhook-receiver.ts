/**
 * Does a dead webhook receiver slow decisions? (issue 16: "a slow or dead receiver never slows
 * decisions — measure it".) One server of ours, a steady open-loop 1,000 decisions/s, measured twice
 * per round: as the control, and while an admin client freezes and unfreezes an account 10 times a
 * second with a webhook subscribed to both events pointing at a receiver that accepts every
 * connection and never answers — so every delivery waits for its 10 s timeout, 16 in flight, and the
 * outbox grows. The control runs the same admin traffic with no webhook, on the same server, in
 * alternate phases. Prints p50 / p99 of both and the ratio (the floor is the control: 1.0× means the
 * dead receiver costs the answers nothing).
 *
 * usage: node dist/bench/webhook-receiver.js [--rate 1000] [--seconds 5] [--rounds 3]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLoop } from './open-loop.js';
import { FENGKONG, spawnServe, stopServe } from './serve-child.js';
import { registerReference, transactionText, WORLD } from './tx-traffic.js';
import { answerHelp, flag, quantile } from './util.js';

answerHelp('usage: node dist/bench/webhook-receiver.js [--rate 1000] [--seconds 5] [--rounds 3]');
const rate = Number(flag('rate') ?? '1000');
const seconds = Number(flag('seconds') ?? '5');
const rounds = Number(flag('rounds') ?? '3');

/** A receiver that reads every request and never answers. */
async function deadReceiver(): Promise<{ url: string; received: () => number; close(): Promise<void> }> {
  let n = 0;
  const held: ServerResponse[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      n++;
      held.push(res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`,
    received: () => n,
    close: () => new Promise((r) => { for (const h of held) h.destroy(); server.closeAllConnections(); server.close(() => r()); }),
  };
}

async function post(url: string, key: string, path: string, body: unknown): Promise<number> {
  const r = await fetch(new URL(path, url), { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await r.arrayBuffer();
  return r.status;
}

let counter = 0;

/** Decisions' latencies over one phase while the admin client freezes and unfreezes accounts. */
async function phase(url: string, key: string): Promise<{ p50: number; p99: number; admin: number }> {
  let admin = 0;
  let stop = false;
  const adminLoop = (async () => {
    for (let i = 0; !stop; i++) {
      const acc = `acc-${(counter + i * 7919) % WORLD.accounts}`;
      await post(url, key, `/v1/accounts/${acc}/actions`, { action: 'freeze', reason: 'bench' });
      await post(url, key, `/v1/accounts/${acc}/actions`, { action: 'unfreeze', reason: 'bench' });
      admin += 2;
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  const r = await openLoop({ urls: [url], path: '/v1/decisions', headers: { authorization: `Bearer ${key}` }, rate, seconds, sockets: 32, body: () => transactionText('h', counter++) });
  stop = true;
  await adminLoop;
  return { p50: quantile(r.latencies, 0.5), p99: quantile(r.latencies, 0.99), admin };
}

const dir = mkdtempSync(join(tmpdir(), 'fk-bench-hook-'));
const key = execFileSync(process.execPath, [FENGKONG, 'keys', 'create', '--role', 'admin', '--data', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
const srv = await spawnServe(['--data', dir]);
const receivers: Awaited<ReturnType<typeof deadReceiver>>[] = [];
try {
  await registerReference(srv.url, key);
  await phase(srv.url, key); // warm-up: the first seconds of a fresh server are its own tail
  const ratios: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const control = await phase(srv.url, key);
    const rx = await deadReceiver(); // a new one each round: every round's deliveries reach it and hang
    receivers.push(rx);
    const made = await fetch(new URL('/v1/webhooks', srv.url), { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ url: rx.url, events: ['account.restricted', 'account.restored'] }) });
    const hook = (await made.json()) as { id: string };
    const dead = await phase(srv.url, key);
    const states = (await (await fetch(new URL(`/v1/webhooks/${hook.id}/deliveries?limit=1000`, srv.url), { headers: { authorization: `Bearer ${key}` } })).json()) as { deliveries: { state: string }[] };
    const pending = states.deliveries.filter((d) => d.state === 'pending').length;
    await (await fetch(new URL(`/v1/webhooks/${hook.id}`, srv.url), { method: 'DELETE', headers: { authorization: `Bearer ${key}` } })).arrayBuffer();
    ratios.push(dead.p99 / control.p99);
    console.log(`round ${round}: ${rate}/s for ${seconds} s a phase, one server`);
    console.log(`  no webhook                 p50 ${control.p50.toFixed(2)} / p99 ${control.p99.toFixed(2)} ms (${control.admin} account actions)`);
    console.log(`  webhook to a dead receiver p50 ${dead.p50.toFixed(2)} / p99 ${dead.p99.toFixed(2)} ms (${dead.admin} account actions, ${rx.received()} deliveries hanging at the receiver, ${pending} of ${states.deliveries.length} pending in the outbox)`);
    console.log(`  p99 ${(dead.p99 / control.p99).toFixed(2)}× the control, p50 ${(dead.p50 / control.p50).toFixed(2)}×`);
  }
  ratios.sort((a, b) => a - b);
  console.log(`median p99 ratio over ${rounds} rounds: ${ratios[ratios.length >> 1].toFixed(2)}×`);
} finally {
  await stopServe(srv);
  for (const rx of receivers) await rx.close();
  rmSync(dir, { recursive: true, force: true });
}
