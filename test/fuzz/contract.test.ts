// Property tests of the event contract parser: whatever arrives, parseEvent either returns an event
// whose JSON parses again to the same event, or throws a ContractError naming a field and what was
// expected. Inputs: random JSON, random text, and the valid examples of EVENTS.md mutated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseEvent, parseEventText } from '../../src/contract/parse.js';
import { parseTimestamp } from '../../src/contract/time.js';
import { ContractError, ErrorCode } from '../../src/errors.js';
import { SHARED } from '../helpers/paths.js';
import { params } from './config.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** The valid events of EVENTS.md (the decision example has no type and is left out). */
function examples(): Record<string, Json>[] {
  const md = readFileSync(join(SHARED, 'contract', 'EVENTS.md'), 'utf8');
  return [...md.matchAll(/```json\n([\s\S]*?)```/g)]
    .map((m) => JSON.parse(m[1].trim().replace(/\n\s*/g, ' ')) as Record<string, Json>)
    .filter((v) => v.type !== undefined);
}
const EXAMPLES = examples();

/** Every field name any event type reads, plus the reserved keys the parser refuses. */
const FIELDS = new Set([
  'type', 'id', 'ts', 'accountId', 'amount', 'currency', 'merchantId', 'terminalId', 'mcc', 'acquirerId', 'geo',
  'deviceId', 'ip', 'channel', 'merchantName', 'creditLimit', 'home', 'kyc', 'openedAt', 'kind', 'txId', 'name',
  'region', 'licensed', 'fraud', 'typology', 'source', '__proto__', 'constructor', 'prototype',
]);
const ID_FIELDS = ['id', 'accountId', 'merchantId', 'terminalId', 'acquirerId', 'deviceId', 'ip', 'txId'] as const;
const PATH_RE = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)?$/;

const isPlainObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The id rule of this branch: 1–128 UTF-16 code units, no C0 control character and no DEL. (Main is
 * tightening it — no format characters, unpaired surrogates or edge spaces; tighten this with it.)
 */
function acceptableId(s: string): boolean {
  if (s.length < 1 || s.length > 128) return false;
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(s) || /^\s|\s$/u.test(s)) return false;
  try {
    encodeURIComponent(s); // throws on a lone surrogate: an independent check of well-formedness
  } catch {
    return false;
  }
  return true;
}

/** The property: an accepted event re-parses to itself and has printable ids; a refusal is a ContractError naming a field. */
function checkOutcome(input: unknown, run: () => unknown): void {
  let ev: unknown;
  try {
    ev = run();
  } catch (e) {
    assert.ok(e instanceof ContractError, `not a ContractError: ${e instanceof Error ? e.stack : String(e)}`);
    assert.ok(e.expected.length > 0, 'empty expected');
    assert.ok(e.message.includes('expected'), e.message);
    if (e.code === ErrorCode.InvalidJson || !isPlainObject(input)) {
      assert.equal(e.path, '', `a value that is no object is refused as a whole: ${e.message}`);
      return;
    }
    assert.match(e.path, PATH_RE, `path names a field: ${e.message}`);
    assert.ok(FIELDS.has(e.path.split('.')[0]), `path names a contract field: ${e.message}`);
    return;
  }
  const o = ev as Record<string, unknown>;
  const again = parseEventText(JSON.stringify(o));
  assert.deepStrictEqual(again, o, 'normalisation is idempotent');
  for (const k of ID_FIELDS) {
    const v = o[k];
    if (v !== undefined) assert.ok(typeof v === 'string' && acceptableId(v), `${k} ${JSON.stringify(v)} is a printable id`);
  }
  assert.equal(typeof o.t, 'number');
  assert.ok(Number.isFinite(o.t as number), 't is finite');
}

// ------------------------------------------------------------------ values to mutate with

