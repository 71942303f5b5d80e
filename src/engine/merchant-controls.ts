/**
 * What the decision hot path knows about merchant actions: which merchants have their settlement
 * held and which terminals are suspended. An action counts from the very next payment until it is
 * released; one with an expiry reads as lifted from that time on (compared with the payment's own
 * time, as list entries are). At restart each action is applied at the journal position it took
 * effect at (see replay.ts), so history is re-decided exactly as it was decided.
 */

/** One action in force. */
export interface Control {
  /** The action's id in the store. */
  readonly id: number;
  /** Epoch ms from which it reads as lifted (compared with the payment's time); Infinity: never. */
  readonly expiresAt: number;
}

/** Settlement holds by merchant and suspensions by terminal. */
export class MerchantControls {
  private readonly holds = new Map<string, Control>();
  private readonly suspensions = new Map<string, Control>();

  /** False when nothing is in force: the hot path skips every lookup. */
  get any(): boolean {
    return this.holds.size > 0 || this.suspensions.size > 0;
  }

  /** Holds settlement of `merchantId` (replacing a hold in force). */
  hold(merchantId: string, c: Control): void {
    this.holds.set(merchantId, c);
  }

  /** Suspends `terminalId` (replacing a suspension in force). */
  suspend(terminalId: string, c: Control): void {
    this.suspensions.set(terminalId, c);
  }

  /** Lifts hold `id` of `merchantId` (nothing when another one is in force). */
  release(merchantId: string, id: number): void {
    if (this.holds.get(merchantId)?.id === id) this.holds.delete(merchantId);
  }

  /** Lifts suspension `id` of `terminalId`. */
  releaseTerminal(terminalId: string, id: number): void {
    if (this.suspensions.get(terminalId)?.id === id) this.suspensions.delete(terminalId);
  }

  /** Is settlement of `merchantId` held for a payment at event time `t`? */
  isHeld(merchantId: string, t: number): boolean {
    const c = this.holds.get(merchantId);
    return c !== undefined && t < c.expiresAt;
  }

  /** Is `terminalId` suspended for a payment at event time `t`? */
  isSuspended(terminalId: string, t: number): boolean {
    const c = this.suspensions.get(terminalId);
    return c !== undefined && t < c.expiresAt;
  }

  /** When the hold of `merchantId` ends (Infinity: until released); NaN when none is recorded. */
  holdEnd(merchantId: string): number {
    return this.holds.get(merchantId)?.expiresAt ?? NaN;
  }

  /** When the suspension of `terminalId` ends (Infinity: until released); NaN when none is recorded. */
  suspensionEnd(terminalId: string): number {
    return this.suspensions.get(terminalId)?.expiresAt ?? NaN;
  }

  /** Settlement holds in force (merchant ids), for status. */
  get held(): number {
    return this.holds.size;
  }

  /** Suspensions in force, for status. */
  get suspended(): number {
    return this.suspensions.size;
  }
}
