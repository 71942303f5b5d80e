/**
 * ISO 8601 timestamps of the contract, parsed without `Date.parse` (which accepts far more than the
 * contract and differs between engines) and without allocation beyond one regex match.
 */

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  if (month === 2 && ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1];
}

/**
 * Epoch milliseconds of a contract timestamp, or NaN when the text is not one
 * (wrong shape, month 13, 31 February, offset beyond ±18:00, …).
 */
export function parseTimestamp(text: string): number {
  const m = ISO.exec(text);
  if (m === null) return NaN;
  const year = +m[1];
  const month = +m[2];
  const day = +m[3];
  const hour = +m[4];
  const minute = +m[5];
  const second = +m[6];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return NaN;
  if (hour > 23 || minute > 59 || second > 59) return NaN;
  let ms = 0;
  if (m[7] !== undefined) ms = Math.floor(+(m[7] + '000').slice(0, 3));
  let offsetMin = 0;
  const zone = m[8];
  if (zone !== 'Z') {
    const oh = +zone.slice(1, 3);
    const om = +zone.slice(4, 6);
    if (oh > 18 || om > 59) return NaN;
    offsetMin = (oh * 60 + om) * (zone[0] === '-' ? -1 : 1);
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMin * 60_000;
}

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** Local hour (0–23) in Asia/Shanghai, which has no daylight saving, so a fixed offset is exact. */
export function shanghaiHour(t: number): number {
  return Math.floor((t + SHANGHAI_OFFSET_MS) / 3_600_000) % 24;
}

/** Formats epoch ms as a contract timestamp in +08:00, the zone risk teams in China read. */
export function formatShanghai(t: number): string {
  const d = new Date(t + SHANGHAI_OFFSET_MS);
  const iso = d.toISOString(); // 2026-11-24T13:05:09.250Z in shifted time
  const frac = d.getUTCMilliseconds() === 0 ? '' : iso.slice(19, 23);
  return iso.slice(0, 19) + frac + '+08:00';
}
