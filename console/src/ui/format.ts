/**
 * The console's formatters, written once: money in yuan from the API's fen, times in Asia/Shanghai
 * with the offset shown (the server's event time zone, whatever the analyst's machine says), latency
 * with its unit, counts with grouping. Analysts compare figures across screens; one formatter each
 * keeps them identical.
 */

/** The time zone every time is shown in. */
export const TIME_ZONE = 'Asia/Shanghai';

const GROUPED = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0, useGrouping: true });

/**
 * Fen (integers, as the API sends amounts) as yuan: `¥1,234.56`, `-¥0.05`. Exact: whole yuan and fen
 * are split in integers, never through a floating division.
 */
export function formatMoney(fen: number): string {
  if (!Number.isFinite(fen)) return '—';
  const whole = Math.round(fen);
  const abs = Math.abs(whole);
  const yuan = Math.floor(abs / 100);
  const cents = abs % 100;
  return `${whole < 0 ? '-' : ''}¥${GROUPED.format(yuan)}.${String(cents).padStart(2, '0')}`;
}

const SHANGHAI = new Intl.DateTimeFormat('en-US', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'longOffset',
});

/**
 * An instant (epoch ms, or an ISO 8601 string with any offset) in Asia/Shanghai with its offset:
 * `2026-12-06 14:00:00 +08:00`. The same in every language, so a time copied from the console
 * reads the same to everyone. `—` when it is not a time.
 */
export function formatTime(instant: number | string): string {
  const ms = typeof instant === 'number' ? instant : Date.parse(instant);
  if (!Number.isFinite(ms)) return '—';
  const p: Record<string, string> = {};
  for (const part of SHANGHAI.formatToParts(ms)) p[part.type] = part.value;
  const offset = (p.timeZoneName ?? '').replace(/^GMT/, '') || '+00:00';
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${offset}`;
}

/** A latency in microseconds with its unit: `850 µs`, `1.25 ms`, `1,250 ms`; `—` when unknown. */
export function formatLatency(us: number | null): string {
  if (us === null || !Number.isFinite(us)) return '—';
  if (us < 1000) return `${Math.round(us)} µs`;
  const ms = us / 1000;
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${GROUPED.format(Math.round(ms))} ms`;
}

/** One formatter per number of decimals: building an Intl.NumberFormat costs far more than using one, and a table calls this per cell. */
const NUMBER_FORMATS = new Map<number, Intl.NumberFormat>();

/** A count or rate with grouping and at most `digits` decimals: `12,345`, `12.5`. */
export function formatNumber(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return '—';
  let f = NUMBER_FORMATS.get(digits);
  if (f === undefined) {
    f = new Intl.NumberFormat('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
    NUMBER_FORMATS.set(digits, f);
  }
  return f.format(n);
}

/** `part` of `whole` as a percentage with one decimal: `12.5%`; `—` when the whole is 0. */
export function formatShare(part: number, whole: number): string {
  if (!(whole > 0)) return '—';
  return `${((100 * part) / whole).toFixed(1)}%`;
}
