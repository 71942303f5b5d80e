/**
 * Connecting a node to its cluster's NATS objects: the connection, the journal stream and the
 * owners bucket, created when missing and checked when present, so a node never appends to a
 * stream set up differently from what the cluster agreed on (another storage, fewer replicas).
 */
import { jetstream, jetstreamManager, RetentionPolicy, StorageType, type JetStreamClient, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import { ConfigError, StoreError } from '../../errors.js';
import { clusterNames, type ClusterNames } from './names.js';

/** How a node reaches its cluster; defaults suit one machine (1 replica) and docs/scale-out.md. */
export interface NatsClusterOptions {
  /** NATS server URL(s), e.g. `nats://127.0.0.1:4222` (`--nats`). */
  readonly url: string;
  /** The cluster name (`--cluster`): letters, digits and `_`. */
  readonly cluster: string;
  /**
   * Stream and bucket replicas: 1 on one machine, 3 in production. Given, a cluster created with
   * another count is refused; left out, the count the cluster has is taken (1 when creating it).
   */
  readonly replicas?: number;
  /**
   * Lease lifetime without renewal: how long a dead owner blocks a takeover. Given, a cluster created
   * with another TTL is refused; left out, the cluster's TTL is taken (3000 ms when creating it).
   */
  readonly ownerTtlMs?: number;
  /** How long JetStream remembers a Msg-Id to drop a re-sent append (default 120000 ms). */
  readonly duplicateWindowMs?: number;
  /** Connection name shown by the NATS server's monitoring (default `fengkong`). */
  readonly name?: string;
}

/** One node's handle on its cluster's NATS objects; `close` drains the connection. */
export interface NatsCluster {
  readonly names: ClusterNames;
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  /** The owners bucket (partition leases). */
  readonly owners: KV;
  /** Largest message the server accepts, headers included. */
  readonly maxPayload: number;
  readonly ownerTtlMs: number;
  close(): Promise<void>;
}

const DEFAULT_OWNER_TTL_MS = 3000;
const DEFAULT_DUPLICATE_WINDOW_MS = 120_000;

/** Connects and creates-or-verifies the cluster's stream and bucket. */
export async function connectCluster(opts: NatsClusterOptions): Promise<NatsCluster> {
  const names = clusterNames(opts.cluster);
  const replicas = opts.replicas ?? 1;
  const ownerTtlMs = opts.ownerTtlMs ?? DEFAULT_OWNER_TTL_MS;
  /** Whether the caller asked for these settings (refuse others) or takes the cluster's. */
  const strict = { replicas: opts.replicas !== undefined, ttl: opts.ownerTtlMs !== undefined };
  const duplicateWindowMs = opts.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS;
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) throw new ConfigError(`replicas ${replicas} is not allowed: use 1 (one machine) to 5 (JetStream's limit), usually 3`);
  if (!Number.isInteger(ownerTtlMs) || ownerTtlMs < 100) throw new ConfigError(`owner lease TTL ${ownerTtlMs} ms is not allowed: use at least 100 ms (3000 is the default)`);
  if (!Number.isInteger(duplicateWindowMs) || duplicateWindowMs < 1000) throw new ConfigError(`duplicate window ${duplicateWindowMs} ms is not allowed: use at least 1000 ms`);

  const nc = await openConnection(opts.url, opts.name ?? 'fengkong');
  try {
    let jsm: JetStreamManager;
    try {
      jsm = await jetstreamManager(nc);
    } catch (e) {
      throw new StoreError(`NATS at ${opts.url} has no JetStream: start nats-server with -js (or .ci/services on this machine)`, { cause: e });
    }
    const js = jetstream(nc);
    await ensureJournalStream(jsm, names, replicas, duplicateWindowMs, strict.replicas);
    const owners = await ensureOwnersBucket(js, names, replicas, ownerTtlMs, strict);
    const ttl = (await owners.status()).ttl;
    return {
      names,
      nc,
      js,
      jsm,
      owners,
      maxPayload: nc.info?.max_payload ?? 1024 * 1024,
      ownerTtlMs: ttl,
      close: () => nc.drain(),
    };
  } catch (e) {
    await nc.close();
    throw e;
  }
}

