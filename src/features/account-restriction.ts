/**
 * What the decision hot path knows about an account's restrictions: four numbers on the account's
 * memory (null on every unrestricted account, so a million accounts pay one pointer each). Each
 * restriction holds while the payment's event time is before its end: NaN = not in force,
 * Infinity = until lifted. The details (who, why, since when) live in the store, not here.
 */

/** The restrictions of one account as the builtins read them (see features/builtins.ts). */
export class AccountRestriction {
  /** Event time from which the freeze no longer holds; NaN when not frozen. */
  frozenUntil = NaN;
  /** Event time from which payments are no longer all challenged; NaN when not required. */
  stepUpUntil = NaN;
  /** The lowered limit in fen; NaN when the limit is not lowered. */
  limitCap = NaN;
  /** Event time from which the lowered limit no longer holds; NaN when not lowered. */
  limitUntil = NaN;
}

/** The limit a payment at event time `t` may use: the registered one, or the lowered one while it holds. */
export function effectiveLimit(registered: number, r: AccountRestriction | null, t: number): number {
  if (r === null || !(t < r.limitUntil)) return registered;
  return Number.isNaN(registered) ? r.limitCap : Math.min(registered, r.limitCap);
}
