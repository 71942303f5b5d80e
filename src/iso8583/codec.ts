/**
 * Reading and writing one ISO 8583 message (the bytes after the 2-byte length): optionally a 5-byte
 * TPDU and a 6-byte header (the variant Chinese POS networks use), then the MTI as 4 ASCII digits,
 * the primary bitmap as 8 binary bytes, the secondary bitmap (8 more) when bit 1 is set, and the
 * data elements in field order, formatted as fields.ts says. Pure functions; a message that does not
 * read throws Iso8583FormatError naming the field and the byte offset, carrying what was read
 * before it (so the listener can still answer `30` with the MTI and the STAN).
 */
import { Iso8583FormatError } from '../errors.js';
import { byteFits, FIELDS, KIND_WORDS, type FieldSpec } from './fields.js';

/** Bytes of the TPDU (id 0x60, destination, source) of the Chinese POS variant. */
export const TPDU_BYTES = 5;
/** Bytes of the header after the TPDU in that variant (application type, version, status, …). */
export const HEADER_BYTES = 6;

/**
 * One message: the MTI and the data elements by number. Values are text (ASCII; UTF-8 for `ans`
 * fields), binary fields as uppercase hex. `prefix` is the TPDU + header when the variant is on.
 */
export interface IsoMessage {
  readonly mti: string;
  readonly fields: ReadonlyMap<number, string>;
  readonly prefix?: Buffer | undefined;
  /** Where each field's value starts in the message (set by decodeMessage): a mapping error names it. */
  readonly offsets?: ReadonlyMap<number, number> | undefined;
}

/** How messages are laid out on this connection. */
export interface CodecOptions {
  /** A 5-byte TPDU and a 6-byte header come before the MTI. Default false. */
  readonly tpdu?: boolean;
}

/** A message that did not read, with what was read before the failure. */
export class PartialMessage {
  constructor(
    readonly mti: string | null,
    readonly fields: ReadonlyMap<number, string>,
    readonly prefix: Buffer | undefined,
    readonly error: Iso8583FormatError,
  ) {}
}

/** The failure of decodeMessage: the error, plus what could be read (the MTI, the fields before it). */
export class Iso8583DecodeFailure extends Error {
  constructor(readonly partial: PartialMessage) {
    super(partial.error.message);
    this.name = 'Iso8583DecodeFailure';
  }
}

/**
 * Reads one message. Throws Iso8583DecodeFailure (its `partial.error` is the Iso8583FormatError
 * naming the field and offset) on anything that does not match the layout: a short message, a
 * non-digit MTI, a field the table does not know, a byte outside its field's kind, a length beyond
 * the field's maximum, bytes left over after the last field. A wrong byte inside a field of known
 * length does not stop the reading: the first such error is thrown once the rest was read.
 */
export function decodeMessage(buf: Buffer, opts: CodecOptions = {}): IsoMessage {
  const fields = new Map<number, string>();
  const offsets = new Map<number, number>();
  let mti: string | null = null;
  let prefix: Buffer | undefined;
  let at = 0;
  // the first content error (a wrong byte in a field whose length is known): reading goes on past it,
  // so the fields after it (the STAN) are still read for the `30` answer; the message stays refused
  let first: Iso8583FormatError | null = null;
  const fail = (field: number, offset: number, expected: string): never => {
    throw new Iso8583DecodeFailure(new PartialMessage(mti, fields, prefix, first ?? new Iso8583FormatError(field, offset, expected)));
  };
  const wrongByte = (field: number, offset: number, expected: string): void => {
    first ??= new Iso8583FormatError(field, offset, expected);
  };
  if (opts.tpdu === true) {
    if (buf.length < TPDU_BYTES + HEADER_BYTES) fail(-1, 0, `a ${TPDU_BYTES}-byte TPDU and a ${HEADER_BYTES}-byte header before the MTI (the message has ${buf.length} bytes)`);
    if (buf[0] !== 0x60) fail(-1, 0, `a TPDU starting with 0x60 (got 0x${buf[0].toString(16).padStart(2, '0')})`);
    prefix = Buffer.from(buf.subarray(0, TPDU_BYTES + HEADER_BYTES));
    at = TPDU_BYTES + HEADER_BYTES;
  }
  if (buf.length - at < 4) fail(0, at, `4 ASCII digits (the MTI); the message ends after ${buf.length} bytes`);
  for (let i = 0; i < 4; i++) if (!byteFits('n', buf[at + i])) fail(0, at + i, '4 ASCII digits (the MTI)');
  // (an unreadable MTI stops here: nothing can be answered without it)
  mti = buf.toString('latin1', at, at + 4);
  at += 4;
  if (buf.length - at < 8) fail(1, at, `an 8-byte binary primary bitmap; the message ends after ${buf.length} bytes`);
  const hasSecondary = (buf[at] & 0x80) !== 0;
  const bitmapBytes = hasSecondary ? 16 : 8;
  if (buf.length - at < bitmapBytes) fail(1, at, `a 16-byte bitmap (bit 1 announces a secondary one); the message ends after ${buf.length} bytes`);
  const bitmap = buf.subarray(at, at + bitmapBytes);
  at += bitmapBytes;
  for (let no = 2; no <= bitmapBytes * 8; no++) {
    if ((bitmap[(no - 1) >> 3] & (0x80 >> ((no - 1) & 7))) === 0) continue;
    if (no === 65) fail(65, at, 'no field 65 (a tertiary bitmap is not supported)');
    const spec = FIELDS.get(no);
    if (spec === undefined) fail(no, at, `a field this listener knows (field ${no} has no format here, so the rest of the message cannot be read)`);
    offsets.set(no, at);
    at = readField(buf, at, spec!, fields, fail, wrongByte);
  }
  if (at !== buf.length) fail(-1, at, `the end of the message after the last field of the bitmap (${buf.length - at} bytes left over)`);
  if (first !== null) throw new Iso8583DecodeFailure(new PartialMessage(mti, fields, prefix, first));
  return { mti, fields, prefix, offsets };
}

