// `fengkong report`, `fengkong backtest` and `fengkong rules performance` on a cluster's history (--postgres) against the same
// history in a data folder (--data). A simulated world is decided by an embedded server (a real
// journal with real answers), then every entry of its journal is projected into a fresh PostgreSQL
// database with PgJournalProjection (sealed with the cluster's data keys, as a node's projector
// writes it). Both commands must then say the same on either, timing aside. The reader under them
// must pass over a cluster's control entries (not contract events, but holding seqs), refuse a hole
// and a second partition.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { EventType } from '../../src/contract/events.js';
import { BUILTINS } from '../../src/features/catalog.js';
import type { JournalEntry } from '../../src/log/journal.js';
import { runBacktest, runBacktestFrom } from '../../src/policy/backtest.js';
import { runRiskReport, runRiskReportFrom } from '../../src/report/risk-report.js';
import { loadPolicyDir } from '../../src/rules/load.js';
import { PgCaseQueueReader } from '../../src/store/postgres/case-queue-reader.js';
import { PgCrypt } from '../../src/store/postgres/crypt.js';
import { PgJournalProjection } from '../../src/store/postgres/journal-projection.js';
import { PgJournalSource } from '../../src/store/postgres/journal-source.js';
import { openPgCluster, type PgCluster } from '../../src/store/postgres/pool.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { freshPostgres, type FreshPostgres } from '../helpers/services.js';
import { cli, comparable, DAY, draftDir, range, theWorld, type World } from './history-world.js';

/** A fresh database with a master key file, its pool and projection; removed when `t` ends. */
async function cluster(t: TestContext, w: World): Promise<{ db: FreshPostgres; keyFile: string; pg: PgCluster; crypt: PgCrypt; projection: PgJournalProjection }> {
  const db = await freshPostgres();
  const keyFile = join(w.dir, `${db.cluster}.key`);
  const pg = await openPgCluster(db.url, db.cluster, { max: 3 });
  t.after(async () => {
    await pg.close();
    await db.drop();
  });
  const crypt = await PgCrypt.open(pg, { masterKeyFile: keyFile });
  const projection = await PgJournalProjection.open(pg, crypt);
  return { db, keyFile, pg, crypt, projection };
}

async function project(projection: PgJournalProjection, entries: readonly JournalEntry[], partition = 0): Promise<void> {
  for (let i = 0; i < entries.length; i += 500) await projection.project(partition, entries.slice(i, i + 500));
}

/** A cluster's internal entry: not a contract event, but it holds its seq. */
function control(seq: number): JournalEntry {
  return { seq, type: 'control' as unknown as EventType, txId: null, event: '{"type":"control","policy":"v2"}', decision: null, receivedAt: 1 };
}

/** `entries` with control entries after the ones at the given indexes (and at the end), seqs renumbered. */
function withControls(entries: readonly JournalEntry[], after: readonly number[]): JournalEntry[] {
  const out: JournalEntry[] = [];
  const at = new Set(after);
  for (let i = 0; i < entries.length; i++) {
    out.push({ ...entries[i], seq: out.length + 1 });
    if (at.has(i)) out.push(control(out.length + 1));
  }
  out.push(control(out.length + 1));
  return out;
}

test('fengkong report, rules performance and backtest on a cluster equal the same history in a data folder', { timeout: 240_000 }, async (t) => {
  const w = await theWorld();
  const c = await cluster(t, w);
  await project(c.projection, w.entries);
  const { from, to } = range(w);
  const clusterFlags = ['--postgres', c.db.url, '--cluster', c.db.cluster, '--master-key-file', c.keyFile];

  const onData = cli(['report', '--data', w.data, '--from', String(from), '--to', String(to), '--format', 'json', '--out', '-', '--quiet']);
  assert.equal(onData.status, 0, onData.stderr);
  const onCluster = cli(['report', ...clusterFlags, '--from', String(from), '--to', String(to), '--format', 'json', '--out', '-', '--quiet']);
  assert.equal(onCluster.status, 0, onCluster.stderr);
  const a = JSON.parse(onData.stdout) as Record<string, unknown> & { totals: { payments: number; fraud: { total: number } }; cases: unknown };
  const b = JSON.parse(onCluster.stdout) as Record<string, unknown> & { cases: { available: boolean; total?: number } };
  assert.ok(a.totals.payments > 100, `the range holds payments (${a.totals.payments})`);
  // the data folder's server opened cases (its detectors); the cluster's case store is empty: compared apart
  assert.equal(b.cases.available, true);
  assert.equal(b.cases.total, 0);
  assert.deepEqual(comparable({ ...b, cases: null }), comparable({ ...a, cases: null }));

  // the cluster flags from the environment, as `fengkong serve` reads them
  const fromEnv = cli(['report', '--from', String(from), '--to', String(to), '--format', 'json', '--out', '-', '--quiet'], {
    FENGKONG_POSTGRES_URL: c.db.url,
    FENGKONG_CLUSTER: c.db.cluster,
    FENGKONG_MASTER_KEY_FILE: c.keyFile,
  });
  assert.equal(fromEnv.status, 0, fromEnv.stderr);
  assert.deepEqual(comparable(JSON.parse(fromEnv.stdout)), comparable(b));

  // rule performance reads the same way
  const rpData = cli(['rules', 'performance', '--data', w.data, '--from', String(from), '--to', String(to), '--json', '--quiet']);
  const rpCluster = cli(['rules', 'performance', ...clusterFlags, '--from', String(from), '--to', String(to), '--json', '--quiet']);
  assert.equal(rpData.status, 0, rpData.stderr);
  assert.equal(rpCluster.status, 0, rpCluster.stderr);
  const rp = JSON.parse(rpData.stdout) as { rules: unknown[] };
  assert.ok(rp.rules.length > 3, 'reason codes reported');
  assert.deepEqual(comparable(JSON.parse(rpCluster.stdout)), comparable(rp));

  const draft = draftDir(w);
  const btData = cli(['backtest', '--data', w.data, '--policy', draft, '--from', String(from), '--to', String(to), '--out', '-', '--quiet']);
  assert.equal(btData.status, 0, btData.stderr);
  const btCluster = cli(['backtest', ...clusterFlags, '--policy', draft, '--from', String(from), '--to', String(to), '--out', '-', '--quiet']);
  assert.equal(btCluster.status, 0, btCluster.stderr);
  const x = JSON.parse(btData.stdout) as { run: { transactions: number; actionsApplied: number }; changed: { total: number } };
  assert.ok(x.run.transactions > 100, `payments compared (${x.run.transactions})`);
  assert.ok(x.changed.total > 0, 'the draft changes some decisions');
  assert.equal(x.run.actionsApplied, 0, 'no actions in the data folder either, so the two runs are comparable');
  assert.deepEqual(comparable(JSON.parse(btCluster.stdout)), comparable(x));
});

