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
  (every form takes --data DIR, default ./data)`;

const FLAGS = {
  data: 'string',
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
  const dataDir = resolve(str('data') ?? './data');
  let audit: SqliteAuditLog | null = null;
  const store = SqliteListStore.open(dataDir, { onChange: (c) => audit?.append(c) });
  try {
    audit = new SqliteAuditLog(store.database);
    // written against the port, so the same command works over a store that answers later
    const port: ListStore = store;
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
    store.close();
  }
}
