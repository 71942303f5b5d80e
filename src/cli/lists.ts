/**
 * `fengkong lists …`: block, allow and watch lists on a data folder, like `fengkong keys`. Every
 * change is checked (a refusal changes nothing), committed with its audit record (actor
 * `cli:<user>`), and picked up by a server running on the same folder within a second.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { consortiumKeyOf, exportShared, HASHED_RE, partnerKeyOf, readShared, signingKeyOf } from '../lists/shared.js';
import { UsageError } from '../errors.js';
import { ListSet } from '../lists/list-set.js';
import { ListManager } from '../lists/manager.js';
import type { ListStore } from '../lists/store.js';
import type { ListEntry, ListInfo } from '../lists/types.js';
import { SqliteAuditLog } from '../store/sqlite/audit.js';
import { SqliteListStore } from '../store/sqlite/lists.js';
import { parseArgs } from './args.js';
import { localActor } from './keys.js';

const USAGE = `fengkong lists [show] [--json]                                   every list with its entry count
  fengkong lists entries NAME [--after VALUE] [--limit N] [--json]   a list's entries, in value order
  fengkong lists create NAME --kind KIND --purpose PURPOSE [--description TEXT]
  fengkong lists add NAME VALUE --reason TEXT [--expires 2026-12-31T00:00:00+08:00|30d]
  fengkong lists remove NAME VALUE
  fengkong lists export NAME --shared --institution ID --consortium-key-file FILE --signing-key-file KEY.pem [--out FILE]
    the list's entries as keyed hashes (HMAC-SHA256 under the consortium key), signed with the institution's Ed25519 key
  fengkong lists import FILE --partner-key PARTNER.pub --into NAME [--description TEXT]
    a partner's shared list, its signature checked, into list NAME (created when absent: the file's kind, purpose block)
  fengkong lists keygen --signing PREFIX | --consortium FILE
    an Ed25519 key pair (PREFIX.key, kept; PREFIX.pub, given to partners) or a new consortium key (shared by every member)
  (every form takes --data DIR, default ./data; or --postgres URL [--cluster NAME] [--master-key-file FILE]
   for a cluster's lists, which every node picks up within a second)`;

const FLAGS = {
  data: 'string',
  postgres: 'string',
  cluster: 'string',
  'master-key-file': 'string',
  json: 'switch',
  after: 'string',
  limit: 'int',
  kind: 'string',
  purpose: 'string',
  description: 'string',
  reason: 'string',
  expires: 'string',
  shared: 'switch',
  institution: 'string',
  'consortium-key-file': 'string',
  'signing-key-file': 'string',
  out: 'string',
  'partner-key': 'string',
  into: 'string',
  signing: 'string',
  consortium: 'string',
  help: 'switch',
} as const;

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--expires`: a duration from now (`30d`, `12h`), epoch ms, or a timestamp (checked by the list's validation). */
export function expiresArg(text: string | undefined, nowMs: number): string | number | undefined {
  if (text === undefined) return undefined;
  const d = /^(\d+)([smhd])$/.exec(text);
  if (d !== null) return nowMs + Number(d[1]) * UNIT_MS[d[2]];
  if (/^\d+$/.test(text)) return Number(text);
  return text;
}

function when(ms: number | null): string {
  return ms === null ? 'never' : new Date(ms).toISOString();
}

function entryLine(e: ListEntry): string {
  return `${e.value}\t${e.reason}\tby ${e.author} at ${when(e.addedAt)}\texpires ${when(e.expiresAt)}`;
}

function listLine(l: ListInfo, entries: number): string {
  return `${l.name}\t${l.kind}\t${l.purpose}\t${entries} entries\t${l.description}`;
}

