// The command-line wrapper over node:util parseArgs: what it accepts, what it refuses and how it
// words a refusal (the flag named, the usage quoted), and the real binary refusing a bad flag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { HelpRequested, parseArgs, type FlagKind } from '../../src/cli/args.js';
import { UsageError } from '../../src/errors.js';
import { ROOT } from '../helpers/paths.js';

const CLI = join(ROOT, 'bin', 'fengkong.js');
const USAGE = 'fengkong demo <file|-> [--out FILE] [--seed N] [--quiet]';
const SPEC: Record<string, FlagKind> = { out: 'string', seed: 'int', quiet: 'switch' };

function refusal(args: string[], ...parts: (string | RegExp)[]): void {
  assert.throws(
    () => parseArgs(args, SPEC, USAGE),
    (e: unknown) => {
      assert.ok(e instanceof UsageError, `expected a UsageError, got ${String(e)}`);
      for (const p of parts) {
        if (typeof p === 'string') assert.ok(e.message.includes(p), `"${e.message}" should include "${p}"`);
        else assert.match(e.message, p);
      }
      assert.ok(e.message.endsWith(`\nusage: ${USAGE}`), `the usage line is quoted: ${e.message}`);
      return true;
    },
    args.join(' '),
  );
}

test('an unknown flag is refused by name, long or short', () => {
  refusal(['--bogus'], 'unknown option --bogus');
  refusal(['in.jsonl', '--bogus=1'], 'unknown option --bogus');
  refusal(['-x'], 'unknown option -x', 'goes after --');
});

test('a flag that needs a value and has none is refused', () => {
  refusal(['--out'], '--out needs a value');
  refusal(['--out', '--quiet'], '--out needs a value', '--out=--quiet');
  refusal(['--seed'], '--seed needs a value');
});

test('an integer flag takes digits only; empty or non-numeric values name the flag', () => {
  refusal(['--seed', ''], '--seed must be a whole number', 'got ""');
  refusal(['--seed='], '--seed must be a whole number', 'got ""');
  refusal(['--seed', 'abc'], '--seed must be a whole number', 'got "abc"');
  refusal(['--seed=-1'], 'got "-1"');
  refusal(['--seed', '1.5'], 'got "1.5"');
  refusal(['--seed', '1e3'], 'got "1e3"');
  refusal(['--seed', '99999999999999999999'], 'got "99999999999999999999"');
  assert.equal(parseArgs(['--seed', '0'], SPEC, USAGE).flags.get('seed'), 0);
  assert.equal(parseArgs(['--seed', '42'], SPEC, USAGE).flags.get('seed'), 42);
});

test('--flag=value and --flag value read alike; the last of a repeated flag wins', () => {
  assert.deepEqual(parseArgs(['--out=a.jsonl', '--seed=7'], SPEC, USAGE).flags, new Map<string, string | number>([['out', 'a.jsonl'], ['seed', 7]]));
  assert.deepEqual(parseArgs(['--out', 'a.jsonl', '--seed', '7'], SPEC, USAGE).flags, new Map<string, string | number>([['out', 'a.jsonl'], ['seed', 7]]));
  assert.equal(parseArgs(['--out=--odd'], SPEC, USAGE).flags.get('out'), '--odd');
  assert.equal(parseArgs(['--out='], SPEC, USAGE).flags.get('out'), '');
  assert.equal(parseArgs(['--out', 'a', '--out', 'b'], SPEC, USAGE).flags.get('out'), 'b');
});

test('a switch is true when present, absent otherwise, and takes no value', () => {
  assert.equal(parseArgs(['--quiet'], SPEC, USAGE).flags.get('quiet'), true);
  assert.equal(parseArgs([], SPEC, USAGE).flags.has('quiet'), false);
  refusal(['--quiet=yes'], '--quiet is a switch and takes no value');
});

test('positionals keep their order; - (stdin) is a positional, and so is anything after --', () => {
  const a = parseArgs(['in.jsonl', '--quiet', '-', '--out', '-', 'more'], SPEC, USAGE);
  assert.deepEqual(a.positionals, ['in.jsonl', '-', 'more']);
  assert.equal(a.flags.get('out'), '-');
  assert.deepEqual(parseArgs(['--', '-5', '--bogus'], SPEC, USAGE).positionals, ['-5', '--bogus']);
});

test('--help and -h ask for the usage; a command with its own help switch gets it as a flag', () => {
  for (const args of [['--help'], ['-h'], ['in.jsonl', '--seed', 'abc', '--help']]) {
    assert.throws(() => parseArgs(args, SPEC, USAGE), (e: unknown) => e instanceof HelpRequested && e.usage === USAGE, args.join(' '));
  }
  assert.equal(parseArgs(['-h'], { help: 'switch' }, USAGE).flags.get('help'), true);
});

test('the real binary refuses a bad flag with exit 2 and the usage, and answers --help with exit 0', () => {
  const bad = spawnSync(process.execPath, [CLI, 'replay', 'x.jsonl', '--bogus'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /^fengkong replay: \[FK4001\] unknown option --bogus\nusage: fengkong replay /);
  const seed = spawnSync(process.execPath, [CLI, 'simulate', '--out', 'never-written', '--seed', ''], { encoding: 'utf8' });
  assert.equal(seed.status, 2);
  assert.match(seed.stderr, /--seed must be a whole number .*got ""\nusage: fengkong simulate /);
  const help = spawnSync(process.execPath, [CLI, 'replay', '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^usage: fengkong replay <events\.jsonl\|->/);
});
