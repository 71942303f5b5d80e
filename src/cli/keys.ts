/**
 * `fengkong keys create|list|rate|revoke|rotate-data` on a data folder's store (`--data`, the
 * default `./data`) or on a cluster's PostgreSQL schema (`--postgres URL [--cluster NAME]
 * [--master-key-file FILE]`, docs/scale-out.md), beside a running server or not. Both places behave
 * alike and print alike (key-book.ts); the cluster's stores are loaded by `import()` only when
 * `--postgres` is given, so the embedded default never loads `pg`.
 *
 * - `create --role R [--name N] [--rate N]` makes one new random API key, prints it once on stdout (so
 *   scripts can capture it) and stores only its sha256, with the optional label and rate limit
 *   (requests per second). The server sees the key on its next request.
 * - `rate KEY_ID N|none` sets (or lifts) a key's rate limit; a running server applies it within 5 s
 *   (`PATCH /v1/keys/{keyId}` on the server itself: on the next request).
 * - `list [--json]` shows every key by id (`key_` + 12 hex digits of its hash), label, role, creation
 *   and revocation; never a hash.
 * - `revoke KEY_ID --reason TEXT` revokes a key (by id, or a hash prefix of 12+ hex digits). A
 *   running server refuses it within 5 seconds (its key cache); `DELETE /v1/keys/{keyId}` on the
 *   server itself takes effect on the next request.
 *
 * - `rotate-data [--master-key-file F]` adds a new active data key (encryption at rest, see
 *   docs/security.md): a running server (every node of a cluster) seals with it within a few
 *   seconds; values sealed before keep their key id and stay readable; nothing is re-sealed.
 *
 * Every change is audited (`key.create`, `key.revoke`, `key.rate`; actor `cli:<user>`, before and
 * after), in the same transaction as the change. On a cluster the master key file
 * (`--master-key-file` or FENGKONG_MASTER_KEY_FILE) is needed by every subcommand: opening the
 * cluster's audit log opens its data keys.
 */
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { checkKeyName, checkRevokeReason, generateKey, hashKey, keyIdOf, keyView, type KeyView } from '../server/auth.js';
import { checkKeyRate, MAX_KEY_RATE, ROLES, type Role } from '../keys/store.js';
import { DEFAULT_CLUSTER } from '../store/cluster-name.js';
import { parseArgs } from './args.js';
import type { KeyBook } from './key-book.js';
import { openClusterKeyBook } from './keys-cluster.js';
import { openSqliteKeyBook } from './keys-sqlite.js';

const WHERE = '[--data ./data | --postgres URL [--cluster NAME] [--master-key-file FILE]]';
const USAGE = `fengkong keys create --role ${ROLES.join('|')} [--name LABEL] [--rate PER_SECOND] ${WHERE}
       fengkong keys list [--json] ${WHERE}
       fengkong keys rate KEY_ID PER_SECOND|none ${WHERE}
       fengkong keys revoke KEY_ID --reason TEXT ${WHERE}
       fengkong keys rotate-data [--data ./data | --postgres URL [--cluster NAME]] [--master-key-file FILE]   new active data key; older ones still open what they sealed
  --data DIR         a data folder (default ./data)
  --postgres URL     a cluster's PostgreSQL instead (postgres://user@host:5432/db); --cluster NAME picks
                     its schema fk_NAME (default ${DEFAULT_CLUSTER}); the master key file (--master-key-file
                     or FENGKONG_MASTER_KEY_FILE) is needed by every subcommand on a cluster`;

/** A `--rate` or `keys rate` value: requests per second, or null for `none`; a UsageError naming `what` otherwise. */
function parseRate(text: string, what: string): number | null {
  if (text === 'none') return null;
  const n = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  const rate = checkKeyRate(n);
  if (rate === null) throw new UsageError(`${what} must be requests per second, a number above 0 and at most ${MAX_KEY_RATE}${what === '--rate' ? '' : ', or "none"'}\nusage: ${USAGE}`);
  return rate;
}

/** The flags each subcommand takes besides where the keys are. */
const OWN_FLAGS: Record<string, readonly string[]> = {
  create: ['role', 'name', 'rate'],
  list: ['json'],
  rate: [],
  revoke: ['reason'],
  'rotate-data': ['master-key-file'],
};

