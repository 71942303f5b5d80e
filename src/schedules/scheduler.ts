/**
 * The embedded scheduler: jobs at fixed times of the Asia/Shanghai clock (weekly on a weekday at an
 * hour, or daily at an hour), durable across restarts — each job's last run is kept with the
 * followers' cursors, written once the job has run, so a restart neither runs a slot twice nor
 * forgets one: a slot missed while the server was down runs once at start (only the latest; a week
 * of downtime makes one weekly report, not seven daily catch-ups). A job that fails is logged and
 * tried again at the next tick. One job runs at a time. A data folder new to a job starts at its
 * next slot.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Asia/Shanghai has no daylight saving time: always UTC+8. */
const SHANGHAI = 8 * HOUR;

/** When a job runs, on the Shanghai clock (minute 0 when left out). */
export type Cadence =
  | { readonly every: 'day'; readonly hour: number; readonly minute?: number }
  | { readonly every: 'week'; readonly weekday: number; readonly hour: number; readonly minute?: number };

/** The latest slot of `c` at or before `now` (epoch ms). Weekdays: 1 = Monday … 7 = Sunday. */
export function latestSlot(c: Cadence, now: number): number {
  const day = Math.floor((now + SHANGHAI) / DAY);
  const at = c.hour * HOUR + (c.minute ?? 0) * MINUTE - SHANGHAI;
  let slot: number;
  if (c.every === 'day') slot = day * DAY + at;
  else {
    // 1970-01-01 (day 0) was a Thursday: ISO weekday (day + 3) % 7 + 1
    const weekday = ((day + 3) % 7) + 1;
    const back = (weekday - c.weekday + 7) % 7;
    slot = (day - back) * DAY + at;
  }
  while (slot > now) slot -= c.every === 'day' ? DAY : 7 * DAY;
  return slot;
}

/** One job. */
export interface Job {
  readonly name: string;
  readonly cadence: Cadence;
  /** Runs the slot at `slot` (epoch ms); resolves once done (its work stored). */
  run(slot: number): Promise<void>;
}

/** Where the scheduler keeps each job's last slot (store/sqlite/follower-cursors.ts). */
export interface SlotBook {
  seqOf(name: string): number | null;
  advance(name: string, seq: number): void;
}

/** Runs `jobs` as their slots come; `tick` is called by a timer (and by tests). */
export class Scheduler {
  private running = false;

  constructor(
    private readonly jobs: readonly Job[],
    private readonly book: SlotBook,
    private readonly now: () => number = Date.now,
    private readonly log: (line: string) => void = (l) => process.stderr.write(l + '\n'),
  ) {
    // a data folder new to the scheduler (or to a job) starts at the job's next slot, not with a catch-up
    for (const j of jobs) {
      const key = `schedule.${j.name}`;
      if (book.seqOf(key) === null) book.advance(key, latestSlot(j.cadence, now()));
    }
  }

  /** The last slot each job ran, for status (null: never). */
  lastRuns(): Record<string, number | null> {
    return Object.fromEntries(this.jobs.map((j) => [j.name, this.book.seqOf(`schedule.${j.name}`)]));
  }

  /** Runs every job whose latest slot has not run yet, one after another; returns the names run. */
  async tick(): Promise<string[]> {
    if (this.running) return [];
    this.running = true;
    const ran: string[] = [];
    try {
      for (const j of this.jobs) {
        const slot = latestSlot(j.cadence, this.now());
        const key = `schedule.${j.name}`;
        const last = this.book.seqOf(key);
        if (last !== null && last >= slot) continue;
        try {
          await j.run(slot);
          this.book.advance(key, slot);
          ran.push(j.name);
        } catch (e) {
          this.log(`fengkong serve: scheduled job ${j.name} failed (tried again shortly): ${(e as Error).message}`);
        }
      }
    } finally {
      this.running = false;
    }
    return ran;
  }
}
