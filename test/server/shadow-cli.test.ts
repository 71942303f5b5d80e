// `fengkong policy shadow start|status|decisions|stop N` against a real server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPolicy } from '../../src/cli/policy.js';
import { account, baseWorld, HOUR, tx } from '../engine/world.js';
import { defaultFiles, draft } from '../policy/helpers.js';
import { feed, startTestServer } from './helpers.js';

test('the shadow commands start, report, list and stop a shadow over HTTP', async () => {
  const s = await startTestServer();
  const run = async (...args: string[]): Promise<{ code: number; out: string; err: string }> => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runPolicy([...args, '--url', s.url], (l) => out.push(l), (l) => err.push(l));
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  try {
    await feed(s.url, s.keys.admin, [...baseWorld(), account('A2')]);
    const files = defaultFiles();
    files['70-mark.fk'] = 'rule MARKED\n  when amount == ¥1.23\n  outcome decline\n';
    const d = await draft(s, s.keys.admin, files, 'marked amounts');
    assert.equal(d.status, 201, d.text);

    const refused = await run('shadow', 'start', '1', '--key', s.keys.admin);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /409 conflict: .*version 1 is live/);
    const started = await run('shadow', 'start', '2', '--key', s.keys.admin);
    assert.equal(started.code, 0, started.err);
    assert.match(started.out, /^shadowing version 2 \(run 1\) as v2: warming/);
    for (let i = 0; ; i++) {
      const st = await run('shadow', 'status', '2', '--key', s.keys.analyst, '--json');
      if (JSON.parse(st.out).state === 'running') break;
      assert.ok(i < 500, st.out);
      await new Promise((r) => setTimeout(r, 20));
    }
    await feed(s.url, s.keys.admin, [tx(HOUR, { id: 'cli-1', accountId: 'A2', amount: 123 }), tx(HOUR + 60_000, { id: 'cli-2', accountId: 'A2', amount: 9_000 })]);
    let status = '';
    for (let i = 0; !/compared 2 payments/.test(status); i++) {
      assert.ok(i < 500, status);
      status = (await run('shadow', 'status', '2', '--key', s.keys.analyst)).out;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.match(status, /version 2, shadow run 1 as v2: running since/);
    assert.match(status, /compared 2 payments: 1 same outcome \(50\.0%\), 1 changed/);
    assert.match(status, /the shadow declines 1 payments live did not: ¥1\.23/);
    const changed = await run('shadow', 'decisions', '2', '--changed', '--key', s.keys.analyst);
    assert.equal(changed.code, 0, changed.err);
    assert.match(changed.out, /^\d+\tcli-1\t¥1\.23\tlive approve [\d.]+\tshadow decline [\d.]+ \[MARKED\]$/);
    const ofRun = await run('shadow', 'decisions', '2', '--run', '1', '--key', s.keys.analyst);
    assert.equal(ofRun.code, 0, ofRun.err);
    assert.deepEqual(ofRun.out.split('\n').filter(Boolean).map((l) => l.split('\t')[1]), ['cli-2', 'cli-1']);
    const noRun = await run('shadow', 'decisions', '2', '--run', '7', '--key', s.keys.analyst);
    assert.notEqual(noRun.code, 0);
    assert.match(noRun.err, /version 2 has no shadow run 7/);
    const stopped = await run('shadow', 'stop', '2', '--key', s.keys.admin);
    assert.equal(stopped.code, 0, stopped.err);
    assert.match(stopped.out, /stopped \(stopped by request\)/);
    const usage = await run('shadow', 'start', '--key', s.keys.admin).catch((e: Error) => ({ code: 2, out: '', err: e.message }));
    assert.match(usage.err, /expected shadow start N/);
  } finally {
    await s.close();
  }
});
