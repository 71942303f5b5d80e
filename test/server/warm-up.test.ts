// The start's warm-ups decide a synthetic world before the server listens — on a scratch engine
// (src/engine/warm-up.ts), and over loopback HTTP on a scratch server (src/server/answer-warm-up.ts):
// nothing of either may reach the live engine, the journal, any answer or the disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { account, baseWorld, HOUR, MIN, tx } from '../engine/world.js';
import { WARM_PAYMENTS } from '../../src/engine/warm-up.js';
import { call, feed, journalSeq, stable, startTestServer } from './helpers.js';

function traffic(): Record<string, unknown>[] {
  const T = 10 * HOUR;
  const ev: Record<string, unknown>[] = [];
  for (let i = 0; i < 8; i++) ev.push(tx(T + i * MIN, { id: `w-small-${i}`, amount: 1_500 + i * 100 }));
  // an account of the synthetic world's own naming, never registered here
  ev.push(tx(T + 20 * MIN, { id: 'w-stranger', accountId: 'wa1', deviceId: 'wd1' }));
  for (let i = 0; i < 4; i++) ev.push(tx(T + 30 * MIN + i * MIN, { id: `w-big-${i}`, amount: 150_000 + i * 1_000 }));
  return ev;
}

test('a warmed-up server decides exactly as one that did not warm up, and its journal starts empty', async () => {
  const inputs = [...baseWorld(), account('A9'), ...traffic()];
  const cold = await startTestServer({ warmUpPayments: 0 });
  // the scratch server's folder goes under TMPDIR (os.tmpdir() reads it): a folder of this test's own
  const scratchRoot = mkdtempSync(join(tmpdir(), 'fk-warm-root-'));
  const dir = mkdtempSync(join(tmpdir(), 'fk-warm-live-'));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = scratchRoot;
  const lines: string[] = [];
  const warm = await startTestServer({ dir, warmUpAnswers: 300, log: (l) => lines.push(l) }).finally(() => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
  });
  try {
    assert.equal(cold.server.warmUp.payments, 0);
    assert.equal(cold.server.answerWarmUp, null, 'no answer warm-up unless asked for');
    assert.equal(warm.server.warmUp.payments, WARM_PAYMENTS);
    assert.ok(warm.server.warmUp.ms > 0);
    assert.equal(warm.server.answerWarmUp?.answers, 300, lines.join('\n'));
    assert.deepEqual(readdirSync(scratchRoot), [], 'the scratch server\'s folder is removed');
    assert.equal(await journalSeq(warm.url, warm.keys.admin), 0, 'the warm-up journaled nothing');
    const stranger = await call(warm.url, '/v1/accounts/wa1', { key: warm.keys.admin });
    assert.equal(stranger.status, 404, 'the synthetic accounts are not the live engine\'s');
    const a = await feed(cold.url, cold.keys.admin, inputs);
    const b = await feed(warm.url, warm.keys.admin, inputs);
    assert.equal(b.length, a.length);
    for (let i = 0; i < a.length; i++) assert.deepEqual(stable(b[i].json), stable(a[i].json), `decision ${i}`);
    const strangerAnswer = b.find((x) => x.json.txId === 'w-stranger');
    assert.ok(strangerAnswer !== undefined);
    assert.ok((strangerAnswer.json.reasons as { code: string }[]).some((r) => r.code === 'UNREGISTERED_ACCOUNT'), JSON.stringify(strangerAnswer.json));
  } finally {
    await cold.close();
    await warm.close();
    rmSync(scratchRoot, { recursive: true, force: true });
  }
});

test('a server whose answer warm-up cannot run starts all the same, and says why', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fk-warm-live-'));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = join(tmpdir(), 'fk-no-such-folder', 'below');
  const lines: string[] = [];
  const s = await startTestServer({ dir, warmUpPayments: 0, warmUpAnswers: 100, log: (l) => lines.push(l) }).finally(() => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
  });
  try {
    assert.equal(s.server.answerWarmUp, null);
    assert.ok(lines.some((l) => l.startsWith('the answer path was not warmed up') && l.includes('fk-no-such-folder')), lines.join('\n'));
    const [answer] = await feed(s.url, s.keys.admin, [...baseWorld(), ...traffic().slice(0, 1)]).then((a) => a.slice(-1));
    assert.equal(answer.status, 200);
  } finally {
    await s.close();
  }
});
