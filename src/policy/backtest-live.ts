/**
 * The live side of a backtest: the decision stored with each journaled payment, as it was answered
 * (the server's answer: txId, outcome, score, reasons, policy, seq, latencyUs).
 */
import { OUTCOMES, type Outcome } from '../rules/policy-types.js';

/** What a backtest needs of a stored decision. */
export interface LiveDecision {
  readonly outcome: Outcome;
  /** null when the answer carried none. */
  readonly score: number | null;
  readonly reasons: readonly { readonly code: string }[];
  /** the policy that decided ('' when the answer did not name one). */
  readonly policy: string;
}

const NONE: readonly { readonly code: string }[] = Object.freeze([]);
const OUTCOME_OF: Readonly<Record<string, Outcome>> = { approve: 'approve', review: 'review', challenge: 'challenge', decline: 'decline' };

/**
 * The stored decision, or null when the text is not a decision this version can read. The
 * server's own answers are read by a scanner (a million JSON.parse calls of them cost a backtest
 * ~0.35 s); anything else goes through JSON.parse.
 */
export function readLiveDecision(text: string): LiveDecision | null {
  return scanAnswer(text) ?? parseDecision(text);
}

/**
 * Reads the exact shape the server writes, `{"txId":"…","outcome":"…","score":N,"reasons":[{"code":"…"},…],"policy":"…",…}`,
 * or gives up (null). Only text without a backslash is scanned: then no string holds a quote, so
 * every quote found delimits a string and the keys are where the shape says.
 */
export function scanAnswer(text: string): LiveDecision | null {
  if (!text.startsWith('{"txId":"') || text.indexOf('\\') >= 0) return null;
  const o = text.indexOf('"', 9) + 1; // after the txId's closing quote
  if (!text.startsWith(',"outcome":"', o)) return null;
  const oe = text.indexOf('"', o + 12);
  const outcome = OUTCOME_OF[text.slice(o + 12, oe)];
  if (outcome === undefined || !text.startsWith(',"score":', oe + 1)) return null;
  const se = text.indexOf(',', oe + 10);
  const score = Number(text.slice(oe + 10, se));
  if (se < 0 || !Number.isFinite(score) || !text.startsWith('"reasons":[', se + 1)) return null;
  let i = se + 12;
  let reasons = NONE as { code: string }[];
  while (text.startsWith('{"code":"', i)) {
    const ce = text.indexOf('"', i + 9);
    if (ce < 0 || text.charCodeAt(ce + 1) !== 125 /* } */) return null;
    if (reasons === NONE) reasons = [];
    reasons.push({ code: text.slice(i + 9, ce) });
    i = ce + 2;
    if (text.charCodeAt(i) === 44 /* , */) i++;
  }
  if (text.charCodeAt(i) !== 93 /* ] */) return null;
  let policy = '';
  if (text.startsWith(',"policy":"', i + 1)) {
    const pe = text.indexOf('"', i + 12);
    policy = text.slice(i + 12, pe);
  }
  return { outcome, score, reasons, policy };
}

/** The general reader: any JSON object with a known outcome. */
function parseDecision(text: string): LiveDecision | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as { outcome?: unknown; score?: unknown; reasons?: unknown; policy?: unknown };
  if (typeof o.outcome !== 'string' || !(OUTCOMES as readonly string[]).includes(o.outcome)) return null;
  const reasons = Array.isArray(o.reasons)
    ? (o.reasons as unknown[]).filter((r): r is { code: string } => typeof (r as { code?: unknown } | null)?.code === 'string')
    : NONE;
  return {
    outcome: o.outcome as Outcome,
    score: typeof o.score === 'number' ? o.score : null,
    reasons,
    policy: typeof o.policy === 'string' ? o.policy : '',
  };
}
