/** Amount shapes that cash-out schemes favour; pure functions of an amount in fen. */

/** ¥100 and its multiples: what a cash-out ring types in, also fuel and top-ups (so never decisive alone). */
export function isRoundAmount(amount: number): boolean {
  return amount >= 10_000 && amount % 10_000 === 0;
}

/**
 * Just below a round figure, like ¥4,999 or ¥9,990: the amount sits within 2% (at least ¥1) under the
 * next multiple of ¥1,000 (or of ¥100 below ¥1,000). Amounts under ¥500 never count.
 */
export function isJustUnder(amount: number): boolean {
  if (amount < 50_000) return false;
  const unit = amount >= 100_000 ? 100_000 : 10_000;
  const gap = Math.ceil(amount / unit) * unit - amount;
  return gap > 0 && gap <= Math.max(unit * 0.02, 100);
}