/** A JSON value nested `n` levels deep. */
function nested(n: number, leaf: Json): Json {
  let v = leaf;
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

/** Timestamp-shaped text from components, most in range, some just out of it. */
const timestampText = fc
  .record({
    y: fc.integer({ min: 0, max: 9999 }),
    mo: fc.integer({ min: 0, max: 13 }),
    d: fc.integer({ min: 0, max: 32 }),
    h: fc.integer({ min: 0, max: 25 }),
    mi: fc.integer({ min: 0, max: 61 }),
    s: fc.integer({ min: 0, max: 61 }),
    frac: fc.option(fc.stringMatching(/^\d{1,10}$/), { nil: undefined }),
    off: fc.oneof(
      fc.constant('Z'),
      fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 61 })).map(([sg, h, m]) => `${sg}${p2(h)}:${p2(m)}`),
    ),
  })
  .map((c) => ({ ...c, text: `${String(c.y).padStart(4, '0')}-${p2(c.mo)}-${p2(c.d)}T${p2(c.h)}:${p2(c.mi)}:${p2(c.s)}${c.frac === undefined ? '' : '.' + c.frac}${c.off}` }));

function p2(n: number): string {
  return String(n).padStart(2, '0');
}

const NASTY: Json[] = [
  null, true, false, 0, -0, 1, -1, 0.5, 1e308, -1e308, 1e-300, 2 ** 53, 2 ** 53 + 2, 100_000_000_000, 100_000_000_001,
  'NaN', 'Infinity', '-Infinity', 'null', 'undefined', 'true', '', ' ', ' a', 'a ', '\u0000', 'a\u0000b', '\u007f', '\u0085',
  '\u200b', '\u200e', '\ufeff', '\u2028', '\ud800', 'a\udc00', '💳', '支付宝', 'x'.repeat(128), 'x'.repeat(129), '1e3', '0x10',
  '5411', '541', 'CNY', 'cny', '440304', 'qr', 'card', 'login', 'repayment', '2026-11-24T21:05:09+08:00',
  '2026-02-29T00:00:00Z', '2024-02-29T23:59:59.999999999-18:00', {}, [], [1], { lat: 0, lon: 0 }, { lat: 91, lon: 0 },
  { lat: 'NaN', lon: 1 }, { lat: 90, lon: -180 },
];

const nastyValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 140 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 1200 }).map((n) => nested(n, 1)) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> },
  { weight: 2, arbitrary: timestampText.map((t) => t.text) },
);

const fieldName = fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 8 }));

type Mutation =
  | { readonly op: 'drop'; readonly i: number }
  | { readonly op: 'set'; readonly i: number; readonly value: Json }
  | { readonly op: 'add'; readonly key: string; readonly value: Json }
  | { readonly op: 'type'; readonly value: Json };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('drop' as const), i: fc.nat() }),
  fc.record({ op: fc.constant('set' as const), i: fc.nat(), value: nastyValue }),
  fc.record({ op: fc.constant('add' as const), key: fieldName, value: nastyValue }),
  fc.record({ op: fc.constant('type' as const), value: fc.oneof(fc.constantFrom('transaction', 'account', 'account_event', 'merchant', 'terminal', 'acquirer', 'label', 'decision', 'Transaction', '__proto__'), nastyValue) }),
);

/** Sets an own property, also for `__proto__` (plain assignment would change the prototype). */
function put(o: Record<string, Json>, key: string, value: Json): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

function mutate(base: Record<string, Json>, ms: readonly Mutation[]): Record<string, Json> {
  const o: Record<string, Json> = {};
  for (const k of Object.keys(base)) put(o, k, structuredClone(base[k]));
  for (const m of ms) {
    const keys = Object.keys(o);
    if (m.op === 'drop') {
      if (keys.length > 0) delete o[keys[m.i % keys.length]];
    } else if (m.op === 'set') {
      if (keys.length > 0) put(o, keys[m.i % keys.length], m.value);
    } else if (m.op === 'add') put(o, m.key, m.value);
    else put(o, 'type', m.value);
  }
  return o;
}

