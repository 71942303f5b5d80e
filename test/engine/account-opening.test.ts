// When an account was opened, if the stream does not say (`openedAt` is optional): a registration in a
// stream's first day is the existing book being loaded — age unknown, so no fresh-account rule fires
// on an old customer's big purchase — while a first registration later opens the account then. A stated
// `openedAt` always wins; a registration of an account that already paid is not an opening; the
// stream's start survives a snapshot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvent } from '../../src/contract/parse.js';
import { Engine } from '../../src/engine/engine.js';
import { SnapshotReader, SnapshotWriter } from '../../src/codec/codec.js';
import { N } from '../../src/features/catalog.js';
import { account, at, DAY, DAY0, defaultPolicy, HOUR, registry, tx } from './world.js';

const DAY0ms = (ms: number): number => DAY0 + ms;

const bare = (id: string, ms: number): Record<string, unknown> => ({ ...account(id), ts: at(ms), openedAt: undefined });

function ageAt(e: Engine, accountId: string, ms: number): number {
  e.apply(parseEvent(tx(ms, { accountId, amount: 1_600_000 })));
  return e.lastVector.num[N.account_age_days];
}

function fresh(e: Engine, accountId: string, ms: number): string[] {
  const d = e.apply(parseEvent(tx(ms, { accountId, amount: 1_600_000 })))!;
  return d.reasons.map((r) => r.code).filter((c) => c.startsWith('FRESH_ACCOUNT'));
}

test('registrations loaded in the first day without openedAt have no age; a later first registration opens the account', () => {
  const e = new Engine(defaultPolicy());
  for (const ev of [...registry().map((r) => ({ ...r, ts: at(0) })), bare('OLD', HOUR), account('STATED', { ts: at(2 * HOUR) }), bare('NEW', 3 * DAY)]) e.apply(parseEvent(ev));
  assert.ok(Number.isNaN(ageAt(e, 'OLD', 3 * DAY + HOUR)), 'loaded with the book: age unknown');
  assert.deepEqual(fresh(e, 'OLD', 3 * DAY + 2 * HOUR), [], 'an old customer spending 80% of the limit is no fresh-account case');
  assert.ok(Math.abs(ageAt(e, 'STATED', 3 * DAY + HOUR) - 403) < 1, 'a stated openedAt wins (opened 400 days before DAY0)');
  assert.ok(Math.abs(ageAt(e, 'NEW', 3 * DAY + 2 * HOUR) - 2 / 24) < 1e-9, 'opened at its registration');
  assert.ok(fresh(e, 'NEW', 3 * DAY + 3 * HOUR).length > 0, 'a brand-new account draining its limit is');
  // an account that paid before it was registered was not opened by the registration
  e.apply(parseEvent(tx(4 * DAY, { accountId: 'PAID', amount: 1_000 })));
  e.apply(parseEvent(bare('PAID', 4 * DAY + HOUR)));
  assert.ok(Number.isNaN(ageAt(e, 'PAID', 4 * DAY + 2 * HOUR)));
  // a change of a loaded account later on is not an opening either
  e.apply(parseEvent(bare('OLD', 5 * DAY)));
  assert.ok(Number.isNaN(ageAt(e, 'OLD', 5 * DAY + HOUR)));
  // the stream's start survives a snapshot: a registration after it still opens, one in it would not
  const w = new SnapshotWriter();
  e.writeSnapshot(w);
  const r = new Engine(defaultPolicy());
  r.readSnapshot(new SnapshotReader(Buffer.concat(w.finish().parts)));
  r.apply(parseEvent(bare('LATER', 6 * DAY)));
  assert.ok(Math.abs(ageAt(r, 'LATER', 6 * DAY + 12 * HOUR) - 0.5) < 1e-9);
});

test('a replay that skips the stream\'s first events is told when it began (a backtest prelude), and judges registrations alike', () => {
  const told = new Engine(defaultPolicy());
  told.beginStream(DAY0ms(0));
  told.apply(parseEvent(bare('LATE', 2 * DAY)));
  assert.ok(Math.abs(ageAt(told, 'LATE', 2 * DAY + 12 * HOUR) - 0.5) < 1e-9, 'opened at its registration, as live judged it');
  const untold = new Engine(defaultPolicy());
  untold.apply(parseEvent(bare('LATE', 2 * DAY)));
  assert.ok(Number.isNaN(ageAt(untold, 'LATE', 2 * DAY + 12 * HOUR)), 'without it, the registration looks like the initial load');
  told.beginStream(DAY0ms(5 * DAY)); // no effect once the stream has begun
  told.apply(parseEvent(bare('LATER', 3 * DAY)));
  assert.ok(Math.abs(ageAt(told, 'LATER', 3 * DAY + 6 * HOUR) - 0.25) < 1e-9);
});
