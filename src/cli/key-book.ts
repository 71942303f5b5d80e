/**
 * What `fengkong keys` does to a place that holds API keys — a data folder's SQLite store
 * (keys-sqlite.ts) or a cluster's PostgreSQL schema (keys-cluster.ts) — so the command parses and
 * prints once and each place keeps its own transactions. Every change is stored together with its
 * audit record (the records are built here, so both places write the same ones).
 */
import type { AuditRecord } from '../audit/log.js';
import type { NewKeyOptions, Role, StoredKey } from '../keys/store.js';
import { keyIdOf, keyView } from '../server/auth.js';

/** One open place of keys; close() releases it (the command's last step, success or not). */
export interface KeyBook {
  /** Where the keys are, for messages: the data folder, or `cluster C on URL`. */
  readonly where: string;
  /** Who applies a change, for messages ("a server running on this folder"). */
  readonly readers: string;
  /** What a running server does once a data key is rotated in, for messages. */
  readonly rotationNote: string;
  /** Stores a new key's hash with its audit record (`key.create`); returns the key stored. */
  create(hash: string, role: Role, opts: NewKeyOptions, actor: string): Promise<StoredKey>;
  /** Every key, revoked ones too, oldest first. */
  list(): Promise<StoredKey[]>;
  /** Sets or lifts the rate of the key named by id or hash prefix, audited (`key.rate`). */
  rate(idOrPrefix: string, rate: number | null, actor: string): Promise<StoredKey>;
  /** Revokes the key named by id or hash prefix, audited (`key.revoke`). */
  revoke(idOrPrefix: string, actor: string, reason: string): Promise<StoredKey>;
  /** Adds a new active data key; returns its id. */
  rotateData(): Promise<number>;
  close(): Promise<void>;
}

/** The audit record of a key made by `actor`. */
export function createRecord(actor: string, stored: StoredKey): AuditRecord {
  return { actor, action: 'key.create', target: `keys/${keyIdOf(stored.hash)}`, after: keyView(stored) };
}

/** The audit record of a key changed by `actor` (`key.rate` or `key.revoke`). */
export function changeRecord(actor: string, action: 'key.rate' | 'key.revoke', before: StoredKey, after: StoredKey): AuditRecord {
  return { actor, action, target: `keys/${keyIdOf(before.hash)}`, before: keyView(before), after: keyView(after) };
}
