/**
 * Follows the rule actions decisions name (engine/rule-actions.ts) and hands each to the module that
 * stores its kind — accounts, merchants, lists — once it is durable: live from the commit feed, and
 * at start from the journal after the follower's cursor (a crash between a decision's commit and its
 * record loses nothing). What a handler stores commits in one transaction with the cursor, so an
 * action is recorded once. Actions are rare (capped per hour), so recording on the commit callback
 * costs the answer path nothing measurable; payments without actions cost one property check.
 */
import type { TransactionEvent } from '../contract/events.js';
import { parseEvent } from '../contract/parse.js';
import { parseTimestamp } from '../contract/time.js';
import type { DecisionAction } from '../engine/rule-actions.js';
import type { CommitFeed } from '../log/feed.js';
import type { Journal } from '../log/journal.js';
import type { ActionKind } from '../rules/actions.js';

/** One action to record, with the decision that took it. */
export interface FollowedAction {
  /** The journal seq of the decision: where the action took effect (a replay applies its record there). */
  readonly seq: number;
  readonly tx: TransactionEvent;
  /** The policy that decided (its version name). */
  readonly policy: string;
  readonly action: DecisionAction;
  /** `action.until` as epoch ms; null for until lifted. */
  readonly until: number | null;
}

/** Where the followers keep their place (store/sqlite/follower-cursors.ts). */
export interface FollowerCursors {
  seqOf(name: string): number | null;
  advance(name: string, seq: number): void;
  /** advance, unless that would wait for the write lock (false then). */
  tryAdvance(name: string, seq: number): boolean;
  transaction<T>(fn: () => T): T;
}

/** What a follower needs. */
export interface FollowerOptions {
  /** The cursor's name, one per follower. */
  readonly name: string;
  /** The action kinds this follower records (capped ones too when `capped`). */
  readonly kinds: readonly ActionKind[];
  /** Hand over capped actions (the alerts' follower) instead of taken ones. */
  readonly capped?: boolean;
  readonly journal: Pick<Journal, 'lastSeq' | 'forEachEventInRange'>;
  readonly feed: CommitFeed;
  readonly cursors: FollowerCursors;
  /** Records one action; runs inside the cursor's transaction (throwing rolls both back). */
  readonly record: (a: FollowedAction) => void;
}

/** How often the cursor moves past decisions without actions. */
const CURSOR_EVERY_MS = 5_000;

interface JournaledDecision {
  readonly policy?: string;
  readonly actions?: readonly DecisionAction[];
}

/** A running follower; `close` stops it (the cursor is saved first). */
export class RuleActionFollower {
  private lastSeen: number;
  /** The first seq whose recording failed: the cursor stays before it, so a restart tries again. */
  private failedAt = Infinity;
  private readonly stop: () => void;
  private readonly timer: NodeJS.Timeout;
  private readonly kinds: ReadonlySet<string>;

  constructor(private readonly o: FollowerOptions) {
    this.kinds = new Set(o.kinds);
    const from = o.cursors.seqOf(o.name);
    const last = o.journal.lastSeq();
    // a follower new to a data folder: decisions before it named no action it knows
    if (from === null) o.cursors.advance(o.name, last);
    else if (from < last) {
      // read first, record after: the journal's read holds the connection the records are written on
      const found: { seq: number; event: string; decision: string }[] = [];
      o.journal.forEachEventInRange({ fromSeq: from + 1, toSeq: last, type: 'transaction', whole: true }, (entry) => {
        if (entry.decision !== null && entry.decision.includes('"actions"')) found.push({ seq: entry.seq, event: entry.event, decision: entry.decision });
      });
      for (const f of found) {
        const d = JSON.parse(f.decision) as JournaledDecision;
        this.handle(f.seq, () => parseEvent(JSON.parse(f.event)) as TransactionEvent, d.policy ?? '', d.actions);
      }
    }
    this.lastSeen = last;
    this.stop = o.feed.onCommitted((seq, e, decision) => {
      this.lastSeen = seq;
      const actions = decision?.actions;
      if (actions !== undefined && e.type === 'transaction') this.handle(seq, () => e, decision!.policy, actions);
    });
    this.timer = setInterval(() => this.saveCursor(), CURSOR_EVERY_MS);
    this.timer.unref();
  }

  private handle(seq: number, txOf: () => TransactionEvent, policy: string, actions: readonly DecisionAction[] | undefined): void {
    if (actions === undefined) return;
    const mine = actions.filter((a) => this.kinds.has(a.action) && (a.capped === true) === (this.o.capped === true));
    if (mine.length === 0) return;
    const tx = txOf();
    try {
      this.o.cursors.transaction(() => {
        for (const action of mine) this.o.record({ seq, tx, policy, action, until: action.until === null ? null : parseTimestamp(action.until) });
        if (seq < this.failedAt) this.o.cursors.advance(this.o.name, seq);
      });
    } catch (e) {
      this.failedAt = Math.min(this.failedAt, seq);
      process.stderr.write(`fengkong serve: recording the rule actions of payment ${tx.id} (journal seq ${seq}) failed; a restart tries again: ${(e as Error).message}\n`);
    }
  }

  /** Moves the cursor over what was seen; skipped while another writer holds the lock (the next try makes up for it). */
  private saveCursor(): void {
    const to = Math.min(this.lastSeen, this.failedAt - 1);
    try {
      this.o.cursors.tryAdvance(this.o.name, to);
    } catch (e) {
      process.stderr.write(`fengkong serve: the ${this.o.name} cursor could not be saved: ${(e as Error).message}\n`);
    }
  }

  /** Stops following; the cursor is saved. */
  close(): void {
    this.stop();
    clearInterval(this.timer);
    this.saveCursor();
  }
}
