/**
 * AES-256-GCM sealing of byte strings with a data key, in a compact versioned format:
 * `[1 byte format version][4-byte data key id, big-endian][12-byte random nonce][ciphertext][16-byte tag]`.
 * The key id travels in every sealed value, so a keyring holding older keys opens values sealed
 * before a rotation. Pure: no files, no globals.
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomFillSync, type KeyObject } from 'node:crypto';
import { CryptoError } from '../errors.js';

/** The one format this code writes; a reader refuses any other (a newer fengkong wrote it). */
export const SEAL_FORMAT = 1;
/** Bytes before the ciphertext: version, key id, nonce. */
export const SEAL_HEADER_BYTES = 1 + 4 + 12;
/** The GCM tag after the ciphertext. */
export const SEAL_TAG_BYTES = 16;

/** A data key: its id (carried in each sealed value) and its 32 secret bytes. */
export interface DataKey {
  readonly id: number;
  readonly key: Buffer;
}

/** Key objects by key bytes: building one per call costs more than the sealing of a journal event. */
const keyObjects = new WeakMap<Buffer, KeyObject>();
function keyObjectOf(dk: DataKey): KeyObject {
  let k = keyObjects.get(dk.key);
  if (k === undefined) {
    k = createSecretKey(dk.key);
    keyObjects.set(dk.key, k);
  }
  return k;
}

/**
 * Random nonces drawn from a pool filled by the CSPRNG 4 KB at a time: one `randomBytes(12)` per
 * value costs several µs, most of a small value's sealing.
 */
const pool = Buffer.alloc(4092);
let poolAt = pool.length;
function nonce(): Buffer {
  if (poolAt + 12 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const n = pool.subarray(poolAt, poolAt + 12);
  poolAt += 12;
  return n;
}

/** Seals `plain` with `dk`: a fresh random nonce each call, so equal plaintexts never look equal. */
export function sealWith(dk: DataKey, plain: Buffer | string): Buffer {
  const iv = nonce();
  const cipher = createCipheriv('aes-256-gcm', keyObjectOf(dk), iv);
  const ct = typeof plain === 'string' ? cipher.update(plain, 'utf8') : cipher.update(plain);
  const out = Buffer.allocUnsafe(SEAL_HEADER_BYTES + ct.length + SEAL_TAG_BYTES);
  out[0] = SEAL_FORMAT;
  out.writeUInt32BE(dk.id >>> 0, 1);
  iv.copy(out, 5);
  const n = ct.copy(out, SEAL_HEADER_BYTES);
  const fin = cipher.final();
  fin.copy(out, SEAL_HEADER_BYTES + n);
  cipher.getAuthTag().copy(out, SEAL_HEADER_BYTES + n + fin.length);
  return out;
}

/** The data key id a sealed value names (CryptoError when it is too short or of another format). */
export function sealedKeyId(sealed: Buffer): number {
  if (sealed.length < SEAL_HEADER_BYTES + SEAL_TAG_BYTES) throw new CryptoError('sealed value too short');
  if (sealed[0] !== SEAL_FORMAT) throw new CryptoError(`sealed value of unknown format ${sealed[0]}`);
  return sealed.readUInt32BE(1);
}

/** Opens what sealWith(dk, …) sealed; a changed byte, a wrong key or a truncation is a CryptoError. */
export function openWith(dk: DataKey, sealed: Buffer): Buffer {
  const id = sealedKeyId(sealed);
  if (id !== dk.id) throw new CryptoError(`sealed with data key ${id}, not ${dk.id}`);
  const tagAt = sealed.length - SEAL_TAG_BYTES;
  try {
    const d = createDecipheriv('aes-256-gcm', keyObjectOf(dk), sealed.subarray(5, SEAL_HEADER_BYTES));
    d.setAuthTag(sealed.subarray(tagAt));
    const a = d.update(sealed.subarray(SEAL_HEADER_BYTES, tagAt));
    const b = d.final();
    return b.length === 0 ? a : Buffer.concat([a, b]);
  } catch (e) {
    throw new CryptoError(`sealed value does not authenticate under data key ${id} (changed, or another key)`, { cause: e });
  }
}
