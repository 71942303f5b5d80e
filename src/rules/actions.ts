/**
 * Rule actions: what a firing rule does besides deciding its payment — freeze the account, lower
 * its limit, require step-up, hold the merchant's settlement, suspend the terminal, put something
 * on a list — each for a while of event time or until lifted. The rule language owns their shapes
 * and the check of what a rule may do; the engine takes them (engine/rule-actions.ts).
 */
import type { ActionDecl } from './ast.js';
import { Diagnostics, didYouMean, type DiagnosticBag } from './diagnostics.js';
import { LIST_NAME_RE, type RuleOutcome } from './policy-types.js';

/** Every action a rule may take. */
export const ACTION_KINDS = ['freeze_account', 'lower_limit', 'require_step_up', 'hold_settlement', 'suspend_terminal', 'add_to_list'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

/** What of the payment `add_to_list` puts on the list. */
export const LIST_SUBJECTS = ['account', 'device', 'ip', 'merchant', 'terminal'] as const;
export type ListSubject = (typeof LIST_SUBJECTS)[number];

/** The lowered limit: a share of the registered limit, or an amount. */
export type LimitTarget = { readonly percent: number } | { readonly fen: number };

/** One checked action of a rule. */
export interface RuleAction {
  readonly kind: ActionKind;
  /** How long it holds, in ms of event time from the payment that fired it; null until lifted. */
  readonly forMs: number | null;
  /** lower_limit only. */
  readonly limit: LimitTarget | null;
  /** add_to_list only: the list and what of the payment goes on it. */
  readonly list: string | null;
  readonly subject: ListSubject | null;
}

/** Shortest and longest `for` an action may have: a minute to a year of event time. */
export const MIN_ACTION_MS = 60_000;
export const MAX_ACTION_MS = 365 * 86_400_000;

/** Actions that must come with `outcome decline` (they stop more than the payment that showed them). */
const DECLINE_ONLY: ReadonlySet<ActionKind> = new Set(['freeze_account', 'suspend_terminal']);

/**
 * Checks the actions of rule `rule` (whose outcome is `outcome`) and returns those that checked
 * clean; every problem goes into `bag` with a stable code (FKR513–FKR516).
 */
export function checkActions(rule: string, outcome: RuleOutcome | null, decls: readonly ActionDecl[], bag: DiagnosticBag): RuleAction[] {
  const out: RuleAction[] = [];
  for (const d of decls) {
    const name = d.name.name;
    const kind = ACTION_KINDS.find((k) => k === name);
    if (kind === undefined) {
      bag.add(Diagnostics.UnknownAction, d.name.pos, name, didYouMean(name, ACTION_KINDS));
      continue;
    }
    if (outcome === null || outcome === 'allow' || outcome === 'approve') {
      bag.add(Diagnostics.ActionWithoutOutcome, d.name.pos, rule, outcome === null ? 'has no outcome' : `asks for ${outcome}`);
      continue;
    }
    if (DECLINE_ONLY.has(kind) && outcome !== 'decline') {
      bag.add(Diagnostics.ActionNeedsDecline, d.name.pos, kind, rule, outcome);
      continue;
    }
    let ok = true;
    const bad = (pos: ActionDecl['forPos'], why: string): void => {
      bag.add(Diagnostics.ActionArgument, pos ?? d.name.pos, kind, why);
      ok = false;
    };
    if (d.forMs !== null && d.forMs === d.forMs && (d.forMs < MIN_ACTION_MS || d.forMs > MAX_ACTION_MS)) {
      bad(d.forPos, "'for' must be between 1m and 365d of event time.");
    }
    let limit: LimitTarget | null = null;
    if (kind === 'lower_limit') {
      if (d.to === null) bad(null, "write the new limit with 'to', as a share of the registered limit (to 50%) or an amount (to ¥2000).");
      else if (d.to.kind === 'percent') {
        if (!(d.to.value > 0 && d.to.value < 100)) bad(d.to.pos, `a share of the limit lies strictly between 0% and 100%, not ${d.to.value}%.`);
        else limit = { percent: d.to.value };
      } else if (!(d.to.value > 0)) bad(d.to.pos, 'the lowered limit must be more than ¥0; freeze_account stops every payment.');
      else limit = { fen: d.to.value };
    } else if (d.to !== null) bad(d.to.pos, "only lower_limit takes 'to'.");
    let list: string | null = null;
    let subject: ListSubject | null = null;
    if (kind === 'add_to_list') {
      if (d.list === null) bad(null, 'name the list in double quotes, e.g. add_to_list "watch_accounts" for 30d.');
      else if (!LIST_NAME_RE.test(d.list.name)) bad(d.list.pos, `"${d.list.name}" is no list name: 1–64 lowercase letters, digits and '_', starting with a letter.`);
      else list = d.list.name;
      if (d.subject === null) subject = 'account';
      else {
        subject = LIST_SUBJECTS.find((s) => s === d.subject?.name) ?? null;
        if (subject === null) bad(d.subject.pos, `what goes on the list is one of ${LIST_SUBJECTS.join(', ')}, not '${d.subject.name}'.`);
      }
    } else {
      if (d.list !== null) bad(d.list.pos, 'only add_to_list names a list.');
      if (d.subject !== null) bad(d.subject.pos, `unexpected '${d.subject.name}'; only add_to_list names what it adds.`);
    }
    if (ok) out.push(Object.freeze({ kind, forMs: d.forMs, limit, list, subject }));
  }
  return out;
}

/** The action as the rule language writes it (policy diffs, the console, records' reasons). */
export function actionText(a: RuleAction): string {
  const parts: string[] = [a.kind];
  if (a.kind === 'add_to_list') parts.push(...(a.subject === 'account' ? [] : [a.subject ?? 'account']), JSON.stringify(a.list));
  if (a.limit !== null) parts.push('to', 'percent' in a.limit ? `${a.limit.percent}%` : `¥${a.limit.fen / 100}`);
  if (a.forMs !== null) parts.push('for', durationText(a.forMs));
  return parts.join(' ');
}

/** 86400000 → `24h`… the largest whole unit. */
export function durationText(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000]] as const) {
    if (ms % size === 0 && ms >= size) {
      // a whole number of days reads better in hours up to two days (24h, 48h), as people write it
      if (unit === 'd' && ms <= 2 * 86_400_000) return `${ms / 3_600_000}h`;
      return `${ms / size}${unit}`;
    }
  }
  return `${Math.round(ms / 1000)}s`;
}
