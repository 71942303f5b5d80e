/**
 * The payment's time from an ISO 8583 message, which carries no year: fields 12 (hhmmss) and 13
 * (MMDD) are the local time at the terminal, taken as Asia/Shanghai (UTC+08:00, no daylight saving);
 * without them field 7 (MMDDhhmmss, UTC by the standard) is used. The year is the one that puts the
 * date nearest to the server's clock, so a payment of 31 December 23:59:58 arriving at 00:00:01 on
 * 1 January is dated the old year, and one dated 1 January seen on 31 December the new one.
 */
import { Iso8583FormatError } from '../errors.js';

/** How far from the server's date a message's date may be: beyond it the year cannot be told. */
const NEAR_MS = 183 * 86_400_000;

/** Asia/Shanghai's offset: +08:00 all year. */
const SHANGHAI_MS = 8 * 3600_000;

/** Where the time came from and what it is, as the contract writes it (`2026-11-24T21:05:09+08:00`). */
export interface IsoTime {
  readonly ts: string;
  /** Epoch ms. */
  readonly t: number;
}

/**
 * The event time of a message: from 13 + 12 when both are present, else from 7; `nowMs` is the
 * server's clock. Throws Iso8583FormatError (offset 0: the fields were already read) naming the field
 * when the date or time is impossible (month 13, 30 February, hour 24) or none is given.
 */
export function isoEventTime(fields: ReadonlyMap<number, string>, nowMs: number): IsoTime {
  const f12 = fields.get(12);
  const f13 = fields.get(13);
  if (f12 !== undefined && f13 !== undefined) {
    const wall = nearestWallTime(13, f13, 12, f12, nowMs + SHANGHAI_MS);
    return { ts: shanghaiText(wall), t: wall - SHANGHAI_MS };
  }
  const f7 = fields.get(7);
  if (f7 === undefined) throw new Iso8583FormatError(7, 0, 'field 7 (transmission date and time) or fields 12 and 13 (local time and date): the payment needs a time');
  const utc = nearestWallTime(7, f7.slice(0, 4), 7, f7.slice(4), nowMs);
  return { ts: shanghaiText(utc + SHANGHAI_MS), t: utc };
}

/**
 * `MMDD` + `hhmmss` as ms on a wall clock (ms since 1970 as if that clock were UTC), in the year of
 * the three around `nowWall` that puts it nearest.
 */
function nearestWallTime(dateField: number, mmdd: string, timeField: number, hhmmss: string, nowWall: number): number {
  const month = Number(mmdd.slice(0, 2));
  const day = Number(mmdd.slice(2, 4));
  const h = Number(hhmmss.slice(0, 2));
  const m = Number(hhmmss.slice(2, 4));
  const s = Number(hhmmss.slice(4, 6));
  if (month < 1 || month > 12 || day < 1 || day > 31) throw new Iso8583FormatError(dateField, 0, `a date MMDD with month 01–12 and day 01–31 (got ${mmdd})`);
  if (h > 23 || m > 59 || s > 59) throw new Iso8583FormatError(timeField, 0, `a time hhmmss with hour 00–23, minute and second 00–59 (got ${hhmmss})`);
  const year = new Date(nowWall).getUTCFullYear();
  let best = NaN;
  for (const y of [year - 1, year, year + 1]) {
    const ms = Date.UTC(y, month - 1, day, h, m, s);
    if (new Date(ms).getUTCDate() !== day) continue; // 29 February of a common year
    if (Number.isNaN(best) || Math.abs(ms - nowWall) < Math.abs(best - nowWall)) best = ms;
  }
  if (Number.isNaN(best) || Math.abs(best - nowWall) > NEAR_MS) {
    throw new Iso8583FormatError(dateField, 0, `a date within six months of the server's date (got ${mmdd}, which is not near today in any year)`);
  }
  return best;
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** A wall-clock instant of Shanghai as `YYYY-MM-DDThh:mm:ss+08:00`. */
function shanghaiText(wall: number): string {
  const d = new Date(wall);
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}T${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}+08:00`;
}
