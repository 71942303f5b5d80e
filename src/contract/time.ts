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
 * Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm). Not `Date.UTC`, which
 * reads years 0–99 as 1900–1999, so `0050-01-01` would have been taken for 1950.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

let cachedDay = '';
let cachedDayMs = NaN;

/** Epoch ms of midnight UTC of `YYYY-MM-DD`, NaN when no such day; the last day is cached (events come in order). */
function dayMs(text: string): number {
  const day = text.slice(0, 10);
  if (day === cachedDay) return cachedDayMs;
  const year = +day.slice(0, 4);
  const month = +day.slice(5, 7);
  const d = +day.slice(8, 10);
  const ms = month < 1 || month > 12 || d < 1 || d > daysIn(year, month) ? NaN : daysFromCivil(year, month, d) * 86_400_000;
  cachedDay = day;
  cachedDayMs = ms;
  return ms;
}

/**
 * Epoch milliseconds of a contract timestamp, or NaN when the text is not one
 * (wrong shape, month 13, 31 February, offset beyond ±18:00, …).
 */
export function parseTimestamp(text: string): number {
  if (!ISO.test(text)) return NaN;
  const day = dayMs(text);
  const hour = two(text, 11);
  const minute = two(text, 14);
  const second = two(text, 17);
  if (Number.isNaN(day) || hour > 23 || minute > 59 || second > 59) return NaN;
  let i = 19;
  let ms = 0;
  if (text.charCodeAt(i) === 46 /* . */) {
    let scale = 100;
    for (i++; i < text.length; i++) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      ms += c * scale;
      scale /= 10;
    }
    ms = Math.floor(ms);
  }
  let offsetMin = 0;
  if (text.charCodeAt(i) !== 90 /* Z */) {
    const oh = two(text, i + 1);
    const om = two(text, i + 4);
    if (oh > 18 || om > 59) return NaN;
    offsetMin = (oh * 60 + om) * (text.charCodeAt(i) === 45 /* - */ ? -1 : 1);
  }
  return day + ((hour * 60 + minute - offsetMin) * 60 + second) * 1000 + ms;
}

/** The two-digit number at `i` (the regex has already checked they are digits). */
function two(text: string, i: number): number {
  return (text.charCodeAt(i) - 48) * 10 + text.charCodeAt(i + 1) - 48;
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
