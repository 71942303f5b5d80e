/**
 * The schedule file (`fengkong serve --schedule-file FILE`): when each scheduled job runs, for a team
 * whose day does not start at 08:00 — a JSON object from job name to `"daily HH:MM"`, `"mon HH:MM"`
 * (… `"sun HH:MM"`) or `"off"`, on the Asia/Shanghai clock. Jobs it leaves out keep their default
 * times; whether a job does anything stays the live policy's settings (`schedules.*`). A bad file
 * stops the server at start with the field and what was expected, never half-applied.
 */
import { UsageError } from '../errors.js';
import type { Cadence } from './scheduler.js';

/** The jobs a schedule file may name, with their default times. */
export const DEFAULT_CADENCES: Readonly<Record<string, Cadence>> = {
  list_expiry: { every: 'day', hour: 4 },
  rerate_idle: { every: 'day', hour: 7 },
  review_queue: { every: 'day', hour: 8 },
  limit_proposals: { every: 'week', weekday: 1, hour: 8 },
  weekly_report: { every: 'week', weekday: 1, hour: 9 },
};

/** A job's time from the file, or off. */
export type CadenceOrOff = Cadence | 'off';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const TIME_RE = /^(daily|mon|tue|wed|thu|fri|sat|sun) ([01]\d|2[0-3]):([0-5]\d)$/;

/** One job's time from its text; null when the text is none of the forms. */
export function parseCadence(text: string): CadenceOrOff | null {
  const t = text.trim().toLowerCase();
  if (t === 'off') return 'off';
  const m = TIME_RE.exec(t);
  if (m === null) return null;
  const hour = Number(m[2]);
  const minute = Number(m[3]);
  return m[1] === 'daily' ? { every: 'day', hour, minute } : { every: 'week', weekday: DAYS.indexOf(m[1]) + 1, hour, minute };
}

/** The times a schedule file's text sets, by job; a UsageError naming the file and the field on anything else. */
export function parseScheduleFile(text: string, file: string): Record<string, CadenceOrOff> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: not JSON (${(e as Error).message}); expected an object like {"review_queue": "daily 09:30", "weekly_report": "mon 10:00", "list_expiry": "off"}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(`${file}: expected a JSON object from job name to its time`);
  const out: Record<string, CadenceOrOff> = {};
  for (const [name, value] of Object.entries(doc as Record<string, unknown>)) {
    if (!(name in DEFAULT_CADENCES)) throw new UsageError(`${file}: unknown job "${name}"; the jobs are ${Object.keys(DEFAULT_CADENCES).join(', ')}`);
    const c = typeof value === 'string' ? parseCadence(value) : null;
    if (c === null) throw new UsageError(`${file}: "${name}" must be "daily HH:MM", a weekday and a time ("mon 09:00" … "sun 23:59") or "off" (Asia/Shanghai), not ${JSON.stringify(value)}`);
    out[name] = c;
  }
  return out;
}

/** A job's time as a person reads it ("daily 08:00", "mon 09:00"). */
export function cadenceText(c: Cadence): string {
  const hhmm = `${String(c.hour).padStart(2, '0')}:${String(c.minute ?? 0).padStart(2, '0')}`;
  return c.every === 'day' ? `daily ${hhmm}` : `${DAYS[c.weekday - 1]} ${hhmm}`;
}
