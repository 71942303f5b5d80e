// The ISO 8583 codec and framing against hand-checked hex dumps. The npm `iso_8583` library (whose
// default packing this layout follows: ASCII MTI, binary bitmaps, ASCII LL/LLL lengths, 2-byte
// big-endian length from getBufferMessage) is not installed here, so the bytes below were worked
// out by hand from the standard, bit by bit, and are built without the codec under test.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Iso8583FormatError } from '../../src/errors.js';
import { decodeMessage, encodeMessage, Iso8583DecodeFailure } from '../../src/iso8583/codec.js';
import { frame, FrameReader } from '../../src/iso8583/framing.js';
import { swapTpdu } from '../../src/iso8583/answers.js';

const hex = (h: string): Buffer => Buffer.from(h.replace(/\s+/g, ''), 'hex');
const asc = (s: string): Buffer => Buffer.from(s, 'latin1');

// 0800 echo test: fields 7, 11 and 70.
//   primary bitmap: bit 1 (secondary follows) 0x80 + bit 7 0x02 → byte 0 = 0x82; bit 11 is the
//   third bit of byte 1 (bits 9–16) → 0x20; → 82 20 00 00 00 00 00 00
//   secondary bitmap: bit 70 is the sixth bit of its byte 0 (bits 65–72) → 0x04 → 04 00 … 00
//   length: 4 (MTI) + 8 + 8 + 10 (field 7) + 6 (field 11) + 3 (field 70) = 39 = 0x0027
const ECHO = Buffer.concat([
  asc('0800'),
  hex('82 20 00 00 00 00 00 00'),
  hex('04 00 00 00 00 00 00 00'),
  asc('1206195300'),
  asc('000001'),
  asc('301'),
]);

// 0200 purchase: fields 2 3 4 7 | 11 12 13 | 18 22 | 25 32 | 37 | 41 42 43 | 49
//   byte 0 (bits 1–8):   2 0x40 + 3 0x20 + 4 0x10 + 7 0x02 = 0x72
//   byte 1 (bits 9–16):  11 0x20 + 12 0x10 + 13 0x08       = 0x38
//   byte 2 (bits 17–24): 18 0x40 + 22 0x04                 = 0x44
//   byte 3 (bits 25–32): 25 0x80 + 32 0x01                 = 0x81
//   byte 4 (bits 33–40): 37 0x08                           = 0x08
//   byte 5 (bits 41–48): 41 0x80 + 42 0x40 + 43 0x20       = 0xE0
//   byte 6 (bits 49–56): 49 0x80                           = 0x80
//   length: 4 + 8 + (2+19) + 6 + 12 + 10 + 6 + 6 + 4 + 4 + 3 + 2 + (2+8) + 12 + 8 + 15 + 40 + 3 = 174 = 0x00AE
const NAME = 'HUAQIANG ELECTRONICS    SHENZHEN     CN';
const PURCHASE = Buffer.concat([
  asc('0200'),
  hex('72 38 44 81 08 E0 80 00'),
  asc('19'), asc('6222021234567890123'), // 2, LLVAR
  asc('000000'), // 3
  asc('000000012345'), // 4: ¥123.45
  asc('1231235958'), // 7
  asc('000042'), // 11
  asc('075958'), // 12
  asc('0101'), // 13
  asc('5411'), // 18
  asc('051'), // 22
  asc('00'), // 25
  asc('08'), asc('48021000'), // 32, LLVAR
  asc('123456789012'), // 37
  asc('T0A11F93'), // 41
  asc('898440358120001'), // 42
  asc(NAME.padEnd(40, ' ')), // 43
  asc('156'), // 49
]);

describe('codec against hand-checked bytes', () => {
  it('reads the 0800 echo test and writes it back byte for byte', () => {
    assert.equal(ECHO.length, 39);
    const m = decodeMessage(ECHO);
    assert.equal(m.mti, '0800');
    assert.deepEqual([...m.fields], [[7, '1206195300'], [11, '000001'], [70, '301']]);
    assert.deepEqual(encodeMessage(m), ECHO);
    assert.equal(frame(ECHO).subarray(0, 2).toString('hex'), '0027');
  });

  it('reads the 0200 purchase and writes it back byte for byte', () => {
    assert.equal(PURCHASE.length, 174);
    const m = decodeMessage(PURCHASE);
    assert.equal(m.mti, '0200');
    assert.equal(m.fields.get(2), '6222021234567890123');
    assert.equal(m.fields.get(4), '000000012345');
    assert.equal(m.fields.get(32), '48021000');
    assert.equal(m.fields.get(43), NAME.padEnd(40, ' '));
    assert.equal(m.fields.get(49), '156');
    assert.deepEqual([...m.fields.keys()], [2, 3, 4, 7, 11, 12, 13, 18, 22, 25, 32, 37, 41, 42, 43, 49]);
    assert.deepEqual(encodeMessage(m), PURCHASE);
    assert.equal(frame(PURCHASE).subarray(0, 2).toString('hex'), '00ae');
  });

  it('reads the library\'s default bitmap: bit 1 always set, a secondary bitmap of zeros when no field is above 64', () => {
    // iso_8583's assembleBitMap sets bit 1 unless optionalSecondaryBitmap is configured: a 0800 with
    // fields 7 and 11 only still carries 16 bitmap bytes: 82 20 00 … 00 | 00 … 00; length 4 + 16 + 10 + 6 = 36
    const lib = Buffer.concat([asc('0800'), hex('82 20 00 00 00 00 00 00'), hex('00 00 00 00 00 00 00 00'), asc('1206195300'), asc('000001')]);
    const m = decodeMessage(lib);
    assert.deepEqual([...m.fields], [[7, '1206195300'], [11, '000001']]);
    // our answers send the secondary bitmap only when needed (the library reads bit 1 either way)
    assert.equal(encodeMessage(m).length, 28);
  });

  it('pads short fixed values (numbers with zeros on the left, text with spaces on the right) and refuses long ones', () => {
    const b = encodeMessage({ mti: '0210', fields: new Map([[39, '00'], [41, 'T1'], [4, '5']]) });
    // bits 4, 39, 41: byte 0 0x10; byte 4 (33–40) bit 39 → 0x02; byte 5 (41–48) bit 41 → 0x80
    assert.equal(b.toString('hex', 4, 12), '1000000002800000');
    assert.equal(b.toString('latin1', 12), '000000000005' + '00' + 'T1      ');
    assert.throws(() => encodeMessage({ mti: '0210', fields: new Map([[41, 'T123456789']]) }), (e: unknown) => e instanceof Iso8583FormatError && e.field === 41);
  });

  it('the TPDU + header variant: 5 + 6 bytes before the MTI, kept, and swapped in an answer', () => {
    const prefix = hex('60 0001 0002 600100000000');
    const m = decodeMessage(Buffer.concat([prefix, ECHO]), { tpdu: true });
    assert.equal(m.mti, '0800');
    assert.deepEqual(m.prefix, prefix);
    assert.equal(swapTpdu(prefix).toString('hex'), '6000020001600100000000');
    assert.deepEqual(encodeMessage(m), Buffer.concat([prefix, ECHO]));
    assert.throws(() => decodeMessage(ECHO, { tpdu: true }), (e: unknown) => e instanceof Iso8583DecodeFailure && e.partial.error.field === -1);
  });
});

