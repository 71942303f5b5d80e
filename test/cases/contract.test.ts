// The contract accepts more: an account_event of kind `challenge_failed` (a step-up verification
// failed) with an optional `txId` naming the challenged payment. Everything the contract accepted
// before is unchanged; a bad txId is refused with its path; the OpenAPI document lists both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvent } from '../../src/contract/parse.js';
import { ACCOUNT_EVENT_KINDS } from '../../src/contract/events.js';
import { ContractError } from '../../src/errors.js';
import { openApiDocument } from '../../src/server/openapi.js';

const base = { type: 'account_event', ts: '2026-11-24T21:06:00+08:00', accountId: 'acc-7781' };

test('challenge_failed is an account_event kind, with or without the payment it is about', () => {
  assert.ok(ACCOUNT_EVENT_KINDS.includes('challenge_failed'));
  const e = parseEvent({ ...base, kind: 'challenge_failed', txId: 'tx-000192', deviceId: 'dev-9c2e' });
  assert.equal(e.type, 'account_event');
  assert.deepEqual(e.type === 'account_event' && [e.kind, e.txId, e.deviceId], ['challenge_failed', 'tx-000192', 'dev-9c2e']);
  const bare = parseEvent({ ...base, kind: 'challenge_failed' });
  assert.equal(bare.type === 'account_event' && bare.txId, undefined);
  assert.equal(JSON.stringify(bare).includes('txId'), false, 'an absent txId is not written to the journal');
});

test('a bad txId is refused with its path; other kinds are unchanged', () => {
  for (const txId of ['', 42, 'x'.repeat(129)]) {
    assert.throws(() => parseEvent({ ...base, kind: 'challenge_failed', txId }), (e: unknown) => e instanceof ContractError && e.path === 'txId');
  }
  assert.throws(() => parseEvent({ ...base, kind: 'challenge_passed' }), (e: unknown) => e instanceof ContractError && e.path === 'kind');
  const login = parseEvent({ ...base, kind: 'login' });
  assert.equal(login.type === 'account_event' && login.kind, 'login');
});

test('the OpenAPI document lists the kind and the field', () => {
  const doc = openApiDocument('test') as { components: { schemas: Record<string, { properties: Record<string, { enum?: string[] }> }> } };
  const s = doc.components.schemas.AccountEvent;
  assert.ok(s.properties.kind.enum!.includes('challenge_failed'));
  assert.ok('txId' in s.properties);
});