const mutatedEvent = fc.tuple(fc.constantFrom(...EXAMPLES), fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([b, ms]) => mutate(b, ms));

// ------------------------------------------------------------------ properties

test('the EVENTS.md examples are found (the mutations start from them)', () => {
  assert.equal(EXAMPLES.length, 7);
  for (const e of EXAMPLES) checkOutcome(e, () => parseEvent(e));
});

test('mutated contract events: accepted and idempotent, or refused naming a field', () => {
  fc.assert(
    fc.property(mutatedEvent, (o) => {
      checkOutcome(o, () => parseEvent(o));
      const text = JSON.stringify(o);
      checkOutcome(JSON.parse(text), () => parseEventText(text));
    }),
    params(20_000),
  );
});

test('random JSON values: accepted and idempotent, or refused naming a field', () => {
  const value = fc.oneof(
    fc.jsonValue({ maxDepth: 4 }),
    fc.dictionary(fieldName, nastyValue, { maxKeys: 12 }),
    fc.tuple(fc.constantFrom('transaction', 'account', 'account_event', 'merchant', 'terminal', 'acquirer', 'label'), fc.dictionary(fc.constantFrom(...FIELDS), nastyValue, { maxKeys: 10 })).map(([type, o]) => ({ ...o, type })),
  );
  fc.assert(
    fc.property(value, (v) => checkOutcome(v, () => parseEvent(v))),
    params(10_000),
  );
});

test('random text: parseEventText accepts an event or throws a ContractError', () => {
  const valid = EXAMPLES.map((e) => JSON.stringify(e));
  const edited = fc
    .tuple(fc.constantFrom(...valid), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 3 }), fc.string({ unit: 'binary', maxLength: 3 })), { maxLength: 4 }))
    .map(([t, edits]) => edits.reduce((s, [at, del, ins]) => s.slice(0, at % (s.length + 1)) + ins + s.slice((at % (s.length + 1)) + del), t));
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.json(), edited), (text) => {
      let input: unknown;
      try {
        input = JSON.parse(text);
      } catch {
        input = undefined;
      }
      checkOutcome(input, () => parseEventText(text));
    }),
    params(8_000),
  );
});

/** An independent epoch-ms for timestamp components (setUTCFullYear keeps years 0–99 as written). */
function referenceMs(c: { y: number; mo: number; d: number; h: number; mi: number; s: number; frac: string | undefined; off: string }): number {
  const dim = [31, (c.y % 4 === 0 && c.y % 100 !== 0) || c.y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  if (c.mo < 1 || c.mo > 12 || c.d < 1 || c.d > dim[c.mo - 1] || c.h > 23 || c.mi > 59 || c.s > 59) return NaN;
  if (c.frac !== undefined && c.frac.length > 9) return NaN;
  let offMin = 0;
  if (c.off !== 'Z') {
    const oh = Number(c.off.slice(1, 3));
    const om = Number(c.off.slice(4, 6));
    if (oh > 18 || om > 59) return NaN;
    offMin = (c.off[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const d = new Date(0);
  d.setUTCFullYear(c.y, c.mo - 1, c.d);
  d.setUTCHours(c.h, c.mi, c.s, c.frac === undefined ? 0 : Number(c.frac.padEnd(3, '0').slice(0, 3)));
  return d.getTime() - offMin * 60_000;
}

test('random timestamps: parseTimestamp agrees with an independent calendar', () => {
  fc.assert(
    fc.property(timestampText, (c) => {
      const got = parseTimestamp(c.text);
      const want = referenceMs(c);
      assert.ok(Object.is(got, want), `${c.text}: got ${got} (${Number.isNaN(got) ? 'NaN' : new Date(got).toISOString()}), want ${want}`);
    }),
    params(8_000),
  );
});