/** The format error a decode throws, and what it had read. */
function failure(buf: Buffer): Iso8583DecodeFailure {
  try {
    decodeMessage(buf);
  } catch (e) {
    if (e instanceof Iso8583DecodeFailure) return e;
    throw e;
  }
  assert.fail('expected a format error');
}

describe('format errors name the field and the byte offset', () => {
  it('a letter in the amount (field 4): offset of the byte; reading goes on, so the STAN after it is read', () => {
    const bad = Buffer.from(PURCHASE);
    // field 4 starts at 4 + 8 + 21 + 6 = 39; its third byte is 41
    bad[41] = 0x41;
    const f = failure(bad);
    assert.equal(f.partial.error.field, 4);
    assert.equal(f.partial.error.offset, 41);
    assert.equal(f.partial.mti, '0200');
    assert.equal(f.partial.fields.get(2), '6222021234567890123');
    assert.equal(f.partial.fields.get(4), undefined);
    assert.equal(f.partial.fields.get(11), '000042');
    assert.match(f.message, /field 4 at byte 41: expected ASCII digits/);
  });

  it('a bad field after the STAN still leaves the STAN read', () => {
    const bad = Buffer.from(PURCHASE);
    // field 18 starts at 4+8+21+6+12+10+6+6+4 = 77
    bad[77] = 0x20;
    const f = failure(bad);
    assert.equal(f.partial.error.field, 18);
    assert.equal(f.partial.error.offset, 77);
    assert.equal(f.partial.fields.get(11), '000042');
  });

  it('an LLVAR length over the maximum, a field with no format, bytes left over, a short message, a non-digit MTI', () => {
    const long = Buffer.from(PURCHASE);
    long.write('20', 12, 'latin1'); // field 2 length 20 > 19
    assert.equal(failure(long).partial.error.field, 2);
    assert.equal(failure(long).partial.error.offset, 12);

    const unknown = Buffer.from(ECHO);
    unknown[4] = 0x83; // bit 8 set: no format known for field 8
    assert.equal(failure(unknown).partial.error.field, 8);

    const extra = Buffer.concat([ECHO, asc('X')]);
    assert.equal(failure(extra).partial.error.field, -1);
    assert.equal(failure(extra).partial.error.offset, 39);

    const short = ECHO.subarray(0, 30); // field 7 ends at byte 30: field 11 is missing
    assert.equal(failure(short).partial.error.field, 11);
    assert.equal(failure(short).partial.error.offset, 30);

    const mti = Buffer.from(ECHO);
    mti[1] = 0x58;
    assert.equal(failure(mti).partial.error.field, 0);
    assert.equal(failure(mti).partial.error.offset, 1);
    assert.equal(failure(mti).partial.mti, null);
  });
});

describe('framing', () => {
  it('cuts a stream into messages however it arrives: byte by byte, several at once, keep-alives skipped', () => {
    const stream = Buffer.concat([frame(ECHO), hex('0000'), frame(PURCHASE), frame(ECHO)]);
    const r = new FrameReader();
    const got: Buffer[] = [];
    for (let i = 0; i < stream.length; i++) got.push(...r.push(stream.subarray(i, i + 1)));
    assert.deepEqual(got, [ECHO, PURCHASE, ECHO]);
    assert.equal(r.buffered, 0);
    assert.deepEqual(new FrameReader().push(stream), [ECHO, PURCHASE, ECHO]);
  });

  it('a length beyond the bound is refused (the stream cannot be resynchronised)', () => {
    assert.throws(() => new FrameReader().push(hex('7fff 30')), (e: unknown) => e instanceof Iso8583FormatError && /2-byte big-endian length/.test(e.message));
  });
});
