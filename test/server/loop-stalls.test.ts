// The event loop's stalls on /metrics (src/server/loop-stalls.ts): a turn of the loop that keeps
// every request in flight waiting is counted by size, and the longest is kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, startTestServer } from './helpers.js';

/** The value of a metric line, e.g. `fengkong_event_loop_stalls_total{at_least_seconds="0.1"}`. */
function metric(text: string, line: string): number {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  assert.ok(found !== undefined, `${line} is on /metrics`);
  return Number(found.slice(line.length + 1));
}

test('a stall of the event loop shows on /metrics, counted by size, the longest kept', async () => {
  const s = await startTestServer({ warmUpPayments: 0 });
  try {
    const scrape = async (): Promise<string> => (await call(s.url, '/metrics', { key: s.keys.metrics })).text;
    const before = await scrape();
    const at = (text: string, b: string): number => metric(text, `fengkong_event_loop_stalls_total{at_least_seconds="${b}"}`);
    // the server runs in this process: holding this thread holds its loop
    const until = performance.now() + 160;
    while (performance.now() < until) {
      // busy, as a long synchronous step of the server would be
    }
    await new Promise((r) => setTimeout(r, 50));
    const after = await scrape();
    // at least: a loaded machine may add a stall of its own (a GC, the thread descheduled)
    assert.ok(at(after, '0.02') - at(before, '0.02') >= 1, 'a stall of 20 ms or more');
    assert.ok(at(after, '0.1') - at(before, '0.1') >= 1, 'of 100 ms or more');
    assert.ok(at(after, '0.02') >= at(after, '0.1'), 'every stall of 100 ms is one of 20 ms too');
    assert.equal(at(after, '1') - at(before, '1'), 0, 'none of a second');
    const max = metric(after, 'fengkong_event_loop_stall_max_seconds');
    assert.ok(max >= 0.15 && max < 1, `the longest stall, ~0.16 s: ${max}`);
  } finally {
    await s.close();
  }
});
