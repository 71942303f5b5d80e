// Canonical JSON: key order and whitespace never change the text; what JSON cannot hold is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson } from '../../src/codec/canonical-json.js';
import { ContractError } from '../../src/errors.js';

test('canonicalJson: sorted keys at every depth, no whitespace', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } }), '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
  assert.equal(canonicalJson({ a: 1, b: 2 }), canonicalJson({ b: 2, a: 1 }));
});

test('canonicalJson: scalars as JSON writes them', () => {
  assert.equal(canonicalJson(null), 'null');
  assert.equal(canonicalJson(true), 'true');
  assert.equal(canonicalJson(-0.5), '-0.5');
  assert.equal(canonicalJson(1e21), '1e+21');
  assert.equal(canonicalJson('a"\n\u2028é'), JSON.stringify('a"\n\u2028é'));
  assert.equal(canonicalJson([]), '[]');
  assert.equal(canonicalJson({}), '{}');
});

test('canonicalJson: keys sorted by code unit, not locale', () => {
  assert.equal(canonicalJson({ b: 0, B: 0, a: 0, é: 0, '10': 0, '9': 0 }), '{"10":0,"9":0,"B":0,"a":0,"b":0,"é":0}');
});

test('canonicalJson: undefined members left out, undefined elements null — as JSON.parse(JSON.stringify()) reads back', () => {
  const v = { a: undefined, b: [undefined, 1] };
  assert.equal(canonicalJson(v), '{"b":[null,1]}');
  assert.equal(canonicalJson(v), canonicalJson(JSON.parse(JSON.stringify(v)) as unknown));
});

test('canonicalJson: round trip through JSON.parse gives the same text', () => {
  const v = { z: [1, 'two', { three: 3, four: null }], a: { nested: { deep: true } }, n: -12.25 };
  assert.equal(canonicalJson(JSON.parse(canonicalJson(v)) as unknown), canonicalJson(v));
});

test('canonicalJson: refuses NaN, Infinity, bigint, functions, class instances and cycles, naming the path', () => {
  assert.throws(() => canonicalJson({ a: [1, NaN] }), (e: unknown) => e instanceof ContractError && e.path === 'a[1]');
  assert.throws(() => canonicalJson(Infinity), ContractError);
  assert.throws(() => canonicalJson({ n: 1n }), (e: unknown) => e instanceof ContractError && e.path === 'n');
  assert.throws(() => canonicalJson({ f: () => 1 }), ContractError);
  assert.throws(() => canonicalJson({ d: new Date(0) }), ContractError);
  const cyc: Record<string, unknown> = {};
  cyc.self = cyc;
  assert.throws(() => canonicalJson(cyc), ContractError);
  const shared = { x: 1 };
  assert.equal(canonicalJson([shared, shared]), '[{"x":1},{"x":1}]', 'a shared value is no cycle');
});
