/**
 * The keys of a data folder in memory: the active data key (which seals), older data keys by id
 * (which still open what they sealed), and the token key. Data keys are stored wrapped —
 * AES-256-GCM under the 32-byte master key — so the database alone opens nothing. The token key is
 * derived from the master key with HKDF, so tokens stay equal across data key rotations.
 */
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { CryptoError } from '../errors.js';
import { openWith, sealedKeyId, sealWith, type DataKey } from './seal.js';

/** Length of the master key and of every data key. */
export const KEY_BYTES = 32;

/** The master key's own pseudo key id inside a wrapped data key (never a data key id). */
const MASTER_WRAP_ID = 0;

/** A data key as stored: its id and its bytes sealed under the master key. */
export interface WrappedKey {
  readonly id: number;
  readonly wrapped: Buffer;
}

/** Wraps a data key under the master key, binding the id (a wrapped key moved to another id fails). */
export function wrapDataKey(master: Buffer, dk: DataKey): WrappedKey {
  const plain = Buffer.alloc(4 + KEY_BYTES);
  plain.writeUInt32BE(dk.id >>> 0, 0);
  dk.key.copy(plain, 4);
  return { id: dk.id, wrapped: sealWith({ id: MASTER_WRAP_ID, key: master }, plain) };
}

/** Unwraps one stored key; CryptoError when the master key is not the one that wrapped it. */
export function unwrapDataKey(master: Buffer, w: WrappedKey): DataKey {
  const plain = openWith({ id: MASTER_WRAP_ID, key: master }, w.wrapped);
  if (plain.length !== 4 + KEY_BYTES || plain.readUInt32BE(0) !== w.id) throw new CryptoError(`wrapped data key ${w.id} is not bound to its id`);
  return { id: w.id, key: Buffer.from(plain.subarray(4)) };
}

/** A fresh random data key with this id. */
export function newDataKey(id: number): DataKey {
  return { id, key: randomBytes(KEY_BYTES) };
}

/** Seals with the active data key, opens with any known one, and makes equality tokens. */
export class Keyring {
  private readonly keys = new Map<number, DataKey>();
  private activeKey: DataKey | null = null;
  private readonly tokenKey: Buffer;

  /**
   * A keyring under `master` (32 bytes) holding `wrapped`; the highest id is active. A `tokenScope`
   * (a cluster's name) derives a token key of its own, so two clusters sharing a master key file
   * never share tokens; without one the tokens are those of a data folder, as they always were.
   */
  constructor(private readonly master: Buffer, wrapped: readonly WrappedKey[] = [], tokenScope?: string) {
    if (master.length !== KEY_BYTES) throw new CryptoError(`master key must be ${KEY_BYTES} bytes, got ${master.length}`);
    const info = tokenScope === undefined ? 'fengkong token v1' : `fengkong token v1 scope ${tokenScope}`;
    this.tokenKey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, KEY_BYTES));
    this.add(wrapped);
  }

  /** Adds stored keys (e.g. after a rotation by another process); the highest id becomes active. */
  add(wrapped: readonly WrappedKey[]): void {
    for (const w of wrapped) {
      if (this.keys.has(w.id)) continue;
      const dk = unwrapDataKey(this.master, w);
      this.keys.set(dk.id, dk);
      if (this.activeKey === null || dk.id > this.activeKey.id) this.activeKey = dk;
    }
  }

  /** The id of the data key that seals, or null before any exists. */
  get activeId(): number | null {
    return this.activeKey?.id ?? null;
  }

  /** Whether the data key `id` is held. */
  has(id: number): boolean {
    return this.keys.has(id);
  }

  /** Seals with the active data key (CryptoError when there is none). */
  seal(plain: Buffer | string): Buffer {
    if (this.activeKey === null) throw new CryptoError('no active data key to seal with');
    return sealWith(this.activeKey, plain);
  }

  /** Opens a value sealed with any held data key. */
  open(sealed: Buffer): Buffer {
    const id = sealedKeyId(sealed);
    const dk = this.keys.get(id);
    if (dk === undefined) throw new CryptoError(`sealed with data key ${id}, which this keyring does not hold`);
    return openWith(dk, sealed);
  }

  /** A new data key one above the highest, wrapped for storage; it becomes active here too. */
  rotate(): WrappedKey {
    let max = 0;
    for (const id of this.keys.keys()) max = Math.max(max, id);
    const dk = newDataKey(max + 1);
    const w = wrapDataKey(this.master, dk);
    this.add([w]);
    return w;
  }

  /**
   * A keyed HMAC-SHA256 token (hex) of `value` in `kind` (e.g. 'device'): equal values give equal
   * tokens, so an equality lookup works without the clear value; unknowable without the master key.
   */
  token(kind: string, value: string): string {
    return createHmac('sha256', this.tokenKey).update(kind).update('\u0000').update(value).digest('hex');
  }

  /**
   * The same token as 16 raw bytes: for a column indexed per row (a cluster's payments by account),
   * where a quarter of the hex text keeps the index small; 128 bits leave no collision to fear.
   */
  tokenBytes(kind: string, value: string): Buffer {
    return createHmac('sha256', this.tokenKey).update(kind).update('\u0000').update(value).digest().subarray(0, 16);
  }
}
