import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, compile } from './helpers.js';
import { Diagnostics, closestName, formatDiagnostic } from '../../src/rules/diagnostics.js';
import { PolicyCompileError } from '../../src/errors.js';

/** Line and column (1-based, code points) of the nth occurrence of `at` in `text`. */
function posOf(text: string, at: string, nth = 1): { line: number; column: number } {
  let i = -1;
  for (let k = 0; k < nth; k++) {
    i = text.indexOf(at, i + 1);
    if (i < 0) throw new Error(`'${at}' #${nth} not in text`);
  }
  const before = text.slice(0, i);
  const line = before.split('\n').length;
  const column = [...before.slice(before.lastIndexOf('\n') + 1)].length + 1;
  return { line, column };
}

interface Case {
  code: string;
  text: string;
  at: string;
  nth?: number;
  /** a fragment the message must contain. */
  says?: string;
}

const R = '\n  score 1';
const CASES: Case[] = [
  { code: 'FKR101', text: `rule A\n  when amount > 5 $${R}`, at: '$' },
  { code: 'FKR102', text: `rule A\n  description "oops\n  when amount > 5${R}`, at: '"oops' },
  { code: 'FKR103', text: `rule A\n  description "a\\qb"\n  when amount > 5${R}`, at: '\\q', says: '\\q' },
  { code: 'FKR104', text: `rule A\n  when amount > 1__0${R}`, at: '1__0' },
  { code: 'FKR105', text: `rule A\n  when amount > ¥4.999${R}`, at: '¥' },
  { code: 'FKR106', text: `rule A\n  when since_last_tx < 10ms${R}`, at: '10ms' },
  { code: 'FKR201', text: `rule A\n  when amount >\n  score 1`, at: 'score', says: 'expected an expression' },
  { code: 'FKR202', text: `amount > 5\nrule A\n  when amount > 5${R}`, at: 'amount' },
  { code: 'FKR203', text: `rule A\n  when amount > 5\n  points 3${R}`, at: 'points' },
  { code: 'FKR204', text: `rule A\n  when amount > 5\n  when amount > 6${R}`, at: 'when', nth: 2 },
  { code: 'FKR205', text: `feature f = avg(amount) by account over 1h\nrule A\n  when f > 1${R}`, at: 'avg' },
  { code: 'FKR206', text: `rule A\n  when ${'is_night and '.repeat(250)}is_night${R}`, at: 'and', nth: 200, says: '200 levels' },
  { code: 'FKR301', text: `rule A\n  when amout > 5${R}`, at: 'amout', says: "Did you mean 'amount'?" },
  { code: 'FKR302', text: `rule A\n  when sqrt(amount) > 5${R}`, at: 'sqrt' },
  { code: 'FKR303', text: `rule A\n  when min(amount) > 5${R}`, at: 'min', says: 'expects 2 arguments but got 1' },
  { code: 'FKR304', text: `feature a = b + 1\nfeature b = amount * 2\nrule A\n  when a > 5 and b > 1${R}`, at: 'b + 1' },
  { code: 'FKR305', text: `feature big = amount > ¥1000\nfeature c = count by account over 1h where big\nrule A\n  when c > 5 and big${R}`, at: 'big', nth: 2 },
  { code: 'FKR306', text: `feature c = count by account over 1h\nfeature d = count by c over 1h\nrule A\n  when d > 1 and c > 1${R}`, at: 'c over' },
  { code: 'FKR307', text: `rule A\n  when in_list(device, "Stolen-Devices")${R}`, at: '"Stolen', says: 'lowercase letters' },
  { code: 'FKR303', text: `rule A\n  when in_list(device)${R}`, at: 'in_list', says: 'expects 2 arguments but got 1' },
  { code: 'FKR403', text: `rule A\n  when in_list(amount, "big_amounts")${R}`, at: 'amount', says: 'Argument 1 of in_list() must be a string, but it is a number' },
  { code: 'FKR408', text: `rule A\n  when in_list(device, channel)${R}`, at: 'channel', says: 'in double quotes' },
  { code: 'FKR408', text: `rule A\n  when amount > 1 and in_list(device, block_devices)${R}`, at: 'block_devices' },
  { code: 'FKR401', text: `rule A\n  when channel > 5${R}`, at: '>', says: "'>' cannot be applied to a string and a number" },
  { code: 'FKR401', text: `rule A\n  when amount and hour${R}`, at: 'and', says: "'and' cannot be applied to a number and a number" },
  { code: 'FKR402', text: `rule A\n  when not amount${R}`, at: 'not' },
  { code: 'FKR403', text: `rule A\n  when amount + 1${R}`, at: '+', says: 'must be a boolean, but it is a number' },
  { code: 'FKR404', text: `rule A\n  when channel in ["qr", 5]${R}`, at: '5' },
  { code: 'FKR405', text: `feature c = count by amount over 1h\nrule A\n  when c > 1${R}`, at: 'amount' },
  { code: 'FKR406', text: `feature c = distinct(amount) by account over 1h\nrule A\n  when c > 1${R}`, at: 'amount' },
  { code: 'FKR407', text: `feature c = sum(channel) by account over 1h\nrule A\n  when c > 1${R}`, at: 'channel' },
  { code: 'FKR501', text: `rule A\n  when amount > 1${R}\nrule A\n  when amount > 2${R}`, at: 'A', nth: 2, says: 'p.fk:1:6' },
  { code: 'FKR502', text: `feature c = count by account over 1h\nfeature c = count by merchant over 1h\nrule A\n  when c > 1${R}`, at: 'c = count by merchant' },
  { code: 'FKR503', text: `feature amount = count by account over 1h\nrule A\n  when hour > 1${R}`, at: 'amount' },
  { code: 'FKR504', text: `rule A\n  score 1\nrule B\n  when amount > 1${R}`, at: 'A' },
  { code: 'FKR505', text: `rule A\n  when amount > 1`, at: 'A' },
  { code: 'FKR506', text: `rule A\n  when amount > 1\n  outcome block`, at: 'block' },
  { code: 'FKR507', text: `setting score.reveiw = 40`, at: 'score', says: "Did you mean 'score.review'?" },
  { code: 'FKR508', text: `setting score.review = 40\nsetting score.review = 45`, at: 'score.review', nth: 2 },
  { code: 'FKR509', text: `setting score.decline = 120`, at: '120' },
  { code: 'FKR510', text: `setting score.review = 70\nsetting score.challenge = 60`, at: '60' },
  { code: 'FKR511', text: `feature c = count by account over 91d\nrule A\n  when c > 1${R}`, at: '91d' },
  { code: 'FKR512', text: `feature c = count by account over 1h buckets 2.5\nrule A\n  when c > 1${R}`, at: '2.5' },
  { code: 'FKR513', text: `rule A\n  when amount > 5\n  outcome decline\n  action freeze_acount for 1d`, at: 'freeze_acount', says: "Did you mean 'freeze_account'?" },
  { code: 'FKR514', text: `rule A\n  when amount > 5\n  score 10\n  action require_step_up for 1d`, at: 'require_step_up', says: 'has no outcome' },
  { code: 'FKR515', text: `rule A\n  when amount > 5\n  outcome challenge\n  action suspend_terminal`, at: 'suspend_terminal', says: 'not challenge it' },
  { code: 'FKR516', text: `rule A\n  when amount > 5\n  outcome review\n  action lower_limit to 0%`, at: '0', says: 'strictly between 0% and 100%' },
  { code: 'FKR601', text: `feature c = count by account over 1h buckets 500\nrule A\n  when c > 1${R}`, at: '500', says: 'using 120' },
  { code: 'FKR602', text: `rule A\n  when device == ""${R}`, at: '""', says: 'not known(device)' },
  { code: 'FKR603', text: `rule A\n  when 1 > 2${R}`, at: 'A', says: 'never fire' },
  { code: 'FKR604', text: `feature c = count by account over 1h\nrule A\n  when amount > 1${R}`, at: 'c =' },
];

