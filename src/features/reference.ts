/**
 * Reference data kept current from the event stream: merchants, terminals and acquirers as
 * registered. Plain Maps give O(1) lookups on the hot path; events replace entries whole, so a
 * decision never sees a half-updated registration. Beside them, what the stream feeds at all (which
 * registries, repayments) and when it began, so the builtins can tell "not registered" from "not sent".
 */
import type { AcquirerEvent, Geo, MerchantEvent, TerminalEvent } from '../contract/events.js';
import type { SnapshotReader, SnapshotWriter } from '../codec/codec.js';

/** A merchant as registered with its acquirer. */
export interface MerchantRef {
  /** the merchant code as registered: the one copy of the string other maps are keyed with. */
  readonly id: string;
  readonly acquirerId: string;
  readonly name: string;
  readonly mcc: string;
  readonly geo: Geo | undefined;
  readonly region: string;
  readonly since: number;
}

/** A terminal as bound: one serial, one merchant, one address. */
export interface TerminalRef {
  /** the terminal id as registered (one shared copy of the string). */
  readonly id: string;
  readonly merchantId: string;
  readonly acquirerId: string;
  readonly geo: Geo | undefined;
  readonly since: number;
}

/** An acquiring institution. */
export interface AcquirerRef {
  readonly name: string;
  readonly licensed: boolean;
}

/**
 * The registry as modules above the engine see it: lookups and what the stream feeds, no way to
 * change it (registrations arrive as events).
 */
export interface ReferenceView {
  readonly merchants: ReadonlyMap<string, MerchantRef>;
  readonly terminals: ReadonlyMap<string, TerminalRef>;
  readonly acquirers: ReadonlyMap<string, AcquirerRef>;
  readonly accountRegistrations: number;
  readonly repayments: number;
  readonly repaymentsUsed: boolean;
  /** Payments that carried the issuer's open-to-buy (`availableCredit`), and those it contradicted the engine's arithmetic on (credit-books.ts). */
  readonly issuerCredit: number;
  readonly creditContradictions: number;
  /** Event time of the latest contradiction (NaN: none yet). */
  readonly lastContradictionT: number;
  readonly streamStart: number;
  readonly merchantRegistryUsed: boolean;
  readonly terminalRegistryUsed: boolean;
  readonly acquirerRegistryUsed: boolean;
  readonly accountRegistryUsed: boolean;
}

/** The registry of merchants, terminals and acquirers. */
export class ReferenceData implements ReferenceView {
  readonly merchants = new Map<string, MerchantRef>();
  readonly terminals = new Map<string, TerminalRef>();
  readonly acquirers = new Map<string, AcquirerRef>();
  /**
   * Account registrations (`account` events) the stream has carried; the accounts themselves live in
   * the engine's AccountState. With the maps' sizes it tells which registries a deployment feeds at
   * all: "never registered" is a signal only for those (see merchantRegistryUsed and its siblings).
   */
  accountRegistrations = 0;
  /**
   * Repayments (`account_event` kind `repayment`) the stream has carried. Until one arrives the engine
   * cannot tell a balance paid off from one still owed, so what is owed (available credit, utilisation)
   * reads as unknown: a switch that reports payments only must not see its customers' lines fill up
   * with every purchase and their payments declined over the limit.
   */
  repayments = 0;
  /** See ReferenceView and features/credit-books.ts. */
  issuerCredit = 0;
  creditContradictions = 0;
  lastContradictionT = NaN;

  /** Whether the stream reports repayments at all (see `repayments`). */
  get repaymentsUsed(): boolean {
    return this.repayments > 0;
  }

  /**
   * Event time of the first event the engine applied (NaN before): registrations within the first day
   * of a stream are the existing book being loaded, not accounts opened then (see Engine.apply).
   */
  streamStart = NaN;

