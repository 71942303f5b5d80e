// `fengkong accounts …` against a real server: act, show, read the customer view, appeal; the key
// from --key or FENGKONG_KEY; refusals print the server's code and exit 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runAccounts } from '../../src/cli/accounts.js';
import { PACKAGE_ROOT } from '../../src/engine/policy-source.js';
import { HOUR, baseWorld, tx } from '../engine/world.js';
import { call, feed, startTestServer, tempDir } from '../server/helpers.js';

const run = promisify(execFile);
const BIN = join(PACKAGE_ROOT, 'bin', 'fengkong.js');

async function cli(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAccounts(args, (l) => out.push(l), (l) => err.push(l));
  return { code, out, err };
}

test('fengkong accounts over HTTP: actions, views, appeals, refusals', async () => {
  const s = await startTestServer({ dir: tempDir('acct-cli-') });
  try {
    await feed(s.url, s.keys.admin, baseWorld());
    const admin = ['--url', s.url, '--key', s.keys.admin];

    const frozen = await cli(['actions', 'A1', 'freeze', '--reason', 'customer reported a stolen phone', '--expires', '30d', ...admin]);
    assert.equal(frozen.code, 0, frozen.err.join('\n'));
    assert.match(frozen.out[0], /^#1 freeze by key_[0-9a-f]{12} at .* customer reported a stolen phone$/);
    assert.match(frozen.out[1], /^now: frozen until 20/);
    const d = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: tx(10 * HOUR) });
    assert.equal(d.json.outcome, 'decline');

    const lowered = await cli(['actions', 'A1', 'lower_limit', '--limit', '150000', '--reason', 'late repayments', '--json', ...admin]);
    assert.equal(lowered.code, 0, lowered.err.join('\n'));
    assert.equal(JSON.parse(lowered.out.join('\n')).after.limit.limit, 150_000);

    const history = await cli(['actions', 'A1', '--url', s.url, '--key', s.keys.analyst]);
    assert.deepEqual(history.out.map((l) => l.split(' ')[1]), ['lower_limit', 'freeze']);

    const show = await cli(['show', 'A1', '--url', s.url, '--key', s.keys.analyst]);
    assert.equal(show.code, 0, show.err.join('\n'));
    assert.match(show.out[0], /^A1: frozen; limit ¥20000\.00, in force ¥1500\.00/);
    assert.ok(show.out.some((l) => /^rating: \d+ \([A-E]\) = base 500$/.test(l)), show.out.join('\n'));
    assert.ok(show.out.some((l) => /tenure\taccount open/.test(l)));

    // the support key from the environment, through the real binary
    const env = { ...process.env, FENGKONG_KEY: s.keys.support };
    const customer = await run(process.execPath, [BIN, 'accounts', 'customer', 'A1', '--size', '2', '--url', s.url], { env });
    assert.match(customer.stdout, /A1: Your account is temporarily frozen\. \/ 您的账户暂时被冻结。/);
    assert.match(customer.stdout, /credit limit ¥1500\.00/);
    assert.match(customer.stdout, /Call customer service or file an appeal in the app/);
    assert.match(customer.stdout, /more: --cursor \d+/);
    assert.doesNotMatch(customer.stdout, /stolen phone|late repayments/);
    const appeal = await run(process.execPath, [BIN, 'accounts', 'appeal', 'A1', '--text', 'The customer has the phone back.', '--url', s.url], { env });
    assert.match(appeal.stdout, /^appeal 1 filed for A1/);

    // refusals: the server's status and code, exit 1; usage errors exit 2
    const forbidden = await cli(['actions', 'A1', 'restore', '--reason', 'x', '--url', s.url, '--key', s.keys.support]);
    assert.equal(forbidden.code, 1);
    assert.match(forbidden.err[0], /^fengkong accounts: 403 forbidden/);
    const bad = await cli(['actions', 'A1', 'lower_limit', '--limit', '99999999', '--reason', 'x', ...admin]);
    assert.equal(bad.code, 1);
    assert.match(bad.err[0], /400 invalid_request: .*limit: expected an integer number of fen from 0 to 2000000/);
    const unknown = await cli(['show', 'NOBODY', ...admin]);
    assert.match(unknown.err[0], /404 not_found/);
    const noKey = await run(process.execPath, [BIN, 'accounts', 'show', 'A1', '--url', s.url], { env: { ...process.env, FENGKONG_KEY: '' } }).catch((e: { code: number; stderr: string }) => e);
    assert.equal((noKey as { code: number }).code, 2);
    assert.match((noKey as { stderr: string }).stderr, /an API key is needed/);
  } finally {
    await s.close();
  }
});
