/**
 * What the labels known say about one payment, the one input every tally judges decisions by. It
 * lives here, below the policy and report code, so the tally can count label truth without
 * reaching up into the backtest that reads the labels.
 */

/** Which kind of label made a payment fraud or legitimate: its own (txId) or one on its account, merchant or terminal. */
export type LabelScope = 'tx' | 'account' | 'merchant' | 'terminal';

/** What the labels known now say about one payment. */
export interface TxTruth {
  readonly fraud: boolean;
  readonly by: LabelScope;
  readonly typology: string | null;
}

/** A payment's own fraud label, for callers (the shadow) whose labels only ever name the payment: shared, so labelling allocates nothing. */
export const OWN_FRAUD: TxTruth = Object.freeze({ fraud: true, by: 'tx', typology: null });

/** A payment's own label clearing it, shared for the same reason. */
export const OWN_LEGITIMATE: TxTruth = Object.freeze({ fraud: false, by: 'tx', typology: null });
