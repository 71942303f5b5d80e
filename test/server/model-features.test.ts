// A model trained with features from the stream (train --features auto) seeds a new data folder's
// version 1 with its generated file beside the policy's own, so the server computes what the model
// reads: the version lists the file and decisions are scored by the model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { candidateFeatures, featureFile } from '../../src/model/auto-features.js';
import { trainGbdt } from '../../src/model/gbdt-train.js';
import { saveModel } from '../../src/model/model-file.js';
import { baseWorld, HOUR, tx } from '../engine/world.js';
import { call, feed, startTestServer, tempDir } from './helpers.js';

test("serve --model with generated features: version 1 holds the model's feature file and decides with it", async () => {
  const generated = candidateFeatures({ device: false, ip: false }).filter((f) => f.name === 'auto_terminal_count_7d');
  const n = 400;
  const x = new Float64Array(n * 2);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    x[i * 2] = i % 50; // auto_terminal_count_7d
    x[i * 2 + 1] = 1000 + i; // amount
    y[i] = i % 50 >= 45 ? 1 : 0;
  }
  const trained = trainGbdt({ x, width: 2, rows: n, y, featureNames: ['auto_terminal_count_7d', 'amount'] }, { rounds: 5 });
  const model = trained.model.withFeatures({ file: 'model.features.fk', text: featureFile(generated, generated, 'test') });
  const dir = tempDir();
  const modelPath = join(tempDir('fk-model-'), 'model.json');
  saveModel(model, modelPath);
  const s = await startTestServer({ dir, modelPath, policy: undefined });
  try {
    const v1 = await call(s.url, '/v1/policies/1', { key: s.keys.analyst });
    assert.equal(v1.status, 200, v1.text);
    assert.ok(JSON.stringify(v1.json).includes('model.features.fk'), 'the generated file is part of version 1');
    await feed(s.url, s.keys.admin, baseWorld());
    const d = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: tx(10 * HOUR, { id: 'scored' }) });
    assert.equal(d.status, 200, d.text);
    assert.ok(d.json.score > 0, `the model scores it: ${d.text}`);
  } finally {
    await s.close();
  }
});
