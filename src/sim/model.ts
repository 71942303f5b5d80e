/**
 * The simulator's own model of the world (shops, terminals, people) and of the events it produces
 * before they are written. Entities are mutable on purpose: a day of life changes an account's
 * used credit, devices and whereabouts, and the next day starts from there.
 */
import type { MccProfile } from './catalog.js';
import type { CityDef, District } from './cities.js';
import type { LatLon } from './geo.js';

/** The fraud typologies, exactly as written in labels and truth. */
export type Typology =
  | 'small_burst'
  | 'merchant_repeat'
  | 'impossible_travel'
  | 'account_takeover'
  | 'account_anomaly'
  | 'cashout'
  | 'code_jumping'
  | 'second_clearing'
  | 'merchant_mismatch';

/** Every typology, in the order the summary lists them. */
export const TYPOLOGIES: readonly Typology[] = [
  'small_burst',
  'merchant_repeat',
  'impossible_travel',
  'account_takeover',
  'account_anomaly',
  'cashout',
  'code_jumping',
  'second_clearing',
  'merchant_mismatch',
];

/** Where a label's knowledge came from. */
export type LabelSource = 'chargeback' | 'investigation' | 'customer_report';

/** A half-open time span [from, to) in epoch ms during which a shop or terminal belongs to a scheme. */
export interface Window {
  readonly from: number;
  readonly to: number;
}

/** An acquiring institution. `code` is the 3-digit prefix of the merchant codes it issues. */
export interface Acquirer {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly licensed: boolean;
}

/** A registered merchant. */
export interface Merchant {
  readonly id: string;
  readonly name: string;
  readonly profile: MccProfile;
  readonly acquirer: Acquirer;
  readonly city: City;
  readonly district: District;
  readonly geo: LatLon;
  readonly regT: number;
  readonly terminals: Terminal[];
  /** Scheme windows: honest customers do not pay here then (every payment then is the scheme's). */
  readonly blocked: Window[];
}

/** A POS terminal bound to one merchant at one address. */
export interface Terminal {
  readonly id: string;
  readonly merchant: Merchant;
  readonly geo: LatLon;
  /** Some terminals have no location module; their payments carry no geo. */
  readonly reportsGeo: boolean;
  readonly regT: number;
  readonly blocked: Window[];
}

/** A city with its shops and people. */
export interface City extends CityDef {
  readonly index: number;
  readonly merchants: Merchant[];
  readonly byMcc: Map<string, Merchant[]>;
  metro: Merchant;
  readonly stations: Terminal[];
  readonly accounts: Account[];
}

/** How an account came to be in the world. */
export type AccountRole = 'established' | 'fresh_legit' | 'fresh_fraud';

/** A trip to another city: times of both journeys and where the traveller stays. */
export interface Trip {
  readonly dest: City;
  readonly depart: number;
  readonly arrive: number;
  readonly returnDepart: number;
  readonly returnArrive: number;
  readonly stay: LatLon;
  readonly hotel: Merchant | null;
  hotelPaid: boolean;
}

/** A credit account and the person behind it. */
export interface Account {
  readonly id: string;
  readonly role: AccountRole;
  readonly city: City;
  readonly home: LatLon;
  readonly work: LatLon | null;
  limit: number;
  readonly kyc: 'none' | 'basic' | 'full';
  readonly openedAt: number;
  readonly devices: string[];
  /** Current phone, and the one before it until `deviceSince`. */
  device: string;
  prevDevice: string;
  deviceSince: number;
  readonly ip: string;
  readonly favourites: Merchant[];
  readonly homeStation: Terminal | null;
  readonly workStation: Terminal | null;
  readonly fare: number;
  readonly fuel: Merchant | null;
  nextFuelDay: number;
  /** Mean everyday purchases per day. */
  readonly rate: number;
  readonly cardShare: number;
  readonly traveller: boolean;
  readonly statementDay: number;
  /** Credit in use: Σ payments − Σ repayments since the world began (the engine can recompute it). */
  used: number;
  trip: Trip | null;
  tripCooldownUntil: number;
  /** Set once a fraud scenario picked the account, so two scenarios do not share a victim. */
  victim: boolean;
  lastTx: SimTransaction | null;
}

interface Stamped {
  /** Epoch ms of the event. */
  readonly t: number;
  /** Generation order, the tie-breaker that keeps sorting deterministic. */
  seq: number;
}

/** A payment as generated; `id` is given when it is written, so ids follow time order. */
export interface SimTransaction extends Stamped {
  readonly type: 'transaction';
  id: string;
  readonly accountId: string;
  readonly amount: number;
  readonly merchantId: string;
  readonly terminalId: string;
  readonly mcc?: string;
  readonly acquirerId?: string;
  readonly geo?: LatLon;
  readonly deviceId?: string;
  readonly ip?: string;
  readonly channel?: 'qr' | 'card' | 'app';
  readonly merchantName?: string;
  /** The issuer's open-to-buy before the payment, set by the serializer where the stream carries it. */
  availableCredit?: number;
  readonly fraud: boolean;
  readonly typology?: Typology;
}

/** Something that happened to an account outside a payment. */
export interface SimAccountActivity extends Stamped {
  readonly type: 'account_event';
  readonly accountId: string;
  readonly kind: 'login' | 'device_bound' | 'password_reset' | 'phone_changed' | 'repayment' | 'complaint' | 'limit_changed';
  readonly deviceId?: string;
  readonly ip?: string;
  readonly geo?: LatLon;
  readonly amount?: number;
  readonly creditLimit?: number;
}

/** An account registration (header) or an account opened during the world. */
export interface SimAccountOpen extends Stamped {
  readonly type: 'account';
  readonly account: Account;
  readonly creditLimit: number;
}

/** A registry event for a merchant, terminal or acquirer. */
export interface SimRegistry extends Stamped {
  readonly type: 'merchant' | 'terminal' | 'acquirer';
  readonly merchant?: Merchant;
  readonly terminal?: Terminal;
  readonly acquirer?: Acquirer;
}

/** What a label is about. */
export type LabelTarget =
  | { readonly tx: SimTransaction }
  | { readonly accountId: string }
  | { readonly merchantId: string }
  | { readonly terminalId: string };

/** Later knowledge about a transaction or an entity. */
export interface SimLabel extends Stamped {
  readonly type: 'label';
  readonly target: LabelTarget;
  readonly fraud: boolean;
  readonly typology?: Typology;
  readonly source: LabelSource;
}

/** Anything the simulator writes to events.jsonl. */
export type SimEvent = SimTransaction | SimAccountActivity | SimAccountOpen | SimRegistry | SimLabel;
