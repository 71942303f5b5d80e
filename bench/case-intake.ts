/**
 * Case intake under a flood, in process: the main-thread CPU per flagged payment of writing its case
 * item, the way the journal feed writes them (background transactions of FLUSH_MAX = 500 requests
 * with the feed's checkpoint), per item (`openOrJoin` + a summary read + an audit entry per payment,
 * the intake before coalescing) against coalesced (`CaseService.openBatch`: one `openGroup` and one
 * audit entry per case per batch). Two floods on a fresh file each: 20,000 flagged payments of 50
 * accounts (an attack wave, a policy mistake) and 20,000 of 20,000 accounts (traffic for
 * unregistered accounts: nothing to coalesce). Rounds alternate; medians.
 *
 * usage: node dist/bench/case-intake.js [--payments 20000] [--rounds 5]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CaseService } from '../src/cases/service.js';
import type { OpenCaseRequest } from '../src/cases/types.js';
import { SqliteAuditLog } from '../src/store/sqlite/audit.js';
import { BUSY } from '../src/cases/store.js';
import { SqliteCaseStore } from '../src/store/sqlite/cases.js';
import { answerHelp, flag } from './util.js';

answerHelp('usage: node dist/bench/case-intake.js [--payments 20000] [--rounds 5]');

const PAYMENTS = Number(flag('payments') ?? 20_000);
const ROUNDS = Number(flag('rounds') ?? 5);
const BATCH = 500;

function requests(accounts: number): OpenCaseRequest[] {
  return Array.from({ length: PAYMENTS }, (_, i) => {
    const codes = ['NEW_ACCOUNT_UNKNOWN', 'AMOUNT_HIGH'];
    return {
      subjectKind: 'account', subjectId: `A${i % accounts}`, issue: 'review',
      source: { kind: 'decision', ref: `tx-${i}` }, txId: `tx-${i}`, risk: 40 + (i % 50), amount: 10_000 + i,
      note: `review: ${codes.join(', ')}`, actor: 'engine',
      detail: { outcome: 'review', score: 40 + (i % 50), reasons: codes, merchantId: 'M1', terminalId: 'T1', ts: '2026-11-26T12:00:00.000+08:00' },
    };
  });
}

function open(): { svc: CaseService; store: SqliteCaseStore; audit: SqliteAuditLog; db: BetterSqlite3.Database; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'flood-bench-'));
  const db = new BetterSqlite3(join(dir, 'fengkong.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const store = new SqliteCaseStore(db);
  const audit = new SqliteAuditLog(db);
  return { svc: new CaseService({ store, audit }), store, audit, db, dir };
}

/** The intake before: one openOrJoin (summary read included) and one audit entry per request. */
function perItem(o: ReturnType<typeof open>, reqs: readonly OpenCaseRequest[], seq: number): void {
  const r = o.store.background(() => {
    for (const req of reqs) {
      const x = o.store.openOrJoin(req, Date.now(), 5_000);
      const target = `cases/case-${x.n}`;
      if (x.created) o.audit.append({ actor: req.actor, action: 'case.open', target, before: null, after: { ...x.after, source: req.source } });
      else if (x.itemAdded) {
        o.audit.append({
          actor: req.actor, action: 'case.item', target,
          before: { risk: x.before?.risk, amount: x.before?.amount, items: x.before?.items },
          after: { risk: x.after.risk, amount: x.after.amount, items: x.after.items, source: req.source },
        });
      }
    }
    o.store.setFeedSeq(seq);
  });
  if (r === BUSY) throw new Error('busy');
}

function run(mode: 'per-item' | 'coalesced', accounts: number): { cpuUs: number; wallUs: number; cases: number; audit: number } {
  const o = open();
  const reqs = requests(accounts);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < reqs.length; i += BATCH) {
    const chunk = reqs.slice(i, i + BATCH);
    if (mode === 'per-item') perItem(o, chunk, i + BATCH);
    else if (o.svc.openBatch(chunk, i + BATCH) === null) throw new Error('busy');
  }
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const cases = (o.db.prepare('SELECT count(*) AS n FROM cases').get() as { n: number }).n;
  const items = (o.db.prepare('SELECT count(*) AS n, sum(amount) AS a FROM case_items').get() as { n: number; a: number });
  const audit = (o.db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n;
  if (items.n !== PAYMENTS) throw new Error(`${mode}: ${items.n} items for ${PAYMENTS} payments`);
  o.db.close();
  rmSync(o.dir, { recursive: true, force: true });
  return { cpuUs: ((c.user + c.system) / PAYMENTS), wallUs: (wall * 1000) / PAYMENTS, cases, audit };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const accounts of [50, PAYMENTS]) {
  const res: Record<string, { cpu: number[]; wall: number[]; cases: number; audit: number }> = {};
  run('per-item', accounts); // warm-up
  run('coalesced', accounts);
  for (let r = 0; r < ROUNDS; r++) {
    for (const mode of r % 2 === 0 ? (['per-item', 'coalesced'] as const) : (['coalesced', 'per-item'] as const)) {
      const x = run(mode, accounts);
      const e = (res[mode] ??= { cpu: [], wall: [], cases: x.cases, audit: x.audit });
      e.cpu.push(x.cpuUs);
      e.wall.push(x.wallUs);
    }
  }
  console.log(`${PAYMENTS} flagged payments of ${accounts} accounts, batches of ${BATCH}, ${ROUNDS} rounds:`);
  for (const [mode, e] of Object.entries(res)) {
    console.log(
      `  ${mode.padEnd(9)} main-thread CPU ${median(e.cpu).toFixed(2)} µs/payment (${e.cpu.map((x) => x.toFixed(1)).join(', ')}), ` +
        `wall ${median(e.wall).toFixed(2)} µs/payment; ${e.cases} cases, ${e.audit} audit entries`,
    );
  }
}
