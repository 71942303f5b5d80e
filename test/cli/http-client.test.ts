// Where the client commands take their API key from: --key-file, FENGKONG_KEY, or --key with a
// warning (a key on the command line shows in the process list); and the refusals, naming the flag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from '../../src/cli/args.js';
import { clientOf, KEY_FLAGS } from '../../src/cli/http-client.js';
import { UsageError } from '../../src/errors.js';

const USAGE = 'fengkong demo [--key-file FILE | env FENGKONG_KEY]';

function client(args: string[], env: string | undefined): { key: string; url: string; warnings: string[] } {
  const saved = process.env.FENGKONG_KEY;
  if (env === undefined) delete process.env.FENGKONG_KEY;
  else process.env.FENGKONG_KEY = env;
  try {
    const warnings: string[] = [];
    const c = clientOf(parseArgs(args, { ...KEY_FLAGS, url: 'string' }, USAGE), USAGE, (l) => warnings.push(l));
    return { ...c, warnings };
  } finally {
    if (saved === undefined) delete process.env.FENGKONG_KEY;
    else process.env.FENGKONG_KEY = saved;
  }
}

test('clientOf: --key-file (its first line), FENGKONG_KEY, and --key with a warning', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fk-keyfile-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'admin.key');
  writeFileSync(file, 'fk_fromfile\n');
  assert.deepEqual(client(['--key-file', file], 'fk_env'), { key: 'fk_fromfile', url: 'http://127.0.0.1:8080', warnings: [] }, 'the file over the environment');
  assert.deepEqual(client(['--url', 'https://risk.example:8443/'], 'fk_env'), { key: 'fk_env', url: 'https://risk.example:8443', warnings: [] });
  const flagged = client(['--key', 'fk_flag'], 'fk_env');
  assert.equal(flagged.key, 'fk_flag');
  assert.equal(flagged.warnings.length, 1);
  assert.match(flagged.warnings[0], /--key is visible to other users in the process list; use --key-file FILE or FENGKONG_KEY/);
  writeFileSync(file, '  fk_crlf \r\nsecond line\r\n');
  assert.equal(client(['--key-file', file], undefined).key, 'fk_crlf');
});

test('clientOf: refusals name the flag', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fk-keyfile-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const refused = (args: string[], env: string | undefined, re: RegExp): void =>
    assert.throws(() => client(args, env), (e: unknown) => e instanceof UsageError && re.test(e.message));
  refused([], undefined, /an API key is needed: --key-file FILE or the FENGKONG_KEY environment variable/);
  refused([], '', /an API key is needed/);
  refused(['--key-file', join(dir, 'none')], undefined, /--key-file .*none: cannot read it \(no such file\)/);
  refused(['--key-file', dir], undefined, /--key-file .*: cannot read it \(a folder, not a file\)/);
  const empty = join(dir, 'empty');
  writeFileSync(empty, '\n');
  refused(['--key-file', empty], 'fk_env', /--key-file .*empty: the file is empty/);
  refused(['--key', 'a', '--key-file', empty], undefined, /--key and --key-file: give one of them/);
});