test('control entries are passed over, pages of any size read the same, holes and other partitions are refused', { timeout: 240_000 }, async (t) => {
  const w = await theWorld();
  const c = await cluster(t, w);
  const n = w.entries.length;
  const mixed = withControls(w.entries, [0, 1, Math.floor(n / 3), Math.floor(n / 2), n - 2]);
  await project(c.projection, mixed);
  const { from, to } = range(w);
  const store = new SqliteStore(w.data, { readonly: true });
  t.after(() => store.close());
  const draft = loadPolicyDir(draftDir(w), BUILTINS);

  const want = runRiskReport({ journal: store, from, to, now: 1 });
  const wantBt = runBacktest({ journal: store, draft, from, to });
  assert.ok(want.totals.payments > 100 && wantBt.run.transactions > 100 && wantBt.changed.total > 0, 'the range is not empty');
  for (const maxPage of [7, 4096]) {
    const source = await PgJournalSource.open(c.pg, c.crypt, { maxPage });
    const got = await runRiskReportFrom(source, { from, to, now: 1 });
    assert.deepEqual(comparable(got, true), comparable(want, true), `report, pages of ${maxPage}`);
    assert.equal(got.run.lastSeq, mixed.length, 'the control entries hold seqs');
    const bt = await runBacktestFrom(source, { draft, from, to });
    assert.deepEqual(comparable(bt, true), comparable(wantBt, true), `backtest, pages of ${maxPage}`);
  }

  // the whole backtest (no range: from the very first entry, a control entry's neighbour)
  const all = await runBacktestFrom(await PgJournalSource.open(c.pg, c.crypt, { maxPage: 50 }), { draft });
  assert.deepEqual(comparable(all, true), comparable(runBacktest({ journal: store, draft }), true));

  // the case queue of the cluster reads through its port
  const cases = await new PgCaseQueueReader(c.pg).readCaseQueue();
  assert.deepEqual(cases, { available: true, cases: [], keeps: { issue: true, subjectKind: true, amount: true } });

  // a hole (a row missing below one that is there) is refused, naming the seq
  const missing = Math.floor(mixed.length / 2);
  await c.pg.pool.query('DELETE FROM journal WHERE partition = 0 AND seq = $1', [missing]);
  const holed = await PgJournalSource.open(c.pg, c.crypt, { maxPage: 64 });
  await assert.rejects(runRiskReportFrom(holed, { from: w.firstT - DAY, to: w.lastT + DAY }), new RegExp(`no entry at seq ${missing} but has seq ${missing + 1}`));
  await assert.rejects(runBacktestFrom(holed, { draft }), new RegExp(`no entry at seq ${missing}`));

  // a second partition: refused when opened, not read in a wrong order
  await c.projection.project(3, [{ ...w.entries[0], seq: 1, txId: null }]);
  await assert.rejects(PgJournalSource.open(c.pg, c.crypt), /has journal entries of partition 3: .* merged by event time/);
});

