// Shared by the NATS adapter tests: a cluster of its own per test (random name, removed after) on
// the real NATS server, and journal entries that look like the engine's.
import type { TestContext } from 'node:test';
import { randomBytes } from 'node:crypto';
import { connectCluster, deleteClusterObjects, type NatsCluster, type NatsClusterOptions } from '../../../src/store/nats/connect.js';
import type { JournalEntry } from '../../../src/log/journal.js';

/** The NATS server the scale-out tests use (.ci/services starts it). */
export const NATS_URL = process.env.FK_NATS_URL ?? 'nats://127.0.0.1:4222';

/** A fresh cluster name per test, so runs never see each other's streams. */
export function testClusterName(): string {
  return `t_${randomBytes(5).toString('hex')}`;
}

/**
 * Connects to a new cluster for this test and deletes its stream and bucket after it. Fails — never
 * skips — when NATS is not reachable.
 */
export async function testCluster(t: TestContext, opts: Partial<NatsClusterOptions> = {}): Promise<NatsCluster> {
  const cluster = opts.cluster ?? testClusterName();
  let c: NatsCluster;
  try {
    c = await connectCluster({ url: NATS_URL, cluster, ...opts });
  } catch (e) {
    throw new Error(`NATS with JetStream is not reachable at ${NATS_URL}: run .ci/services (it starts PostgreSQL, Redis and NATS) — ${(e as Error).message}`, { cause: e });
  }
  t.after(async () => {
    await deleteClusterObjects(c.jsm, c.names);
    await c.close();
  });
  return c;
}

/** A second connection to the same cluster (another node); closed after the test, objects left to the first. */
export async function secondNode(t: TestContext, first: NatsCluster): Promise<NatsCluster> {
  const c = await connectCluster({ url: NATS_URL, cluster: first.names.cluster, ownerTtlMs: first.ownerTtlMs });
  t.after(() => c.close());
  return c;
}

/** Entries `from..from+n-1`, payment-like, with device ids `dev-<seq>` in the event. */
export function entries(from: number, n: number): JournalEntry[] {
  const out: JournalEntry[] = [];
  for (let i = 0; i < n; i++) {
    const seq = from + i;
    const tx = seq % 5 !== 0;
    out.push({
      seq,
      type: tx ? 'transaction' : 'account_event',
      txId: tx ? `tx-${seq}` : null,
      event: JSON.stringify({ type: tx ? 'transaction' : 'account_event', accountId: `acc-${seq % 7}`, device: { id: `dev-${seq}-secret` }, amount: { value: 1000 + seq, currency: 'CNY' }, note: 'ünïcødé "quoted"' }),
      decision: tx ? JSON.stringify({ outcome: 'approve', score: seq % 100, reasons: [] }) : null,
      receivedAt: 1_760_000_000_000 + seq,
    });
  }
  return out;
}

/** Every entry an async iterable yields. */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
