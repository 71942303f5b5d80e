// Partition snapshots (docs/scale-out.md): `fengkong snapshot --nats … --postgres …` beside a running
// node stores the partition's engine in PostgreSQL; a node started later restores it and replays only
// the journal after it, then takes the partition over — and every decision of the whole stream, before
// and after, still equals `fengkong replay` of the same events. A payment decided before the snapshot
// and re-sent to the restored node is answered from the journal, not decided again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { schemaOf } from '../../../src/store/postgres/pool.js';
import { call } from '../../server/helpers.js';
import { BIN, roleOf, startNode, testCluster, until, type Node } from './nodes.js';

test('a node restored from a partition snapshot decides the rest of the stream as fengkong replay does', { timeout: 240_000 }, async (t) => {
  const c = await testCluster(t);
  const world = join(c.dir, 'world');
  execFileSync(process.execPath, [BIN, 'simulate', '--out', world, '--seed', '5', '--accounts', '80', '--days', '3', '--quiet'], { stdio: 'ignore' });
  const lines = readFileSync(join(world, 'events.jsonl'), 'utf8').split('\n').filter((l) => l.length > 0);
  const answered = new Map<string, string>();
  const feed = async (n: Node, from: number, to: number): Promise<void> => {
    for (let i = from; i < to; i++) {
      const ev = JSON.parse(lines[i]) as { type: string; id?: string };
      const r = await call(n.url, ev.type === 'transaction' ? '/v1/decisions' : '/v1/events', { key: c.key, body: lines[i] });
      assert.ok(r.status === 200 || r.status === 202, `event ${i + 1} on ${n.id}: ${r.status} ${r.text}`);
      if (ev.type === 'transaction') answered.set(ev.id!, r.text);
    }
  };
  const db = new pg.Client({ connectionString: c.postgres });
  db.on('error', () => undefined); // the test's database is dropped (with its connections) after it
  await db.connect();
  const projected = async (): Promise<number> => Number((await db.query(`SELECT count(*) AS n FROM ${pg.escapeIdentifier(schemaOf(c.cluster))}.journal`)).rows[0].n);

  const a = await startNode(t, c, 'A');
  await until('node A owning the partition', async () => (await roleOf(a, c.key)) === 'owning');
  const cut1 = Math.floor(lines.length * 0.6);
  const cut2 = Math.floor(lines.length * 0.8);
  await feed(a, 0, cut1);

  // the snapshot, beside the running node
  const snap = execFileSync(process.execPath, [BIN, 'snapshot', '--nats', c.nodeArgs[1], '--postgres', c.postgres, '--cluster', c.cluster, '--master-key-file', c.masterKeyFile], { encoding: 'utf8' });
  assert.match(snap, new RegExp(`partition 0: snapshot at journal entry ${cut1} \\(${cut1} entries replayed after entry 0\\)`));
  await feed(a, cut1, cut2);
  // a second run starts from the first snapshot and replays only what came after it
  const again = execFileSync(process.execPath, [BIN, 'snapshot', '--nats', c.nodeArgs[1], '--postgres', c.postgres, '--cluster', c.cluster, '--master-key-file', c.masterKeyFile], { encoding: 'utf8' });
  assert.match(again, new RegExp(`snapshot at journal entry ${cut2} \\(${cut2 - cut1} entries replayed after entry ${cut1}\\)`));
  await feed(a, cut2, cut2 + 10);

  // B starts from the newest snapshot (the projection must hold every id before it first)
  await until('the projection to hold every entry', async () => (await projected()) === cut2 + 10);
  const b = await startNode(t, c, 'B');
  assert.match(b.stderr(), new RegExp(`restored the snapshot at entry ${cut2} in \\d+ ms`));
  await until('node B following', async () => (await roleOf(b, c.key)) === 'following');
  // A hands the partition over on SIGTERM; B decides the rest of the stream
  a.proc.kill('SIGTERM');
  assert.equal((await a.exited).code, 0);
  await until('node B owning the partition', async () => (await roleOf(b, c.key)) === 'owning');
  await feed(b, cut2 + 10, lines.length);

  const out = join(c.dir, 'replay.jsonl');
  execFileSync(process.execPath, [BIN, 'replay', join(world, 'events.jsonl'), '--out', out, '--quiet'], { stdio: 'ignore' });
  const replayed = readFileSync(out, 'utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as { txId: string; outcome: string; score: number; reasons: unknown });
  assert.equal(replayed.length, answered.size);
  let afterRestore = 0;
  for (const r of replayed) {
    const got = JSON.parse(answered.get(r.txId)!) as { outcome: string; score: number; reasons: unknown; seq: number };
    assert.deepEqual({ outcome: got.outcome, score: got.score, reasons: got.reasons }, { outcome: r.outcome, score: r.score, reasons: r.reasons }, r.txId);
    if (got.seq > cut2 + 10) afterRestore++;
  }
  assert.ok(afterRestore > 30, `the restored node decided ${afterRestore} payments`);

  // a payment decided long before the snapshot, re-sent to the restored node: replayed, not decided again
  const firstTx = lines.find((l) => l.includes('"type":"transaction"'))!;
  const id = (JSON.parse(firstTx) as { id: string }).id;
  const retry = await call(b.url, '/v1/decisions', { key: c.key, body: firstTx });
  assert.equal(retry.status, 200, retry.text);
  assert.equal(retry.headers['fengkong-replayed'], 'true');
  assert.equal(retry.text, answered.get(id));
  await db.end();
});
