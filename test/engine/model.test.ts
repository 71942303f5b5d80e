// A trained model in the decision path: its probability joins the rules' score, and a flagged
// decision names the model's top features.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTrain } from '../../src/cli/train.js';
import { parseEvent } from '../../src/contract/parse.js';
import { formatShanghai } from '../../src/contract/time.js';
import { Engine } from '../../src/engine/engine.js';
import type { Decision } from '../../src/engine/decision.js';
import { loadModel } from '../../src/model/model-file.js';
import { defaultPolicy } from './world.js';

const dir = mkdtempSync(join(tmpdir(), 'fk-model-engine-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const START = Date.UTC(2026, 9, 1);
const at = (minute: number): string => formatShanghai(START + minute * 60_000);

/**
 * Payments where every one of ¥900+ at merchant m7 is fraud (labelled 3 days later); the rest legit —
 * small payments at m7 too, so that its terminal's confirmed-fraud rate stays under the default
 * policy's TERMINAL_CONFIRMED_FRAUD (half) and only the model sees the amount pattern.
 */
function history(n: number): Record<string, unknown>[] {
  const ev: Record<string, unknown>[] = [{ type: 'acquirer', ts: at(-10), acquirerId: 'q1', licensed: true }];
  for (let m = 0; m < 8; m++) {
    ev.push({ type: 'merchant', ts: at(-10), merchantId: `m${m}`, acquirerId: 'q1' });
    ev.push({ type: 'terminal', ts: at(-10), terminalId: `t${m}`, merchantId: `m${m}` });
  }
  for (let a = 0; a < 50; a++) ev.push({ type: 'account', ts: at(-10), accountId: `a${a}`, creditLimit: 50_000_000 });
  for (let i = 0; i < n; i++) {
    const fraud = i % 13 === 4;
    ev.push({
      type: 'transaction', id: `h${i}`, ts: at(i * 10), accountId: `a${i % 50}`, merchantId: fraud ? 'm7' : `m${i % 8}`,
      terminalId: fraud ? 't7' : `t${i % 8}`, amount: fraud ? 95_000 + (i % 7) * 500 : 1_500 + ((i * 53) % 40) * 100,
    });
    if (fraud) ev.push({ type: 'label', ts: at(i * 10 + 3 * 1440), txId: `h${i}`, fraud: true });
  }
  return ev.sort((a, b) => Date.parse(a.ts as string) - Date.parse(b.ts as string));
}

test('model scores join the rules by noisy-OR, and flagged decisions name the model features', async () => {
  const events = history(1500);
  const file = join(dir, 'events.jsonl');
  writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const modelPath = join(dir, 'model.json');
  const code = await runTrain([file, '--out', modelPath, '--quiet']);
  assert.equal(code, 0);
  const model = loadModel(modelPath);

  const later = [
    { type: 'transaction', id: 'n1', ts: at(20_000), accountId: 'a1', merchantId: 'm7', terminalId: 't7', amount: 96_000 },
    { type: 'transaction', id: 'n2', ts: at(20_010), accountId: 'a2', merchantId: 'm1', terminalId: 't1', amount: 2_000 },
  ];
  const run = (withModel: boolean): Decision[] => {
    const engine = new Engine(defaultPolicy(), withModel ? { model } : {});
    const out: Decision[] = [];
    for (const e of [...events, ...later]) {
      const d = engine.apply(parseEvent(e));
      if (d !== null && (d.txId === 'n1' || d.txId === 'n2')) out.push(d);
    }
    return out;
  };
  const [rulesFraud, rulesLegit] = run(false);
  const [fraud, legit] = run(true);
  assert.ok(fraud.score > rulesFraud.score + 20, `model must raise the risky payment: ${rulesFraud.score} → ${fraud.score}`);
  assert.notEqual(fraud.outcome, 'approve');
  assert.ok(fraud.reasons.some((r) => r.code.startsWith('MODEL_')), JSON.stringify(fraud.reasons));
  assert.equal(rulesFraud.outcome, 'approve', 'the rules alone do not see this pattern');
  assert.ok(legit.score < 40 && legit.outcome === 'approve', JSON.stringify(legit));
  assert.ok(legit.score >= rulesLegit.score, 'noisy-OR never lowers the rules score');
  // the same model loaded again decides identically
  assert.deepEqual(run(true), [fraud, legit]);
});
