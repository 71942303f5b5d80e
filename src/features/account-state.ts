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

/** Mutable per-account memory; fields are NaN when never seen. */
export class AccountState {
  registered = false;
  creditLimit = NaN;
  homeLat = NaN;
  homeLon = NaN;
  kyc = '';
  openedAt = NaN;
  /** credit used and not yet repaid, in fen (approved payments minus repayments). */
  outstanding = 0;

  lastTxT = NaN;
  lastTxLat = NaN;
  lastTxLon = NaN;
  lastTxGeoT = NaN;
  lastDevice = '';
  txCount = 0;
  /** running mean and max of earlier amounts. */
  amountMean = NaN;
  amountMax = NaN;

  lastRepaymentT = NaN;
  lastRepaymentAmount = NaN;
  lastPasswordResetT = NaN;
  lastPhoneChangeT = NaN;
  lastDeviceBoundT = NaN;
  /** recent complaint and device-change times (newest last), capped at MAX_RECENT. */
  complaints: number[] | null = null;
  deviceChanges: number[] | null = null;

  /** devices this account has used, with the time each was first seen (parallel arrays). */
  devices: string[] | null = null;
  deviceFirstSeen: number[] | null = null;

  /** Time `device` was first seen on this account, NaN if never. */
  deviceSince(device: string): number {
    if (this.devices === null) return NaN;
    const i = this.devices.indexOf(device);
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
      this.lastDevice = tx.deviceId;
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
