/**
 * How far a partitioned cluster's shared-key windows drift under concurrent load (docs/scale-out.md,
 * "Guarantees"): a simulated world's stream sent to two `fengkong serve` nodes by many clients at
 * once (each takes the next event, so the stream stays near time order), then the cluster's stream
 * read back in the order JetStream stored it and replayed through one engine — the decisions the
 * cluster would have made fed one request at a time in that order. A payment whose answer differs
 * saw a merchant, terminal, device or IP window without a payment being decided at the same moment
 * on another partition. The same load on a cluster of one partition is the control: there one
 * engine decides in the stored order, so nothing may differ.
 *
 * usage: node dist/bench/scale-out-drift.js [--accounts 400] [--days 4] [--clients 16] [--partitions 3]
 * Needs PostgreSQL and NATS with JetStream on loopback (.ci/services starts them).
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEvent } from '../src/contract/parse.js';
import { Engine } from '../src/engine/engine.js';
import { loadPolicy } from '../src/engine/policy-source.js';
import type { JournalEntry } from '../src/log/journal.js';
import { connectCluster } from '../src/store/nats/connect.js';
import { benchCluster, NATS } from './cluster-place.js';
import { followStream, streamLastSeq } from '../src/store/nats/stream-feed.js';
import { openClusterStores } from '../src/wiring/cluster/stores.js';
import { FENGKONG, spawnServe as serve, stopServe } from './serve-child.js';
import { answerHelp, flag } from './util.js';

answerHelp('usage: node dist/bench/scale-out-drift.js [--accounts 400] [--days 4] [--clients 16] [--partitions 3]');
const accounts = Number(flag('accounts') ?? '400');
const days = Number(flag('days') ?? '4');
const clients = Number(flag('clients') ?? '16');
const partitions = Number(flag('partitions') ?? '3');

interface Answer {
  readonly txId: string;
  readonly outcome: string;
  readonly score: number;
  readonly reasons: readonly { code: string }[];
}

async function owns(url: string, key: string): Promise<number> {
  const h = (await (await fetch(`${url}/healthz`, { headers: { authorization: `Bearer ${key}` } })).json()) as { partitions?: { role: string }[] };
  return (h.partitions ?? []).filter((p) => p.role === 'owning').length;
}

async function until(cond: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const world = mkdtempSync(join(tmpdir(), 'fk-drift-'));
execFileSync(process.execPath, [FENGKONG, 'simulate', '--out', world, '--seed', '29', '--accounts', String(accounts), '--days', String(days), '--quiet'], { stdio: 'ignore' });
const lines = readFileSync(join(world, 'events.jsonl'), 'utf8').split('\n').filter((l) => l !== '');
rmSync(world, { recursive: true, force: true });
const payments = lines.filter((l) => l.includes('"type":"transaction"')).length;
process.stderr.write(`${lines.length} events, ${payments} payments (seed 29); ${clients} clients over two nodes; load average ${loadavg()[0].toFixed(1)}\n`);

/** One run on a fresh cluster of `P` partitions: how many answers differ from the stored order's replay. */
async function run(P: number): Promise<{ differ: number; outcomes: number; answered: number; codes: Map<string, number> }> {
  const place = await benchCluster('d');
  const { base, key, name } = place;
  const nodes: Array<{ url: string; proc: ChildProcess }> = [];
  const nc = await connectCluster({ url: NATS, cluster: name });
  try {
    nodes.push(await serve(['--nats', NATS, ...base, '--node-id', 'a', '--partitions', String(P)]));
    await until(async () => (await owns(nodes[0].url, key)) === P, 'node a to own every partition');
    nodes.push(await serve(['--nats', NATS, ...base, '--node-id', 'b']));
    if (P > 1) await until(async () => (await owns(nodes[1].url, key)) > 0, 'the partitions to spread');
    else await new Promise((r) => setTimeout(r, 500));

    const answered = new Map<string, Answer>();
    let next = 0;
    await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        const url = nodes[c % 2].url;
        for (;;) {
          const i = next++;
          if (i >= lines.length) return;
          const tx = lines[i].includes('"type":"transaction"');
          const r = await fetch(`${url}${tx ? '/v1/decisions' : '/v1/events'}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: lines[i] });
          const text = await r.text();
          if (r.status !== 200 && r.status !== 202) throw new Error(`event ${i}: ${r.status} ${text}`);
          if (tx) {
            const a = JSON.parse(text) as Answer;
            answered.set(a.txId, a);
          }
        }
      }),
    );

    // the stream in the order JetStream stored it, replayed through one engine
    const stores = await openClusterStores({ postgres: place.postgres, cluster: name, masterKeyFile: place.masterKeyFile, poolMax: 2 });
    const entries: JournalEntry[] = [];
    try {
      const end = await streamLastSeq(nc);
      const feed = followStream(nc, stores.crypt.payloadSealer(), (m) => void entries.push(...m.entries));
      await feed.reached(end);
      await feed.stop();
    } finally {
      await stores.close();
    }
    const engine = new Engine(loadPolicy());
    let differ = 0, outcomes = 0;
    const codes = new Map<string, number>();
    for (const e of entries) {
      if (e.type === 'control' || e.type === 'input') continue;
      const d = engine.apply(parseEvent(JSON.parse(e.event)));
      if (d === null) continue;
      const got = answered.get(d.txId)!;
      const want = { outcome: d.outcome, score: d.score, reasons: d.reasons.map((r) => r.code) };
      const have = { outcome: got.outcome, score: got.score, reasons: got.reasons.map((r) => r.code) };
      if (JSON.stringify(want) !== JSON.stringify(have)) {
        differ++;
        if (want.outcome !== have.outcome) outcomes++;
        for (const c of new Set([...want.reasons, ...have.reasons])) if (want.reasons.includes(c) !== have.reasons.includes(c)) codes.set(c, (codes.get(c) ?? 0) + 1);
      }
    }
    return { differ, outcomes, answered: answered.size, codes };
  } finally {
    for (const n of nodes) await stopServe(n);
    await nc.close();
    await place.drop();
  }
}

for (const P of [1, partitions]) {
  const r = await run(P);
  const codes = [...r.codes.entries()].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ');
  console.log(
    `P = ${P}: ${r.answered} payments answered by ${clients} concurrent clients on two nodes; ${r.differ} (${((100 * r.differ) / r.answered).toFixed(3)} %) differ from one engine fed the stored order ` +
      `(${r.outcomes} in outcome)${codes === '' ? '' : `; reasons that differ: ${codes}`}`,
  );
}
