// Bounded event time: one payment dated far ahead of the stream (a till with a wrong clock, or a
// forgery) must not move every key's clock. Before the watermark, a single payment dated 25 hours or
// more ahead — or 9999-12-31 — swept every other account's windows away: a burst of small payments
// that reviews went through as approve. Checked in the engine, in `fengkong replay` and on a live server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventClock } from '../../src/engine/event-clock.js';
import { account, at, baseWorld, HOUR, MIN, run, tx } from './world.js';
import { ROOT } from '../helpers/paths.js';
import { call, feed, journalSeq, startTestServer } from '../server/helpers.js';

const T = 10 * HOUR;
type Obj = Record<string, unknown>;

/** Five small payments by A1 a minute apart: the fifth is SMALL_PAYMENT_BURST. */
function burst(prefix: string): Obj[] {
  return Array.from({ length: 5 }, (_, i) => tx(T + i * MIN, { id: `${prefix}-${i}`, amount: 2_000 }));
}

/** A payment by another account, dated `ts`. */
function early(id: string, ts: string, extra: Obj = {}): Obj {
  return { ...tx(T, { id, accountId: 'A2', deviceId: 'D2', ip: '10.0.0.9', ...extra }), ts };
}

const codes = (d: { reasons: readonly { code: string }[] }): string[] => d.reasons.map((r) => r.code);

test('the clock follows an ordinary stream, holds against one early event and jumps after a real gap', () => {
  const c = new EventClock(10 * MIN, 3);
  assert.equal(c.now, -Infinity);
  c.observe(1_000);
  c.observe(1_000 + 5 * MIN);
  assert.equal(c.now, 1_000 + 5 * MIN, 'ordinary events move it');
  c.observe(500);
  assert.equal(c.now, 1_000 + 5 * MIN, 'a late event does not move it back');
  c.observe(1_000 + 1_000 * HOUR);
  assert.equal(c.now, 1_000 + 5 * MIN, 'one event far ahead does not move it');
  c.observe(1_000 + 6 * MIN);
  assert.equal(c.now, 1_000 + 6 * MIN, 'the next ordinary event ends the early run');
  // a real gap: three events in a row an hour and more ahead; the earliest of them is the new time
  c.observe(2 * HOUR + 30 * MIN);
  c.observe(2 * HOUR);
  assert.equal(c.now, 1_000 + 6 * MIN);
  c.observe(2 * HOUR + 40 * MIN);
  assert.equal(c.now, 2 * HOUR);
  // NaN never moves it; the state survives a round trip
  c.observe(NaN);
  assert.equal(c.now, 2 * HOUR);
  const copy = new EventClock(10 * MIN, 3);
  copy.restore(c.state());
  assert.deepEqual(copy.state(), c.state());
});

test('engine: the burst still reviews after a payment dated 25 hours ahead or in the year 9999', () => {
  const world = [...baseWorld(), account('A2')];
  const plain = run([...world, ...burst('p')]);
  assert.deepEqual(codes(plain[plain.length - 1]), ['SMALL_PAYMENT_BURST']);
  for (const ts of [at(T + 25 * HOUR), at(T + 400 * 24 * HOUR), '9999-12-31T23:59:59Z']) {
    const b = burst(`f${ts.slice(0, 4)}`);
    const ds = run([...world, ...b.slice(0, 2), early(`early-${ts}`, ts), ...b.slice(2)]);
    const last = ds[ds.length - 1];
    assert.equal(last.outcome, plain[plain.length - 1].outcome, `after a payment dated ${ts}`);
    assert.deepEqual(codes(last), ['SMALL_PAYMENT_BURST'], `after a payment dated ${ts}`);
  }
});

