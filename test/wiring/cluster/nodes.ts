// Cluster nodes as a user runs them: `fengkong serve --nats … --postgres …` child processes on the
// real services, a fresh database and cluster name per test (both removed after), keys made with
// `fengkong keys create --postgres …`. Shared by the cluster tests.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { connectCluster, deleteClusterObjects } from '../../../src/store/nats/connect.js';
import { freshPostgres } from '../../helpers/services.js';
import { ROOT } from '../../helpers/paths.js';
import { call } from '../../server/helpers.js';
import { NATS_URL } from '../../store/nats/harness.js';
import { waitFor } from './harness.js';

export const BIN = join(ROOT, 'bin', 'fengkong.js');

/** One test's cluster: its services' names and a key. */
export interface TestCluster {
  readonly cluster: string;
  readonly postgres: string;
  readonly masterKeyFile: string;
  /** An admin key (decides, ingests, reads). */
  readonly key: string;
  readonly dir: string;
  /** Arguments every node of this cluster is started with. */
  readonly nodeArgs: readonly string[];
}

/** A running `fengkong serve` node. */
export interface Node {
  readonly id: string;
  readonly proc: ChildProcess;
  readonly url: string;
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  stderr(): string;
}

/**
 * A fresh database, cluster name and master key file for `t`; every node and object removed after.
 * `ownerTtlMs` sets the lease TTL every node of it is started with (default: the nodes' default).
 */
export async function testCluster(t: TestContext, ownerTtlMs?: number): Promise<TestCluster> {
  const db = await freshPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'fk-cluster-'));
  const masterKeyFile = join(dir, 'master.key');
  const base = ['--postgres', db.url, '--cluster', db.cluster, '--master-key-file', masterKeyFile];
  t.after(async () => {
    const nats = await connectCluster({ url: NATS_URL, cluster: db.cluster, ...(ownerTtlMs === undefined ? {} : { ownerTtlMs }) });
    await deleteClusterObjects(nats.jsm, nats.names);
    await nats.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });
  const key = execFileSync(process.execPath, [BIN, 'keys', 'create', '--role', 'admin', '--name', 'cluster-test', ...base], { encoding: 'utf8' }).trim();
  return { cluster: db.cluster, postgres: db.url, masterKeyFile, key, dir, nodeArgs: ['--nats', NATS_URL, ...base, ...(ownerTtlMs === undefined ? [] : ['--owner-ttl-ms', String(ownerTtlMs)])] };
}

/** Starts a node and resolves once it listens; it is killed after the test if still running. */
export function startNode(t: TestContext, c: TestCluster, id: string, extra: readonly string[] = []): Promise<Node> {
  const proc = spawn(process.execPath, [BIN, 'serve', ...c.nodeArgs, '--port', '0', '--node-id', id, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => proc.once('exit', (code, signal) => r({ code, signal })));
  t.after(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await exited;
    }
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`node ${id} did not start: ${err}`)), 30_000);
    proc.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ id, proc, url: m[1], exited, stderr: () => err });
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node ${id} exited ${code}: ${err}`));
    });
  });
}

/** The role node `n` has for partition 0, as its /healthz tells a caller with a key. */
export async function roleOf(n: Node, key: string): Promise<string> {
  const h = await call(n.url, '/healthz', { key });
  return (h.json as { partitions?: { role: string }[] }).partitions?.[0]?.role ?? 'unknown';
}

/** Resolves once `cond` holds (polling), with the milliseconds it took; rejects naming `what` after `ms` (default 20 s). */
export function until(what: string, cond: () => Promise<boolean> | boolean, ms = 20_000): Promise<number> {
  return waitFor(what, cond, ms);
}

/** Node A owning the partition and node B following it: the usual start of a two-node test. */
export async function ownerAndFollower(t: TestContext, c: TestCluster): Promise<{ a: Node; b: Node }> {
  const a = await startNode(t, c, 'A');
  await until('node A owning the partition', async () => (await roleOf(a, c.key)) === 'owning');
  const b = await startNode(t, c, 'B');
  await until('node B following', async () => (await roleOf(b, c.key)) === 'following');
  return { a, b };
}

/** A simulated world of `accounts` × `days` (seed `seed`) in the cluster's folder: its events file and lines. */
export function simulatedWorld(c: TestCluster, seed: number, accounts: number, days: number): { events: string; lines: string[] } {
  const world = join(c.dir, `world-${seed}`);
  execFileSync(process.execPath, [BIN, 'simulate', '--out', world, '--seed', String(seed), '--accounts', String(accounts), '--days', String(days), '--quiet'], { stdio: 'ignore' });
  const events = join(world, 'events.jsonl');
  return { events, lines: readFileSync(events, 'utf8').split('\n').filter((l) => l.length > 0) };
}

/** A decision as a node answers it (the parts `fengkong replay` writes too). */
export interface Answer {
  readonly txId: string;
  readonly outcome: string;
  readonly score: number;
  readonly reasons: readonly { code: string }[];
  readonly policy: string;
}

/**
 * Asserts every payment of `events` (a file) was answered (`answered`, by id) exactly as `fengkong
 * replay` decides it — outcome, score, reasons, policy — and returns how many were not approved.
 */
export function assertAsReplay(c: TestCluster, events: string, answered: ReadonlyMap<string, Answer>): number {
  const out = join(c.dir, `replay-${answered.size}.jsonl`);
  execFileSync(process.execPath, [BIN, 'replay', events, '--out', out, '--quiet'], { stdio: 'ignore' });
  const replayed = readFileSync(out, 'utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as Answer);
  assert.equal(replayed.length, answered.size);
  let flagged = 0;
  for (const r of replayed) {
    const got = answered.get(r.txId);
    assert.ok(got !== undefined, `${r.txId} was answered`);
    assert.deepEqual({ outcome: got.outcome, score: got.score, reasons: got.reasons, policy: got.policy }, { outcome: r.outcome, score: r.score, reasons: r.reasons, policy: r.policy }, r.txId);
    if (r.outcome !== 'approve') flagged++;
  }
  return flagged;
}
