// The PostgreSQL account store: the shared AccountStore contract (the audit log joining its
// transactions; payments put in the journal projection as the projector will write them) on a fresh
// database per test, then what is the cluster's own: reasons, appeal texts and events sealed in the
// raw rows, history the database refuses to rewrite, and two nodes writing at once: action ids
// unique and gap-free, each with its audit record, and an appeal id taken by one node only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccountActionRecord, AppealRecord } from '../../../src/accounts/types.js';
import type { AuditRecord } from '../../../src/audit/log.js';
import { StoreError } from '../../../src/errors.js';
import type { JournalEntry } from '../../../src/log/journal.js';
import { PgAccountStore } from '../../../src/store/postgres/accounts.js';
import { PgAuditLog } from '../../../src/store/postgres/audit.js';
import { PgCrypt } from '../../../src/store/postgres/crypt.js';
import type { PgCluster } from '../../../src/store/postgres/pool.js';
import { accountActionsContract, payment, type AccountsUnderTest, type JournalFeed } from '../contract/account-actions.js';
import { pgHarness, quietly } from './contract-harness.js';
import { testPostgres } from './harness.js';

/** Writes entries into partition 0 of the journal projection, events sealed: what the projector will write. */
function projection(pg: PgCluster, crypt: PgCrypt): JournalFeed {
  return {
    append: async (batch: readonly JournalEntry[]) => {
      for (const e of batch) {
        await pg.pool.query('INSERT INTO journal (partition, seq, tx_id, type, event, decision, received_at) VALUES (0, $1, $2, $3, $4, $5, $6)', [
          e.seq, e.txId, e.type, crypt.sealText(e.event), e.decision, e.receivedAt,
        ]);
      }
    },
  };
}

accountActionsContract('PgAccountStore', pgHarness<AccountsUnderTest>(async ({ pg, masterKeyFile }) => {
  const crypt = await PgCrypt.open(pg, { masterKeyFile });
  return { port: { accounts: await PgAccountStore.open(pg, { crypt }), audit: new PgAuditLog(pg, crypt), journal: projection(pg, crypt) } };
}));

const T = 1_700_000_000_000;
const action = (accountId: string, reason: string): Omit<AccountActionRecord, 'id'> => ({
  accountId, action: 'freeze', reason, author: 'key_admin', at: T, expiresAt: null, limit: null, journalSeq: 1,
});
const appeal = (id: number, text: string): AppealRecord => ({ id, accountId: 'A1', txId: null, text, author: 'key_support', at: T, caseId: null });
const record = (what: string) => (stored: { id: number }): AuditRecord => ({ actor: 'key_admin', action: what, target: `accounts/A1/${stored.id}`, after: stored });

function masterKey(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'fk-pgacc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'master.key');
}

test('PgAccountStore: reasons, appeal texts and journaled events are sealed in the raw rows; the history cannot be rewritten', async (t) => {
  const { open } = await testPostgres(t);
  const p = await open();
  const key = masterKey(t);
  const crypt = await quietly(() => PgCrypt.open(p, { masterKeyFile: key }));
  const s = await PgAccountStore.open(p, { crypt });
  const audit = new PgAuditLog(p, crypt);
  const append = async (r: AuditRecord): Promise<void> => void (await audit.append(r));
  await s.addAction(action('A1', 'REASON-SECRET Zhang Wei reported a mule'), record('account.freeze'), append);
  await s.addAppeal(appeal(1, 'APPEAL-SECRET call me on 13800138000'), record('account.appeal'), append);
  await projection(p, crypt).append([payment(2, 'ACCOUNT-SECRET-9')]);
  const raw = JSON.stringify([
    (await p.pool.query('SELECT * FROM account_actions')).rows, (await p.pool.query('SELECT * FROM account_appeals')).rows, (await p.pool.query('SELECT * FROM journal')).rows,
  ]);
  for (const secret of ['REASON-SECRET', 'Zhang', 'APPEAL-SECRET', '13800138000', 'ACCOUNT-SECRET']) assert.ok(!raw.includes(secret), `no ${secret} in the raw rows`);
  assert.equal((await s.actionsOf('A1', 1))[0].reason, 'REASON-SECRET Zhang Wei reported a mule');
  assert.equal((await s.appealsOf('A1', 1))[0].text, 'APPEAL-SECRET call me on 13800138000');
  assert.match((await s.payments([2]))[0].event, /ACCOUNT-SECRET-9/);
  for (const sql of ["UPDATE account_actions SET reason = 'x'", 'DELETE FROM account_actions', 'TRUNCATE account_appeals', "UPDATE account_appeals SET text = 'x'"]) {
    await assert.rejects(p.pool.query(sql), /append-only/, sql);
  }
});

test('PgAccountStore: two nodes writing at once: action ids 1…n each with its audit record; an appeal id is taken by one node only', async (t) => {
  const { open } = await testPostgres(t);
  const key = masterKey(t);
  const [p1, p2] = await Promise.all([open(), open()]);
  const nodes = await quietly(() => Promise.all([p1, p2].map(async (p) => {
    const crypt = await PgCrypt.open(p, { masterKeyFile: key });
    const audit = new PgAuditLog(p, crypt);
    return { s: await PgAccountStore.open(p, { crypt }), audit, append: async (r: AuditRecord): Promise<void> => void (await audit.append(r)) };
  })));
  const stored = await Promise.all(Array.from({ length: 20 }, (_, i) => {
    const n = nodes[i % 2];
    return n.s.addAction(action(`A${i}`, `r${i}`), record('account.freeze'), n.append);
  }));
  assert.deepEqual(stored.map((a) => a.id).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1));
  const log = await nodes[1].audit.list({ action: 'account.freeze', limit: 100 });
  assert.deepEqual(log.map((e) => (e.after as AccountActionRecord).id).sort((a, b) => a - b), stored.map((a) => a.id).sort((a, b) => a - b), 'each action audited with its own id');
  const id = await nodes[0].s.nextAppealId();
  assert.equal(id, await nodes[1].s.nextAppealId());
  const both = await Promise.allSettled(nodes.map((n, i) => n.s.addAppeal(appeal(id, `from node ${i}`), record('account.appeal'), n.append)));
  assert.equal(both.filter((r) => r.status === 'fulfilled').length, 1, 'the id is taken once');
  const refused = both.find((r) => r.status === 'rejected');
  assert.ok(refused?.status === 'rejected' && refused.reason instanceof StoreError, 'refused as a StoreError, as in SQLite');
  const kept = await nodes[0].s.appealsOf('A1', 10);
  assert.equal(kept.length, 1);
  assert.equal((await nodes[0].audit.list({ action: 'account.appeal' })).length, 1, 'the refused appeal left no audit record');
  assert.equal(await nodes[1].s.nextAppealId(), id + 1);
});
