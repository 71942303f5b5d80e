/**
 * Block, allow and watch lists over HTTP: analysts read, admins change. Every change is checked
 * (a refusal changes nothing), committed to the data folder together with its audit record, and
 * applied to the engine's lists, where the very next decision sees it. Changes made beside the
 * server (`fengkong lists add …` on the same data folder) are picked up within a second, and before
 * every list request.
 */
import { ListSet, pageLimit } from '../../lists/list-set.js';
import { ListManager } from '../../lists/manager.js';
import type { ListStore } from '../../lists/store.js';
import { LIST_KINDS, LIST_PURPOSES, type ListChange } from '../../lists/types.js';
import { checkListName } from '../../lists/validate.js';
import { SqliteAuditLog } from '../../store/sqlite/audit.js';
import { SqliteListStore } from '../../store/sqlite/lists.js';
import type { BodyLimits } from '../body.js';
import type { CompiledPolicy } from '../../rules/policy-types.js';
import type { ApiRequest, ModuleFactory, Route } from '../routes.js';
import { RuleActionFollower } from '../../automation/rule-action-follower.js';
import { SqliteFollowerCursors } from '../../store/sqlite/follower-cursors.js';
import { SCHEDULES_ACTOR } from '../../schedules/review-queue.js';
import { DEFAULT_CADENCES } from '../../schedules/schedule-file.js';
import { ListBody, ListEntriesQuery, ListEntryBody } from '../schemas/lists.js';

/** A list or entry body is a few hundred bytes. */
const LIST_LIMITS: BodyLimits = { maxBytes: 16 * 1024, maxDepth: 4 };
/** How often the server looks for changes other writers (the CLI, another cluster node) committed. */
const SYNC_EVERY_MS = 1_000;

/**
 * The engine's lists kept in step with the data folder's list store, through the port of either kind.
 * Reloads and changes run one at a time (`serial`): with a store that answers later, a reload landing
 * between a change's commit and its apply to memory would otherwise miscount the versions. With
 * SQLite every step settles in the same turn, so nothing waits.
 */
export class LiveLists {
  readonly manager: ListManager;
  private committed = 0;
  private readonly timer: NodeJS.Timeout;
  /** The last reload or change queued; the next one starts after it settles. */
  private tail: Promise<unknown> = Promise.resolve();

  /**
   * @param policy the policy deciding now (which lists it uses)
   * @param seen the store's version the engine's lists were loaded at
   * @param syncEveryMs how often to look for other writers' changes
   */
  constructor(
    policy: () => CompiledPolicy,
    private readonly lists: ListSet,
    private readonly store: ListStore,
    private seen: number,
    syncEveryMs = SYNC_EVERY_MS,
  ) {
    this.manager = new ListManager(lists, store, () => policy().lists);
    this.timer = setInterval(() => {
      this.sync().catch((e: unknown) => {
        process.stderr.write(`fengkong serve: cannot reload lists: ${(e as Error).message}\n`);
      });
    }, syncEveryMs).unref();
  }

  /** Called by the store's hook inside each change's transaction. */
  noteCommit(version: number): void {
    this.committed = version;
  }

  /** Reloads every list when another writer committed since we last looked. */
  sync(): Promise<void> {
    return this.serial(() => this.reload());
  }

  /** Runs one change through the manager; a version that skipped one means another writer got in between. */
  change(fn: (m: ListManager) => Promise<ListChange>): Promise<ListChange> {
    return this.serial(async () => {
      await this.reload();
      const c = await fn(this.manager);
      if (this.committed === this.seen + 1) this.seen = this.committed;
      else await this.reload();
      return c;
    });
  }

  /**
   * Deletes the entries expired at `atMs` from the store and from memory (the nightly list expiry),
   * after whatever change is queued; returns how many the store held.
   */
  purge(atMs: number): Promise<number> {
    return this.serial(async () => {
      const n = await this.store.purgeExpired(atMs);
      this.lists.prune(atMs);
      return n;
    });
  }

