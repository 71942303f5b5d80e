// Account actions on a cluster (issue 14, "side inputs become journal entries"): an account frozen
// through the follower is placed by the owner in the journal, declines the account's next payment on
// the owner, survives a kill -9 of the owner (the survivor's replica applied the entry), and is lifted
// through the survivor; the views and the audit trail read the cluster's shared history.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { call } from '../../server/helpers.js';
import { BIN, ownerAndFollower, roleOf, simulatedWorld, startNode, testCluster, until, type Node } from './nodes.js';

interface Answer {
  readonly outcome: string;
  readonly reasons: readonly { code: string }[];
  readonly seq: number;
}

test('an account action recorded on any node takes effect on every node from one journal position', { timeout: 240_000 }, async (t) => {
  const c = await testCluster(t, 1500);
  const { a, b } = await ownerAndFollower(t, c);

  const { lines } = simulatedWorld(c, 13, 40, 2);
  for (let i = 0; i < lines.length; i++) {
    const ev = JSON.parse(lines[i]) as { type: string };
    const r = await call((i % 2 === 0 ? a : b).url, ev.type === 'transaction' ? '/v1/decisions' : '/v1/events', { key: c.key, body: lines[i] });
    assert.ok(r.status === 200 || r.status === 202, `event ${i + 1}: ${r.status} ${r.text}`);
  }
  // a small payment of an account the stream knows, later than anything fed: approved before the freeze
  const last = JSON.parse([...lines].reverse().find((l) => l.includes('"type":"transaction"'))!) as Record<string, unknown> & { accountId: string; ts: string };
  const account = last.accountId;
  let n = 0;
  const pay = async (node: Node): Promise<Answer> => {
    n++;
    const ts = new Date(Date.parse(last.ts) + n * 3_600_000).toISOString();
    const r = await call(node.url, '/v1/decisions', { key: c.key, body: { ...last, id: `acct-probe-${n}`, ts, amount: 100 } });
    assert.equal(r.status, 200, r.text);
    return r.json as Answer;
  };
  const frozen = (x: Answer): boolean => x.reasons.some((r) => r.code === 'ACCOUNT_FROZEN');
  assert.equal(frozen(await pay(a)), false, 'not frozen before the action');

  // frozen through the follower: recorded there, placed by the owner, effective when answered
  const act = await call(b.url, `/v1/accounts/${encodeURIComponent(account)}/actions`, { key: c.key, body: { action: 'freeze', reason: 'card reported stolen' } });
  assert.equal(act.status, 201, act.text);
  assert.equal((act.json as { effective: boolean }).effective, true, act.text);
  const onOwner = await pay(a);
  assert.equal(onOwner.outcome, 'decline');
  assert.ok(frozen(onOwner), JSON.stringify(onOwner));
  const onFollower = await pay(b);
  assert.ok(frozen(onFollower), `forwarded to the owner: ${JSON.stringify(onFollower)}`);

  // both nodes' views read the shared history
  for (const node of [a, b]) {
    const v = (await call(node.url, `/v1/accounts/${encodeURIComponent(account)}`, { key: c.key })).json as { status: string; actions: { action: string }[] };
    assert.equal(v.status, 'frozen', `view on ${node.id}`);
    assert.deepEqual(v.actions.map((x) => x.action), ['freeze']);
  }
  const cv = (await call(b.url, `/v1/accounts/${encodeURIComponent(account)}/customer-view`, { key: c.key })).json as { status: string; transactions: { txId: string; outcome: string }[] };
  assert.equal(cv.status, 'frozen');
  // the payments the views list come from the projection, newest first, with the outcome answered
  await until('the account view listing the declined payment', async () => {
    const v = (await call(a.url, `/v1/accounts/${encodeURIComponent(account)}`, { key: c.key })).json as { recentPayments: { txId: string; outcome: string }[] };
    return v.recentPayments[0]?.txId === 'acct-probe-3' && v.recentPayments[0].outcome === 'decline' && v.recentPayments.some((p) => p.txId === 'acct-probe-1' && p.outcome !== 'decline');
  });

  // the owner dies: the survivor's replica applied the input entry, so the freeze holds there
  a.proc.kill('SIGKILL');
  await a.exited;
  await until('node B owning the partition', async () => (await roleOf(b, c.key)) === 'owning', 30_000);
  assert.ok(frozen(await pay(b)), 'still frozen after the takeover');

  // lifting what is not in force is refused; unfreezing through the survivor takes effect at once
  const lift = await call(b.url, `/v1/accounts/${encodeURIComponent(account)}/actions`, { key: c.key, body: { action: 'lift_step_up', reason: 'x' } });
  assert.equal(lift.status, 409, lift.text);
  const un = await call(b.url, `/v1/accounts/${encodeURIComponent(account)}/actions`, { key: c.key, body: { action: 'unfreeze', reason: 'customer verified' } });
  assert.equal(un.status, 201, un.text);
  assert.equal(frozen(await pay(b)), false, 'unfrozen');

  // a node started now builds its replica from the journal: it knows neither more nor less
  const a2 = await startNode(t, c, 'A2');
  await until('node A2 following', async () => (await roleOf(a2, c.key)) === 'following');
  assert.equal(frozen(await pay(a2)), false);
  const audit = ((await call(a2.url, `/v1/audit?target=${encodeURIComponent(`accounts/${account}`)}`, { key: c.key })).json as { entries: { action: string }[] }).entries;
  assert.deepEqual(audit.map((e) => e.action).sort(), ['account.freeze', 'account.unfreeze'], 'each action audited once');

  // a backtest of the live policy over the cluster's history applies the actions where the journal
  // placed them: the frozen payments are declined by the draft too, so nothing changes
  const backtestLive = async (): Promise<{ run: { transactions: number; actionsApplied: number }; changed: { total: number } }> => {
    const payments = lines.filter((l) => l.includes('"type":"transaction"')).length + n;
    let report: { run: { transactions: number; actionsApplied: number }; changed: { total: number } } | null = null;
    await until('the projection holding every payment', () => {
      const out = execFileSync(process.execPath, [BIN, 'backtest', '--postgres', c.postgres, '--cluster', c.cluster, '--master-key-file', c.masterKeyFile, '--policy', join(process.cwd(), 'rules'), '--out', '-', '--quiet'], { encoding: 'utf8' });
      report = JSON.parse(out) as NonNullable<typeof report>;
      return report.run.transactions === payments;
    });
    return report!;
  };
  const accountsOnly = await backtestLive();
  assert.equal(accountsOnly.run.actionsApplied, 2, 'the freeze and the unfreeze');
  assert.equal(accountsOnly.changed.total, 0, `the live policy as the draft changes nothing once the actions are applied: ${JSON.stringify(accountsOnly.changed)}`);

  // merchant actions the same way: a terminal suspended through the follower, released through the owner
  const merchant = String(last.merchantId);
  const terminal = String(last.terminalId);
  const reasons = (x: Answer): string[] => x.reasons.map((r) => r.code);
  const suspend = await call(a2.url, `/v1/merchants/${encodeURIComponent(merchant)}/actions`, { key: c.key, body: { action: 'suspend_terminal', terminalId: terminal, reason: 'skimmer found' } });
  assert.equal(suspend.status, 201, suspend.text);
  assert.equal((suspend.json as { effective: boolean }).effective, true, suspend.text);
  for (const node of [b, a2]) {
    const x = await pay(node);
    assert.equal(x.outcome, 'decline', `suspended terminal, paid through ${node.id}: ${JSON.stringify(x)}`);
    assert.ok(reasons(x).includes('TERMINAL_SUSPENDED'), JSON.stringify(x));
  }
  const again = await call(b.url, `/v1/merchants/${encodeURIComponent(merchant)}/actions`, { key: c.key, body: { action: 'suspend_terminal', terminalId: terminal, reason: 'twice' } });
  assert.equal(again.status, 409, `a suspension in force already: ${again.text}`);
  const release = await call(b.url, `/v1/merchants/${encodeURIComponent(merchant)}/actions`, { key: c.key, body: { action: 'release_terminal', terminalId: terminal, reason: 'terminal replaced' } });
  assert.equal(release.status, 201, release.text);
  assert.ok(!reasons(await pay(a2)).includes('TERMINAL_SUSPENDED'), 'released');
  const hold = await call(a2.url, `/v1/merchants/${encodeURIComponent(merchant)}/actions`, { key: c.key, body: { action: 'hold_settlement', reason: 'refund pattern' } });
  assert.equal(hold.status, 201, hold.text);
  assert.ok(reasons(await pay(b)).includes('MERCHANT_SETTLEMENT_HELD'), 'held');
  const view = (await call(a2.url, `/v1/merchants/${encodeURIComponent(merchant)}`, { key: c.key })).json as { actions: { action: string; status: string }[]; paymentPlaces: { paymentsRead: number } };
  assert.ok(view.paymentPlaces.paymentsRead > 0, `payment places read from the projection: ${JSON.stringify(view.paymentPlaces)}`);
  assert.deepEqual(view.actions.map((x) => `${x.action}:${x.status}`), ['hold_settlement:active'], JSON.stringify(view.actions));
  const history = ((await call(b.url, `/v1/merchants/${encodeURIComponent(merchant)}/actions`, { key: c.key })).json as { actions: { action: string; status: string }[] }).actions;
  assert.deepEqual(history.map((x) => `${x.action}:${x.status}`), ['hold_settlement:active', 'suspend_terminal:released']);

  // and a backtest applies the merchant actions where they were placed too
  const all = await backtestLive();
  assert.equal(all.run.actionsApplied, 5, 'freeze, unfreeze, suspension, its release, the hold');
  assert.equal(all.changed.total, 0, JSON.stringify(all.changed));
});
