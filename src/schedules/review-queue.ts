/**
 * The periodic review queue: every N days (the policy's `schedules.review_every_days`), each account
 * on a watch list of accounts and each account rated E gets a `periodic_review` case — opened, or
 * joined with a new item when one is open — so the accounts the team decided to watch, and the
 * riskiest by rating, are looked at again on a rhythm instead of only when a payment trips a rule.
 */
import type { CaseOpener } from '../cases/types.js';
import { formatShanghai } from '../contract/time.js';
import type { Engine } from '../engine/engine.js';
import { gradeOf } from '../features/credit-rating.js';
import type { ListSet } from '../lists/list-set.js';

/** The actor of what the scheduler opens. */
export const SCHEDULES_ACTOR = 'system:schedules';
/** Most cases one run opens or joins (a bigger watch list waits for the next run, watched first). */
export const MAX_REVIEWS = 2_000;

const DAY = 86_400_000;
const SHANGHAI = 8 * 3_600_000;

/** Opens the reviews due at `slot` (epoch ms of the run); returns how many cases it opened or joined. */
export function runReviewQueue(o: { engine: Engine; lists: ListSet; cases: CaseOpener; slot: number; everyDays: number }): number {
  if (!(o.everyDays > 0)) return 0;
  const day = Math.floor((o.slot + SHANGHAI) / DAY);
  if (day % o.everyDays !== 0) return 0;
  const date = formatShanghai(o.slot).slice(0, 10);
  const at = o.engine.nowOr(o.slot);
  const why = new Map<string, string>();
  for (const l of o.lists.lists()) {
    if (l.kind !== 'account' || l.purpose !== 'watch') continue;
    let after: string | undefined;
    do {
      const page = o.lists.entries(l.name, after === undefined ? { limit: 1000 } : { after, limit: 1000 }, at);
      for (const e of page.entries) if (!why.has(e.value)) why.set(e.value, `on watch list ${l.name}`);
      after = page.next ?? undefined;
    } while (after !== undefined && why.size < MAX_REVIEWS);
  }
  for (const a of o.engine.accounts()) {
    if (why.size >= MAX_REVIEWS) break;
    if (!why.has(a.id) && gradeOf(a.ratingScore) === 'E') why.set(a.id, 'credit grade E');
  }
  let n = 0;
  for (const [accountId, reason] of why) {
    if (n >= MAX_REVIEWS) break;
    const acc = o.engine.account(accountId);
    o.cases.open({
      subjectKind: 'account',
      subjectId: accountId,
      issue: 'periodic_review',
      source: { kind: 'analyst', ref: `periodic-review:${date}` },
      risk: reason === 'credit grade E' ? 60 : 40,
      amount: acc?.outstanding ?? 0,
      note: `periodic review of ${date}: ${reason}`,
      actor: SCHEDULES_ACTOR,
    });
    n++;
  }
  return n;
}
