/**
 * `fengkong lists …`: block, allow and watch lists on a data folder, like `fengkong keys`. Every
 * change is checked (a refusal changes nothing), committed with its audit record (actor
 * `cli:<user>`), and picked up by a server running on the same folder within a second.
 */
import { resolve } from 'node:path';
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
      default:
        throw new UsageError(`unknown subcommand "lists ${sub}"\nusage: ${USAGE}`);
    }
  } finally {
    await opened.close();
  }
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