/** Removes a cluster's stream and bucket (tests, and a cluster being torn down); absent ones are fine. */
export async function deleteClusterObjects(jsm: JetStreamManager, names: ClusterNames): Promise<void> {
  for (const stream of [names.stream, `KV_${names.ownersBucket}`]) {
    try {
      await jsm.streams.delete(stream);
    } catch (e) {
      if (!(e instanceof Error && /stream not found/i.test(e.message))) throw e;
    }
  }
}

async function openConnection(url: string, name: string): Promise<NatsConnection> {
  try {
    return await connect({ servers: url, name, timeout: 3000, maxReconnectAttempts: -1 });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new StoreError(`cannot reach NATS at ${url} (${why}): start the server (nats-server -js; .ci/services on this machine) or pass --nats with its URL`, { cause: e });
  }
}

/** The stream settings a cluster agrees on; a stream found with others is refused, never changed. */
async function ensureJournalStream(jsm: JetStreamManager, names: ClusterNames, replicas: number, duplicateWindowMs: number, strictReplicas: boolean): Promise<void> {
  const want = {
    name: names.stream,
    subjects: [names.journalWildcard, names.controlSubject],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    num_replicas: replicas,
    duplicate_window: nanos(duplicateWindowMs),
  } satisfies Partial<StreamConfig> & { name: string };
  let have: StreamConfig;
  try {
    have = (await jsm.streams.info(names.stream)).config;
  } catch (e) {
    if (!(e instanceof Error && /stream not found/i.test(e.message))) throw new StoreError(`cannot read JetStream stream ${names.stream}: ${(e as Error).message}`, { cause: e });
    try {
      await jsm.streams.add(want);
      return;
    } catch (e2) {
      throw new StoreError(`cannot create JetStream stream ${names.stream}: ${(e2 as Error).message}`, { cause: e2 });
    }
  }
  const diffs: string[] = [];
  const subjects = [...(have.subjects ?? [])].sort().join(',');
  if (subjects !== [...want.subjects].sort().join(',')) diffs.push(`subjects ${subjects} (want ${want.subjects.join(',')})`);
  if (have.storage !== want.storage) diffs.push(`storage ${have.storage} (want file)`);
  if (strictReplicas && have.num_replicas !== replicas) diffs.push(`replicas ${have.num_replicas} (want ${replicas})`);
  if (have.duplicate_window !== want.duplicate_window) diffs.push(`duplicate window ${have.duplicate_window / 1e6} ms (want ${duplicateWindowMs})`);
  if (have.retention !== RetentionPolicy.Limits) diffs.push(`retention ${have.retention} (want limits)`);
  if (diffs.length > 0) {
    throw new StoreError(
      `JetStream stream ${names.stream} exists with other settings: ${diffs.join('; ')}. Start every node of cluster ${names.cluster} with the same settings, or pick another --cluster`,
    );
  }
}

async function ensureOwnersBucket(js: JetStreamClient, names: ClusterNames, replicas: number, ttlMs: number, strict: { replicas: boolean; ttl: boolean }): Promise<KV> {
  let kv: KV;
  try {
    kv = await new Kvm(js).create(names.ownersBucket, { history: 1, replicas, ttl: ttlMs, storage: StorageType.File });
  } catch (e) {
    throw new StoreError(`cannot create or open KV bucket ${names.ownersBucket}: ${(e as Error).message}`, { cause: e });
  }
  const st = await kv.status();
  if ((strict.ttl && st.ttl !== ttlMs) || (strict.replicas && st.replicas !== replicas)) {
    throw new StoreError(
      `KV bucket ${names.ownersBucket} exists with TTL ${st.ttl} ms and ${st.replicas} replicas (want ${ttlMs} ms and ${replicas}): start every node of cluster ${names.cluster} with the same lease TTL, or pick another --cluster`,
    );
  }
  return kv;
}