for (const c of CASES) {
  test(`${c.code} at ${c.at}${c.nth ? ` #${c.nth}` : ''}`, () => {
    const diags = check(c.text);
    const d = diags.find((x) => x.code === c.code);
    assert.ok(d, `expected ${c.code}, got:\n${diags.map(formatDiagnostic).join('\n')}`);
    assert.deepEqual({ line: d.line, column: d.column }, posOf(c.text, c.at, c.nth), formatDiagnostic(d));
    assert.equal(d.file, 'p.fk');
    if (c.says) assert.ok(d.message.includes(c.says), d.message);
    if (d.severity === 'error') {
      assert.throws(() => compile(c.text), (e: unknown) => e instanceof PolicyCompileError && e.diagnostics.some((x) => x.code === c.code));
    } else {
      assert.ok(compile(c.text).warnings.some((x) => x.code === c.code));
    }
  });
}

test('every catalog code has a case above', () => {
  const covered = new Set(CASES.map((c) => c.code));
  const missing = Object.values(Diagnostics).filter((t) => !covered.has(t.code)).map((t) => t.code);
  assert.deepEqual(missing, []);
  const codes = Object.values(Diagnostics).map((t) => t.code);
  assert.equal(new Set(codes).size, codes.length, 'codes are unique');
});

