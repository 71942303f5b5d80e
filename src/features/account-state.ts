/**
 * What the engine remembers about each credit account between payments: its registration (limit,
 * home, KYC), its recent security events, the devices it has used, its last payment and a running
 * picture of its usual amounts. One compact object per account, created on first sight.
 */
import type { AccountActivityEvent, AccountEvent, TransactionEvent } from '../contract/events.js';

/** How many devices an account remembers (oldest forgotten first). */
export const MAX_DEVICES = 16;
/** How many recent events of each security kind an account remembers. */
export const MAX_RECENT = 8;

/** Numbers each account keeps; they live in shared Float64Array chunks, see AccountState. */
const NUMERIC_FIELDS = 17;
/** Accounts per chunk of numeric storage. */
const CHUNK_ACCOUNTS = 4096;
let chunk = new Float64Array(0);
let used = CHUNK_ACCOUNTS;

/** Reserves one account's numbers in the current chunk (accounts are never freed: they are registered entities). */
function reserve(): [Float64Array, number] {
  if (used === CHUNK_ACCOUNTS) {
    chunk = new Float64Array(CHUNK_ACCOUNTS * NUMERIC_FIELDS);
    used = 0;
  }
  return [chunk, NUMERIC_FIELDS * used++];
}

/**
 * Mutable per-account memory; numbers are NaN when never seen. The numbers live in a shared
 * Float64Array chunk rather than in object fields: V8 boxes every non-integer number field as its
 * own heap object, which tripled the memory of an account (measured by bench/feature-memory).
 */
export class AccountState {
  private readonly f: Float64Array;
  private readonly o: number;
  registered = false;
  kyc = '';
  lastDevice = '';

  /**
   * @param id the account id; kept as the one copy of the string that every map of this account is
   * keyed with, so a million accounts do not each retain a copy per map.
   */
  constructor(readonly id: string) {
    [this.f, this.o] = reserve();
    this.f.fill(NaN, this.o, this.o + NUMERIC_FIELDS);
    this.outstanding = 0;
    this.txCount = 0;
  }

  // Accessors over the chunk. outstanding = credit used and not yet repaid, in fen (approved payments
  // minus repayments); amountMean/amountMax = running mean and max of earlier amounts.
  get creditLimit(): number {
    return this.f[this.o + 0];
  }
  set creditLimit(v: number) {
    this.f[this.o + 0] = v;
  }

  get homeLat(): number {
    return this.f[this.o + 1];
  }
  set homeLat(v: number) {
    this.f[this.o + 1] = v;
  }

  get homeLon(): number {
    return this.f[this.o + 2];
  }
  set homeLon(v: number) {
    this.f[this.o + 2] = v;
  }

  get openedAt(): number {
    return this.f[this.o + 3];
  }
  set openedAt(v: number) {
    this.f[this.o + 3] = v;
  }

  get outstanding(): number {
    return this.f[this.o + 4];
  }
  set outstanding(v: number) {
    this.f[this.o + 4] = v;
  }

  get lastTxT(): number {
    return this.f[this.o + 5];
  }
  set lastTxT(v: number) {
    this.f[this.o + 5] = v;
  }

  get lastTxLat(): number {
    return this.f[this.o + 6];
  }
  set lastTxLat(v: number) {
    this.f[this.o + 6] = v;
  }

  get lastTxLon(): number {
    return this.f[this.o + 7];
  }
  set lastTxLon(v: number) {
    this.f[this.o + 7] = v;
  }

  get lastTxGeoT(): number {
    return this.f[this.o + 8];
  }
  set lastTxGeoT(v: number) {
    this.f[this.o + 8] = v;
  }

  get txCount(): number {
    return this.f[this.o + 9];
  }
  set txCount(v: number) {
    this.f[this.o + 9] = v;
  }

  get amountMean(): number {
    return this.f[this.o + 10];
  }
  set amountMean(v: number) {
    this.f[this.o + 10] = v;
  }

  get amountMax(): number {
    return this.f[this.o + 11];
  }
  set amountMax(v: number) {
    this.f[this.o + 11] = v;
  }

  get lastRepaymentT(): number {
    return this.f[this.o + 12];
  }
  set lastRepaymentT(v: number) {
    this.f[this.o + 12] = v;
  }

  get lastRepaymentAmount(): number {
    return this.f[this.o + 13];
  }
  set lastRepaymentAmount(v: number) {
    this.f[this.o + 13] = v;
  }

  get lastPasswordResetT(): number {
    return this.f[this.o + 14];
  }
  set lastPasswordResetT(v: number) {
    this.f[this.o + 14] = v;
  }

  get lastPhoneChangeT(): number {
    return this.f[this.o + 15];
  }
  set lastPhoneChangeT(v: number) {
    this.f[this.o + 15] = v;
  }

