/**
 * Credit the engine can trust. The engine keeps its own books of what each account owes (payments
 * it let through, less repayments, refunds and reversals), but a stream misses what the issuer sees
 * elsewhere — repayments by bank transfer, refunds settled offline — and every miss leaves the
 * engine thinking a good customer owes more than they do, until its own arithmetic declines them
 * "over the limit". A payment that carries the issuer's open-to-buy (`availableCredit`, ISO 8583
 * field 54) settles it:
 *
 * - the account's books are set to the issuer's (what the engine over- or under-counted is booked as
 *   an unseen repayment or payment, so the credit rating stays consistent);
 * - where the engine's arithmetic would have declined a payment the issuer authorises (the amount is
 *   within the issuer's figure, above the engine's), that is a contradiction: the stream's
 *   bookkeeping is incomplete, and for CONTRADICTION_WINDOW_MS of event time after one the engine
 *   treats its own arithmetic as a risk signal, not a verdict (`available_credit_trusted` reads 0 on
 *   payments without the issuer's figure), until the stream has gone that long without one.
 *
 * Pure of I/O; called by the engine on each such payment before its features are read.
 */
import type { TransactionEvent } from '../contract/events.js';
import { effectiveLimit } from './account-restriction.js';
import type { AccountState } from './account-state.js';
import type { ReferenceData, ReferenceView } from './reference.js';

const DAY = 86_400_000;
/** How long one contradiction keeps the engine's own arithmetic from declining. */
export const CONTRADICTION_WINDOW_MS = 7 * DAY;

/**
 * Sets `acc`'s books to the issuer's figure on `tx` (which carries `availableCredit`), counting the
 * payment (of an account the engine knows or not) and any contradiction in `ref`. The engine's own
 * books count only where the stream reports repayments (ReferenceData.repaymentsUsed); a lowered
 * limit (an account action) is the issuer's figure less what the action took off.
 */
export function reconcileCredit(acc: AccountState | undefined, tx: TransactionEvent, ref: ReferenceData): void {
  const issuer = tx.availableCredit;
  if (issuer === undefined) return;
  ref.issuerCredit++;
  if (acc === undefined || !(acc.creditLimit >= 0)) return; // an account or a line the engine was never told of: nothing to set
  const limit = acc.creditLimit;
  const effective = acc.restriction === null ? limit : effectiveLimit(limit, acc.restriction, tx.t);
  if (ref.repaymentsUsed) {
    const own = effective - acc.outstanding;
    if (tx.amount > own && tx.amount <= issuer - (limit - effective)) {
      ref.creditContradictions++;
      ref.lastContradictionT = Number.isNaN(ref.lastContradictionT) ? tx.t : Math.max(tx.t, ref.lastContradictionT);
    }
  }
  const owed = Math.max(0, limit - issuer);
  const diff = owed - acc.outstanding;
  if (diff < 0) acc.repaidTotal -= diff; // repaid (or refunded) where the stream did not say
  else if (diff > 0) acc.spentTotal += diff;
  if (diff !== 0 && acc.outstanding === 0) acc.owingSince = tx.t;
  acc.outstanding = owed;
  if (owed === 0) acc.owingSince = NaN;
}

/**
 * Whether the engine's arithmetic of what is left may decline `tx`: the payment carries the issuer's
 * own figure, or no contradiction came within the window before it.
 */
export function creditTrusted(tx: TransactionEvent, ref: ReferenceView): boolean {
  if (tx.availableCredit !== undefined) return true;
  return !(tx.t - ref.lastContradictionT < CONTRADICTION_WINDOW_MS);
}
