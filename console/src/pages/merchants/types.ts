/** What the merchant routes answer (src/merchants/view.ts), as the Merchants page reads them. */
import type { Geo } from '../../api/types';

export type Grade = 'A' | 'B' | 'C' | 'D' | 'E';

/** One row of `GET /v1/merchants` (kind=merchant: merchantId; kind=terminal: terminalId). */
export interface RiskRow {
  readonly merchantId?: string;
  readonly terminalId?: string;
  readonly registered: boolean;
  readonly score: number;
  readonly grade: Grade;
  readonly drivers: readonly string[];
  readonly payments: number;
}

export interface MerchantDriver {
  readonly driver: string;
  readonly severity: number;
  readonly points: number;
  readonly evidence: Readonly<Record<string, number | boolean>>;
}

export interface MerchantRating {
  readonly score: number;
  readonly grade: Grade;
  readonly drivers: readonly MerchantDriver[];
  readonly volume: { readonly payments: number; readonly amountFen: number; readonly days: number };
}

export interface MerchantTerminal {
  readonly terminalId: string;
  readonly boundAddress: Geo | null;
  readonly boundAt: string;
  readonly acquirerId: string | null;
  readonly status: 'in_service' | 'suspended';
  readonly risk: { readonly score: number; readonly grade: Grade };
}

export interface MerchantActionView {
  readonly id: number;
  readonly merchantId: string;
  readonly action: 'hold_settlement' | 'suspend_terminal';
  readonly terminalId: string | null;
  readonly reason: string;
  readonly actor: string;
  readonly createdAt: number;
  readonly expiresAt: number | null;
  readonly releasedAt: number | null;
  readonly status: 'active' | 'released' | 'expired';
}

/** `GET /v1/merchants/{id}` (the full view; keys without `read` get the check part only). */
export interface MerchantView {
  readonly merchantId: string;
  readonly registered: boolean;
  readonly name: string | null;
  readonly mcc: string | null;
  readonly region: string | null;
  readonly address: Geo | null;
  readonly registeredAt: string | null;
  readonly acquirer: {
    readonly acquirerId: string;
    readonly name: string | null;
    readonly registered: boolean;
    readonly licensed: boolean | null;
    /** The latest licensed-institutions list imported (absent from servers before it). */
    readonly licenceList?: { readonly asOf: string; readonly source: string } | null;
  } | null;
  /** What filed complaints say (absent from servers before complaints). */
  readonly complaints?: {
    readonly total30d: number;
    readonly counted30d: number;
    readonly maliciousComplainants: readonly { readonly kind: 'device' | 'ip'; readonly token: string; readonly merchants: number }[];
  };
  readonly terminal?: {
    readonly terminalId: string;
    readonly registered: boolean;
    readonly belongsToMerchant: boolean;
    readonly boundMerchantId: string | null;
    readonly status: 'in_service' | 'suspended';
  };
  readonly check: { readonly ok: boolean; readonly problems: readonly string[] };
  readonly terminals?: readonly MerchantTerminal[];
  readonly settlement?: 'held' | 'normal';
  readonly rating?: MerchantRating;
  readonly actions?: readonly MerchantActionView[];
  readonly openCases?: readonly { readonly id: string }[];
  /** Where the latest payments were made (src/merchants/places.ts); analysts and admins only. */
  readonly paymentPlaces?: MerchantPaymentPlaces;
}

/** A place (≈1 km, one terminal) where the merchant's payments were made. */
export interface MerchantPaymentPlace extends Geo {
  readonly terminalId: string;
  readonly payments: number;
  readonly first: string;
  readonly last: string;
  readonly boundAddress: Geo | null;
  readonly distanceFromBoundAddressKm: number | null;
}

/** The payment places of a merchant's latest payments (`paymentsRead` of them, `withoutGeo` unlocated). */
export interface MerchantPaymentPlaces {
  readonly places: readonly MerchantPaymentPlace[];
  readonly paymentsRead: number;
  readonly withoutGeo: number;
}
