/**
 * The labels known now, for judging a backtest: every `label` event in the journal, those journaled
 * after the backtest's range included (fraud is often confirmed weeks later). This is hindsight on
 * purpose — the draft's engine still learns each label only from its own time on, as live did.
 *
 * Semantics (../shared/contract/EVENTS.md: a label names exactly one txId, accountId, merchantId or
 * terminalId): a payment's own label decides, the latest in journal order winning (a chargeback
 * reversed later is legitimate). A payment without one is fraud when an entity of one of the chosen
 * scopes (default: its account) carries a fraud label, latest winning per entity; otherwise it has
 * no label and counts as legitimate.
 */
import type { LabelEvent, TransactionEvent } from '../contract/events.js';
import { parseEvent } from '../contract/parse.js';
import { StoreError } from '../errors.js';
import type { Journal } from '../log/journal.js';
import { eachInRange, runOnJournal, type JournalProgram } from '../log/journal-reads.js';
import type { LabelScope, TxTruth } from './backtest-report.js';

/** Entity scopes a fraud label can mark payments through. */
export type EntityScope = Exclude<LabelScope, 'tx'>;

/** Every entity scope, for argument checking. */
export const ENTITY_SCOPES: readonly EntityScope[] = ['account', 'merchant', 'terminal'];

/** What is known now about payments and entities, from a label scan. */
export class KnownLabels {
  /** label events read. */
  events = 0;
  private readonly tx = new Map<string, TxTruth>();
  private readonly entities: Record<EntityScope, Map<string, TxTruth>> = {
    account: new Map(),
    merchant: new Map(),
    terminal: new Map(),
  };

  constructor(readonly scopes: readonly EntityScope[]) {}

  /** Folds one label in; later calls override earlier ones for the same target. */
  add(e: LabelEvent): void {
    this.events++;
    const typology = e.typology ?? null;
    if (e.txId !== undefined) this.tx.set(e.txId, { fraud: e.fraud, by: 'tx', typology });
    else if (e.accountId !== undefined) this.entities.account.set(e.accountId, { fraud: e.fraud, by: 'account', typology });
    else if (e.merchantId !== undefined) this.entities.merchant.set(e.merchantId, { fraud: e.fraud, by: 'merchant', typology });
    else if (e.terminalId !== undefined) this.entities.terminal.set(e.terminalId, { fraud: e.fraud, by: 'terminal', typology });
  }

  /** The truth of one payment, or null when nothing is known about it. */
  truthOf(tx: TransactionEvent): TxTruth | null {
    const own = this.tx.get(tx.id);
    if (own !== undefined) return own;
    for (const scope of this.scopes) {
      const m = this.entities[scope];
      if (m.size === 0) continue;
      const key = scope === 'account' ? tx.accountId : scope === 'merchant' ? tx.merchantId : tx.terminalId;
      const e = m.get(key);
      if (e !== undefined && e.fraud) return e;
    }
    return null;
  }
}

/**
 * Reads every label of entries 1..lastSeq (one pass over the journal that decodes label rows only).
 * `onEntry` sees each label entry's seq, for progress.
 */
export function scanLabels(journal: Journal, lastSeq: number, scopes: readonly EntityScope[], onEntry?: (seq: number) => void): KnownLabels {
  return runOnJournal(journal, scanLabelsProgram(lastSeq, scopes, onEntry));
}

/** scanLabels as a JournalProgram (log/journal-reads.ts), for a journal of either kind. */
export function* scanLabelsProgram(lastSeq: number, scopes: readonly EntityScope[], onEntry?: (seq: number) => void): JournalProgram<KnownLabels> {
  const known = new KnownLabels(scopes);
  yield* eachInRange({ fromSeq: 1, toSeq: lastSeq, type: 'label', whole: true }, (entry) => {
    let e;
    try {
      e = parseEvent(JSON.parse(entry.event));
    } catch (err) {
      throw new StoreError(`journal entry ${entry.seq} is not a readable label: ${(err as Error).message}`, { cause: err });
    }
    if (e.type === 'label') known.add(e);
    onEntry?.(entry.seq);
  });
  return known;
}
