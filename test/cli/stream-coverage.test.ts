// The end of a replay says what the stream carried and fed, and which rules its gaps leave quiet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvent } from '../../src/contract/parse.js';
import type { TransactionEvent } from '../../src/contract/events.js';
import { StreamCoverage } from '../../src/cli/stream-coverage.js';
import { ReferenceData } from '../../src/features/reference.js';
import { HOUR, tx } from '../engine/world.js';

test('a payments-only stream: shares of each field, nothing fed, each gap named with what it leaves quiet', () => {
  const c = new StreamCoverage();
  assert.deepEqual(c.lines(new ReferenceData()), [], 'nothing to say without payments');
  c.add(parseEvent(tx(HOUR, { geo: undefined, ip: undefined })) as TransactionEvent);
  c.add(parseEvent(tx(2 * HOUR, { geo: undefined, ip: undefined, deviceId: undefined })) as TransactionEvent);
  const lines = c.lines(new ReferenceData());
  assert.equal(lines[0], 'stream: of 2 payments, device 50%, geo 0%, ip 0%, mcc 100%, acquirer 100%, channel 100%');
  assert.match(lines[1], /^stream: fed merchant registrations no, terminal registrations no, account registrations no, acquirer registrations no, repayments no$/);
  assert.ok(lines.includes('stream: no repayments: quiet are available credit and utilisation (OVER_LIMIT only for a payment above the limit)'));
  assert.ok(lines.some((l) => l.startsWith('stream: no payment carried geo: quiet are place rules')));
  assert.ok(!lines.some((l) => l.includes('carried device')), 'half the payments carried a device');
  const fed = new ReferenceData();
  fed.repayments = 1;
  fed.accountRegistrations = 3;
  assert.match(c.lines(fed)[1], /account registrations yes, acquirer registrations no, repayments yes/);
});