test('a compile error carries all diagnostics, in reading order', () => {
  const text = `rule A\n  when amout > 1\n  score 1\nrule B\n  when hour > "x"\nrule C\n  when channel in [1]\n  score 1`;
  try {
    compile(text);
    assert.fail('should throw');
  } catch (e) {
    assert.ok(e instanceof PolicyCompileError);
    assert.deepEqual(
      e.diagnostics.map((d) => [d.code, d.line]),
      [
        ['FKR301', 2],
        ['FKR505', 4],
        ['FKR401', 5],
        ['FKR401', 7],
      ],
    );
    assert.match(e.message, /p\.fk:2:8 FKR301 .* \(\+3 more\)/);
  }
});

test('parsing recovers after a syntax error and keeps checking later rules', () => {
  const diags = check(`rule A\n  when amount > > 1\n  score 1\nrule B\n  when amuont > 1\n  score 1`);
  assert.deepEqual(diags.map((d) => d.code), ['FKR201', 'FKR301']);
});

test('a broken clause does not also report the clause as missing', () => {
  const diags = check(`rule A\n  when (amount > 1\n  score 1`);
  assert.deepEqual(diags.map((d) => d.code), ['FKR201']);
});

test('an unknown name is reported once, not again as a type error', () => {
  const diags = check(`rule A\n  when nope > 1 and nope == "x"\n  score 1`);
  assert.deepEqual(diags.map((d) => d.code), ['FKR301', 'FKR301']);
});

test('closestName finds typos and transpositions but not unrelated names', () => {
  assert.equal(closestName('chanel', ['channel', 'amount']), 'channel');
  assert.equal(closestName('amuont', ['channel', 'amount']), 'amount');
  assert.equal(closestName('zzz', ['channel', 'amount']), undefined);
});

test('very deep expressions are refused with FKR206 instead of overflowing the stack (found by test/fuzz)', () => {
  const deep = [
    `rule A\n  when ${'not '.repeat(20_000)}is_night${R}`,
    `rule A\n  when ${'abs('.repeat(5_000)}amount${')'.repeat(5_000)} > 1${R}`,
    `rule A\n  when ${'is_night and '.repeat(20_000)}is_night${R}`,
    `rule A\n  when amount ${'+ amount '.repeat(20_000)}> 1${R}`,
    `rule A\n  when ${'('.repeat(5_000)}is_night${')'.repeat(5_000)}${R}`,
    `feature f = ${'-('.repeat(5_000)}amount${')'.repeat(5_000)}\nrule A\n  when f > 1${R}`,
  ];
  for (const text of deep) {
    const diags = check(text);
    assert.ok(diags.some((d) => d.code === 'FKR206'), diags.map(formatDiagnostic).join('\n'));
    assert.throws(() => compile(text), PolicyCompileError);
  }
  // at the limit, still fine
  assert.deepEqual(check(`rule A\n  when ${'is_night and '.repeat(199)}is_night${R}`), []);
});

test('a file of features only declares model inputs: its features are not linted as unused, a rule file\'s still are', async () => {
  const { checkPolicy } = await import('../../src/rules/compile.js');
  const { CAT } = await import('./helpers.js');
  const diags = checkPolicy(
    [
      { file: 'inputs.fk', text: 'feature spend_30d = sum(amount) by account over 30d\nfeature amount_vs_spend = amount / spend_30d\n' },
      { file: 'rules.fk', text: `feature c = count by account over 1h\nrule A\n  when amount > 1${R}` },
    ],
    CAT,
  );
  assert.deepEqual(diags.map((d) => [d.code, d.file]), [['FKR604', 'rules.fk']]);
});
