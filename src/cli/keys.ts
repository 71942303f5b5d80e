/**
 * `fengkong keys create --role decide|analyst|admin|support [--data DIR]`: makes one new random API key,
 * prints it once on stdout (so scripts can capture it) and stores only its sha256 in the data
 * folder's store. Works beside a running server: the server sees the key on its next request.
 */
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { generateKey, hashKey, keyIdOf } from '../server/auth.js';
import { ROLES, type Role } from '../store/journal.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { parseArgs } from './args.js';

const USAGE = 'fengkong keys create --role decide|analyst|admin|support [--data ./data]';

/** Runs `keys <subcommand>`; resolves to the exit code. */
export async function runKeys(args: string[]): Promise<number> {
  const { positionals, flags } = parseArgs(args, { role: 'string', data: 'string' }, USAGE);
  if (positionals.length !== 1 || positionals[0] !== 'create') {
    throw new UsageError(`expected "keys create"\nusage: ${USAGE}`);
  }
  const role = flags.get('role');
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
    throw new UsageError(`--role must be one of ${ROLES.join(', ')}\nusage: ${USAGE}`);
  }
  const dataDir = resolve((flags.get('data') as string | undefined) ?? './data');
  const store = new SqliteStore(dataDir);
  try {
    const key = generateKey();
    const hash = hashKey(key);
    store.createKey(hash, role as Role);
    store.audit.append({ actor: localActor(), action: 'key.create', target: `keys/${keyIdOf(hash)}`, after: { role } });
    process.stdout.write(`${key}\n`);
    process.stderr.write(`fengkong keys: created a new ${role} key in ${dataDir}; it is shown only once, store it safely\n`);
  } finally {
    store.close();
  }
  return 0;
}

/** The audit log's name for whoever runs the CLI on this machine. */
export function localActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli:unknown';
  }
}
