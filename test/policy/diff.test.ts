// The line diff (Myers) and the rule-level summary a reviewer reads before approving a version.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffFile, diffLines, diffPolicies, hunksOf, summarize, unifiedText } from '../../src/policy/diff.js';

/** Length of a longest common subsequence, by dynamic programming (the oracle). */
function lcs(a: readonly string[], b: readonly string[]): number {
  const dp = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) dp[i][j] = a[i - 1] === b[j - 1] ? dp[i - 1][j - 1] + 1 : Math.max(dp[i - 1][j], dp[i][j - 1]);
  }
  return dp[a.length][b.length];
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('the edit script turns a into b and is a shortest one (random inputs against an LCS oracle)', () => {
  const r = rng(7);
  for (let round = 0; round < 400; round++) {
    const alphabet = 1 + Math.floor(r() * 5);
    const a = Array.from({ length: Math.floor(r() * 14) }, () => String.fromCharCode(97 + Math.floor(r() * alphabet)));
    const b = Array.from({ length: Math.floor(r() * 14) }, () => String.fromCharCode(97 + Math.floor(r() * alphabet)));
    const ops = diffLines(a, b);
    assert.deepEqual(ops.filter((o) => o.kind !== '+').map((o) => o.line), a, `old side of ${a} → ${b}`);
    assert.deepEqual(ops.filter((o) => o.kind !== '-').map((o) => o.line), b, `new side of ${a} → ${b}`);
    assert.equal(ops.filter((o) => o.kind === ' ').length, lcs(a, b), `kept lines of ${a} → ${b}`);
  }
});

test('hunks carry three lines of context, merge when close, and number lines from 1', () => {
  const a = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
  const b = [...a];
  b[4] = 'changed 5';
  b[9] = 'changed 10'; // within 6 lines of the first change: one hunk
  b.splice(25, 1); // far away: a second hunk
  const hunks = hunksOf(diffLines(a, b));
  assert.equal(hunks.length, 2);
  assert.deepEqual([hunks[0].oldStart, hunks[0].oldLines, hunks[0].newStart, hunks[0].newLines], [2, 12, 2, 12]);
  assert.deepEqual(hunks[0].lines.slice(0, 4), [' line 2', ' line 3', ' line 4', '-line 5']);
  assert.deepEqual([hunks[1].oldStart, hunks[1].oldLines, hunks[1].newStart, hunks[1].newLines], [23, 7, 23, 6]);
  assert.ok(hunks[1].lines.includes('-line 26'));
  const text = unifiedText(diffFile('x.fk', a.join('\n') + '\n', b.join('\n') + '\n')!);
  assert.match(text, /^--- a\/x\.fk\n\+\+\+ b\/x\.fk\n@@ -2,12 \+2,12 @@\n/);
  assert.equal(diffFile('x.fk', 'same\n', 'same\n'), null);
  const added = diffFile('new.fk', null, 'a\nb\n')!;
  assert.deepEqual([added.status, added.additions, added.deletions], ['added', 2, 0]);
  assert.match(unifiedText(added), /^--- \/dev\/null\n\+\+\+ b\/new\.fk\n@@ -1,0 \+1,2 @@\n\+a\n\+b\n$/);
});

test('a long file with a few edits diffs quickly; a total rewrite beyond the edit bound shows as replaced', () => {
  const a = Array.from({ length: 20_000 }, (_, i) => `rule R${i}`);
  const b = [...a];
  b[100] = 'x';
  b.splice(15_000, 0, 'inserted');
  const t0 = performance.now();
  const ops = diffLines(a, b);
  assert.ok(performance.now() - t0 < 500);
  assert.equal(ops.filter((o) => o.kind !== ' ').length, 3);
  const c = Array.from({ length: 6_000 }, (_, i) => `other ${i}`);
  const d = Array.from({ length: 6_000 }, (_, i) => `rule ${i}`);
  const rewrite = diffLines(c, d);
  assert.equal(rewrite.filter((o) => o.kind === '-').length, 6_000);
  assert.equal(rewrite.filter((o) => o.kind === '+').length, 6_000);
});

test('the summary names rules, windows, features and settings changed, ignoring formatting', () => {
  const before = [
    {
      file: 'a.fk',
      text: `setting score.review = 40
feature n_1h = count by account over 1h
feature ratio = amount / 100
rule KEEP
  when n_1h > 3
  score 10
rule TUNE
  when n_1h > 5
  outcome review
rule GONE
  when amount > 1
  score 1
`,
    },
  ];
  const after = [
    {
      file: 'a.fk',
      text: `setting score.review = 35
setting score.decline = 85
feature n_1h = count by account over 1h buckets 12
feature ratio = amount / 200
rule KEEP
  when   n_1h >   3
  score 10
rule TUNE
  when n_1h > 4
  outcome review
rule NEW
  when ratio > 2
  outcome challenge
`,
    },
  ];
  const s = summarize(before, after);
  assert.deepEqual(s.rules, { added: ['NEW'], removed: ['GONE'], changed: ['TUNE'] });
  assert.deepEqual(s.windows, { added: [], removed: [], changed: ['n_1h'] });
  assert.deepEqual(s.features, { added: [], removed: [], changed: ['ratio'] });
  assert.deepEqual(s.settings, [
    { name: 'score.decline', before: null, after: 85 },
    { name: 'score.review', before: 40, after: 35 },
  ]);
  const d = diffPolicies(1, before, [...after, { file: 'b.fk', text: 'rule B\n  when amount > 2\n  score 1\n' }]);
  assert.deepEqual(d.files.map((f) => [f.file, f.status]), [
    ['a.fk', 'modified'],
    ['b.fk', 'added'],
  ]);
  assert.deepEqual(d.summary.rules.added, ['B', 'NEW']);
});
