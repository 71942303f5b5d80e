/**
 * The Redis side of a cluster: one ioredis client whose every key carries the cluster's prefix
 * `fk:<c>:` (ioredis `keyPrefix`), so several clusters and test runs share one server. Opening fails
 * fast, naming the URL, when the server does not answer: a node must not start and then hang on
 * its first shared-window update. Once connected, a lost connection is retried with a capped delay.
 */
import { Redis } from 'ioredis';
import { StoreError } from '../../errors.js';
import { checkClusterName } from '../cluster-name.js';
import { describeCause, redactUrl } from '../service-messages.js';

/**
 * A cluster's Redis client and its names; close() waits for pending replies, then disconnects.
 * Note: ioredis prefixes the keys of commands, not the patterns of SCAN or KEYS nor the keys they return.
 */
export interface RedisCluster {
  readonly redis: Redis;
  readonly cluster: string;
  /** The prefix of every key of the cluster: `fk:<cluster>:`. */
  readonly prefix: string;
  /** The URL with its password hidden, for messages. */
  readonly where: string;
  close(): Promise<void>;
}

/** Patience of the open; the default suits loopback and one data centre. */
export interface RedisOpenOptions {
  /** How long connecting (TCP and the ready check) may take before the open fails (default 5000 ms). */
  readonly connectTimeoutMs?: number;
}

/** The key prefix of cluster `c`. */
export function redisPrefixOf(cluster: string): string {
  return `fk:${checkClusterName(cluster)}:`;
}

/** Delay before the n-th reconnection once the client has been connected: 100 ms, 200 ms, … at most 2 s. */
function reconnectDelay(times: number): number {
  return Math.min(times * 100, 2000);
}

/**
 * Connects to the Redis server at `url` for cluster `cluster`. A StoreError naming the URL when the
 * server refuses, does not answer within the timeout, or rejects the credentials.
 */
export async function openRedisCluster(url: string, cluster: string, opts: RedisOpenOptions = {}): Promise<RedisCluster> {
  const prefix = redisPrefixOf(cluster);
  const where = redactUrl(url);
  const timeoutMs = opts.connectTimeoutMs ?? 5000;
  if (!/^rediss?:\/\//.test(url)) throw new StoreError(`${where} is not a Redis URL: give one like redis://host:6379 (--redis)`);
  let connected = false;
  let lastError: unknown = null;
  let reported = false;
  const redis = new Redis(url, {
    keyPrefix: prefix,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    // before the first connection: no retry, the open fails; after: reconnect forever with a capped delay
    retryStrategy: (times) => (connected ? reconnectDelay(times) : null),
    connectionName: `fengkong-${cluster}`,
  });
  redis.on('error', (e: unknown) => {
    lastError = e;
    if (connected && !reported) {
      reported = true;
      process.stderr.write(`fengkong: Redis ${where}: ${describeCause(e)}; reconnecting\n`);
    }
  });
  redis.on('ready', () => {
    reported = false;
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.connect(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    connected = true;
  } catch (e) {
    redis.disconnect();
    const why = lastError !== null ? describeCause(lastError) : describeCause(e);
    throw new StoreError(`cannot reach Redis at ${where} for cluster ${cluster}: ${why} — check the URL (--redis) and that the server is up`, {
      cause: lastError ?? e,
    });
  } finally {
    clearTimeout(timer);
  }
  let closed: Promise<void> | null = null;
  return {
    redis,
    cluster,
    prefix,
    where,
    close: () =>
      (closed ??= (async () => {
        try {
          await redis.quit();
        } catch {
          redis.disconnect(); // already closed or unreachable: drop what is left
        }
      })()),
  };
}
