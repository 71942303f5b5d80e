import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseWindowBound, runTrain } from '../../src/cli/train.js';
import { loadPolicy } from '../../src/engine/policy-source.js';
import { UsageError } from '../../src/errors.js';
import { bindModelToPolicy, numericSlotNames } from '../../src/model/feature-names.js';
import { loadModel } from '../../src/model/model-file.js';

const dir = mkdtempSync(join(tmpdir(), 'fk-train-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ts = (minute: number): string => {
  const d = new Date(Date.UTC(2026, 9, 1, 0, 0, 0) + minute * 60_000 - 8 * 3_600_000);
  return d.toISOString().slice(0, 19) + '+08:00';
};

/**
 * A tiny world where fraud is "amount ≥ ¥900" (every 7th payment), labelled 3 days later; one
 * payment has its fraud label reversed by a later "not fraud" label.
 */
function world(): string {
  const lines: string[] = [];
  const labels: { minute: number; line: string }[] = [];
  for (let i = 0; i < 1200; i++) {
    const minute = i * 10;
    const fraud = i % 7 === 3;
    const amount = fraud ? 90_000 + (i % 5) * 1000 : 1000 + ((i * 37) % 50) * 100;
    while (labels.length > 0 && labels[0].minute <= minute) lines.push(labels.shift()!.line);
    lines.push(JSON.stringify({ type: 'transaction', id: `tx${i}`, ts: ts(minute), accountId: `a${i % 40}`, amount, merchantId: `m${i % 9}`, terminalId: `t${i % 9}` }));
    if (fraud) labels.push({ minute: minute + 3 * 1440, line: JSON.stringify({ type: 'label', ts: ts(minute + 3 * 1440), txId: `tx${i}`, fraud: true }) });
  }
  for (const l of labels) lines.push(l.line);
  lines.push(JSON.stringify({ type: 'label', ts: ts(1300 * 10 + 5 * 1440), txId: 'tx10', fraud: false }));
  lines.push('not json');
  const p = join(dir, 'events.jsonl');
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

/** Runs a command with stderr captured: what it returns and what it said. */
async function saying<T>(run: () => Promise<T>): Promise<{ result: T; said: string }> {
  let said = '';
  const stderr = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => ((said += chunk), true)) as typeof process.stderr.write;
  try {
    return { result: await run(), said };
  } finally {
    process.stderr.write = stderr;
  }
}

test('fengkong train replays a file, labels rows from label events and writes a model that binds to the policy', async () => {
  const events = world();
  const out = join(dir, 'model.json');
  const { result: code } = await saying(() => runTrain([events, '--out', out, '--from', '2026-10-01T08:00:00+08:00', '--to', '2026-10-09', '--seed', '3', '--rounds', '60']));
  assert.equal(code, 0);
  const model = loadModel(out);
  const policy = loadPolicy();
  assert.deepEqual(model.featureNames, numericSlotNames(policy));
  assert.equal(model.training?.from, '2026-10-01T08:00:00+08:00');
  assert.equal(model.training?.to, '2026-10-09');
  // payments every 10 minutes: i = 48 (08:00 on day 1) up to i = 1152 (midnight of day 9), exclusive
  const rows = (model.training?.rows ?? 0) + (model.training?.validationRows ?? 0);
  assert.equal(rows, 1152 - 48);
  assert.ok((model.metrics?.auc ?? 0) > 0.99, `validation AUC ${model.metrics?.auc}`);
  // the bound model reads the engine's vector in place
  const bound = bindModelToPolicy(model, policy);
  const v = new Float64Array(policy.numSlots).fill(NaN);
  const amountSlot = numericSlotNames(policy).indexOf('amount');
  v[amountSlot] = 95_000;
  const high = bound.probability(v);
  v[amountSlot] = 2000;
  assert.ok(high > bound.probability(v));
});

test('train: window bounds and misuse', async () => {
  assert.equal(parseWindowBound('2026-10-01', 'from'), Date.parse('2026-10-01T00:00:00+08:00'));
  assert.throws(() => parseWindowBound('yesterday', 'from'), UsageError);
  await assert.rejects(runTrain([]), UsageError);
  await assert.rejects(runTrain(['x.jsonl']), /--out/);
  await assert.rejects(runTrain([join(dir, 'missing.jsonl'), '--out', join(dir, 'm.json')]), UsageError);
  await assert.rejects(runTrain(['x.jsonl', '--out', 'm.json', '--from', '2026-10-02', '--to', '2026-10-01']), /before/);
});

test('--review-budget sets the thresholds of rules and model together on the latest slice, kept in the model, and a replay uses them', async () => {
  const events = world();
  const out = join(dir, 'budget.json');
  const { result: code, said } = await saying(() => runTrain([events, '--out', out, '--seed', '3', '--rounds', '40', '--review-budget', '2%']));
  assert.equal(code, 0);
  const op = loadModel(out).operatingPoint;
  assert.ok(op !== null);
  assert.equal(op.budget, 0.02);
  assert.ok(op.review <= op.challenge && op.challenge <= op.decline && op.decline <= 100, JSON.stringify(op));
  assert.ok(op.slice.legitimateFlagged <= 0.02, `${op.slice.legitimateFlagged} within the budget`);
  assert.ok(op.slice.recall > 0.9, `recall ${op.slice.recall} on the slice`);
  assert.match(said, /review budget 2\.00%: review at score ≥ [\d.]+, challenge ≥ [\d.]+, decline ≥ [\d.]+/);
  // the engine decides with the model's thresholds, not the policy's
  const policy = loadPolicy();
  const { Engine } = await import('../../src/engine/engine.js');
  const { parseEvent } = await import('../../src/contract/parse.js');
  const model = loadModel(out);
  const engine = new Engine(policy, { model });
  let outcomes = 0;
  for (let i = 0; i < 60; i++) {
    const d = engine.apply(parseEvent({ type: 'transaction', id: `x${i}`, ts: ts(20_000 + i * 10), accountId: `a${i % 40}`, amount: i % 7 === 3 ? 95_000 : 2000, merchantId: 'm1', terminalId: 't1' }));
    if (d === null) continue;
    const expected: string = d.score >= op.decline ? 'decline' : d.score >= op.challenge ? 'challenge' : d.score >= op.review ? 'review' : 'approve';
    if (d.reasons.every((r) => r.code.startsWith('MODEL_'))) {
      assert.equal(d.outcome, expected, `score ${d.score}`);
      outcomes++;
    }
  }
  assert.ok(outcomes > 10);
  await assert.rejects(runTrain([events, '--out', out, '--review-budget', '150%']), (e: unknown) => e instanceof UsageError && /--review-budget must be a share/.test(e.message));
  await assert.rejects(runTrain([events, '--out', out, '--review-budget', 'half']), UsageError);
});

test('--features auto: the candidates are tried, kept only when they help on the latest slice, and a kept file is bound to the model for replay', async () => {
  const events = world();
  const out = join(dir, 'auto.json');
  const { result: code, said } = await saying(() => runTrain([events, '--out', out, '--seed', '3', '--rounds', '30', '--features', 'auto']));
  assert.equal(code, 0);
  const line = /train: features from the stream: (kept (\d+) of 140|none kept)[^\n]*reported-slice AP ([\d.]+) \/ log loss ([\d.]+) with the policy's own features, ([\d.]+) \/ ([\d.]+) with the/.exec(said);
  assert.ok(line !== null, said);
  const model = loadModel(out);
  const auto = model.featureNames.filter((n) => n.startsWith('auto_'));
  if (line[1].startsWith('kept')) {
    assert.ok(Number(line[5]) > Number(line[3]) && Number(line[6]) < Number(line[4]), 'kept only when AP rises and log loss falls');
    assert.ok(model.features !== null && existsSync(join(dir, model.features.file)));
    assert.ok(auto.length > 0 && auto.every((n) => model.features!.text.includes(`feature ${n} =`)));
    // replay compiles the model's file beside the default policy
    const { runReplay } = await import('../../src/cli/replay.js');
    assert.equal((await saying(() => runReplay([events, '--model', out, '--out', join(dir, 'auto-d.jsonl'), '--quiet']))).result, 0);
  } else {
    assert.ok(!(Number(line[5]) > Number(line[3]) && Number(line[6]) < Number(line[4])) || line[0].includes('the 0 the model'), said);
    assert.equal(model.features, null);
    assert.deepEqual(auto, []);
  }
  await assert.rejects(runTrain([events, '--out', out, '--features', 'some']), UsageError);
});
