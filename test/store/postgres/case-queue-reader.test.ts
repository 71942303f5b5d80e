// The risk report's case section read from a cluster's cases (PgCaseQueueReader) says what the data
// folder's reader says of the same cases: the same cases opened, moved and resolved through
// PgCaseStore and SqliteCaseStore give the same section (states, ages, issues, subjects, amount).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { OpenCaseRequest } from '../../../src/cases/types.js';
import { casesSection } from '../../../src/report/cases.js';
import { PgCaseQueueReader } from '../../../src/store/postgres/case-queue-reader.js';
import { PgCaseStore } from '../../../src/store/postgres/cases.js';
import { SqliteCaseQueueReader } from '../../../src/store/sqlite/case-queue.js';
import { SqliteCaseStore } from '../../../src/store/sqlite/cases.js';
import { testPostgres } from './harness.js';

const DAY = 86_400_000;
const NOW = 1_790_000_000_000;
const MAX = 5_000;

const req = (kind: OpenCaseRequest['subjectKind'], subjectId: string, issue: string, amount: number): OpenCaseRequest => ({
  subjectKind: kind, subjectId, issue, source: { kind: 'decision', ref: `tx-${subjectId}-${issue}` }, txId: `tx-${subjectId}-${issue}`,
  risk: 40, amount, actor: 'engine',
});

/** Opened at NOW − days; the third is investigated, the last resolved. */
const OPENED: readonly [OpenCaseRequest, number][] = [
  [req('account', 'A1', 'review', 10_000), 0.5],
  [req('account', 'A2', 'review', 20_000), 2],
  [req('merchant', 'M1', 'detector:cashout', 300_000), 10],
  [req('terminal', 'T1', 'detector:code_jumping', 7_000), 40],
  [req('account', 'A3', 'review', 1_000), 5],
];

test('PgCaseQueueReader: the report says of a cluster\'s cases what it says of the same cases in a data folder', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fk-pgqueue-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = new BetterSqlite3(':memory:');
  t.after(() => db.close());
  const lite = new SqliteCaseStore(db);
  const { open } = await testPostgres(t);
  const pg = await open();
  const pgc = await PgCaseStore.open(pg, { masterKeyFile: join(dir, 'master.key') });

  for (const [r, days] of OPENED) {
    lite.transaction(() => lite.openOrJoin(r, NOW - days * DAY, MAX));
    await pgc.transaction(() => pgc.openOrJoin(r, NOW - days * DAY, MAX));
  }
  lite.transaction(() => lite.setStatus(3, 'investigating', NOW));
  await pgc.transaction(() => pgc.setStatus(3, 'investigating', NOW));
  lite.transaction(() => lite.resolve(5, 'fraud', null, 'analyst', NOW));
  await pgc.transaction(() => pgc.resolve(5, 'fraud', null, 'analyst', NOW));

  const want = casesSection(new SqliteCaseQueueReader(db).readCaseQueue(), NOW);
  const got = casesSection(await new PgCaseQueueReader(pg).readCaseQueue(), NOW);
  assert.deepEqual(got, want);
  assert.ok(want.available && want.total === 5 && want.open === 4 && want.openAmount === 337_000, JSON.stringify(want));

  // a schema without the table (never migrated) is a note, not a failure
  const bare = await open(`${pg.cluster}_bare`);
  const none = await new PgCaseQueueReader(bare).readCaseQueue();
  assert.equal(none.available, false);
  assert.match(none.available ? '' : none.note, /could not be read/);
});
