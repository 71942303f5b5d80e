import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { KNOWN_FRAUD_FEATURES, KnownFraudByTerminal } from '../../bench/handbook/known-fraud.js';
import { handbookEvents, LABEL_DELAY_MS } from '../../bench/handbook/events.js';
import { HANDBOOK_CSV } from '../../bench/handbook/csv.js';
import { addDays, CHAPTER_3, KnownCompromised, weeksBack } from '../../bench/handbook/protocol.js';
import type { LabelEvent, TransactionEvent } from '../../src/contract/events.js';
import { parseEvent, parseEventText } from '../../src/contract/parse.js';

const DAY = 86_400_000;

test('handbook conversion: valid contract events in time order, each fraud labelled 7 days later', { skip: !existsSync(HANDBOOK_CSV) && 'handbook data not present' }, async () => {
  const txTime = new Map<string, number>();
  const frauds = new Set<string>();
  const labelled: [string, number][] = [];
  let last = -Infinity;
  let lines = 0;
  await handbookEvents(HANDBOOK_CSV, '2018-04-01', '2018-04-10', (line, row, t) => {
    lines++;
    assert.ok(!line.includes('SCENARIO'));
    const e = parseEventText(line);
    assert.equal(e.t, t);
    assert.ok(e.t >= last, 'events come in time order');
    last = e.t;
    if (e.type === 'transaction') {
      assert.ok(row !== null);
      assert.equal(e.accountId, `C${row.customer}`);
      assert.equal(e.terminalId, `T${row.terminal}`);
      assert.equal(e.amount, Math.max(1, Math.round(row.amount * 100)));
      txTime.set(e.id, e.t);
      if (row.fraud) frauds.add(e.id);
    } else {
      assert.equal(e.type, 'label');
      assert.equal(row, null);
      const l = e as LabelEvent;
      assert.equal(l.fraud, true);
      labelled.push([l.txId ?? '', l.t]);
    }
  });
  assert.ok(lines > 50_000);
  assert.ok(labelled.length > 0);
  for (const [txId, t] of labelled) {
    assert.ok(frauds.has(txId));
    assert.equal(t - (txTime.get(txId) ?? NaN), LABEL_DELAY_MS);
  }
  // every fraud of the first two days is labelled within the range; none of the last week's is
  for (const id of frauds) if ((txTime.get(id) ?? 0) < Date.parse('2018-04-03T00:00:00+08:00')) assert.ok(labelled.some(([x]) => x === id));
});

const tx = (id: string, terminal: string, t: number): TransactionEvent =>
  parseEvent({ type: 'transaction', id, ts: new Date(t).toISOString(), accountId: 'C1', amount: 100, merchantId: terminal, terminalId: terminal }) as TransactionEvent;
const label = (txId: string, t: number): LabelEvent => parseEvent({ type: 'label', ts: new Date(t).toISOString(), txId, fraud: true }) as LabelEvent;

test('known-fraud helper: a label changes nothing before its own time', () => {
  const k = new KnownFraudByTerminal();
  const out = new Float64Array(KNOWN_FRAUD_FEATURES.length);
  const at = (name: string): number => out[KNOWN_FRAUD_FEATURES.indexOf(name as (typeof KNOWN_FRAUD_FEATURES)[number])];
  const t0 = Date.parse('2018-07-01T10:00:00+08:00');
  const first = tx('f', 'T1', t0);
  k.features(first, out, 0);
  k.onTransaction(first);
  // a payment one second before the label: nothing known yet
  const before = tx('b', 'T1', t0 + 7 * DAY - 1000);
  k.features(before, out, 0);
  assert.equal(at('terminal_known_fraud_30d'), 0);
  assert.ok(Number.isNaN(at('terminal_days_since_known_fraud')));
  assert.equal(at('terminal_mature_fraud_streak'), 0);
  const snapshot = Float64Array.from(out);
  k.onTransaction(before);
  // the label arrives; only payments decided after it see it
  k.onLabel(label('f', t0 + 7 * DAY));
  const afterwards = tx('a', 'T1', t0 + 7 * DAY + 1000);
  k.features(afterwards, out, 0);
  assert.equal(at('terminal_known_fraud_30d'), 1);
  assert.ok(Math.abs(at('terminal_days_since_known_fraud') - (7 * DAY + 1000) / DAY) < 1e-9);
  assert.equal(at('terminal_latest_mature_fraud'), 1);
  assert.equal(at('terminal_mature_fraud_streak'), 1);
  // what the earlier payment saw is unchanged by the later label (features are values, not views)
  assert.equal(snapshot[KNOWN_FRAUD_FEATURES.indexOf('terminal_known_fraud_30d')], 0);
  // another terminal knows nothing
  k.features(tx('o', 'T2', t0 + 8 * DAY), out, 0);
  assert.equal(at('terminal_known_fraud_30d'), 0);
});

test('known compromised cards follow the book: fraud in the training week or 8+ days before the test day', () => {
  const k = new KnownCompromised();
  k.note('A', '2018-07-26', true); // training week
  k.note('B', '2018-08-02', true); // delay week
  k.note('C', '2018-07-20', true); // before the training week: not counted
  k.note('D', '2018-08-02', false);
  assert.equal(k.known('A', '2018-08-08'), true);
  assert.equal(k.known('B', '2018-08-09'), false);
  assert.equal(k.known('B', '2018-08-10'), true);
  assert.equal(k.known('C', '2018-08-14'), false);
  assert.equal(k.known('D', '2018-08-14'), false);
  assert.equal(addDays('2018-08-01', -8), '2018-07-24');
});

test('weeks back: the whole protocol moves, and cards count as compromised from the moved training week', () => {
  assert.deepEqual(weeksBack(0), CHAPTER_3);
  const w = weeksBack(21);
  assert.deepEqual(w, { trainFrom: '2018-07-04', trainTo: '2018-07-11', testFrom: '2018-07-18', testTo: '2018-07-25' });
  const k = new KnownCompromised(w.trainFrom);
  k.note('A', '2018-07-05', true); // the moved training week
  k.note('C', '2018-06-30', true); // before it: not counted
  assert.equal(k.known('A', '2018-07-18'), true);
  assert.equal(k.known('C', '2018-07-24'), false);
  // the book's own weeks would not have counted A
  const book = new KnownCompromised();
  book.note('A', '2018-07-05', true);
  assert.equal(book.known('A', '2018-07-18'), false);
});
