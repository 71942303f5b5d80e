import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEvent, parseEventText } from '../../src/contract/parse.js';
import { ContractError, ErrorCode } from '../../src/errors.js';
import { parseTimestamp, shanghaiHour, formatShanghai } from '../../src/contract/time.js';
import { SHARED } from '../helpers/paths.js';

function contractExamples(): string[] {
  const md = readFileSync(join(SHARED, 'contract', 'EVENTS.md'), 'utf8');
  const blocks = [...md.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1].trim());
  return blocks;
}

test('every JSON example of EVENTS.md is accepted (the decision example aside)', () => {
  const blocks = contractExamples();
  assert.ok(blocks.length >= 8, `found ${blocks.length} examples`);
  let events = 0;
  for (const b of blocks) {
    const value = JSON.parse(b.replace(/\n\s*/g, ' '));
    if (value.type === undefined) {
      assert.ok('txId' in value && 'outcome' in value, 'only the decision example has no type');
      continue;
    }
    const ev = parseEvent(value);
    assert.equal(ev.type, value.type);
    assert.equal(ev.t, parseTimestamp(value.ts));
    events++;
  }
  assert.equal(events, 7);
});

const TX = {
  type: 'transaction',
  id: 'tx-1',
  ts: '2026-11-24T21:05:09+08:00',
  accountId: 'acc-1',
  amount: 49900,
  merchantId: 'm-1',
  terminalId: 't-1',
};

function rejects(value: unknown, path: string, code: string = ErrorCode.InvalidEvent): ContractError {
  try {
    parseEvent(value);
  } catch (e) {
    assert.ok(e instanceof ContractError, `not a ContractError: ${String(e)}`);
    assert.equal(e.path, path, `path of ${e.message}`);
    assert.equal(e.code, code);
    assert.ok(e.message.includes('expected'), e.message);
    return e;
  }
  assert.fail(`accepted ${JSON.stringify(value)}; expected rejection at ${path}`);
}

test('a minimal transaction is accepted with defaults and without optional fields', () => {
  const ev = parseEvent(TX);
  assert.equal(ev.type, 'transaction');
  if (ev.type !== 'transaction') return;
  assert.equal(ev.currency, 'CNY');
  assert.equal(ev.geo, undefined);
  assert.equal(JSON.stringify(ev).includes('geo'), false);
  assert.equal(ev.t, Date.UTC(2026, 10, 24, 13, 5, 9));
});

test('extra fields are tolerated and not copied into the event', () => {
  const ev = parseEvent({ ...TX, extra: { deep: 1 } });
  assert.equal('extra' in ev, false);
});

const BAD_TX: [string, Record<string, unknown>, string][] = [
  ['missing id', { id: undefined }, 'id'],
  ['empty id', { id: '' }, 'id'],
  ['id over 128 characters', { id: 'x'.repeat(129) }, 'id'],
  ['id with a control character', { id: 'a\nb' }, 'id'],
  ['numeric id', { id: 12 }, 'id'],
  ['missing accountId', { accountId: undefined }, 'accountId'],
  ['missing amount', { amount: undefined }, 'amount'],
  ['negative amount', { amount: -5 }, 'amount'],
  ['zero amount', { amount: 0 }, 'amount'],
  ['fractional amount', { amount: 12.5 }, 'amount'],
  ['absurd amount', { amount: 1e15 }, 'amount'],
  ['amount as string', { amount: '100' }, 'amount'],
  ['missing ts', { ts: undefined }, 'ts'],
  ['ts without offset', { ts: '2026-11-24T21:05:09' }, 'ts'],
  ['ts month 13', { ts: '2026-13-24T21:05:09Z' }, 'ts'],
  ['ts 30 February', { ts: '2026-02-30T21:05:09Z' }, 'ts'],
  ['ts as number', { ts: 1764000000000 }, 'ts'],
  ['currency lowercase', { currency: 'cny' }, 'currency'],
  ['mcc of 3 digits', { mcc: '541' }, 'mcc'],
  ['latitude out of range', { geo: { lat: 91, lon: 0 } }, 'geo.lat'],
  ['longitude out of range', { geo: { lat: 0, lon: -181 } }, 'geo.lon'],
  ['geo not an object', { geo: 'here' }, 'geo'],
  ['geo missing lon', { geo: { lat: 1 } }, 'geo.lon'],
  ['unknown channel', { channel: 'nfc' }, 'channel'],
  ['merchantName not a string', { merchantName: 5 }, 'merchantName'],
];

