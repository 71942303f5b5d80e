// `fengkong snapshot` on a cluster: flags that do not fit together are refused before anything is
// opened, naming them (the snapshot itself is tested against the real services in
// test/wiring/cluster/snapshot.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../helpers/paths.js';

const BIN = join(ROOT, 'bin', 'fengkong.js');

test('cluster snapshot flags that do not fit are refused, naming them', () => {
  const cases: Array<[readonly string[], RegExp]> = [
    [['--nats', 'nats://127.0.0.1:4222'], /needs both --nats URL and --postgres URL/],
    [['--postgres', 'postgres://127.0.0.1/x'], /needs both --nats URL and --postgres URL/],
    [['--nats', 'n', '--postgres', 'p', '--data', '/tmp/x'], /--data is for a data folder; a cluster keeps its snapshots in PostgreSQL/],
    [['--cluster', 'prod'], /--cluster is for a cluster's snapshot: give --nats URL and --postgres URL too/],
    [['--policy', 'rules'], /--policy: a snapshot is made with the policy that decided/],
    [['--nats', 'n', '--postgres', 'p', '--model', 'm.json'], /--model: a snapshot is made with the policy that decided .*on a cluster, the versions its journal placed/],
  ];
  for (const [args, want] of cases) {
    const r = spawnSync(process.execPath, [BIN, 'snapshot', ...args], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, want);
  }
  const help = spawnSync(process.execPath, [BIN, 'snapshot', '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout + help.stderr, /fengkong snapshot --nats URL --postgres URL/);
});
