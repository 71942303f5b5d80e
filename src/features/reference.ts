/**
 * Reference data kept current from the event stream: merchants, terminals and acquirers as
 * registered. Plain Maps give O(1) lookups on the hot path; events replace entries whole, so a
 * decision never sees a half-updated registration.
 */
import type { AcquirerEvent, Geo, MerchantEvent, TerminalEvent } from '../contract/events.js';

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

/** The registry of merchants, terminals and acquirers. */
export class ReferenceData {
  readonly merchants = new Map<string, MerchantRef>();
  readonly terminals = new Map<string, TerminalRef>();
  readonly acquirers = new Map<string, AcquirerRef>();

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
}
