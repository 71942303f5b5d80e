/**
 * Local (Asia/Shanghai, UTC+8, no daylight saving) days of the simulated period, so every generator
 * reasons in the local hours, weekdays and days of month that shape how people pay.
 */
import { SimOptionError } from './option-error.js';

/** One simulated day. */
export interface Day {
  readonly index: number;
  /** Epoch ms of local midnight and of the next local midnight. */
  readonly start: number;
  readonly end: number;
  /** Local day of month 1–31 and weekday 0 (Sunday) – 6. */
  readonly dom: number;
  readonly weekday: number;
}

/** Milliseconds in a minute. */
export const MINUTE = 60_000;
/** Milliseconds in an hour. */
export const HOUR = 3_600_000;
/** Milliseconds in a day (China has no daylight saving, so every local day has this length). */
export const DAY = 86_400_000;

const OFFSET = 8 * HOUR;

/** The period of a world. */
export interface Calendar {
  readonly start: number;
  readonly end: number;
  readonly days: readonly Day[];
}

/**
 * Builds the calendar from an ISO date (`2026-10-01`) and a number of days; a start that is not a
 * real date throws SimOptionError, since it came from the user and the message must say so.
 */
export function makeCalendar(startDate: string, days: number): Calendar {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(startDate);
  if (m === null) throw new SimOptionError(`start must be a date like 2026-10-01, got "${startDate}"`);
  const utc = Date.UTC(+m[1], +m[2] - 1, +m[3]);
  const check = new Date(utc);
  if (check.getUTCDate() !== +m[3] || check.getUTCMonth() !== +m[2] - 1) {
    throw new SimOptionError(`start is not a real date: "${startDate}"`);
  }
  const start = utc - OFFSET;
  const list: Day[] = [];
  for (let i = 0; i < days; i++) {
    const s = start + i * DAY;
    const local = new Date(s + OFFSET);
    list.push({ index: i, start: s, end: s + DAY, dom: local.getUTCDate(), weekday: local.getUTCDay() });
  }
  return { start, end: start + days * DAY, days: list };
}

/** Local midnight at or before t. */
export function localMidnight(t: number): number {
  return Math.floor((t + OFFSET) / DAY) * DAY - OFFSET;
}
