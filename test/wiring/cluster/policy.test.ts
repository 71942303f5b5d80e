// The policy lifecycle on a cluster (issue 14: "policy publications, rollbacks and incident modes
// reach every node at one journal position"): versions drafted, proposed and approved through either
// node (four eyes across nodes), placed by the owner in the journal as a control entry, and from
// there every payment — on either node, and after a kill -9 of the owner on the node that took over —
// is decided exactly as `fengkong replay --policy` of that version decides it. Version 3 adds a window,
// so the owner warms it from the journal and the follower rebuilds its replica with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { call } from '../../server/helpers.js';
import { BIN, ownerAndFollower, roleOf, simulatedWorld, startNode, testCluster, until, type Node } from './nodes.js';

interface Answer {
  readonly txId: string;
  readonly outcome: string;
  readonly score: number;
  readonly reasons: readonly { code: string }[];
  readonly policy: string;
  readonly seq: number;
}

const RULES = join(process.cwd(), 'rules');

const V2_RULE = `rule V2_MIDSIZE
  description "A mid-size payment (version 2 only)"
  when amount >= ¥300
  outcome review
  reason V2_MIDSIZE
`;

const V3_RULE = `feature v3_merchant_hour = count by merchant over 1h
rule V3_BUSY_MERCHANT
  description "A merchant's third payment within the hour (version 3 only, a window versions 1 and 2 lack)"
  when v3_merchant_hour >= 3
  outcome challenge
  reason V3_BUSY_MERCHANT
`;

function policyDir(root: string, name: string, extra: Record<string, string>): { dir: string; files: Record<string, string> } {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  cpSync(RULES, dir, { recursive: true });
  for (const [f, text] of Object.entries(extra)) writeFileSync(join(dir, f), text);
  const files: Record<string, string> = {};
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.fk'))) files[f] = readFileSync(join(dir, f), 'utf8');
  return { dir, files };
}

