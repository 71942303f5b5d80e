/**
 * From decisions to cases: a payment answered `review` opens (or joins) its account's `review` case;
 * a failed step-up (`account_event` of kind `challenge_failed`) opens the account's
 * `challenge_failed` case; a payment reviewed because its merchant's settlement is held joins that
 * merchant's `settlement_held` case instead — and its account's case only when something else about
 * the payment asked for a review too. Runs in the journal feed, after the answer left.
 */
import type { AccountActivityEvent, TransactionEvent } from '../contract/events.js';
import type { FeedConsumer, FeedEntry } from '../detectors/types.js';
import type { Engine } from '../engine/engine.js';
import { HELD_REASON } from '../merchants/actions.js';
import type { Journal } from '../log/journal.js';
import type { OpenCaseRequest } from './types.js';

/** Who opens the cases of decisions, in items and the audit log. */
export const ENGINE_ACTOR = 'engine';
/** Risk of a failed challenge whose payment is unknown; a known one keeps the higher of its score and this. */
export const CHALLENGE_FAILED_RISK = 50;

/** The decision hook of the case service. */
export class DecisionIntake implements FeedConsumer {
  readonly name = 'case-intake';
  private outcomes = new Map<string, string | null>();
  private policyName = '';

  constructor(
    private readonly engine: Engine,
    private readonly journal: Journal,
  ) {}

  consume(entry: FeedEntry, open: OpenCaseRequest[]): void {
    if (!entry.act) return;
    const e = entry.event;
    if (e.type === 'transaction') {
      const d = entry.decision;
      if (d !== null && d.outcome === 'review') this.review(e, d.score, d.reasons, open);
    } else if (e.type === 'account_event' && e.kind === 'challenge_failed') {
      this.challengeFailed(entry.seq, e, open);
    }
  }

  private review(tx: TransactionEvent, score: number, reasons: readonly { code: string }[], open: OpenCaseRequest[]): void {
    const codes = reasons.map((r) => r.code);
    const detail = { outcome: 'review', score, reasons: codes, merchantId: tx.merchantId, terminalId: tx.terminalId, ts: tx.ts };
    const note = codes.length > 0 ? `review: ${codes.join(', ')}` : 'review (score threshold)';
    let account = true;
    if (codes.includes(HELD_REASON)) {
      const own = this.engine.reference.terminals.get(tx.terminalId)?.merchantId;
      const merchant = this.engine.merchantRisk.heldMerchantOf(tx, own) ?? tx.merchantId;
      open.push({
        subjectKind: 'merchant', subjectId: merchant, issue: 'settlement_held',
        source: { kind: 'decision', ref: tx.id }, txId: tx.id, risk: score, amount: tx.amount,
        note: `payment during a settlement hold (${codes.join(', ')})`, actor: ENGINE_ACTOR, detail: { ...detail, accountId: tx.accountId },
      });
      account = codes.some((c) => c !== HELD_REASON && (c.startsWith('MODEL_') || this.asksForReview(c)));
    }
    if (!account) return;
    open.push({
      subjectKind: 'account', subjectId: tx.accountId, issue: 'review',
      source: { kind: 'decision', ref: tx.id }, txId: tx.id, risk: score, amount: tx.amount, note, actor: ENGINE_ACTOR, detail,
    });
  }

  /** True when the live policy's rule reporting `code` asks for review or more on its own. */
  private asksForReview(code: string): boolean {
    const p = this.engine.currentPolicy;
    if (p.name !== this.policyName) {
      this.policyName = p.name;
      this.outcomes = new Map(p.rules.map((r) => [r.reason, r.outcome]));
    }
    const o = this.outcomes.get(code);
    return o === 'review' || o === 'challenge' || o === 'decline';
  }

  private challengeFailed(seq: number, e: AccountActivityEvent, open: OpenCaseRequest[]): void {
    let risk = CHALLENGE_FAILED_RISK;
    let amount = 0;
    let decision: unknown = null;
    const txId = e.txId;
    if (txId !== undefined) {
      const stored = this.journal.decision(txId);
      if (stored !== undefined) {
        const d = JSON.parse(stored.decision) as { outcome: string; score: number; reasons: { code: string }[] };
        risk = Math.max(risk, d.score);
        decision = { outcome: d.outcome, score: d.score, reasons: d.reasons.map((r) => r.code) };
        this.journal.forEachEventInRange({ fromSeq: stored.seq, toSeq: stored.seq }, (x) => {
          amount = (JSON.parse(x.event) as { amount?: number }).amount ?? 0;
        });
      }
    }
    open.push({
      subjectKind: 'account', subjectId: e.accountId, issue: 'challenge_failed',
      source: { kind: 'decision', ref: txId ?? `journal:${seq}` }, ...(txId === undefined ? {} : { txId }),
      risk, amount, note: txId === undefined ? 'step-up verification failed' : `step-up verification of ${txId} failed`,
      actor: ENGINE_ACTOR, detail: { txId: txId ?? null, decision, deviceId: e.deviceId ?? null, ip: e.ip ?? null, ts: e.ts },
    });
  }
}