for (const [what, patch, path] of BAD_TX) {
  test(`transaction with ${what} is rejected at ${path}`, () => {
    rejects({ ...TX, ...patch }, path);
  });
}

test('ids: printable, no spaces at either end, no control or invisible formatting code points, no lone surrogates', () => {
  for (const [what, id] of [
    ['a single space', ' '],
    ['a leading space', ' tx-1'],
    ['a trailing space', 'tx-1 '],
    ['an ideographic space at the end', 'tx-1\u3000'],
    ['a zero-width space', 'tx\u200b1'],
    ['a right-to-left override', 'tx-\u202e1'],
    ['a byte-order mark', '\ufefftx-1'],
    ['a C1 control', 'tx\u00851'],
    ['a line separator', 'tx\u20281'],
    ['an unpaired high surrogate', 'tx-\ud83d'],
    ['an unpaired low surrogate', '\ude00tx'],
    ['a tab', 'tx\t1'],
  ]) {
    const e = rejects({ ...TX, id }, 'id');
    assert.match(e.message, /without spaces at either end/, what);
    rejects({ ...TX, accountId: id }, 'accountId');
  }
  // what honest ids look like keeps working: inner spaces, CJK, emoji (a proper surrogate pair), punctuation
  for (const id of ['tx 1', '交易-0001', 'tx-😀', 'a/b:c#d', 'x'.repeat(128)]) assert.equal(parseEvent({ ...TX, id }).type, 'transaction');
});

test('unknown or missing type, non-objects and __proto__ keys are rejected', () => {
  rejects({ ...TX, type: 'payment' }, 'type');
  rejects({ id: 'x' }, 'type');
  rejects([TX], '');
  rejects(null, '');
  rejects(JSON.parse('{"type":"transaction","__proto__":{"admin":true}}'), '__proto__');
  rejects({ ...TX, geo: JSON.parse('{"lat":1,"lon":2,"__proto__":{}}') }, 'geo.__proto__');
});

test('invalid JSON text gets its own code', () => {
  assert.throws(() => parseEventText('{"type":'), (e: unknown) => e instanceof ContractError && e.code === ErrorCode.InvalidJson);
});

test('other event types reject their own bad fields', () => {
  const ts = '2026-01-01T00:00:00Z';
  rejects({ type: 'account', ts, accountId: 'a' }, 'creditLimit');
  rejects({ type: 'account', ts, accountId: 'a', creditLimit: 1, kyc: 'gold' }, 'kyc');
  rejects({ type: 'account', ts, accountId: 'a', creditLimit: 1, openedAt: 'yesterday' }, 'openedAt');
  rejects({ type: 'account_event', ts, accountId: 'a', kind: 'hack' }, 'kind');
  rejects({ type: 'account_event', ts, accountId: 'a', kind: 'repayment' }, 'amount');
  rejects({ type: 'account_event', ts, accountId: 'a', kind: 'limit_changed' }, 'creditLimit');
  rejects({ type: 'merchant', ts, merchantId: 'm' }, 'acquirerId');
  rejects({ type: 'merchant', ts, merchantId: 'm', acquirerId: 'q', region: 'north' }, 'region');
  rejects({ type: 'terminal', ts, terminalId: 't' }, 'merchantId');
  rejects({ type: 'acquirer', ts, acquirerId: 'q' }, 'licensed');
  rejects({ type: 'acquirer', ts, acquirerId: 'q', licensed: 'yes' }, 'licensed');
  rejects({ type: 'label', ts, fraud: true }, 'txId');
  rejects({ type: 'label', ts, txId: 'x', accountId: 'a', fraud: true }, 'accountId');
  rejects({ type: 'label', ts, txId: 'x' }, 'fraud');
});

