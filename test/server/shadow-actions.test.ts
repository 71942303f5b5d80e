// A shadowed draft whose rule acts (`action freeze_account`) reports the actions it would take
// without taking them: live answers, the account's view and the audit log stay untouched, while the
// shadow's own memory takes the freeze as live would, so its later decisions of the account are
// declined ACCOUNT_FROZEN, and the totals count the rule's actions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { account, baseWorld, HOUR, MIN, tx } from '../engine/world.js';
import { auditOf, defaultFiles, draft } from '../policy/helpers.js';
import { until } from '../helpers/webhook-receiver.js';
import { call, feed, startTestServer } from './helpers.js';

const T = 2 * HOUR;

test('a shadow reports the actions its rules would take, takes none live, and decides on as if it had', async () => {
  const s = await startTestServer();
  try {
    await feed(s.url, s.keys.admin, [...baseWorld(), account('A2')]);
    const files = defaultFiles();
    files['70-freeze.fk'] = ['rule AUTO_FREEZE_MARKED', '  when amount == ¥1.23', '  outcome decline', '  action freeze_account for 24h', ''].join('\n');
    const d = await draft(s, s.keys.admin, files, 'freeze on a marked amount');
    assert.equal(d.status, 201, d.text);
    const v = d.json.version as number;
    assert.equal((await call(s.url, `/v1/policies/${v}/shadow`, { key: s.keys.admin, method: 'POST' })).status, 202);
    const status = async (): Promise<any> => (await call(s.url, `/v1/policies/${v}/shadow`, { key: s.keys.analyst })).json;
    await until('the shadow running', async () => {
      const st = await status();
      return st.state === 'running' && st.lag.events === 0;
    });

    const traffic = [
      tx(T, { id: 'mk-0', accountId: 'A2', amount: 123 }),
      tx(T + MIN, { id: 'mk-1', accountId: 'A2', amount: 123 }),
      tx(T + 2 * MIN, { id: 'after', accountId: 'A2', amount: 8_000 }),
    ];
    const answers = await feed(s.url, s.keys.admin, traffic);
    for (const a of answers) assert.equal(a.json.outcome, 'approve', `live approves: ${a.text}`);
    await until('the shadow caught up', async () => (await status()).transactions === 3);
    const st = await status();
    // the second marked payment fires the rule again, and its freeze (a day from a minute later) extends the first
    assert.deepEqual(st.actions, [{ rule: 'AUTO_FREEZE_MARKED', action: 'freeze_account', taken: 2, capped: 0 }]);
    assert.equal(st.hits.shadow.AUTO_FREEZE_MARKED, 2);
    assert.equal(st.hits.shadow.ACCOUNT_FROZEN, 2, 'the shadow declined the next two as frozen');
    assert.deepEqual(st.outcomes.shadow, { approve: 0, review: 0, challenge: 0, decline: 3 });

    // nothing was taken live
    const view = (await call(s.url, '/v1/accounts/A2', { key: s.keys.analyst })).json;
    assert.equal(view.restriction?.frozen ?? false, false, JSON.stringify(view.restriction));
    assert.deepEqual(await auditOf(s, s.keys.analyst, 'account.freeze'), []);
    const next = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: tx(T + 3 * MIN, { id: 'live-next', accountId: 'A2', amount: 5_000 }) });
    assert.equal(next.json.outcome, 'approve');
  } finally {
    await s.close();
  }
});