  get lastDeviceBoundT(): number {
    return this.f[this.o + 16];
  }
  set lastDeviceBoundT(v: number) {
    this.f[this.o + 16] = v;
  }

  /** recent complaint and device-change times (newest last), capped at MAX_RECENT. */
  complaints: number[] | null = null;
  deviceChanges: number[] | null = null;

  /** devices this account has used, with the time each was first seen (parallel arrays). */
  devices: string[] | null = null;
  deviceFirstSeen: number[] | null = null;

  /** Index of `device` among the remembered devices, -1 if never seen. */
  deviceIndex(device: string): number {
    return this.devices === null ? -1 : this.devices.indexOf(device);
  }

  /** Time `device` was first seen on this account, NaN if never. */
  deviceSince(device: string): number {
    const i = this.deviceIndex(device);
    return i < 0 ? NaN : this.deviceFirstSeen![i];
  }

  /** Remembers a device (first-seen time is kept if already known); returns true if it was new. */
  rememberDevice(device: string, t: number): boolean {
    if (this.devices === null) {
      this.devices = [device];
      this.deviceFirstSeen = [t];
      return true;
    }
    const i = this.devices.indexOf(device);
    if (i >= 0) {
      if (t < this.deviceFirstSeen![i]) this.deviceFirstSeen![i] = t;
      return false;
    }
    if (this.devices.length >= MAX_DEVICES) {
      this.devices.shift();
      this.deviceFirstSeen!.shift();
    }
    this.devices.push(device);
    this.deviceFirstSeen!.push(t);
    return true;
  }

  /** Applies an account registration or change. */
  applyAccount(e: AccountEvent): void {
    this.registered = true;
    this.creditLimit = e.creditLimit;
    if (e.home) {
      this.homeLat = e.home.lat;
      this.homeLon = e.home.lon;
    }
    if (e.kyc) this.kyc = e.kyc;
    if (e.openedAtT !== undefined) this.openedAt = e.openedAtT;
    else if (Number.isNaN(this.openedAt)) this.openedAt = e.t;
  }

  /** Applies a security or money event outside a payment. */
  applyActivity(e: AccountActivityEvent): void {
    switch (e.kind) {
      case 'repayment':
        this.lastRepaymentT = e.t;
        this.lastRepaymentAmount = e.amount ?? NaN;
        this.outstanding = Math.max(0, this.outstanding - (e.amount ?? 0));
        break;
      case 'password_reset':
        this.lastPasswordResetT = e.t;
        break;
      case 'phone_changed':
        this.lastPhoneChangeT = e.t;
        break;
      case 'device_bound':
        this.lastDeviceBoundT = e.t;
        break;
      case 'complaint':
        this.complaints = pushCapped(this.complaints, e.t);
        break;
      case 'limit_changed':
        if (e.creditLimit !== undefined) this.creditLimit = e.creditLimit;
        break;
      case 'login':
        break;
    }
    if (e.deviceId !== undefined && e.kind !== 'login') {
      if (this.rememberDevice(e.deviceId, e.t) && this.devices!.length > 1) {
        this.deviceChanges = pushCapped(this.deviceChanges, e.t);
      }
    }
  }

  /** Folds a decided payment into the account's history; declined payments use no credit. */
  applyPayment(tx: TransactionEvent, declined: boolean): void {
    if (!declined) this.outstanding += tx.amount;
    if (tx.deviceId !== undefined) {
      if (this.rememberDevice(tx.deviceId, tx.t) && this.devices!.length > 1) {
        this.deviceChanges = pushCapped(this.deviceChanges, tx.t);
      }
      this.lastDevice = this.devices![this.deviceIndex(tx.deviceId)] ?? tx.deviceId;
    }
    const n = this.txCount;
    this.amountMean = n === 0 ? tx.amount : this.amountMean + (tx.amount - this.amountMean) / (n + 1);
    this.amountMax = n === 0 ? tx.amount : Math.max(this.amountMax, tx.amount);
    this.txCount = n + 1;
    if (!(tx.t < this.lastTxT)) {
      this.lastTxT = tx.t;
      if (tx.geo) {
        this.lastTxLat = tx.geo.lat;
        this.lastTxLon = tx.geo.lon;
        this.lastTxGeoT = tx.t;
      }
    }
  }
}

/** Count of times in `list` within (now - windowMs, now]. */
export function countSince(list: number[] | null, now: number, windowMs: number): number {
  if (list === null) return 0;
  let n = 0;
  for (let i = list.length - 1; i >= 0; i--) {
    const t = list[i];
    if (t <= now && t > now - windowMs) n++;
  }
  return n;
}

function pushCapped(list: number[] | null, t: number): number[] {
  if (list === null) return [t];
  if (list.length >= MAX_RECENT) list.shift();
  list.push(t);
  return list;
}
