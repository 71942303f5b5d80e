// The PostgreSQL projection of the journal: idempotent batches, decisions found by id with the event
// opened, the event sealed in the raw column, and a contradiction (another entry at a projected
// position, or one tx id at two positions) refused instead of silently kept.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { StoreError } from '../../../src/errors.js';
import type { JournalEntry } from '../../../src/log/journal.js';
import { PgCrypt } from '../../../src/store/postgres/crypt.js';
import { PgJournalProjection } from '../../../src/store/postgres/journal-projection.js';
import { entries } from '../nats/harness.js';
import { quietly } from './contract-harness.js';
import { testPostgres } from './harness.js';

async function projection(t: TestContext): Promise<{ proj: PgJournalProjection; raw: (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]> }> {
  const { open } = await testPostgres(t);
  const dir = mkdtempSync(join(tmpdir(), 'fk-pgjournal-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pg = await open();
  const crypt = await quietly(() => PgCrypt.open(pg, { masterKeyFile: join(dir, 'master.key') }));
  return { proj: await PgJournalProjection.open(pg, crypt), raw: async (sql, params = []) => (await pg.pool.query(sql, params)).rows };
}

test('project: a batch is stored once; the same batch again adds nothing and counts duplicates', async (t) => {
  const { proj } = await projection(t);
  const batch = entries(1, 30);
  assert.deepEqual(await proj.project(0, batch), { inserted: 30, duplicates: 0 });
  assert.deepEqual(await proj.project(0, batch.slice(10, 20)), { inserted: 0, duplicates: 10 });
  const other = entries(1, 3).map((e) => ({ ...e, txId: e.txId === null ? null : `p1-${e.txId}` }));
  assert.deepEqual(await proj.projectMany([{ partition: 0, entries: entries(25, 10) }, { partition: 1, entries: other }]), { inserted: 7, duplicates: 6 });
  assert.equal(await proj.lastSeq(0), 34);
  assert.equal(await proj.count(0), 34);
  assert.equal(await proj.lastSeq(1), 3);
  assert.equal(await proj.lastSeq(7), 0);
  assert.deepEqual(await proj.project(2, []), { inserted: 0, duplicates: 0 });
});

test('decision: byte-identical decision text and the event opened; non-transactions and unknown ids are undefined', async (t) => {
  const { proj, raw } = await projection(t);
  const batch = entries(1, 10);
  await proj.project(3, batch);
  for (const e of batch) {
    const d = await proj.decision(e.txId ?? 'none');
    if (e.txId === null) {
      assert.equal(d, undefined);
      continue;
    }
    assert.deepEqual(d, { seq: e.seq, txId: e.txId, event: e.event, decision: e.decision });
  }
  assert.equal(await proj.decision('tx-404'), undefined);
  // the stored event is sealed: no device id, no clear JSON
  const rows = await raw("SELECT event, convert_to(event, 'UTF8') AS bytes FROM journal");
  assert.equal(rows.length, 10);
  for (const r of rows) {
    assert.equal((r.bytes as Buffer).includes(Buffer.from('secret')), false);
    assert.equal((r.event as string).includes('accountId'), false);
  }
});

test('a different entry at a projected position, or one tx id at two positions, is a StoreError and stores nothing', async (t) => {
  const { proj } = await projection(t);
  await proj.project(0, entries(1, 5));
  const changed: JournalEntry = { ...entries(2, 1)[0], decision: '{"outcome":"decline"}' };
  await assert.rejects(proj.project(0, [...entries(6, 2), changed]), (e: Error) => e instanceof StoreError && /seq 2 is already projected with another entry/.test(e.message));
  assert.equal(await proj.lastSeq(0), 5, 'the batch rolled back whole');
  const again: JournalEntry = { ...entries(9, 1)[0], txId: 'tx-1' };
  await assert.rejects(proj.project(4, [again]), (e: Error) => e instanceof StoreError && /"tx-1" at partition 4 seq 9 is already projected at partition 0 seq 1/.test(e.message));
  assert.equal(await proj.count(4), 0);
});