function readField(
  buf: Buffer,
  at: number,
  spec: FieldSpec,
  out: Map<number, string>,
  fail: (field: number, offset: number, expected: string) => never,
  wrongByte: (field: number, offset: number, expected: string) => void,
): number {
  let len = spec.max;
  if (spec.length !== 'fixed') {
    const digits = spec.length === 'llvar' ? 2 : 3;
    if (buf.length - at < digits) fail(spec.no, at, `${digits} ASCII length digits (${spec.name}); the message ends`);
    len = 0;
    for (let i = 0; i < digits; i++) {
      const c = buf[at + i];
      if (!byteFits('n', c)) fail(spec.no, at + i, `${digits} ASCII length digits (${spec.name})`);
      len = len * 10 + (c - 0x30);
    }
    if (len > spec.max) fail(spec.no, at, `a length of at most ${spec.max} (${spec.name}; got ${len})`);
    at += digits;
  }
  if (buf.length - at < len) fail(spec.no, at, `${len} bytes of ${spec.name}; the message has ${buf.length - at} left`);
  for (let i = 0; i < len; i++) {
    if (!byteFits(spec.kind, buf[at + i])) {
      // the field's length is known: note the error and read on (the value is left out)
      wrongByte(spec.no, at + i, `${KIND_WORDS[spec.kind]} (${spec.name})`);
      return at + len;
    }
  }
  const value = spec.kind === 'b' ? buf.toString('hex', at, at + len).toUpperCase() : spec.kind === 'ans' ? buf.toString('utf8', at, at + len) : buf.toString('latin1', at, at + len);
  out.set(spec.no, value);
  return at + len;
}

/**
 * Writes one message (without the 2-byte length: see framing.ts). Fixed numeric values shorter
 * than their field are padded with leading zeros, fixed text with trailing spaces; a value longer
 * than its field, with a byte outside its kind, or a field the table does not know throws
 * Iso8583FormatError (a bug of the caller: answers are built from checked values).
 */
export function encodeMessage(msg: IsoMessage): Buffer {
  if (!/^\d{4}$/.test(msg.mti)) throw new Iso8583FormatError(0, 0, `4 digits (the MTI; got ${JSON.stringify(msg.mti)})`);
  const numbers = [...msg.fields.keys()].sort((a, b) => a - b);
  const secondary = numbers.some((n) => n > 64);
  const bitmap = Buffer.alloc(secondary ? 16 : 8);
  if (secondary) bitmap[0] |= 0x80;
  const parts: Buffer[] = [];
  if (msg.prefix !== undefined) parts.push(msg.prefix);
  parts.push(Buffer.from(msg.mti, 'latin1'), bitmap);
  for (const no of numbers) {
    const spec = FIELDS.get(no);
    if (spec === undefined || no < 2 || no === 65) throw new Iso8583FormatError(no, 0, 'a field of the table in fields.ts');
    bitmap[(no - 1) >> 3] |= 0x80 >> ((no - 1) & 7);
    parts.push(fieldBytes(spec, msg.fields.get(no)!));
  }
  return Buffer.concat(parts);
}

function fieldBytes(spec: FieldSpec, value: string): Buffer {
  let bytes = spec.kind === 'b' ? Buffer.from(value, 'hex') : Buffer.from(value, spec.kind === 'ans' ? 'utf8' : 'latin1');
  if (spec.length === 'fixed' && bytes.length < spec.max) {
    const pad = Buffer.alloc(spec.max - bytes.length, spec.kind === 'n' ? 0x30 : spec.kind === 'b' ? 0 : 0x20);
    bytes = spec.kind === 'n' ? Buffer.concat([pad, bytes]) : Buffer.concat([bytes, pad]);
  }
  if (bytes.length > spec.max) throw new Iso8583FormatError(spec.no, 0, `at most ${spec.max} bytes of ${spec.name} (got ${bytes.length})`);
  for (const c of bytes) if (!byteFits(spec.kind, c)) throw new Iso8583FormatError(spec.no, 0, `${KIND_WORDS[spec.kind]} (${spec.name})`);
  if (spec.length === 'fixed') return bytes;
  const digits = spec.length === 'llvar' ? 2 : 3;
  return Buffer.concat([Buffer.from(String(bytes.length).padStart(digits, '0'), 'latin1'), bytes]);
}
