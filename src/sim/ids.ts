/**
 * Identifier factories. Ids look like the field's (`dev-3f9a0c12`, `T0A11F93`, `acc-40917723`,
 * 15-digit merchant codes) yet are unique by construction: each is a bijective scramble of a counter,
 * so no collision check or lookup table is needed.
 */

const MASK28 = 0x0fffffff;

function hex(n: number, width: number): string {
  return n.toString(16).toUpperCase().padStart(width, '0');
}

/** Hands out unique, random-looking ids for one world. */
export class IdFactory {
  private devices = 0;
  private terminals = 0;
  private accounts = 0;
  private readonly merchantSeq = new Map<string, number>();
  private readonly salt: number;

  constructor(seed: number) {
    this.salt = (Math.imul(seed >>> 0, 0x2545f491) ^ 0x5bd1e995) >>> 0;
  }

  /** `dev-` + 8 lowercase hex digits: a phone fingerprint. */
  device(): string {
    let x = (this.devices++ + this.salt) >>> 0;
    x = Math.imul(x, 0x9e3779b1) >>> 0;
    x = (x ^ (x >>> 15)) >>> 0;
    x = Math.imul(x, 0x85ebca77) >>> 0;
    x = (x ^ (x >>> 13)) >>> 0;
    return 'dev-' + x.toString(16).padStart(8, '0');
  }

  /** `T` + 7 uppercase hex digits: a terminal serial. */
  terminal(): string {
    let x = (this.terminals++ + this.salt) & MASK28;
    x = Math.imul(x, 0x2c1b3c6d) & MASK28;
    x ^= x >>> 14;
    x = Math.imul(x, 0x297a2d39) & MASK28;
    x ^= x >>> 12;
    return 'T' + hex(x, 7);
  }

  /** `acc-` + 8 digits. */
  account(): string {
    const x = (this.accounts++ * 48271 + (this.salt % 100_000_000)) % 100_000_000;
    return 'acc-' + x.toString().padStart(8, '0');
  }

  /**
   * A 15-digit merchant code the way UnionPay-style codes are built: acquirer code (3) + area (4)
   * + MCC (4) + sequence (4), e.g. 898 4403 5812 0001.
   */
  merchant(acquirerCode: string, area: string, mcc: string): string {
    const key = acquirerCode + area + mcc;
    const n = (this.merchantSeq.get(key) ?? 0) + 1;
    this.merchantSeq.set(key, n);
    return key + n.toString().padStart(4, '0');
  }
}
