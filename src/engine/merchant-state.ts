/**
 * The engine's merchant-side state: traffic profiles (ratings) and merchant actions (holds,
 * suspensions), read by the builtins `merchant_risk_score`, `terminal_risk_score`,
 * `terminal_suspended` and `merchant_settlement_held` in one call per payment.
 */
import type { TransactionEvent } from '../contract/events.js';
import { N, S } from '../features/catalog.js';
import type { FeatureVector } from '../features/vector.js';
import { MerchantControls } from './merchant-controls.js';
import { MerchantProfiles, type Profile } from '../features/merchant-profile.js';

const { terminal_suspended: SUSPENDED, merchant_settlement_held: HELD } = N;
const { terminal_merchant: S_T_MERCHANT } = S;

/** The merchant side as modules above the engine see it: profiles and controls to read, nothing to change. */
export interface MerchantRiskView {
  readonly profiles: { readonly merchants: ReadonlyMap<string, Profile>; readonly terminals: ReadonlyMap<string, Profile> };
  readonly controls: Pick<MerchantControls, 'any' | 'isHeld' | 'isSuspended' | 'held' | 'suspended' | 'holdEnd' | 'suspensionEnd'>;
  heldMerchantOf(tx: { merchantId: string; terminalId: string; t: number }, terminalMerchant: string | undefined): string | null;
}

/** Profiles and controls of every merchant and terminal the engine has seen. */
export class MerchantRisk implements MerchantRiskView {
  readonly profiles = new MerchantProfiles();
  readonly controls = new MerchantControls();

  /**
   * Fills the merchant builtins of `tx` and counts it in the profiles; call after the builtins and
   * label features (it reads the registered ids, the mismatch flags and the fraud rates from `v`).
   */
  observe(tx: TransactionEvent, v: FeatureVector): void {
    this.profiles.observe(tx, v);
    const num = v.num;
    const c = this.controls;
    if (!c.any) {
      num[SUSPENDED] = 0;
      num[HELD] = 0;
      return;
    }
    const t = tx.t;
    num[SUSPENDED] = c.isSuspended(tx.terminalId, t) ? 1 : 0;
    const own = v.str[S_T_MERCHANT];
    num[HELD] = c.isHeld(tx.merchantId, t) || (own !== '' && own !== tx.merchantId && c.isHeld(own, t)) ? 1 : 0;
  }

  /** The merchant whose held settlement `tx` touches (the code carried first), or null. */
  heldMerchantOf(tx: { merchantId: string; terminalId: string; t: number }, terminalMerchant: string | undefined): string | null {
    const c = this.controls;
    if (!c.any) return null;
    if (c.isHeld(tx.merchantId, tx.t)) return tx.merchantId;
    if (terminalMerchant !== undefined && terminalMerchant !== tx.merchantId && c.isHeld(terminalMerchant, tx.t)) return terminalMerchant;
    return null;
  }
}
