// The words and paths of schema refusals, without a server: the project's path notation (array
// indices, file-name keys), the branch of a union that fits the value, x-expected over generated
// words, and a route that reads a body without a schema refused when the server starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '@sinclair/typebox';
import { DraftBody } from '../../src/server/schemas/policies.js';
import { describeErrors, expectedOf } from '../../src/server/schemas/refusal.js';
import { expected, Nullable, StringEnum } from '../../src/server/schemas/schema.js';
import { RequestValidator, schemaAjv } from '../../src/server/schemas/validator.js';
import type { Route } from '../../src/server/routes.js';

const ajv = schemaAjv(false);

function refusal(schema: object, value: unknown): { path: string; expected: string } {
  const check = ajv.compile(schema);
  assert.equal(check(value), false, JSON.stringify(value));
  return describeErrors(check.errors ?? [], value);
}

test('paths: array items in brackets, plain keys dotted, other keys quoted', () => {
  const s = Type.Object({ items: Type.Array(Type.Object({ value: Type.String() })), map: Type.Object({}, { additionalProperties: Type.Integer() }) });
  assert.deepEqual(refusal(s, { items: [{ value: 'a' }, { value: 1 }], map: {} }), { path: 'items[1].value', expected: 'a string' });
  assert.deepEqual(refusal(s, { items: [], map: { 'a/b.fk': 'x' } }).path, 'map["a/b.fk"]');
  assert.deepEqual(refusal(s, { items: [] }), { path: 'map', expected: 'a JSON object (required)' });
});

test('a union reports inside the branch the value fits, else its own words', () => {
  assert.deepEqual(refusal(DraftBody, { description: 'd', files: [{ file: 'a.fk', text: 2 }] }), { path: 'files[0].text', expected: 'the file text as a string' });
  assert.deepEqual(refusal(DraftBody, { description: 'd', files: { 'b.fk': null } }), { path: 'files["b.fk"]', expected: 'the file text as a string' });
  assert.deepEqual(refusal(DraftBody, { description: 'd', files: 'a.fk' }), {
    path: 'files',
    expected: 'an object {"name.fk": "text", …} or an array [{file, text}, …]',
  });
  assert.deepEqual(refusal(DraftBody, { description: 'd', files: {}, extra: 1 }), { path: 'extra', expected: 'no such field; allowed: parent, description, files, model' });
});

test('words made from keywords, and x-expected over them', () => {
  assert.equal(expectedOf(Type.Integer({ minimum: 1, maximum: 500 })), 'an integer from 1 to 500');
  assert.equal(expectedOf(Type.String({ minLength: 1, maxLength: 64 })), 'a string of 1–64 characters');
  assert.equal(expectedOf(Nullable(Type.String({ maxLength: 10 }))), 'a string of at most 10 characters or null');
  assert.equal(expectedOf(StringEnum(['a', 'b'])), 'one of a, b');
  assert.equal(expectedOf(Type.Boolean()), 'true or false');
  assert.equal(expectedOf(Type.String(expected('a list name'))), 'a list name');
  assert.deepEqual(refusal(Type.Object({ n: Type.Integer(expected('a page size', { maximum: 5 })) }), { n: 6 }), { path: 'n', expected: 'a page size' });
});

test('a route that reads a body without a schema stops the server from starting', () => {
  const route: Route = { method: 'POST', path: '/v1/x', permission: 'admin', summary: 'x', body: { maxBytes: 10, maxDepth: 2 }, handle: () => ({}) };
  assert.throws(() => new RequestValidator([route]), /POST \/v1\/x reads a body but declares no bodySchema/);
  assert.doesNotThrow(() => new RequestValidator([{ ...route, bodySchema: Type.Object({}) }]));
});