  /** Stops reloading; closes the store once the queued work settled. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.tail;
    await this.store.close();
  }

  private async reload(): Promise<void> {
    const v = await this.store.version();
    if (v === this.seen) return;
    const fresh = new ListSet();
    await this.store.loadInto(fresh);
    this.lists.replaceWith(fresh);
    this.seen = v;
  }

  /** Runs `fn` after everything queued before it, whatever became of that. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }
}

function page(req: ApiRequest): { after?: string; limit: number } {
  const raw = req.query.get('limit');
  const limit = pageLimit(raw === null ? undefined : raw.trim() === '' ? NaN : Number(raw));
  const after = req.query.get('after');
  return after === null ? { limit } : { after, limit };
}

/** The list routes. */
export const listsModule: ModuleFactory = (parts) => {
  const { engine, lists: engineLists, dataDir } = parts;
  let live: LiveLists | null = null;
  let audit: SqliteAuditLog | null = null;
  // its own connection, so each change and its audit record commit in one transaction
  const store = SqliteListStore.open(dataDir, {
    onChange: (c, version) => {
      if (audit === null) throw new Error('internal: list change before the audit log is open');
      audit.append(c);
      live?.noteCommit(version);
    },
  });
  try {
    audit = new SqliteAuditLog(store.database);
    // the first load is synchronous, as module factories are: the engine decides with these lists
    // from the first request (a store that answers later needs an asynchronous module start)
    const seen = store.version();
    store.loadInto(engineLists);
    live = new LiveLists(() => engine.currentPolicy, engineLists, store, seen);
  } catch (e) {
    store.close();
    throw e;
  }
  const l = live;
  // entries rules add (action add_to_list) are stored here, on the list store's connection with the
  // follower's cursor; the policy's check at publication makes sure the list exists and fits
  const follower = new RuleActionFollower({
    name: 'rule_actions.lists',
    kinds: ['add_to_list'],
    journal: parts.store,
    feed: parts.service,
    cursors: new SqliteFollowerCursors(store.database),
    record: (f) => {
      const list = f.action.list ?? '';
      const author = `rule:${f.action.rule}`;
      const reason = `rule ${f.action.rule} of policy ${f.policy} on payment ${f.tx.id}`;
      const entry = { value: f.action.target, reason, author, addedAt: Date.now(), expiresAt: f.until };
      if (store.list(list) === undefined) {
        process.stderr.write(`fengkong serve: rule ${f.action.rule} added ${JSON.stringify(entry.value)} to list "${list}", which does not exist; nothing was stored\n`);
      } else {
        store.putEntry(list, entry, author);
        engineLists.putEntry(list, entry);
      }
      engine.applyInput({ kind: 'rule_action_stored', list: { name: list, value: entry.value } });
    },
  });
  // the nightly list expiry: entries past their expiry by both clocks — the stream's, which decisions
  // judge them by, and the wall's — leave the store, so lists and their exports hold live entries only
  parts.automation?.jobs?.push({
    name: 'list_expiry',
    cadence: DEFAULT_CADENCES.list_expiry,
    run: async (slot) => {
      if (!engine.currentPolicy.schedules.listExpiry || !Number.isFinite(engine.now)) return;
      const at = Math.min(engine.now, Date.now());
      const removed = await l.purge(at);
      if (removed > 0) audit?.append({ actor: SCHEDULES_ACTOR, action: 'lists.expire', target: `lists/expire/${slot}`, before: null, after: { asOf: at, removed } });
    },
  });
  return {
    close: async () => {
      follower.close();
      await l.close();
    },
    routes: listRoutes(l, () => engine.currentPolicy),
  };
};

/**
 * The list routes over a LiveLists, for the embedded server's module and a cluster node alike;
 * `changed` runs after each change committed (a cluster node tells the other nodes at once).
 */
export function listRoutes(l: LiveLists, policy: () => CompiledPolicy, changed: () => void = () => {}): Route[] {
  const lists = l.manager.set;
  // a rule naming a list that does not exist, or of another kind, can never fire as meant: say so at start
  for (const p of lists.problems(policy().listUses)) process.stderr.write(`fengkong serve: warning: ${p}\n`);
  const summary = (name: string): Record<string, unknown> => ({
    ...lists.require(name),
    entries: lists.size(name),
    usedByPolicy: policy().lists.includes(name),
  });
  const change = async (fn: (m: ListManager) => Promise<ListChange>): Promise<ListChange> => {
    const c = await l.change(fn);
    changed();
    return c;
  };

  return [
      {
        method: 'GET',
        path: '/v1/lists',
        permission: 'read',
        summary: 'Every block, allow and watch list, with its entry count and whether the live policy uses it',
        async handle() {
          await l.sync();
          return { body: { lists: lists.lists().map((x) => summary(x.name)) } };
        },
      },
      {
        method: 'POST',
        path: '/v1/lists',
        permission: 'admin',
        summary: 'Create a list: {name, kind, purpose, description?}',
        description: `kind: ${LIST_KINDS.join(', ')}; purpose: ${LIST_PURPOSES.join(', ')}. Audited as list.create.`,
        body: LIST_LIMITS,
        bodySchema: ListBody,
        async handle({ body, principal }) {
          const c = await change((m) => m.createList(body, { actor: principal.keyId }));
          return { status: 201, body: { list: c.after } };
        },
      },
      {
        method: 'GET',
        path: '/v1/lists/{name}',
        permission: 'read',
        summary: 'One list, with its entry count',
        async handle({ params }) {
          await l.sync();
          return { body: { list: summary(checkListName(params.name, 'name')) } };
        },
      },
      {
        method: 'GET',
        path: '/v1/lists/{name}/entries',
        permission: 'read',
        summary: 'Entries of a list in value order, expired ones left out; paged with after and limit',
        description: 'Query: after (the `next` of the previous page), limit (1–1000, default 100).',
        querySchema: ListEntriesQuery,
        async handle(req) {
          await l.sync();
          return { body: lists.entries(req.params.name, page(req), Date.now()) };
        },
      },
      {
        method: 'POST',
        path: '/v1/lists/{name}/entries',
        permission: 'admin',
        summary: 'Add an entry (or replace the entry of the same value): {value, reason, expiresAt?}; effective from the next decision',
        description: 'expiresAt: epoch ms or ISO 8601 with offset, in the future. Audited as list.entry.add with the replaced entry as before.',
        body: LIST_LIMITS,
        bodySchema: ListEntryBody,
        async handle({ params, body, principal }) {
          const c = await change((m) => m.addEntry(params.name, body, { actor: principal.keyId }));
          return { status: c.before === null ? 201 : 200, body: { entry: c.after, replaced: c.before } };
        },
      },
      {
        method: 'DELETE',
        path: '/v1/lists/{name}/entries/{value}',
        permission: 'admin',
        summary: 'Remove an entry; effective from the next decision',
        description: 'The value is URI-encoded in the path. Audited as list.entry.remove.',
        async handle({ params, principal }) {
          const c = await change((m) => m.removeEntry(params.name, params.value, { actor: principal.keyId }));
          return { body: { removed: c.before } };
        },
      },
  ];
}