/** Runs `lists <subcommand>`; resolves to the exit code. */
export async function runLists(args: string[]): Promise<number> {
  const { positionals, flags } = parseArgs(args, FLAGS, USAGE);
  const [sub = 'show', ...rest] = positionals;
  const str = (name: string): string | undefined => flags.get(name) as string | undefined;
  const need = (n: number, what: string): string[] => {
    if (rest.length !== n) throw new UsageError(`"lists ${sub}" takes ${what}\nusage: ${USAGE}`);
    return rest;
  };
  const json = flags.get('json') === true;
  const out = (value: unknown, text: string): void => {
    process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${text}\n`);
  };

  if (sub === 'help' || flags.get('help') === true) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return 0;
  }
  if (sub === 'keygen') {
    need(0, 'no arguments');
    return keygen(str('signing'), str('consortium'));
  }
  const postgres = str('postgres');
  if (postgres !== undefined && flags.has('data')) throw new UsageError(`--data and --postgres name two different list stores: give one\nusage: ${USAGE}`);
  if (postgres === undefined) {
    for (const f of ['cluster', 'master-key-file']) {
      if (flags.has(f)) throw new UsageError(`--${f} is for a cluster's lists: give --postgres URL too\nusage: ${USAGE}`);
    }
  }
  const opened = postgres === undefined ? openDataFolderLists(resolve(str('data') ?? './data')) : await openClusterLists(postgres, str('cluster'), str('master-key-file'));
  try {
    // written against the port: the same command over the data folder's store and a cluster's
    const port: ListStore = opened.store;
    const set = new ListSet();
    await port.loadInto(set);
    const lists = new ListManager(set, port);
    const actor = localActor();
    const now = Date.now();
    switch (sub) {
      case 'show': {
        need(0, 'no arguments');
        const all = await port.lists();
        out(all, all.map((l) => listLine(l, l.entries)).join('\n'));
        return 0;
      }
      case 'entries': {
        const [name] = need(1, 'a list name');
        const page = set.entries(name, { after: str('after'), limit: flags.get('limit') as number | undefined }, now);
        out(page, [...page.entries.map(entryLine), ...(page.next === null ? [] : [`(more: --after ${page.next})`])].join('\n'));
        return 0;
      }
      case 'create': {
        const [name] = need(1, 'a list name');
        const c = await lists.createList({ name, kind: str('kind'), purpose: str('purpose'), description: str('description') }, { actor, now });
        const info = c.after as ListInfo;
        out(info, `created list ${info.name} (${info.kind}, ${info.purpose})`);
        return 0;
      }
      case 'add': {
        const [name, value] = need(2, 'a list name and a value');
        const c = await lists.addEntry(name, { value, reason: str('reason'), expiresAt: expiresArg(str('expires'), now) }, { actor, now });
        const e = c.after as ListEntry;
        out(c, `${c.before === null ? 'added' : 'replaced'} ${e.value} ${c.before === null ? 'to' : 'on'} ${name}, expires ${when(e.expiresAt)}`);
        return 0;
      }
      case 'remove': {
        const [name, value] = need(2, 'a list name and a value');
        const c = await lists.removeEntry(name, value, { actor, now });
        out(c, `removed ${value} from ${name}`);
        return 0;
      }
      case 'export': {
        const [name] = need(1, 'a list name');
        if (flags.get('shared') !== true) throw new UsageError(`"lists export" writes a shared list: give --shared (entries as keyed hashes)\nusage: ${USAGE}`);
        const file = (flag: string): string => {
          const f = str(flag);
          if (f === undefined) throw new UsageError(`"lists export --shared" needs --${flag}\nusage: ${USAGE}`);
          return readFileSync(f, 'utf8');
        };
        const institution = str('institution');
        if (institution === undefined || institution.trim() === '') throw new UsageError(`"lists export --shared" needs --institution (the name the consortium knows you by)\nusage: ${USAGE}`);
        const info = set.lists().find((l) => l.name === name);
        if (info === undefined) throw new UsageError(`no list named ${JSON.stringify(name)}; lists: ${set.lists().map((l) => l.name).join(', ')}`);
        const entries: ListEntry[] = [];
        let after: string | undefined;
        do {
          const page = set.entries(name, after === undefined ? { limit: 1000 } : { after, limit: 1000 }, now);
          entries.push(...page.entries.filter((e) => !HASHED_RE.test(e.value)));
          after = page.next ?? undefined;
        } while (after !== undefined);
        const shared = exportShared({ institution, kind: info.kind, list: name, entries, consortiumKey: consortiumKeyOf(file('consortium-key-file')), signingKey: signingKeyOf(file('signing-key-file')), now });
        const text = `${JSON.stringify(shared, null, 1)}\n`;
        const target = str('out');
        if (target === undefined) process.stdout.write(text);
        else {
          writeFileSync(target, text);
          process.stderr.write(`wrote ${shared.entries.length} hashed entries of ${name} to ${target}\n`);
        }
        return 0;
      }
      case 'import': {
        const [path] = need(1, 'the shared list file');
        const keyFile = str('partner-key');
        const into = str('into');
        if (keyFile === undefined || into === undefined) throw new UsageError(`"lists import" needs --partner-key and --into\nusage: ${USAGE}`);
        const shared = readShared(readFileSync(path, 'utf8'), partnerKeyOf(readFileSync(keyFile, 'utf8')));
        const existing = set.lists().find((l) => l.name === into);
        if (existing === undefined) {
          await lists.createList({ name: into, kind: shared.kind, purpose: 'block', description: str('description') ?? `shared by ${shared.institution}` }, { actor, now });
        } else if (existing.kind !== shared.kind) {
          throw new UsageError(`list ${into} holds ${existing.kind} values; the shared list holds ${shared.kind} values: import into another list`);
        }
        const reason = `shared by ${shared.institution} (${shared.list}, exported ${new Date(shared.exportedAt).toISOString()})`;
        let added = 0;
        for (const e of shared.entries) {
          if (e.expiresAt !== null && e.expiresAt <= now) continue;
          await lists.addEntry(into, { value: `h:${e.h}`, reason, expiresAt: e.expiresAt }, { actor, now });
          added++;
        }
        out({ list: into, institution: shared.institution, added }, `added ${added} hashed entries shared by ${shared.institution} to ${into}`);
        return 0;
      }
      default:
        throw new UsageError(`unknown subcommand "lists ${sub}"\nusage: ${USAGE}`);
    }
  } finally {
    await opened.close();
  }
}