test('replay: a far-future line changes no other decision of a simulated stream', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fk-event-time-'));
  try {
    const CLI = join(ROOT, 'bin', 'fengkong.js');
    const sim = spawnSync(process.execPath, [CLI, 'simulate', '--out', dir, '--accounts', '300', '--days', '4', '--seed', '11', '--quiet'], { encoding: 'utf8' });
    assert.equal(sim.status, 0, sim.stderr);
    const lines = readFileSync(join(dir, 'events.jsonl'), 'utf8').split('\n').filter(Boolean);
    const txAt = lines.findIndex((l, i) => i > lines.length / 3 && l.includes('"type":"transaction"'));
    const rogue = { ...JSON.parse(lines[txAt]), id: 'rogue-9999', ts: '9999-12-31T23:59:59Z' };
    writeFileSync(join(dir, 'plain.jsonl'), lines.join('\n') + '\n');
    writeFileSync(join(dir, 'rogue.jsonl'), [...lines.slice(0, txAt), JSON.stringify(rogue), ...lines.slice(txAt)].join('\n') + '\n');
    const decide = (name: string): string[] => {
      const r = spawnSync(process.execPath, [CLI, 'replay', join(dir, `${name}.jsonl`), '--out', join(dir, `${name}.out`), '--quiet'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return readFileSync(join(dir, `${name}.out`), 'utf8').split('\n').filter(Boolean);
    };
    const plain = decide('plain');
    const withRogue = decide('rogue').filter((l) => !l.includes('"rogue-9999"'));
    assert.ok(plain.length > 1_000, `a stream of some size (${plain.length} decisions)`);
    // the rogue payment's own account, merchant, terminal and device windows move to its time; every
    // decision of a payment sharing none of them is unchanged
    const shares = new Set([rogue.accountId, rogue.merchantId, rogue.terminalId, rogue.deviceId, rogue.ip].filter(Boolean));
    const byId = new Map(lines.filter((l) => l.includes('"type":"transaction"')).map((l) => {
      const e = JSON.parse(l) as Obj;
      return [e.id as string, e];
    }));
    let compared = 0;
    for (let i = 0; i < plain.length; i++) {
      const d = JSON.parse(plain[i]) as { txId: string };
      const e = byId.get(d.txId)!;
      if ([e.accountId, e.merchantId, e.terminalId, e.deviceId, e.ip].some((v) => shares.has(v))) continue;
      assert.equal(withRogue[i], plain[i], `decision ${i} (${d.txId})`);
      compared++;
    }
    assert.ok(compared > plain.length * 0.8, `most decisions compared (${compared} of ${plain.length})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('live: a payment or event dated beyond the tolerance is refused (400, nothing applied); the past is accepted', async () => {
  const s = await startTestServer();
  try {
    await feed(s.url, s.keys.admin, [...baseWorld(), account('A2')]);
    const b = burst('live');
    for (const e of b.slice(0, 2)) assert.equal((await call(s.url, '/v1/decisions', { key: s.keys.decide, body: e })).status, 200);
    const seqBefore = await journalSeq(s.url, s.keys.analyst);
    const ahead = new Date(Date.now() + 25 * HOUR).toISOString();
    const refused = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: early('live-ahead', ahead) });
    assert.equal(refused.status, 400, refused.text);
    assert.equal(refused.json.error.code, 'event_time_ahead');
    assert.equal(refused.json.error.path, 'ts');
    assert.match(refused.json.error.message, /ahead of this server's clock/);
    const far = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: early('live-9999', '9999-12-31T23:59:59Z') });
    assert.equal(far.status, 400);
    assert.equal(far.json.error.code, 'event_time_ahead');
    // in a batch of events, the one dated ahead is named by its index, and none of the batch is applied
    const batch = await call(s.url, '/v1/events', {
      key: s.keys.admin,
      body: [
        { type: 'account_event', ts: at(T), accountId: 'A2', kind: 'login' },
        { type: 'account_event', ts: ahead, accountId: 'A2', kind: 'login' },
      ],
    });
    assert.equal(batch.status, 400, batch.text);
    assert.equal(batch.json.error.path, '[1].ts');
    assert.equal(await journalSeq(s.url, s.keys.analyst), seqBefore, 'nothing journaled');
    assert.equal((await call(s.url, '/v1/decisions/live-ahead', { key: s.keys.analyst })).status, 404);
    // a payment a minute ahead (a till's clock a little fast) is within the tolerance
    const near = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: early('live-near', new Date(Date.now() + MIN).toISOString()) });
    assert.equal(near.status, 200, near.text);
    // and the burst in the past (November) still reviews after all of it
    let last: { status: number; json: { reasons: { code: string }[] } } | undefined;
    for (const e of b.slice(2)) last = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: e });
    assert.deepEqual(codes(last!.json), ['SMALL_PAYMENT_BURST']);
  } finally {
    await s.close();
  }
});

test('live: the tolerance is the server\'s option', async () => {
  const s = await startTestServer({ maxEventLeadMs: 1_000 });
  try {
    await feed(s.url, s.keys.admin, [...baseWorld(), account('A2')]);
    const r = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: early('opt-1', new Date(Date.now() + MIN).toISOString()) });
    assert.equal(r.status, 400, r.text);
    assert.match(r.json.error.message, /more than 1 s ahead/);
  } finally {
    await s.close();
  }
});
