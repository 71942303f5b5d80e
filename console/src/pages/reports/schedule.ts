/**
 * The scheduled jobs as `GET /v1/reports` answers them (`schedule`: job → "daily 08:00" or
 * "mon 09:00"; `lastRuns`: job → the slot it last ran), in the order the scheduler runs them, each
 * time read into its parts so the page can say it in the reader's language.
 */

/** One scheduled job, ready to show. */
export interface ScheduledJob {
  readonly name: string;
  /** 0 for every day, 1 (Monday) … 7 (Sunday) for a weekly job; null when the server's text is not understood. */
  readonly weekday: number | null;
  /** "HH:MM" on the Asia/Shanghai clock, or the server's text as it came. */
  readonly time: string;
  readonly lastRun: number | null;
}

const DAYS = ['daily', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** The jobs of `schedule`, with their last runs; a server that answers no schedule gives the jobs of `lastRuns` without times. */
export function scheduledJobs(schedule: Readonly<Record<string, string>> | undefined, lastRuns: Readonly<Record<string, number | null>>): ScheduledJob[] {
  const names = schedule === undefined ? Object.keys(lastRuns) : Object.keys(schedule);
  return names.map((name) => {
    const text = schedule?.[name] ?? '';
    const m = /^(\w+) (\d\d:\d\d)$/.exec(text);
    const day = m === null ? -1 : DAYS.indexOf(m[1]);
    return { name, weekday: day < 0 ? null : day, time: m === null || day < 0 ? text : m[2], lastRun: lastRuns[name] ?? null };
  });
}
