/**
 * Does a dead webhook receiver slow decisions? (issue 16: "a slow or dead receiver never slows
 * decisions — measure it".) One server of ours, a steady open-loop 1,000 decisions/s, measured twice
 * per round: as the control, and while an admin client freezes and unfreezes an account 10 times a
 * second with a webhook subscribed to both events pointing at a receiver that accepts every
 * connection and never answers — so every delivery waits for its 10 s timeout, 16 in flight, and the
 * outbox grows. The control runs the same admin traffic with no webhook. Prints p50 / p99 of both and
 * the ratio (the floor is the control: 1.0× means the dead receiver costs the answers nothing).
 *
 * usage: node dist/bench/webhook-receiver.js [--rate 1000] [--seconds 10] [--rounds 2]
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

answerHelp('usage: node dist/bench/webhook-receiver.js [--rate 1000] [--seconds 10] [--rounds 2]');
const rate = Number(flag('rate') ?? '1000');
const seconds = Number(flag('seconds') ?? '10');
const rounds = Number(flag('rounds') ?? '2');

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

/** One measured run: the decisions' latencies while the admin client works; with or without the webhook. */
async function run(withHook: boolean): Promise<{ p50: number; p99: number; admin: number; delivered: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'fk-bench-hook-'));
  const key = execFileSync(process.execPath, [FENGKONG, 'keys', 'create', '--role', 'admin', '--data', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const srv = await spawnServe(['--data', dir]);
  const rx = await deadReceiver();
  try {
    await registerReference(srv.url, key);
    if (withHook) {
      const s = await post(srv.url, key, '/v1/webhooks', { url: rx.url, events: ['account.restricted', 'account.restored'] });
      if (s !== 201) throw new Error(`webhook creation answered ${s}`);
    }
    let admin = 0;
    let stop = false;
    const adminLoop = (async () => {
      for (let i = 0; !stop; i++) {
        const acc = `acc-${(i * 7919) % WORLD.accounts}`;
        await post(srv.url, key, `/v1/accounts/${acc}/actions`, { action: 'freeze', reason: 'bench' });
        await post(srv.url, key, `/v1/accounts/${acc}/actions`, { action: 'unfreeze', reason: 'bench' });
        admin += 2;
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const r = await openLoop({ urls: [srv.url], path: '/v1/decisions', headers: { authorization: `Bearer ${key}` }, rate, seconds, sockets: 32, body: () => transactionText('h', counter++) });
    stop = true;
    await adminLoop;
    return { p50: quantile(r.latencies, 0.5), p99: quantile(r.latencies, 0.99), admin, delivered: rx.received() };
  } finally {
    await stopServe(srv);
    await rx.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

for (let round = 1; round <= rounds; round++) {
  const control = await run(false);
  const dead = await run(true);
  console.log(`round ${round}: ${rate}/s for ${seconds} s`);
  console.log(`  no webhook                 p50 ${control.p50.toFixed(2)} / p99 ${control.p99.toFixed(2)} ms (${control.admin} account actions)`);
  console.log(`  webhook to a dead receiver p50 ${dead.p50.toFixed(2)} / p99 ${dead.p99.toFixed(2)} ms (${dead.admin} account actions, ${dead.delivered} deliveries hanging at the receiver)`);
  console.log(`  p99 ${(dead.p99 / control.p99).toFixed(2)}× the control, p50 ${(dead.p50 / control.p50).toFixed(2)}×`);
}