test('report, backtest and rules performance: cluster flags that do not fit are refused naming them; --help answers', () => {
  const cases: Array<[readonly string[], RegExp]> = [
    [['report', '--data', '/tmp/x', '--postgres', 'postgres://127.0.0.1/x', '--from', '2026-11-01', '--to', '2026-11-02'], /--data and --postgres name two different journals/],
    [['report', '--cluster', 'prod', '--data', '/tmp/x', '--from', '2026-11-01', '--to', '2026-11-02'], /--cluster is for a cluster's history: give --postgres URL too/],
    [['report', '--from', '2026-11-01', '--to', '2026-11-02'], /give --data DIR \(a data folder\) or --postgres URL/],
    [['backtest', '--data', '/tmp/x', '--postgres', 'postgres://127.0.0.1/x', '--policy', 'rules'], /--data and --postgres name two different journals/],
    [['backtest', '--master-key-file', 'k', '--data', '/tmp/x', '--policy', 'rules'], /--master-key-file is for a cluster's history/],
    [['backtest', '--postgres', 'postgres://127.0.0.1/x'], /give --policy DIR/],
    [['rules', 'performance', '--data', '/tmp/x', '--postgres', 'postgres://127.0.0.1/x'], /--data and --postgres name two different journals/],
    [['rules', 'performance', '--cluster', 'prod'], /--cluster is for a cluster's history/],
    [['backtest', '--postgres', 'postgres://127.0.0.1/x', '--policy', 'rules', '--partitions', '2'], /--partitions/],
  ];
  for (const [args, want] of cases) {
    const r = cli(args, { FENGKONG_POSTGRES_URL: '' });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, want, args.join(' '));
  }
  for (const cmd of ['report', 'backtest']) {
    const help = cli([cmd, '--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, new RegExp(`fengkong ${cmd} --postgres URL \\[--cluster fengkong\\] \\[--master-key-file FILE\\]`));
  }
});

test('a cluster with no schema is refused and nothing is created; one with an empty projection is "nothing there"', { timeout: 60_000 }, async (t) => {
  const w = await theWorld();
  const db = await freshPostgres();
  t.after(() => db.drop());
  const keyFile = join(w.dir, `${db.cluster}-empty.key`);
  const where = ['--postgres', db.url, '--cluster', db.cluster, '--master-key-file', keyFile];
  const missing = cli(['report', ...where, '--from', '2026-11-01', '--to', '2026-11-02']);
  assert.equal(missing.status, 2, missing.stderr);
  assert.match(missing.stderr, new RegExp(`there is no cluster ${db.cluster} on PostgreSQL at .* \\(no schema fk_${db.cluster}\\): check --cluster and --postgres`));
  const pg = await openPgCluster(db.url, 'probe', { max: 1 });
  try {
    const schemas = await pg.pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [`fk_${db.cluster}`]);
    assert.equal(schemas.rowCount, 0, 'the report created no schema');
  } finally {
    await pg.close();
  }
  // a cluster that exists (an API key made) but whose projection is empty
  const key = cli(['keys', 'create', '--role', 'admin', '--name', 'x', ...where]);
  assert.equal(key.status, 0, key.stderr);
  for (const args of [['backtest', ...where, '--policy', draftDir(w)], ['rules', 'performance', ...where]]) {
    const r = cli(args);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /has no journal entries in PostgreSQL \(is --cluster right, and has a node's projector run\?\)/, args[0]);
  }
});

test('entries sealed with a data key rotated in by another process after the reader opened are read (the keys are looked up again)', { timeout: 60_000 }, async (t) => {
  const w = await theWorld();
  const c = await cluster(t, w);
  const half = Math.floor(w.entries.length / 2);
  await project(c.projection, w.entries.slice(0, half));
  const source = await PgJournalSource.open(c.pg, c.crypt, { maxPage: 100 });
  // another node rotates the data key and projects the rest with it
  const other = await openPgCluster(c.db.url, c.db.cluster, { max: 1 });
  try {
    const crypt = await PgCrypt.open(other, { masterKeyFile: c.keyFile });
    await crypt.rotate();
    await project(new PgJournalProjection(other, crypt), w.entries.slice(half));
  } finally {
    await other.close();
  }
  const seen: JournalEntry[] = [];
  for await (const page of source.pages({ whole: true })) seen.push(...page);
  assert.equal(seen.length, w.entries.length);
  assert.deepEqual(seen[seen.length - 1], w.entries[w.entries.length - 1], 'the last entry, sealed with the new key, opened as it was journaled');
});

test('a page that fails while the consumer is busy with the one before is an error where it is read, not an unhandled rejection', { timeout: 60_000 }, async (t) => {
  const w = await theWorld();
  const c = await cluster(t, w);
  await project(c.projection, w.entries);
  const source = await PgJournalSource.open(c.pg, c.crypt, { maxPage: 100 });
  let pages = 0;
  await assert.rejects(
    (async () => {
      for await (const _ of source.pages({ whole: true })) {
        if (++pages === 1) await c.pg.pool.query('ALTER TABLE journal RENAME TO journal_gone');
        await new Promise((r) => setTimeout(r, 150)); // busy: the next page's query fails meanwhile
      }
    })(),
    /cannot read the projected journal .*journal" does not exist/,
  );
  assert.ok(pages >= 1 && pages <= 3, `stopped at the failing page (${pages} read)`);
  await c.pg.pool.query('ALTER TABLE journal_gone RENAME TO journal');
});
