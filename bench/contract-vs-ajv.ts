/**
 * The hot path's hand-written contract parser (src/contract/parse.ts) against an ajv validator
 * compiled from the documented Transaction schema (src/server/schemas/events.ts), on the same
 * typical payments, in one process. Why POST /v1/decisions keeps the parser while every other
 * route is validated by schema: the parser must run anyway (it normalises: `t` from `ts`, the
 * currency default, a fresh object without unknown fields), so a schema validator in front of it
 * is pure extra cost per payment. Ajv alone is quicker than the parser, but it only answers yes or
 * no: it neither parses `ts` nor builds the event, which the parser does and any replacement
 * would still have to.
 *
 *   node dist/bench/contract-vs-ajv.js [--n 200000] [--rounds 7]
 *
 * Prints ns per payment (median of the rounds) for: JSON.parse of the body text (context), the
 * parser, ajv alone (checks less: ids' printable characters and the instant of `ts` are not
 * JSON Schema's to say), ajv plus the one timestamp parse any replacement still needs (a floor for
 * an ajv-based parser, before building the event object), and ajv followed by the parser (what
 * fronting the parser with the schema would cost).
 */
import { performance } from 'node:perf_hooks';
import { parseEvent } from '../src/contract/parse.js';
import { parseTimestamp } from '../src/contract/time.js';
import { schemaAjv } from '../src/server/schemas/validator.js';
import { Geo, Transaction } from '../src/server/schemas/events.js';
import { answerHelp, flag } from './util.js';

answerHelp('usage: node dist/bench/contract-vs-ajv.js [--n 200000] [--rounds 7]');

const N = Number(flag('n') ?? 200_000);
const ROUNDS = Number(flag('rounds') ?? 7);

/** A payment as a POS front end sends it: every field of the contract filled in. */
function payment(i: number): Record<string, unknown> {
  return {
    type: 'transaction',
    id: `tx-${String(i).padStart(8, '0')}`,
    ts: `2026-11-24T21:${String(i % 60).padStart(2, '0')}:09+08:00`,
    accountId: `acc-${i % 5000}`,
    amount: 1000 + ((i * 7919) % 500_000),
    currency: 'CNY',
    merchantId: `m-${i % 800}`,
    terminalId: `t-${i % 2400}`,
    mcc: '5411',
    acquirerId: 'acq-01',
    geo: { lat: 22.54 + (i % 100) / 1000, lon: 114.05 + (i % 50) / 1000 },
    deviceId: `dev-${i % 9000}`,
    ip: `10.0.${i % 250}.${i % 200}`,
    channel: i % 3 === 0 ? 'qr' : 'card',
    merchantName: '华润万家 深南店',
  };
}

/** The documented schema with the Geo reference inlined, so ajv compiles it on its own. */
function transactionSchema(): object {
  const text = JSON.stringify(Transaction).replaceAll('{"$ref":"#/components/schemas/Geo"}', JSON.stringify(Geo));
  return JSON.parse(text) as object;
}

const SAMPLE = 1024;
const payments = Array.from({ length: SAMPLE }, (_, i) => payment(i));
const texts = payments.map((p) => JSON.stringify(p));
const validate = schemaAjv(false).compile(transactionSchema());
for (const p of payments) {
  if (!validate(p)) throw new Error(`ajv refused a sample payment: ${JSON.stringify(validate.errors)}`);
  parseEvent(p);
}

let sink = 0;
const cases: [string, (i: number) => void][] = [
  ['JSON.parse of the body', (i) => (sink += (JSON.parse(texts[i & (SAMPLE - 1)]) as { amount: number }).amount)],
  ['contract parser', (i) => (sink += parseEvent(payments[i & (SAMPLE - 1)]).t)],
  ['ajv (Transaction schema)', (i) => (sink += validate(payments[i & (SAMPLE - 1)]) ? 1 : 0)],
  ['ajv + timestamp parse', (i) => {
    const p = payments[i & (SAMPLE - 1)];
    if (validate(p)) sink += parseTimestamp(p.ts as string);
  }],
  ['ajv, then the parser', (i) => {
    const p = payments[i & (SAMPLE - 1)];
    if (validate(p)) sink += parseEvent(p).t;
  }],
];

const results = new Map<string, number[]>();
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, fn] of cases) {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) fn(i);
    const ns = ((performance.now() - t0) * 1e6) / N;
    (results.get(name) ?? results.set(name, []).get(name)!).push(ns);
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`node ${process.version}, ${N} payments × ${ROUNDS} rounds (median ns per payment; the first round warms up)`);
for (const [name, xs] of results) console.log(`${name.padEnd(28)} ${median(xs.slice(1)).toFixed(0).padStart(6)} ns`);
if (sink === 0) console.log('');