test('publications on a cluster take effect at one journal position on every node, and survive the owner', { timeout: 300_000 }, async (t) => {
  const c = await testCluster(t, 1500);
  const base = ['--postgres', c.postgres, '--cluster', c.cluster, '--master-key-file', c.masterKeyFile];
  const key2 = execFileSync(process.execPath, [BIN, 'keys', 'create', '--role', 'admin', '--name', 'second-admin', ...base], { encoding: 'utf8' }).trim();
  const { a, b } = await ownerAndFollower(t, c);

  const { events, lines } = simulatedWorld(c, 12, 100, 3);
  const v2 = policyDir(c.dir, 'v2', { '70-v2.fk': V2_RULE });
  const v3 = policyDir(c.dir, 'v3', { '70-v2.fk': V2_RULE, '71-v3.fk': V3_RULE });

  const answered = new Map<string, Answer>();
  const partOf = new Map<string, 1 | 2 | 3 | 4>();
  const feed = async (from: number, to: number, part: 1 | 2 | 3 | 4, nodes: readonly Node[]): Promise<void> => {
    for (let i = from; i < to; i++) {
      const node = nodes[i % nodes.length];
      const ev = JSON.parse(lines[i]) as { type: string; id?: string };
      const r = await call(node.url, ev.type === 'transaction' ? '/v1/decisions' : '/v1/events', { key: c.key, body: lines[i] });
      assert.ok(r.status === 200 || r.status === 202, `event ${i + 1} (${ev.type}) on node ${node.id}: ${r.status} ${r.text}`);
      if (ev.type === 'transaction') {
        answered.set(ev.id!, r.json as Answer);
        partOf.set(ev.id!, part);
      }
    }
  };
  // the parts cut the payments in four (reference data comes first in a simulated world)
  const txAt = lines.flatMap((l, i) => (l.includes('"type":"transaction"') ? [i] : []));
  const cut = (k: number): number => txAt[Math.floor((txAt.length * k) / 4)];
  const [q1, q2, q3] = [cut(1), cut(2), cut(3)];

  // part 1: version 1 (the default pack, imported by the first node)
  await feed(0, q1, 1, [a, b]);

  // version 2 (same windows): drafted and proposed through B by one admin, approved through A by another
  const d2 = await call(b.url, '/v1/policies', { key: c.key, body: { description: 'mid-size payments reviewed', files: v2.files } });
  assert.equal(d2.status, 201, d2.text);
  assert.equal((d2.json as { version: number }).version, 2);
  assert.equal((await call(b.url, '/v1/policies/2/publish', { key: c.key, body: {} })).status, 200);
  const own = await call(a.url, '/v1/policies/2/approve', { method: 'POST', key: c.key });
  assert.equal(own.status, 409, `four eyes across nodes: ${own.text}`);
  const approved2 = performance.now();
  const ap2 = await call(a.url, '/v1/policies/2/approve', { method: 'POST', key: key2 });
  const answered2 = performance.now() - approved2;
  assert.equal(ap2.status, 200, ap2.text);
  const pub2 = (ap2.json as { publication: { journalSeq: number | null } }).publication;
  assert.ok(pub2.journalSeq !== null && pub2.journalSeq > 0, `placed in the journal: ${ap2.text}`);
  const followed2 = answered2 + (await until('node B deciding with v2', async () => ((await call(b.url, '/healthz', { key: c.key })).json as { policy: string }).policy === 'v2'));
  t.diagnostic(`version 2 (same windows): approve answered after ${answered2.toFixed(0)} ms (recorded, placed by the owner, durable); the follower decided with it ${followed2.toFixed(0)} ms after the approval was sent`);

  // part 2: version 2 on both nodes
  await feed(q1, q2, 2, [b, a]);

  // version 3 adds a window: the owner warms it from the journal, the follower rebuilds with it
  const d3 = await call(a.url, '/v1/policies', { key: key2, body: { description: 'busy merchants challenged', files: v3.files } });
  assert.equal(d3.status, 201, d3.text);
  assert.ok((d3.json as { compile: { freshWindows: string[] } }).compile.freshWindows.length > 0, `v3 needs a window the engine lacks: ${d3.text}`);
  assert.equal((await call(a.url, '/v1/policies/3/publish', { key: key2, body: {} })).status, 200);
  const approved3 = performance.now();
  const ap3 = await call(b.url, '/v1/policies/3/approve', { method: 'POST', key: c.key });
  assert.ok(ap3.status === 200 || ap3.status === 202, ap3.text);
  await until('version 3 placed', async () => ((await call(b.url, '/v1/policies/live', { key: c.key })).json as { publishing: unknown }).publishing === null, 60_000);
  await until('node B deciding with v3', async () => ((await call(b.url, '/healthz', { key: c.key })).json as { policy: string }).policy === 'v3', 60_000);
  t.diagnostic(`version 3 (a new window, ${q2 + 1} journal entries before it): warmed, placed and followed ${(performance.now() - approved3).toFixed(0)} ms after the approval was sent`);

  assert.match(a.stderr(), /version 3 needs windows the engine lacks .*warming them from the journal/, 'the owner warmed v3');
  assert.match(b.stderr(), /publishes version 3 with windows this replica lacks/, 'the follower rebuilt its replica with v3');

  // part 3: version 3 on both nodes
  await feed(q2, q3, 3, [a, b]);

  // kill -9 of the owner: B takes over and decides the rest with version 3
  a.proc.kill('SIGKILL');
  await a.exited;
  await until('node B owning the partition', async () => (await roleOf(b, c.key)) === 'owning', 30_000);
  await feed(q3, lines.length, 4, [b]);

  // every payment as `fengkong replay` decides it with the version that was placed before it
  const replays = new Map<1 | 2 | 3 | 4, Map<string, Answer>>();
  const replay = (name: string, dir: string | null): Map<string, Answer> => {
    const out = join(c.dir, `replay-${name}.jsonl`);
    execFileSync(process.execPath, [BIN, 'replay', events, '--out', out, '--quiet', ...(dir === null ? [] : ['--policy', dir])], { stdio: 'ignore' });
    return new Map(readFileSync(out, 'utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as Answer).map((x) => [x.txId, x]));
  };
  replays.set(1, replay('v1', null));
  replays.set(2, replay('v2', v2.dir));
  const r3 = replay('v3', v3.dir);
  replays.set(3, r3);
  replays.set(4, r3);
  const differs = { 2: 0, 3: 0 };
  for (const [id, got] of answered) {
    const part = partOf.get(id)!;
    const want = replays.get(part)!.get(id);
    assert.ok(want !== undefined, `${id} replayed`);
    assert.deepEqual({ outcome: got.outcome, score: got.score, reasons: got.reasons }, { outcome: want.outcome, score: want.score, reasons: want.reasons }, `${id} (part ${part})`);
    assert.equal(got.policy, part === 1 ? 'default' : part === 2 ? 'v2' : 'v3', id);
    const v1 = replays.get(1)!.get(id)!;
    if ((part === 2 || part === 3) && (v1.outcome !== got.outcome || JSON.stringify(v1.reasons) !== JSON.stringify(got.reasons))) differs[part]++;
  }
  assert.ok(differs[2] > 0 && differs[3] > 0, `the versions change decisions in their parts: ${JSON.stringify(differs)}`);

  // the positions: each publication's journal seq sits between the last payment before it and the first after it
  const pubs = ((await call(b.url, '/v1/policies/publications', { key: c.key })).json as { publications: { version: number; journalSeq: number }[] }).publications;
  const seqOf = (part: number, pick: 'first' | 'last'): number => {
    const seqs = [...answered].filter(([id]) => partOf.get(id) === part).map(([, x]) => x.seq);
    return pick === 'first' ? Math.min(...seqs) : Math.max(...seqs);
  };
  for (const [v, part] of [[2, 2], [3, 3]] as const) {
    const p = pubs.find((x) => x.version === v)!;
    assert.ok(seqOf(part - 1, 'last') < p.journalSeq && p.journalSeq < seqOf(part, 'first'), `version ${v} placed at ${p.journalSeq}, between parts ${part - 1} and ${part}`);
  }

  // an incident mode switched on through the surviving node decides the next payment, and off again
  const overlay = 'rule MODE_REVIEW_ALL\n  when amount > 0\n  outcome review\n  reason MODE_REVIEW_ALL\n';
  assert.equal((await call(b.url, '/v1/modes/review-all', { method: 'PUT', key: c.key, body: { description: 'review everything', rules: overlay } })).status, 201);
  assert.equal((await call(b.url, '/v1/modes/review-all/approve', { method: 'POST', key: key2 })).status, 200);
  const on = await call(b.url, '/v1/modes/review-all/on', { method: 'POST', key: c.key });
  assert.equal(on.status, 200, on.text);
  assert.equal((on.json as { placed: boolean }).placed, true, on.text);
  const last = JSON.parse([...lines].reverse().find((l) => l.includes('"transaction"'))!) as Record<string, unknown>;
  const probe = await call(b.url, '/v1/decisions', { key: c.key, body: { ...last, id: 'mode-probe-1' } });
  assert.equal(probe.status, 200, probe.text);
  assert.match((probe.json as Answer).policy, /^v3\+/);
  assert.ok((probe.json as Answer).reasons.some((r) => r.code === 'MODE_REVIEW_ALL'), probe.text);
  assert.equal((await call(b.url, '/v1/modes/review-all/off', { method: 'POST', key: key2 })).status, 200);
  const after = await call(b.url, '/v1/decisions', { key: c.key, body: { ...last, id: 'mode-probe-2' } });
  assert.equal((after.json as Answer).policy, 'v3', after.text);

  // a rollback (one admin, one call) to version 2, placed at once: v2 needs no window v3 lacks
  const back = await call(b.url, '/v1/policies/rollback', { key: key2, body: { reason: 'too many challenges at busy merchants' } });
  assert.equal(back.status, 200, back.text);
  assert.equal((back.json as { version: number }).version, 2);
  const rolled = await call(b.url, '/v1/decisions', { key: c.key, body: { ...last, id: 'rollback-probe' } });
  assert.equal((rolled.json as Answer).policy, 'v2', rolled.text);

  // a restarted node rebuilds with the placed versions and follows the owner's policy
  const a2 = await startNode(t, c, 'A2');
  await until('node A2 following with v2', async () => {
    const h = (await call(a2.url, '/healthz', { key: c.key })).json as { policy: string; partitions: { role: string }[] };
    return h.partitions[0].role === 'following' && h.policy === 'v2';
  }, 60_000);
  // the policy CLI talks to any node as to a data folder's server
  const cli = (...args: string[]): string => execFileSync(process.execPath, [BIN, 'policy', ...args, '--url', a2.url], { encoding: 'utf8', env: { ...process.env, FENGKONG_KEY: c.key } });
  assert.match(cli('live'), /live: version 2 \(v2\), deciding as v2; .* \(rollback\)/);
  const history = cli('history');
  for (const v of ['v1\timport', 'v2\tpublish', 'v3\tpublish', 'v2\trollback']) assert.ok(history.includes(v), `${v} in the history:\n${history}`);
  assert.doesNotMatch(history, /not placed/, 'every publication has its journal position');
  const audit = ((await call(a2.url, '/v1/audit?action=policy.placed', { key: c.key })).json as { entries: { after: { version: number } }[] }).entries;
  assert.deepEqual(audit.map((e) => e.after.version).sort(), [2, 2, 3, 3, 3], 'each placement audited once: v2, v3, the mode on and off, the rollback to v2');
});