/** Runs `keys <subcommand>`; resolves to the exit code. */
export async function runKeys(args: string[]): Promise<number> {
  const { positionals, flags } = parseArgs(
    args,
    {
      role: 'string', data: 'string', name: 'string', reason: 'string', rate: 'string', json: 'switch', 'master-key-file': 'string',
      postgres: 'string', cluster: 'string',
    },
    USAGE,
  );
  const sub = positionals[0];
  if (sub === undefined || OWN_FLAGS[sub] === undefined) {
    throw new UsageError(`expected "keys create", "keys list", "keys rate", "keys revoke" or "keys rotate-data"\nusage: ${USAGE}`);
  }
  const postgres = flags.get('postgres') as string | undefined;
  if (postgres !== undefined && flags.has('data')) {
    throw new UsageError(`give --data (a data folder) or --postgres (a cluster), not both\nusage: ${USAGE}`);
  }
  if (postgres === undefined && flags.has('cluster')) {
    throw new UsageError(`--cluster names a cluster on PostgreSQL: give --postgres URL with it\nusage: ${USAGE}`);
  }
  const allowed = [...OWN_FLAGS[sub], ...(postgres === undefined ? ['data'] : ['postgres', 'cluster', 'master-key-file'])];
  for (const f of flags.keys()) {
    if (!allowed.includes(f)) throw new UsageError(`--${f} does not apply to "keys ${sub}"${f === 'master-key-file' ? ' on a data folder' : ''}\nusage: ${USAGE}`);
  }
  if (positionals.length !== (sub === 'revoke' ? 2 : sub === 'rate' ? 3 : 1)) {
    throw new UsageError(`unexpected arguments for "keys ${sub}"\nusage: ${USAGE}`);
  }
  const masterKeyFile = flags.get('master-key-file') as string | undefined;
  const open = (): Promise<KeyBook> =>
    postgres !== undefined
      ? openClusterKeyBook({
        postgres,
        cluster: (flags.get('cluster') as string | undefined) ?? DEFAULT_CLUSTER,
        ...(masterKeyFile !== undefined ? { masterKeyFile: resolve(masterKeyFile) } : {}),
      })
      : Promise.resolve(openSqliteKeyBook(resolve((flags.get('data') as string | undefined) ?? './data'), {
        forRotation: sub === 'rotate-data',
        ...(masterKeyFile !== undefined ? { masterKeyFile: resolve(masterKeyFile) } : {}),
        usage: USAGE,
      }));
  if (sub === 'rotate-data') {
    return withBook(open, async (book) => {
      const id = await book.rotateData();
      process.stdout.write(`data key ${id} is now active\n`);
      process.stderr.write(`fengkong keys: ${book.rotationNote}\n`);
      return 0;
    });
  }
  if (sub === 'create') {
    const role = flags.get('role');
    if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
      throw new UsageError(`--role must be one of ${ROLES.join(', ')}\nusage: ${USAGE}`);
    }
    const rawName = flags.get('name') as string | undefined;
    const name = rawName === undefined ? undefined : checkKeyName(rawName);
    if (name === null) throw new UsageError(`--name must be 1–64 letters, digits, ".", "_", "-", ":" or "@"\nusage: ${USAGE}`);
    const rawRate = flags.get('rate') as string | undefined;
    const rate = rawRate === undefined ? undefined : (parseRate(rawRate, '--rate') ?? undefined);
    if (rawRate === 'none') throw new UsageError(`--rate must be requests per second; leave it out for no limit\nusage: ${USAGE}`);
    return withBook(open, async (book) => {
      const key = generateKey();
      const hash = hashKey(key);
      await book.create(hash, role as Role, { ...(name !== undefined ? { name } : {}), ...(rate !== undefined ? { rate } : {}) }, localActor());
      process.stdout.write(`${key}\n`);
      const label = name === undefined ? '' : ` "${name}"`;
      process.stderr.write(
        `fengkong keys: created ${keyIdOf(hash)}${label}, a new ${role} key in ${book.where}; it is shown only once, store it safely\n`,
      );
      return 0;
    });
  }
  if (sub === 'list') {
    return withBook(open, async (book) => {
      const keys = (await book.list()).map(keyView);
      if (flags.get('json') === true) process.stdout.write(`${JSON.stringify({ keys }, null, 2)}\n`);
      else process.stdout.write(table(keys));
      return 0;
    });
  }
  if (sub === 'rate') {
    const rate = parseRate(positionals[2], 'the rate');
    return withBook(open, async (book) => {
      const after = await book.rate(positionals[1], rate, localActor());
      process.stdout.write(`${keyIdOf(after.hash)} ${rate === null ? 'unlimited' : `limited to ${rate} requests per second`}\n`);
      process.stderr.write(`fengkong keys: ${book.readers} applies it within 5 seconds\n`);
      return 0;
    });
  }
  const reason = checkRevokeReason(flags.get('reason'));
  if (reason === null) throw new UsageError(`--reason is required: why the key is revoked (1–500 characters)\nusage: ${USAGE}`);
  return withBook(open, async (book) => {
    const after = await book.revoke(positionals[1], localActor(), reason);
    process.stdout.write(`${keyIdOf(after.hash)} revoked\n`);
    process.stderr.write(`fengkong keys: ${book.readers} refuses the key within 5 seconds\n`);
    return 0;
  });
}

/** Runs `fn` on the book `open` gives, closing it whatever happens. */
async function withBook(open: () => Promise<KeyBook>, fn: (book: KeyBook) => Promise<number>): Promise<number> {
  const book = await open();
  try {
    return await fn(book);
  } finally {
    await book.close();
  }
}

/** The keys as an aligned text table, one line each. */
function table(keys: readonly KeyView[]): string {
  const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const rows = [
    ['KEY ID', 'NAME', 'ROLE', 'RATE/S', 'CREATED', 'REVOKED'],
    ...keys.map((k) => [
      k.keyId,
      k.name ?? '-',
      k.role,
      k.rate === null ? '-' : String(k.rate),
      iso(k.createdAt),
      k.revokedAt === null ? '-' : `${iso(k.revokedAt)} by ${k.revokedBy ?? '?'}: ${k.revokeReason ?? ''}`,
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n') + '\n';
}

/** The audit log's name for whoever runs the CLI on this machine. */
export function localActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli:unknown';
  }
}