  /**
   * Whether the stream feeds each registry at all. A switch that sends payments and labels only must
   * not be told on every payment that nothing is registered; one that registers what it serves gets
   * "never registered" as a signal — and keeps it under any flood of unregistered traffic, which a
   * share of recent payments would not.
   */
  get merchantRegistryUsed(): boolean {
    return this.merchants.size > 0;
  }

  get terminalRegistryUsed(): boolean {
    return this.terminals.size > 0;
  }

  get acquirerRegistryUsed(): boolean {
    return this.acquirers.size > 0;
  }

  get accountRegistryUsed(): boolean {
    return this.accountRegistrations > 0;
  }

  /** Registers or re-registers a merchant. */
  applyMerchant(e: MerchantEvent): void {
    this.merchants.set(e.merchantId, {
      id: e.merchantId,
      acquirerId: e.acquirerId,
      name: e.name ?? '',
      mcc: e.mcc ?? '',
      geo: e.geo,
      region: e.region ?? '',
      since: e.t,
    });
  }

  /** Binds or re-binds a terminal. */
  applyTerminal(e: TerminalEvent): void {
    this.terminals.set(e.terminalId, {
      id: e.terminalId,
      merchantId: e.merchantId,
      acquirerId: e.acquirerId ?? '',
      geo: e.geo,
      since: e.t,
    });
  }

  /** Registers an acquirer and its licence status. */
  applyAcquirer(e: AcquirerEvent): void {
    this.acquirers.set(e.acquirerId, { name: e.name ?? '', licensed: e.licensed });
  }

  /** Writes every registration (strings through the snapshot's string table). */
  writeSnapshot(w: SnapshotWriter): void {
    w.tag('REFD');
    w.f64(this.merchants.size);
    for (const m of this.merchants.values()) {
      w.str(m.id);
      w.str(m.acquirerId);
      w.str(m.name);
      w.str(m.mcc);
      writeGeo(w, m.geo);
      w.str(m.region);
      w.f64(m.since);
    }
    w.f64(this.terminals.size);
    for (const t of this.terminals.values()) {
      w.str(t.id);
      w.str(t.merchantId);
      w.str(t.acquirerId);
      writeGeo(w, t.geo);
      w.f64(t.since);
    }
    w.f64(this.acquirers.size);
    for (const [id, q] of this.acquirers) {
      w.str(id);
      w.str(q.name);
      w.bool(q.licensed);
    }
    w.f64(this.accountRegistrations);
    w.f64(this.streamStart);
    w.f64(this.repayments);
    w.f64(this.issuerCredit);
    w.f64(this.creditContradictions);
    w.f64(this.lastContradictionT);
  }

  /** Restores what writeSnapshot wrote into this empty registry. */
  readSnapshot(r: SnapshotReader): void {
    r.expect('REFD');
    for (let n = r.f64(); n > 0; n--) {
      const id = r.str();
      this.merchants.set(id, { id, acquirerId: r.str(), name: r.str(), mcc: r.str(), geo: readGeo(r), region: r.str(), since: r.f64() });
    }
    for (let n = r.f64(); n > 0; n--) {
      const id = r.str();
      this.terminals.set(id, { id, merchantId: r.str(), acquirerId: r.str(), geo: readGeo(r), since: r.f64() });
    }
    for (let n = r.f64(); n > 0; n--) {
      const id = r.str();
      this.acquirers.set(id, { name: r.str(), licensed: r.bool() });
    }
    this.accountRegistrations = r.f64();
    this.streamStart = r.f64();
    this.repayments = r.f64();
    this.issuerCredit = r.f64();
    this.creditContradictions = r.f64();
    this.lastContradictionT = r.f64();
  }
}

function writeGeo(w: SnapshotWriter, g: Geo | undefined): void {
  w.bool(g !== undefined);
  if (g !== undefined) {
    w.f64(g.lat);
    w.f64(g.lon);
  }
}

function readGeo(r: SnapshotReader): Geo | undefined {
  return r.bool() ? { lat: r.f64(), lon: r.f64() } : undefined;
}
