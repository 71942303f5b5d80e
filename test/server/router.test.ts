// The module route registry: patterns, parameters, methods, and refusals a handler throws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Router, type Route } from '../../src/server/routes.js';
import { toApiError } from '../../src/server/errors.js';
import { ConflictError, ContractError, NotFoundError, PolicyCompileError, StoreError } from '../../src/errors.js';

function route(method: Route['method'], path: string): Route {
  return { method, path, permission: 'read', summary: path, handle: () => ({ body: null }) };
}

test('patterns match literal and {param} segments, decoding parameters', () => {
  const r = new Router([route('GET', '/v1/lists'), route('GET', '/v1/lists/{name}/entries'), route('DELETE', '/v1/lists/{name}/entries/{value}')]);
  const m = r.match('DELETE', '/v1/lists/block_devices/entries/dev%2F1');
  assert.ok(m !== null && 'route' in m);
  assert.equal(m.route.path, '/v1/lists/{name}/entries/{value}');
  assert.deepEqual(m.params, { name: 'block_devices', value: 'dev/1' });
  assert.deepEqual(r.match('POST', '/v1/lists/x/entries'), { allow: 'GET' });
  assert.equal(r.match('GET', '/v1/lists//entries'), null);
  assert.equal(r.match('GET', '/v1/lists/%E0%A4%A/entries'), null);
  assert.equal(r.match('GET', '/v1/other'), null);
  const head = r.match('HEAD', '/v1/lists');
  assert.ok(head !== null && 'route' in head);
});

test('domain refusals map to stable API codes; bugs and store failures do not', () => {
  assert.equal(toApiError(new ConflictError('approved by the proposer'))?.status, 409);
  assert.equal(toApiError(new NotFoundError('no version 9'))?.api, 'not_found');
  const field = toApiError(new ContractError('expiresAt', 'a time in the future'));
  assert.equal(field?.api, 'invalid_request');
  assert.equal(field?.path, 'expiresAt');
  const diag = { code: 'FKR201', message: 'unknown feature', file: 'a.fk', line: 3, column: 7, severity: 'error' as const };
  const policy = toApiError(new PolicyCompileError([diag]));
  assert.equal(policy?.status, 422);
  assert.deepEqual(JSON.parse(policy!.toJson()).error.details, [diag]);
  assert.equal(toApiError(new Error('bug')), null);
  assert.equal(toApiError(new StoreError('disk full')), null);
});
