/**
 * Re-rating of idle accounts: a rating is recomputed when an event touches the account, so an
 * account that went quiet keeps the grade of its last event while its debt grows overdue and its
 * device changes age out. Every night the accounts last rated more than N days (the policy's
 * `schedules.rerate_idle_days`) before the stream's clock are re-rated at it, so the morning's review
 * queue, limit proposals and views read grades of today. Runs in slices, yielding between them, so
 * a million accounts never hold the event loop for more than a few milliseconds at a time.
 */
import type { Engine } from '../engine/engine.js';

const DAY = 86_400_000;
/** Accounts looked at between two yields. */
const SLICE = 5_000;

/** What a run did: how many accounts it re-rated, and the moves between grades (`"C→D": 3`). */
export interface RerateResult {
  readonly rerated: number;
  readonly moves: Readonly<Record<string, number>>;
}

/** Re-rates every account idle for more than `idleDays` at the engine's clock; nothing when it is 0. */
export async function rerateIdle(engine: Engine, idleDays: number): Promise<RerateResult> {
  const moves: Record<string, number> = {};
  let rerated = 0;
  const now = engine.now;
  if (!(idleDays > 0) || !Number.isFinite(now)) return { rerated, moves };
  const before = now - idleDays * DAY;
  // a Map's iterator stays valid while the job yields; accounts added meanwhile were just rated
  let seen = 0;
  for (const a of engine.accounts()) {
    if (++seen % SLICE === 0) await new Promise<void>((r) => setImmediate(r));
    if (!(a.ratedAt < before)) continue; // rated since, by a payment or any event
    const g = engine.rerate(a.id);
    if (g === null) continue;
    rerated++;
    if (g.after !== g.before) {
      const move = `${g.before || 'unrated'}→${g.after}`;
      moves[move] = (moves[move] ?? 0) + 1;
    }
  }
  return { rerated, moves };
}