/** `lists keygen`: an Ed25519 key pair for signing shared lists, or a new consortium key; files 0600 where secret. */
function keygen(signing: string | undefined, consortium: string | undefined): number {
  if ((signing === undefined) === (consortium === undefined)) throw new UsageError(`"lists keygen" takes one of --signing PREFIX or --consortium FILE\nusage: ${USAGE}`);
  if (consortium !== undefined) {
    writeFileSync(consortium, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    process.stderr.write(`wrote a new consortium key to ${consortium}: give it to every member over a safe channel, never with a shared list\n`);
    return 0;
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  writeFileSync(`${signing}.key`, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  writeFileSync(`${signing}.pub`, publicKey.export({ type: 'spki', format: 'pem' }), { flag: 'wx' });
  process.stderr.write(`wrote ${signing}.key (keep it) and ${signing}.pub (give it to your partners)\n`);
  return 0;
}

/** A list store and how to close it (with its audit log and, on a cluster, its pool). */
interface OpenedLists {
  readonly store: ListStore;
  close(): Promise<void>;
}

/** The data folder's lists, each change audited in the same transaction. */
function openDataFolderLists(dataDir: string): OpenedLists {
  let audit: SqliteAuditLog | null = null;
  const store = SqliteListStore.open(dataDir, { onChange: (c) => audit?.append(c) });
  try {
    audit = new SqliteAuditLog(store.database);
  } catch (e) {
    store.close();
    throw e;
  }
  return {
    store,
    close: async () => {
      store.close();
    },
  };
}

/** A cluster's lists in PostgreSQL (loaded by import(): the embedded commands never load its client). */
async function openClusterLists(postgres: string, cluster: string | undefined, masterKeyFile: string | undefined): Promise<OpenedLists> {
  const { openClusterStores } = await import('../wiring/cluster/stores.js');
  const { openClusterListStore } = await import('../wiring/cluster/lists.js');
  const stores = await openClusterStores({ postgres, cluster: cluster ?? 'fengkong', ...(masterKeyFile !== undefined ? { masterKeyFile } : {}) });
  try {
    return { store: await openClusterListStore(stores), close: () => stores.close() };
  } catch (e) {
    await stores.close();
    throw e;
  }
}
