// Event batches: what crosses from the parsing thread must come out equal, key for key and in key
// order, to what the contract's parser returned; invalid lines keep their place and details.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEvent, parseEventText } from '../../src/contract/parse.js';
import type { FkEvent } from '../../src/contract/events.js';
import { EventBatchDecoder, EventBatchEncoder, type EventBatch, type InvalidLine } from '../../src/io/event-batch.js';
import { streamParsedEvents } from '../../src/io/parsed-event-stream.js';
import { ROOT, SHARED } from '../helpers/paths.js';

const CLI = join(ROOT, 'bin', 'fengkong.js');

function contractEvents(): FkEvent[] {
  const md = readFileSync(join(SHARED, 'contract', 'EVENTS.md'), 'utf8');
  return [...md.matchAll(/```json\n([\s\S]*?)```/g)]
    .map((m) => JSON.parse(m[1].trim().replace(/\n\s*/g, ' ')) as { type?: string })
    .filter((v) => v.type !== undefined)
    .map((v) => parseEvent(v));
}

/** Deep equality that also holds key order (the hot path relies on one object shape per type). */
function assertSameEvent(got: unknown, want: unknown, where: string): void {
  assert.deepStrictEqual(got, want, where);
  if (want !== null && typeof want === 'object') {
    assert.deepEqual(Object.keys(got as object), Object.keys(want), `${where}: key order`);
    for (const k of Object.keys(want)) assertSameEvent((got as Record<string, unknown>)[k], (want as Record<string, unknown>)[k], `${where}.${k}`);
  }
}

function roundTrip(batches: EventBatch[], decoder = new EventBatchDecoder()): { events: [FkEvent, number][]; invalid: InvalidLine[] } {
  const events: [FkEvent, number][] = [];
  const invalid: InvalidLine[] = [];
  for (const b of batches) decoder.decode(b, (e, n) => events.push([e, n]), (l) => invalid.push(l));
  return { events, invalid };
}

test('every event of EVENTS.md crosses unchanged, with optional fields absent and present', () => {
  const events = contractEvents();
  assert.equal(events.length, 7);
  const tx = events.find((e) => e.type === 'transaction')!;
  const bare = parseEvent({ type: 'transaction', id: 'tx-bare', ts: '2026-11-24T21:05:09+08:00', accountId: 'a', amount: 1, merchantId: 'm', terminalId: 't' });
  const withCredit = parseEvent({ type: 'transaction', id: 'tx-otb', ts: '2026-11-24T21:05:09+08:00', accountId: 'a', amount: 1, merchantId: 'm', terminalId: 't', availableCredit: 0 });
  const all = [...events, bare, tx, withCredit];
  const enc = new EventBatchEncoder();
  all.forEach((e, i) => enc.add(e, i + 1));
  const { events: out } = roundTrip([enc.take()]);
  assert.equal(out.length, all.length);
  out.forEach(([e, n], i) => {
    assert.equal(n, i + 1);
    assertSameEvent(e, all[i], `event ${i} (${all[i].type})`);
  });
});

test('a simulated world crosses unchanged over many batches, and the table starts over without losing an id', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fk-test-batch-'));
  try {
    execFileSync(process.execPath, [CLI, 'simulate', '--out', dir, '--accounts', '200', '--days', '3', '--seed', '9'], { stdio: 'ignore' });
    const lines = readFileSync(join(dir, 'events.jsonl'), 'utf8').split('\n').filter(Boolean);
    const want = lines.map((l) => parseEventText(l));
    const enc = new EventBatchEncoder();
    const batches: EventBatch[] = [];
    want.forEach((e, i) => {
      enc.add(e, i + 1);
      if (i % 97 === 96) batches.push(enc.take());
      if (i === 500) enc.addInvalid(9999, 'amount', 'an integer');
    });
    batches.push(enc.take());
    const { events, invalid } = roundTrip(batches);
    assert.equal(events.length, want.length);
    for (let i = 0; i < want.length; i++) assertSameEvent(events[i][0], want[i], `line ${i + 1}`);
    assert.deepEqual(invalid, [{ lineNo: 9999, path: 'amount', expected: 'an integer' }]);
    // a small table starts over many times; every event still decodes to what was parsed
    const small = new EventBatchEncoder(50);
    const parts: EventBatch[] = [];
    want.forEach((e, i) => {
      small.add(e, i + 1);
      if (i % 31 === 30) parts.push(small.take());
    });
    parts.push(small.take());
    assert.ok(parts.filter((p) => p.reset).length > 5, 'the table was reset');
    const again = roundTrip(parts);
    for (let i = 0; i < want.length; i++) assertSameEvent(again.events[i][0], want[i], `reset run, line ${i + 1}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a value the codec cannot carry is refused, not silently dropped', () => {
  const enc = new EventBatchEncoder();
  const odd = { type: 'label', ts: 'x', t: 0, fraud: true, extra: [1, 2] } as unknown as FkEvent;
  assert.throws(() => enc.add(odd, 1), /cannot carry a value of type object/);
});

test('streamParsedEvents: a file with invalid lines, in order, equal to parsing in this thread', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fk-test-stream-'));
  try {
    execFileSync(process.execPath, [CLI, 'simulate', '--out', dir, '--accounts', '150', '--days', '2', '--seed', '4'], { stdio: 'ignore' });
    const lines = readFileSync(join(dir, 'events.jsonl'), 'utf8').split('\n').filter(Boolean);
    lines.splice(10, 0, '{"type":"transaction"', '', '{"type":"merchant","ts":"2026-01-01T00:00:00Z"}');
    const file = join(dir, 'in.jsonl');
    writeFileSync(file, lines.join('\r\n'));
    const got: [FkEvent, number][] = [];
    const invalid: InvalidLine[] = [];
    let batches = 0;
    const end = await streamParsedEvents(file, {
      onEvent: (e, n) => got.push([e, n]),
      onInvalid: (l) => invalid.push(l),
      onBatch: async () => {
        batches++;
        await new Promise((r) => setImmediate(r));
      },
    });
    assert.equal(end.lines, lines.length);
    assert.deepEqual(invalid.map((l) => [l.lineNo, l.path]), [[11, ''], [13, 'merchantId']]);
    const want = lines.flatMap((l, i) => {
      if (l === '') return [];
      try {
        return [[parseEventText(l), i + 1] as [FkEvent, number]];
      } catch {
        return [];
      }
    });
    assert.equal(got.length, want.length);
    for (let i = 0; i < want.length; i++) {
      assert.equal(got[i][1], want[i][1]);
      assertSameEvent(got[i][0], want[i][0], `line ${want[i][1]}`);
    }
    assert.ok(batches >= 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('streamParsedEvents: a missing file rejects with the reason, and no worker is left running', async () => {
  await assert.rejects(
    streamParsedEvents('/nonexistent/events.jsonl', { onEvent: () => undefined, onInvalid: () => undefined }),
    /ENOENT|no such file/,
  );
});
