/**
 * `fengkong keys create|list|revoke` on a data folder's store, beside a running server or not.
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
 *   docs/security.md): a running server seals with it within a few seconds; values sealed before keep
 *   their key id and stay readable; nothing is re-sealed.
 *
 * Every change is audited (`key.create`, `key.revoke`, `key.rate`; actor `cli:<user>`, before and after).
 */
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { checkKeyName, checkRevokeReason, generateKey, hashKey, keyIdOf, keyView, type KeyView } from '../server/auth.js';
import { checkKeyRate, MAX_KEY_RATE, ROLES, type Role } from '../keys/store.js';
import { dbPath, SqliteStore } from '../store/sqlite/sqlite-store.js';
import { rotateDataKey, setEncryption } from '../store/sqlite/crypt.js';
import { existsSync } from 'node:fs';
import { parseArgs } from './args.js';

const USAGE = `fengkong keys create --role ${ROLES.join('|')} [--name LABEL] [--rate PER_SECOND] [--data ./data]
       fengkong keys list [--json] [--data ./data]
       fengkong keys rate KEY_ID PER_SECOND|none [--data ./data]
       fengkong keys revoke KEY_ID --reason TEXT [--data ./data]
       fengkong keys rotate-data [--data ./data] [--master-key-file FILE]   new active data key; older ones still open what they sealed`;

/** A `--rate` or `keys rate` value: requests per second, or null for `none`; a UsageError naming `what` otherwise. */
function parseRate(text: string, what: string): number | null {
  if (text === 'none') return null;
  const n = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  const rate = checkKeyRate(n);
  if (rate === null) throw new UsageError(`${what} must be requests per second, a number above 0 and at most ${MAX_KEY_RATE}${what === '--rate' ? '' : ', or "none"'}\nusage: ${USAGE}`);
  return rate;
}

/** Runs `keys <subcommand>`; resolves to the exit code. */
export async function runKeys(args: string[]): Promise<number> {
  const { positionals, flags } = parseArgs(
    args,
    { role: 'string', data: 'string', name: 'string', reason: 'string', rate: 'string', json: 'switch', 'master-key-file': 'string' },
    USAGE,
  );
  const sub = positionals[0];
  const allowed: Record<string, readonly string[]> = {
    create: ['role', 'data', 'name', 'rate'],
    list: ['data', 'json'],
    rate: ['data'],
    revoke: ['data', 'reason'],
    'rotate-data': ['data', 'master-key-file'],
  };
  if (sub === undefined || allowed[sub] === undefined) {
    throw new UsageError(`expected "keys create", "keys list", "keys rate", "keys revoke" or "keys rotate-data"\nusage: ${USAGE}`);
  }
  for (const f of flags.keys()) {
    if (!allowed[sub].includes(f)) throw new UsageError(`--${f} does not apply to "keys ${sub}"\nusage: ${USAGE}`);
  }
  if (positionals.length !== (sub === 'revoke' ? 2 : sub === 'rate' ? 3 : 1)) {
    throw new UsageError(`unexpected arguments for "keys ${sub}"\nusage: ${USAGE}`);
  }
  const dataDir = resolve((flags.get('data') as string | undefined) ?? './data');
  if (sub === 'rotate-data') {
    const file = flags.get('master-key-file') as string | undefined;
    if (file !== undefined) setEncryption(dataDir, { masterKeyFile: resolve(file) });
    if (!existsSync(dbPath(dataDir))) throw new UsageError(`no data folder at ${dataDir} (no ${dbPath(dataDir)})\nusage: ${USAGE}`);
    return withStore(dataDir, (store) => {
      const id = rotateDataKey(dataDir, store.database);
      process.stdout.write(`data key ${id} is now active\n`);
      process.stderr.write('fengkong keys: a server running on this folder seals with it within a few seconds; older data keys still open what they sealed\n');
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
    return withStore(dataDir, (store) => {
      const key = generateKey();
      const hash = hashKey(key);
      store.database
        .transaction(() => {
          const stored = store.createKey(hash, role as Role, { ...(name !== undefined ? { name } : {}), ...(rate !== undefined ? { rate } : {}) });
          store.audit.append({ actor: localActor(), action: 'key.create', target: `keys/${keyIdOf(hash)}`, after: keyView(stored) });
        })
        .immediate();
      process.stdout.write(`${key}\n`);
      const label = name === undefined ? '' : ` "${name}"`;
      process.stderr.write(
        `fengkong keys: created ${keyIdOf(hash)}${label}, a new ${role} key in ${dataDir}; it is shown only once, store it safely\n`,
      );
      return 0;
    });
  }
  if (sub === 'list') {
    return withStore(dataDir, (store) => {
      const keys = store.listKeys().map(keyView);
      if (flags.get('json') === true) process.stdout.write(`${JSON.stringify({ keys }, null, 2)}\n`);
      else process.stdout.write(table(keys));
      return 0;
    });
  }
  if (sub === 'rate') {
    const rate = parseRate(positionals[2], 'the rate');
    return withStore(dataDir, (store) => {
      const before = store.resolveKey(positionals[1]);
      const after = store.database
        .transaction(() => {
          const changed = store.setKeyRate(before.hash, rate);
          store.audit.append({ actor: localActor(), action: 'key.rate', target: `keys/${keyIdOf(before.hash)}`, before: keyView(before), after: keyView(changed) });
          return changed;
        })
        .immediate();
      process.stdout.write(`${keyIdOf(after.hash)} ${rate === null ? 'unlimited' : `limited to ${rate} requests per second`}\n`);
      process.stderr.write('fengkong keys: a server running on this folder applies it within 5 seconds\n');
      return 0;
    });
  }
  const reason = checkRevokeReason(flags.get('reason'));
  if (reason === null) throw new UsageError(`--reason is required: why the key is revoked (1–500 characters)\nusage: ${USAGE}`);
  const id = positionals[1];
  return withStore(dataDir, (store) => {
    const before = store.resolveKey(id);
    const after = store.database
      .transaction(() => {
        const actor = localActor();
        const revoked = store.revokeKey(before.hash, actor, reason);
        store.audit.append({ actor, action: 'key.revoke', target: `keys/${keyIdOf(before.hash)}`, before: keyView(before), after: keyView(revoked) });
        return revoked;
      })
      .immediate();
    process.stdout.write(`${keyIdOf(after.hash)} revoked\n`);
    process.stderr.write('fengkong keys: a server running on this folder refuses the key within 5 seconds\n');
    return 0;
  });
}

function withStore(dataDir: string, fn: (store: SqliteStore) => number): number {
  const store = new SqliteStore(dataDir);
  try {
    return fn(store);
  } finally {
    store.close();
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
