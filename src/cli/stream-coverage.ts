/**
 * What a replayed stream carried, said at the end of `fengkong replay`: how many payments named a
 * device, a place, an IP, an MCC, an acquirer, a channel, and which registries and repayments the
 * stream fed. The default policy works with what it is sent (rules needing a missing part stay
 * quiet), so a team replaying its own data first learns which signals its data can show at all.
 */
import type { TransactionEvent } from '../contract/events.js';
import type { ReferenceView } from '../features/reference.js';

/** Optional transaction fields whose presence is counted, with what their absence turns off. */
const FIELDS = [
  ['deviceId', 'device', 'device rules (new device after a reset, shared devices)'],
  ['geo', 'geo', 'place rules (impossible travel, relocated terminals, far from home)'],
  ['ip', 'ip', 'shared-IP rules'],
  ['mcc', 'mcc', 'MCC mismatch (low-fee code jumping)'],
  ['acquirerId', 'acquirer', 'acquirer mismatch'],
  ['channel', 'channel', 'nothing in the default policy'],
] as const;

/** Counts, per payment, which optional fields were present. */
export class StreamCoverage {
  private payments = 0;
  private readonly present = new Float64Array(FIELDS.length);

  /** Counts one payment. */
  add(tx: TransactionEvent): void {
    this.payments++;
    for (let i = 0; i < FIELDS.length; i++) if (tx[FIELDS[i][0]] !== undefined) this.present[i]++;
  }

  /**
   * Two lines for the summary: the share of payments carrying each field, and what the stream fed;
   * then one line per part that was never sent, saying which rules it leaves quiet.
   */
  lines(ref: ReferenceView): string[] {
    if (this.payments === 0) return [];
    const pct = (n: number): string => `${Math.round((100 * n) / this.payments)}%`;
    const out = [`stream: of ${this.payments} payments, ${FIELDS.map(([, name], i) => `${name} ${pct(this.present[i])}`).join(', ')}`];
    const fed: [string, boolean, string][] = [
      ['merchant registrations', ref.merchantRegistryUsed, 'UNREGISTERED_MERCHANT and the registered-merchant checks (MCC, region, name)'],
      ['terminal registrations', ref.terminalRegistryUsed, 'UNREGISTERED_TERMINAL and code jumping by the terminal\'s own merchant'],
      ['account registrations', ref.accountRegistryUsed, 'UNREGISTERED_ACCOUNT and the credit-limit rules'],
      ['acquirer registrations', ref.acquirerRegistryUsed, 'ACQUIRER_UNKNOWN and ACQUIRER_UNLICENSED (二清)'],
      ['repayments', ref.repaymentsUsed, 'available credit and utilisation (OVER_LIMIT only for a payment above the limit)'],
    ];
    out.push(`stream: fed ${fed.map(([what, yes]) => `${what} ${yes ? 'yes' : 'no'}`).join(', ')}`);
    if (ref.issuerCredit > 0) {
      const c = ref.creditContradictions;
      out.push(
        `stream: ${pct(ref.issuerCredit)} of payments carried the issuer's open-to-buy; ${c} contradicted the engine's own arithmetic` +
          (c > 0 ? ' (the stream misses repayments or refunds: that arithmetic declines no payment for 7 days after one — OVER_LIMIT_BY_OWN_BOOKS scores it instead)' : ''),
      );
    }
    for (const [what, yes, off] of fed) if (!yes) out.push(`stream: no ${what}: quiet are ${off}`);
    FIELDS.forEach(([, name, off], i) => {
      if (this.present[i] === 0 && off !== 'nothing in the default policy') out.push(`stream: no payment carried ${name}: quiet are ${off}`);
    });
    return out;
  }
}