test('timestamps: offsets, fractions, Shanghai hour and formatting round-trip', () => {
  assert.equal(parseTimestamp('2026-11-24T21:05:09.250+08:00'), Date.UTC(2026, 10, 24, 13, 5, 9, 250));
  assert.equal(parseTimestamp('2026-11-24T13:05:09Z'), Date.UTC(2026, 10, 24, 13, 5, 9));
  assert.equal(parseTimestamp('2026-11-24T08:05:09-05:00'), Date.UTC(2026, 10, 24, 13, 5, 9));
  assert.equal(parseTimestamp('2024-02-29T00:00:00Z'), Date.UTC(2024, 1, 29));
  assert.ok(Number.isNaN(parseTimestamp('2025-02-29T00:00:00Z')));
  assert.ok(Number.isNaN(parseTimestamp('2026-11-24 21:05:09+08:00')));
  assert.equal(shanghaiHour(Date.UTC(2026, 10, 24, 13, 5, 9)), 21);
  assert.equal(shanghaiHour(Date.UTC(2026, 10, 24, 20, 0, 0)), 4);
  const t = Date.UTC(2026, 10, 24, 13, 5, 9, 250);
  assert.equal(formatShanghai(t), '2026-11-24T21:05:09.250+08:00');
  assert.equal(parseTimestamp(formatShanghai(t)), t);
});

test('timestamps: random valid texts agree with Date.parse, across offsets and fractions', () => {
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const p2 = (n: number): string => String(n).padStart(2, '0');
  for (let i = 0; i < 2000; i++) {
    const t = Date.UTC(2000 + rnd(40), rnd(12), 1 + rnd(28), rnd(24), rnd(60), rnd(60));
    const d = new Date(t);
    const base = `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}T${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
    const frac = ['', '.5', '.25', '.123', '.000001'][rnd(5)];
    const zone = ['Z', '+08:00', '-05:30', '+14:00', '-00:00'][rnd(5)];
    const text = base + frac + zone;
    assert.equal(parseTimestamp(text), Date.parse(text), text);
  }
});

test('timestamps: years 0000–0099 are those years, not 1900–1999 (found by test/fuzz)', () => {
  const y50 = new Date(0);
  y50.setUTCFullYear(50, 0, 1);
  assert.equal(parseTimestamp('0050-01-01T00:00:00Z'), y50.getTime());
  const y0 = new Date(0);
  y0.setUTCFullYear(0, 1, 29);
  assert.equal(parseTimestamp('0000-02-29T00:00:00+00:00'), y0.getTime());
  assert.equal(parseTimestamp('1900-02-29T00:00:00Z'), NaN);
  assert.equal(parseTimestamp('9999-12-31T23:59:59Z'), Date.UTC(9999, 11, 31, 23, 59, 59));
});

test('-0 reads as 0, so an accepted event re-parses to itself (found by test/fuzz)', () => {
  const ev = parseEventText('{"type":"account","ts":"2026-01-03T10:00:00+08:00","accountId":"a","creditLimit":-0,"home":{"lat":-0,"lon":-0}}');
  assert.ok(ev.type === 'account');
  if (ev.type !== 'account') return;
  assert.ok(Object.is(ev.creditLimit, 0));
  assert.ok(Object.is(ev.home?.lat, 0) && Object.is(ev.home?.lon, 0));
  assert.deepStrictEqual(parseEventText(JSON.stringify(ev)), ev);
});
