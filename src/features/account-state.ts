/**
 * What the engine remembers about each credit account between payments: its registration (limit,
 * home, KYC), its recent security events, the devices it has used, its last payment and a running
 * picture of its usual amounts. One compact object per account, created on first sight.
 */
import { AccountRestriction } from './account-restriction.js';
import type { AccountActivityEvent, AccountEvent, TransactionEvent } from '../contract/events.js';
import type { SnapshotReader, SnapshotWriter } from '../codec/codec.js';

/** How many devices an account remembers (oldest forgotten first). */
export const MAX_DEVICES = 16;
/** How many recent events of each security kind an account remembers. */
export const MAX_RECENT = 8;

/** Numbers each account keeps; they live in shared Float64Array chunks, see AccountState. */
const NUMERIC_FIELDS = 23;
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
 * An account's memory as modules above the engine may see it: every field, read-only, and none of
 * the methods that change it (the engine alone applies events; restrictions come through
 * Engine.applyInput). Shallow: the device and complaint arrays are the engine's, never to be changed.
 */
export type AccountView = {
  readonly [K in keyof AccountState as AccountState[K] extends (...args: never[]) => unknown ? never : K]: AccountState[K];
} & Pick<AccountState, 'deviceIndex' | 'deviceSince' | 'deviceCount' | 'deviceAt' | 'deviceFirstSeenAt' | 'deviceList'>;

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
  constructor(readonly id: string, restored?: Float64Array, at = 0) {
    if (restored !== undefined) {
      // readSnapshot: the numbers are already in `restored` at `at`
      this.f = restored;
      this.o = at;
      return;
    }
    [this.f, this.o] = reserve();
    this.f.fill(NaN, this.o, this.o + NUMERIC_FIELDS);
    this.outstanding = 0;
    this.txCount = 0;
    this.spentTotal = 0;
    this.repaidTotal = 0;
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

  // For the credit rating (src/features/credit-rating.ts): credit ever used (approved payments) and repaid,
  // since when the account owes money (NaN when it owes nothing), and the rating with its event time.
  get spentTotal(): number {
    return this.f[this.o + 17];
  }
  set spentTotal(v: number) {
    this.f[this.o + 17] = v;
  }

  get repaidTotal(): number {
    return this.f[this.o + 18];
  }
  set repaidTotal(v: number) {
    this.f[this.o + 18] = v;
  }

  get owingSince(): number {
    return this.f[this.o + 19];
  }
  set owingSince(v: number) {
    this.f[this.o + 19] = v;
  }

  get ratingScore(): number {
    return this.f[this.o + 20];
  }
  set ratingScore(v: number) {
    this.f[this.o + 20] = v;
  }

  get ratedAt(): number {
    return this.f[this.o + 21];
  }
  set ratedAt(v: number) {
    this.f[this.o + 21] = v;
  }

  /** When the one device of a single-device account was first seen (see `dev`). */
  private get dev0Since(): number {
    return this.f[this.o + 22];
  }
  private set dev0Since(v: number) {
    this.f[this.o + 22] = v;
  }

  /** Freeze, step-up and lowered limit set by account actions (src/accounts); null when none. */
  restriction: AccountRestriction | null = null;

  /** recent complaint and device-change times (newest last), capped at MAX_RECENT. */
  complaints: number[] | null = null;
  deviceChanges: number[] | null = null;

  /**
   * The devices this account has used, oldest first, with the time each was first seen. Most
   * accounts have one: it is kept as the string itself and its time among the numbers (`dev0Since`),
   * because two one-element arrays and their backing stores cost a million one-device accounts
   * 162 MB of the 1,522 (bench/feature-memory). From a second device on, parallel arrays (`devSince`).
   */
  private dev: string | string[] | null = null;
  private devSince: number[] | null = null;

  /** How many devices the account remembers (at most MAX_DEVICES). */
  deviceCount(): number {
    const d = this.dev;
    return d === null ? 0 : typeof d === 'string' ? 1 : d.length;
  }

  /** The i-th remembered device, oldest first (0 ≤ i < deviceCount()). */
  deviceAt(i: number): string {
    const d = this.dev as string | string[];
    return typeof d === 'string' ? d : d[i];
  }

  /** When the i-th remembered device was first seen. */
  deviceFirstSeenAt(i: number): number {
    return typeof this.dev === 'string' ? this.dev0Since : this.devSince![i];
  }

  /** The remembered devices with their first-seen times, oldest first: a new array, for views. */
  deviceList(): { deviceId: string; firstSeen: number }[] {
    const out: { deviceId: string; firstSeen: number }[] = [];
    for (let i = 0, n = this.deviceCount(); i < n; i++) out.push({ deviceId: this.deviceAt(i), firstSeen: this.deviceFirstSeenAt(i) });
    return out;
  }

  /** Index of `device` among the remembered devices, -1 if never seen. */
  deviceIndex(device: string): number {
    const d = this.dev;
    return d === null ? -1 : typeof d === 'string' ? (d === device ? 0 : -1) : d.indexOf(device);
  }

  /** Time `device` was first seen on this account, NaN if never. */
  deviceSince(device: string): number {
    const i = this.deviceIndex(device);
    return i < 0 ? NaN : this.deviceFirstSeenAt(i);
  }

  /** Remembers a device (first-seen time is kept if already known); returns true if it was new. */
  rememberDevice(device: string, t: number): boolean {
    const d = this.dev;
    if (d === null) {
      this.dev = device;
      this.dev0Since = t;
      return true;
    }
    if (typeof d === 'string') {
      if (d === device) {
        if (t < this.dev0Since) this.dev0Since = t;
        return false;
      }
      this.dev = [d, device];
      this.devSince = [this.dev0Since, t];
      this.dev0Since = NaN;
      return true;
    }
    const i = d.indexOf(device);
    const since = this.devSince!;
    if (i >= 0) {
      if (t < since[i]) since[i] = t;
      return false;
    }
    if (d.length >= MAX_DEVICES) {
      d.shift();
      since.shift();
    }
    d.push(device);
    since.push(t);
    return true;
  }

  /** Puts back what `deviceAt`/`deviceFirstSeenAt` read (a snapshot's lists). */
  private restoreDevices(devices: string[], since: number[]): void {
    if (devices.length === 1) {
      this.dev = devices[0];
      this.dev0Since = since[0];
    } else if (devices.length > 1) {
      this.dev = devices;
      this.devSince = since;
    }
  }

  /** Applies an account registration or change. */
  /**
   * Registers or changes the account. Without `openedAt` the opening time is unknown (account age
   * NaN: no fresh-account rule fires) unless `openedNow` — the engine's judgement that a first
   * registration of an account it never saw, after a stream's initial load, is the account opening.
   */
  applyAccount(e: AccountEvent, openedNow = false): void {
    const firstSight = !this.registered && this.txCount === 0;
    this.registered = true;
    this.creditLimit = e.creditLimit;
    if (e.home) {
      this.homeLat = e.home.lat;
      this.homeLon = e.home.lon;
    }
    if (e.kyc) this.kyc = e.kyc;
    if (e.openedAtT !== undefined) this.openedAt = e.openedAtT;
    else if (openedNow && firstSight && Number.isNaN(this.openedAt)) this.openedAt = e.t;
  }

  /** Applies a security or money event outside a payment. */
  applyActivity(e: AccountActivityEvent): void {
    switch (e.kind) {
      case 'repayment':
        this.lastRepaymentT = e.t;
        this.lastRepaymentAmount = e.amount ?? NaN;
        this.outstanding = Math.max(0, this.outstanding - (e.amount ?? 0));
        this.repaidTotal += e.amount ?? 0;
        if (this.outstanding === 0) this.owingSince = NaN;
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
      case 'refund':
        // the merchant gave money back: the credit it covers is free again (not a repayment by the customer)
        this.outstanding = Math.max(0, this.outstanding - (e.amount ?? 0));
        this.spentTotal = Math.max(0, this.spentTotal - (e.amount ?? 0));
        if (this.outstanding === 0) this.owingSince = NaN;
        break;
      case 'reversal':
        // a reversed payment gives back the credit it used (a declined one used none)
        if (e.original !== undefined && e.originalOutcome !== 'decline') {
          const amount = Math.min(e.amount ?? e.original.amount, e.original.amount);
          this.outstanding = Math.max(0, this.outstanding - amount);
          this.spentTotal = Math.max(0, this.spentTotal - amount);
          if (this.outstanding === 0) this.owingSince = NaN;
        }
        break;
    }
    if (e.deviceId !== undefined && e.kind !== 'login') {
      if (this.rememberDevice(e.deviceId, e.t) && this.deviceCount() > 1) {
        this.deviceChanges = pushCapped(this.deviceChanges, e.t);
      }
    }
  }

  /** Folds a decided payment into the account's history; declined payments use no credit. */
  applyPayment(tx: TransactionEvent, declined: boolean): void {
    if (!declined) {
      if (!(this.outstanding > 0)) this.owingSince = tx.t;
      this.outstanding += tx.amount;
      this.spentTotal += tx.amount;
    }
    if (tx.deviceId !== undefined) {
      if (this.rememberDevice(tx.deviceId, tx.t) && this.deviceCount() > 1) {
        this.deviceChanges = pushCapped(this.deviceChanges, tx.t);
      }
      const di = this.deviceIndex(tx.deviceId);
      this.lastDevice = di >= 0 ? this.deviceAt(di) : tx.deviceId;
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

  /**
   * Every own field of an account that writeSnapshot writes. A field added to the class must be
   * added to the snapshot as well: writeSnapshot refuses an account with a field it does not know
   * (a snapshot silently missing state would change decisions after a restart).
   */
  static readonly SNAPSHOT_FIELDS: readonly string[] = [
    'id', 'f', 'o', 'registered', 'kyc', 'lastDevice', 'restriction', 'complaints', 'deviceChanges', 'dev', 'devSince',
  ];

  /**
   * Writes every account of `accounts` (in map order): ids and strings as string references, the
   * NUMERIC_FIELDS numbers of all accounts as one raw Float64Array, the short lists as lengths
   * (-1 = null) plus one concatenated array each.
   */
  static writeSnapshot(accounts: { readonly size: number; forEach(fn: (a: AccountState, key: string) => void): void }, w: SnapshotWriter): void {
    w.tag('ACCT');
    const n = accounts.size, nf = NUMERIC_FIELDS;
    const ids = new Array<string>(n), kyc = new Array<string>(n), lastDevice = new Array<string>(n);
    const nums = new Float64Array(n * nf);
    const registered = new Uint8Array(n);
    const lens = new Int8Array(n * 4); // complaints, deviceChanges, devices, deviceFirstSeen
    const times: number[] = [];
    const devices: string[] = [];
    const restricted: AccountRestriction[] = [];
    const hasRestriction = new Uint8Array(n);
    let i = 0;
    accounts.forEach((a, key) => {
      if (i === 0) checkFields(a);
      if (key !== a.id) throw new RangeError(`account map key ${key} holds account ${a.id}`);
      ids[i] = a.id;
      kyc[i] = a.kyc;
      lastDevice[i] = a.lastDevice;
      registered[i] = a.registered ? 1 : 0;
      for (let k = 0, src = a.o, dst = i * nf; k < nf; k++) nums[dst + k] = a.f[src + k];
      const nd = a.deviceCount();
      lens[i * 4] = a.complaints === null ? -1 : a.complaints.length;
      lens[i * 4 + 1] = a.deviceChanges === null ? -1 : a.deviceChanges.length;
      lens[i * 4 + 2] = lens[i * 4 + 3] = nd === 0 ? -1 : nd;
      if (a.complaints !== null) for (const t of a.complaints) times.push(t);
      if (a.deviceChanges !== null) for (const t of a.deviceChanges) times.push(t);
      for (let k = 0; k < nd; k++) times.push(a.deviceFirstSeenAt(k));
      for (let k = 0; k < nd; k++) devices.push(a.deviceAt(k));
      if (a.restriction !== null) {
        hasRestriction[i] = 1;
        restricted.push(a.restriction);
      }
      i++;
    });
    w.f64(n);
    w.f64(nf);
    w.strs(ids);
    w.f64s(nums);
    w.u8s(registered);
    w.strs(kyc);
    w.strs(lastDevice);
    w.i32s(Int32Array.from(lens));
    w.f64s(Float64Array.from(times));
    w.strs(devices);
    w.u8s(hasRestriction);
    for (const r of restricted) {
      const keys = Object.keys(r) as (keyof AccountRestriction)[];
      w.f64(keys.length);
      for (const k of keys) {
        w.str(k);
        w.f64(r[k] as number);
      }
    }
  }

  /** The accounts written by writeSnapshot, in the same order, as a new map. */
  static readSnapshot(r: SnapshotReader): Map<string, AccountState> {
    r.expect('ACCT');
    const n = r.f64(), nf = r.f64();
    if (nf !== NUMERIC_FIELDS) throw new RangeError(`account snapshot has ${nf} numbers per account, this build keeps ${NUMERIC_FIELDS}`);
    const ids = r.strs();
    const nums = r.f64s();
    const registered = r.u8s();
    const kyc = r.strs();
    const lastDevice = r.strs();
    const lens = r.i32s();
    const times = r.f64s();
    const devices = r.strs();
    const hasRestriction = r.u8s();
    if (ids.length !== n || nums.length !== n * nf || lens.length !== n * 4) throw new RangeError('account snapshot columns differ in length');
    const out = new Map<string, AccountState>();
    let ti = 0, di = 0;
    const nextTimes = (len: number): number[] | null => {
      if (len < 0) return null;
      const list = Array.from(times.subarray(ti, ti + len));
      ti += len;
      return list;
    };
    for (let i = 0; i < n; i++) {
      const a = new AccountState(ids[i] as string, nums, i * nf);
      a.registered = registered[i] === 1;
      a.kyc = kyc[i] as string;
      a.lastDevice = lastDevice[i] as string;
      a.complaints = nextTimes(lens[i * 4]);
      a.deviceChanges = nextTimes(lens[i * 4 + 1]);
      const nd = lens[i * 4 + 2];
      if (nd >= 0) {
        a.restoreDevices(devices.slice(di, di + nd) as string[], nextTimes(lens[i * 4 + 3]) ?? []);
        di += nd;
      }
      if (hasRestriction[i] === 1) {
        const x = new AccountRestriction() as unknown as Record<string, number>;
        for (let k = r.f64(); k > 0; k--) x[r.str()] = r.f64();
        a.restriction = x as unknown as AccountRestriction;
      }
      out.set(a.id, a);
    }
    return out;
  }
}

/** Throws when `a` has an own field AccountState.writeSnapshot does not know. */
function checkFields(a: AccountState): void {
  for (const k of Object.keys(a)) {
    if (!AccountState.SNAPSHOT_FIELDS.includes(k)) throw new RangeError(`AccountState field '${k}' is not in the engine snapshot; add it to AccountState.writeSnapshot`);
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
