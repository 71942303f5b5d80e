/**
 * Where a merchant's payments were actually made, for the merchant page: its latest payments (found
 * through the payment index by merchant code, read from the journal by seq) grouped into places of
 * about 1 km per terminal, the way a case's evidence groups them, each with the distance from the
 * terminal's bound address. A terminal that pays far from where it is bound is moved or cloned
 * (移机), which the bound addresses alone never show.
 */
import type { Engine } from '../engine/engine.js';
import { distanceKm } from '../features/geo.js';
import type { Journal } from '../log/journal.js';

/** Payments read at most for one merchant page: the latest ones. */
export const PLACE_PAYMENTS = 200;
/** Places listed at most (the most recently used). */
export const MAX_PAYMENT_PLACES = 40;

/** A place (≈1 km, one terminal) where some of the merchant's payments were made. */
export interface PaymentPlace {
  /** The first payment's position of the group (the group is its position rounded to 0.01°). */
  readonly lat: number;
  readonly lon: number;
  readonly terminalId: string;
  readonly payments: number;
  /** Event times (ISO, as sent) of the first and last payment of the group. */
  readonly first: string;
  readonly last: string;
  /** The terminal's registered address, null when it has none or is not registered. */
  readonly boundAddress: { readonly lat: number; readonly lon: number } | null;
  /** Kilometres (0.1) from the bound address, null without one. */
  readonly distanceFromBoundAddressKm: number | null;
}

/** What the merchant page shows of its payments' places. */
export interface PaymentPlaces {
  readonly places: PaymentPlace[];
  /** Payments read (at most PLACE_PAYMENTS, the latest) and how many of them had no geo. */
  readonly paymentsRead: number;
  readonly withoutGeo: number;
}

interface RawTx {
  ts: string;
  terminalId: string;
  geo?: { lat: number; lon: number };
}

interface Group {
  lat: number;
  lon: number;
  terminalId: string;
  payments: number;
  first: string;
  last: string;
  firstT: number;
  lastT: number;
}

const km = (x: number): number => Math.round(x * 10) / 10;

/** The places of the payments at journal `seqs` (any order), latest used last. */
export function paymentPlaces(engine: Engine, journal: Journal, seqs: readonly number[]): PaymentPlaces {
  const events: string[] = [];
  for (const seq of seqs.slice(0, PLACE_PAYMENTS)) {
    journal.forEachEventInRange({ fromSeq: seq, toSeq: seq }, (e) => {
      if (e.type === 'transaction') events.push(e.event);
    });
  }
  return placesOf(engine, events);
}

/** The places of these payments (their events' JSON text, any order), latest used last: a cluster node reads them from its projection. */
export function placesOf(engine: Engine, events: readonly string[]): PaymentPlaces {
  const groups = new Map<string, Group>();
  let read = 0;
  let withoutGeo = 0;
  for (const text of events.slice(0, PLACE_PAYMENTS)) {
    const tx = JSON.parse(text) as RawTx;
    read++;
    if (tx.geo === undefined) {
      withoutGeo++;
      continue;
    }
    const t = Date.parse(tx.ts);
    const key = `${tx.geo.lat.toFixed(2)},${tx.geo.lon.toFixed(2)},${tx.terminalId}`;
    const g = groups.get(key);
    if (g === undefined) {
      groups.set(key, { lat: tx.geo.lat, lon: tx.geo.lon, terminalId: tx.terminalId, payments: 1, first: tx.ts, last: tx.ts, firstT: t, lastT: t });
      continue;
    }
    g.payments++;
    if (t < g.firstT) {
      g.firstT = t;
      g.first = tx.ts;
      g.lat = tx.geo.lat;
      g.lon = tx.geo.lon;
    }
    if (t > g.lastT) {
      g.lastT = t;
      g.last = tx.ts;
    }
  }
  const places = [...groups.values()]
    .sort((a, b) => a.lastT - b.lastT)
    .slice(-MAX_PAYMENT_PLACES)
    .map((g): PaymentPlace => {
      const geo = engine.reference.terminals.get(g.terminalId)?.geo;
      const boundAddress = geo === undefined ? null : { lat: geo.lat, lon: geo.lon };
      return {
        lat: g.lat, lon: g.lon, terminalId: g.terminalId, payments: g.payments, first: g.first, last: g.last, boundAddress,
        distanceFromBoundAddressKm: boundAddress === null ? null : km(distanceKm(g.lat, g.lon, boundAddress.lat, boundAddress.lon)),
      };
    });
  return { places, paymentsRead: read, withoutGeo };
}
