/**
 * The data elements the listener reads and writes, in the ISO 8583:1987 formats as the npm
 * `iso_8583` library packs them by default: numeric and alphanumeric values as ASCII, variable ones
 * with 2 (LLVAR) or 3 (LLLVAR) ASCII length digits, binary ones as raw bytes. A field missing here
 * cannot be skipped (its length is unknown), so a message carrying one is refused as a format error
 * naming it. docs/iso8583.md prints this table.
 */

/** What a field may hold: digits, letters and digits, any printable text, or raw bytes. */
export type FieldKind = 'n' | 'an' | 'anp' | 'ans' | 'z' | 'b';

/** How a field's length is known: fixed, or 2 / 3 ASCII length digits before the value. */
export type LengthKind = 'fixed' | 'llvar' | 'lllvar';

/** One data element's format. */
export interface FieldSpec {
  readonly no: number;
  readonly name: string;
  readonly kind: FieldKind;
  readonly length: LengthKind;
  /** The length (fixed) or the most (variable), in bytes. */
  readonly max: number;
}

function f(no: number, name: string, kind: FieldKind, length: LengthKind, max: number): FieldSpec {
  return { no, name, kind, length, max };
}

/** The formats by field number (2–128); only these may appear in a message. */
export const FIELDS: ReadonlyMap<number, FieldSpec> = new Map(
  [
    f(2, 'primary account number', 'n', 'llvar', 19),
    f(3, 'processing code', 'n', 'fixed', 6),
    f(4, 'amount, transaction', 'n', 'fixed', 12),
    f(5, 'amount, settlement', 'n', 'fixed', 12),
    f(6, 'amount, cardholder billing', 'n', 'fixed', 12),
    f(7, 'transmission date and time (MMDDhhmmss, UTC)', 'n', 'fixed', 10),
    f(11, 'system trace audit number', 'n', 'fixed', 6),
    f(12, 'time, local transaction (hhmmss)', 'n', 'fixed', 6),
    f(13, 'date, local transaction (MMDD)', 'n', 'fixed', 4),
    f(14, 'date, expiration (YYMM)', 'n', 'fixed', 4),
    f(15, 'date, settlement (MMDD)', 'n', 'fixed', 4),
    f(18, 'merchant type (MCC)', 'n', 'fixed', 4),
    f(19, 'acquiring institution country code', 'n', 'fixed', 3),
    f(22, 'point of service entry mode', 'n', 'fixed', 3),
    f(23, 'card sequence number', 'n', 'fixed', 3),
    f(25, 'point of service condition code', 'n', 'fixed', 2),
    f(26, 'point of service PIN capture code', 'n', 'fixed', 2),
    f(32, 'acquiring institution identification code', 'n', 'llvar', 11),
    f(33, 'forwarding institution identification code', 'n', 'llvar', 11),
    f(35, 'track 2 data', 'z', 'llvar', 37),
    f(37, 'retrieval reference number', 'anp', 'fixed', 12),
    f(38, 'authorization identification response', 'anp', 'fixed', 6),
    f(39, 'response code', 'an', 'fixed', 2),
    f(41, 'card acceptor terminal identification', 'ans', 'fixed', 8),
    f(42, 'card acceptor identification code', 'ans', 'fixed', 15),
    f(43, 'card acceptor name/location', 'ans', 'fixed', 40),
    f(44, 'additional response data', 'ans', 'llvar', 25),
    f(48, 'additional data, private', 'ans', 'lllvar', 999),
    f(49, 'currency code, transaction', 'n', 'fixed', 3),
    f(52, 'PIN data', 'b', 'fixed', 8),
    f(54, 'additional amounts', 'an', 'lllvar', 120),
    f(55, 'ICC data', 'ans', 'lllvar', 999),
    f(60, 'reserved national', 'ans', 'lllvar', 999),
    f(61, 'reserved private', 'ans', 'lllvar', 999),
    f(62, 'reserved private', 'ans', 'lllvar', 999),
    f(63, 'reserved private', 'ans', 'lllvar', 999),
    f(70, 'network management information code', 'n', 'fixed', 3),
    f(90, 'original data elements', 'n', 'fixed', 42),
    f(100, 'receiving institution identification code', 'n', 'llvar', 11),
    f(102, 'account identification 1', 'ans', 'llvar', 28),
    f(103, 'account identification 2', 'ans', 'llvar', 28),
  ].map((s) => [s.no, s] as const),
);

/** What a kind means, for error messages. */
export const KIND_WORDS: Readonly<Record<FieldKind, string>> = {
  n: 'ASCII digits',
  an: 'ASCII letters and digits',
  anp: 'ASCII letters, digits and spaces',
  ans: 'printable text (no control bytes)',
  z: 'track 2 characters (digits, "=" or "D")',
  b: 'binary bytes',
};

/** Whether byte `c` may appear in a field of `kind` (binary fields take any byte). */
export function byteFits(kind: FieldKind, c: number): boolean {
  switch (kind) {
    case 'n':
      return c >= 0x30 && c <= 0x39;
    case 'an':
      return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    case 'anp':
      return c === 0x20 || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    case 'ans':
      // printable ASCII, and bytes of multi-byte UTF-8 (a merchant's name in Chinese); no controls
      return c >= 0x20 && c !== 0x7f;
    case 'z':
      return (c >= 0x30 && c <= 0x39) || c === 0x3d || c === 0x44;
    case 'b':
      return true;
  }
}
