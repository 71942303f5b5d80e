/**
 * The cluster name every scale-out adapter builds its names from — PostgreSQL schema `fk_<c>`, Redis
 * keys `fk:<c>:…`, NATS subjects and buckets — checked in one place so that a name valid for one
 * service is valid for all, and several clusters (and test runs) can share the services safely.
 */
import { ConfigError } from '../errors.js';

/** The name used when `--cluster` is not given. */
export const DEFAULT_CLUSTER = 'fengkong';

/** Longest name: `fk_<c>` must fit PostgreSQL's 63-byte identifiers with room for NATS suffixes. */
const MAX_LENGTH = 40;

/** `cluster` when it is letters, digits and `_` (1–40 of them); a ConfigError saying so otherwise. */
export function checkClusterName(cluster: string): string {
  if (!/^[A-Za-z0-9_]+$/.test(cluster) || cluster.length > MAX_LENGTH) {
    throw new ConfigError(`cluster name ${JSON.stringify(cluster)} is not usable: give 1 to ${MAX_LENGTH} letters, digits or _ (--cluster)`);
  }
  return cluster;
}
