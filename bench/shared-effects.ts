/**
 * What a partitioned cluster costs per payment beyond deciding it (docs/scale-out.md, "What is
 * shared across partitions"): the owner writes down the payment's shared effects beside its journal
 * entry, and every other partition's engine — on every node that runs one — parses the entry and
 * folds those effects in. Measured against the floor of one engine deciding the same stream, in the
 * same process, so the ratios hold on a noisy machine.
 *
 * usage: node dist/bench/shared-effects.js [--accounts 2000] [--days 20] [--rounds 3]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FkEvent } from '../src/contract/events.js';
import { parseEvent } from '../src/contract/parse.js';
import { Engine } from '../src/engine/engine.js';
import { loadPolicy } from '../src/engine/policy-source.js';
import { parsePartitionMeta, partitionMetaText, paymentDecidedElsewhere } from '../src/engine/shared-effects.js';
import { simulate } from '../src/sim/simulate.js';
import { answerHelp, flag } from './util.js';

answerHelp('usage: node dist/bench/shared-effects.js [--accounts 2000] [--days 20] [--rounds 3]');
const accounts = Number(flag('accounts') ?? '2000');
const days = Number(flag('days') ?? '20');
const rounds = Number(flag('rounds') ?? '3');

const dir = mkdtempSync(join(tmpdir(), 'fk-bench-shared-'));
let events: FkEvent[];
try {
  await simulate({ outDir: dir, seed: 7, accounts, days });
  events = readFileSync(join(dir, 'events.jsonl'), 'utf8').split('\n').filter((l) => l !== '').map((l) => parseEvent(JSON.parse(l)));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const policy = loadPolicy();
const payments = events.filter((e) => e.type === 'transaction').length;
process.stderr.write(`${events.length} events, ${payments} payments (seed 7, ${accounts} accounts × ${days} days); default policy; load average ${loadavg()[0].toFixed(1)}\n`);

/** One engine deciding every event: the floor. Returns ns per payment. */
function floor(): number {
  const e = new Engine(policy);
  const t0 = process.hrtime.bigint();
  for (const ev of events) e.apply(ev);
  return Number(process.hrtime.bigint() - t0) / payments;
}

/** The owner: decide, then write down the shared effects as the journal entry carries them. Returns ns per payment and the texts. */
function owner(): { ns: number; metas: (string | null)[]; bytes: number } {
  const e = new Engine(policy);
  const metas: (string | null)[] = [];
  let bytes = 0;
  const t0 = process.hrtime.bigint();
  for (const ev of events) {
    e.apply(ev);
    const m = ev.type === 'transaction' ? partitionMetaText(0, e.sharedEffects()) : null;
    if (m !== null) bytes += m.length;
    metas.push(m);
  }
  return { ns: Number(process.hrtime.bigint() - t0) / payments, metas, bytes: bytes / payments };
}

/** Another partition: every entry parsed as it comes off the stream and applied as decided elsewhere. Returns ns per payment. */
function elsewhere(texts: string[], metas: (string | null)[]): number {
  const e = new Engine(policy);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < texts.length; i++) {
    // as PartitionReplica reads the others' entries: a payment as journaled, anything else parsed
    const m = metas[i];
    if (m !== null) e.applyDecidedElsewhere(paymentDecidedElsewhere(texts[i], 'bench'), parsePartitionMeta(m, 'bench').s);
    else e.applyDecidedElsewhere(parseEvent(JSON.parse(texts[i])), null);
  }
  return Number(process.hrtime.bigint() - t0) / payments;
}

const texts = events.map((e) => JSON.stringify(e));
const rows: Array<{ floor: number; owner: number; other: number; bytes: number }> = [];
for (let r = 0; r < rounds; r++) {
  const f = floor();
  const o = owner();
  const x = elsewhere(texts, o.metas);
  rows.push({ floor: f, owner: o.ns, other: x, bytes: o.bytes });
  process.stderr.write(`round ${r + 1}: decide ${(f / 1000).toFixed(2)} µs, decide + record ${(o.ns / 1000).toFixed(2)} µs, parse + apply elsewhere ${(x / 1000).toFixed(2)} µs per payment\n`);
}
const med = (k: 'floor' | 'owner' | 'other'): number => rows.map((x) => x[k]).sort((a, b) => a - b)[Math.floor(rows.length / 2)];
const f = med('floor'), o = med('owner'), x = med('other');
console.log(`per payment (median of ${rounds} rounds, ${payments} payments):`);
console.log(`  one engine deciding it (floor)          ${(f / 1000).toFixed(2)} µs`);
console.log(`  the owner, recording its shared effects ${(o / 1000).toFixed(2)} µs  (${(o / f).toFixed(2)}× the floor; +${((o - f) / 1000).toFixed(2)} µs)`);
console.log(`  each other partition, parse + apply     ${(x / 1000).toFixed(2)} µs  (${(x / f).toFixed(2)}× the floor)`);
console.log(`  shared effects in the journal entry     ${rows[0].bytes.toFixed(0)} bytes (before sealing)`);
