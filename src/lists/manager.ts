/**
 * Changes to lists, in the one order that keeps memory and disk in step: check against the engine's
 * ListSet (bad input throws, nothing changes), write to the store (a refusal or I/O error throws,
 * nothing changes), then apply to the ListSet, where the very next decision sees it. The API routes
 * and the CLI both go through here. Each change awaits the store (of either kind, see ListStore), so
 * it resolves to what it did; callers that may run changes side by side serialise them (LiveLists).
 */
import type { ListStore } from './store.js';
import type { ListSet } from './list-set.js';
import { listTarget, type ListChange } from './types.js';
import { checkAuthor } from './validate.js';

/** Who is changing, and the wall clock to stamp with. */
export interface ChangeContext {
  /** the API key id or CLI user. */
  readonly actor: string;
  /** wall-clock epoch ms (default now). */
  readonly now?: number;
}

/** Validated, durable, immediately effective list changes. */
export class ListManager {
  /**
   * @param set the lists the engine decides with.
   * @param store where changes are made durable (and audited, by its hook); null keeps them in memory only.
   * @param inUse the lists the live policy names (CompiledPolicy.lists), asked at each delete.
   */
  constructor(
    readonly set: ListSet,
    private readonly store: ListStore | null,
    private readonly inUse: () => readonly string[] = () => [],
  ) {}

  /** Creates a list from JSON `{name, kind, purpose, description?}`. */
  async createList(input: unknown, ctx: ChangeContext): Promise<ListChange> {
    const actor = checkAuthor(ctx.actor, 'actor');
    const info = this.set.checkList(input, actor, ctx.now ?? Date.now());
    const change = (await this.store?.createList(info, actor)) ?? { actor, action: 'list.create', target: listTarget(info.name), before: null, after: info };
    this.set.putList(info);
    return change;
  }

  /** Deletes a list that is neither a default list nor named by the live policy. */
  async deleteList(name: string, ctx: ChangeContext): Promise<ListChange> {
    const actor = checkAuthor(ctx.actor, 'actor');
    const before = this.set.checkDelete(name, this.inUse());
    const change = (await this.store?.deleteList(name, actor)) ?? { actor, action: 'list.delete', target: listTarget(name), before, after: null };
    this.set.deleteList(name, this.inUse());
    return change;
  }

  /** Adds (or replaces) an entry from JSON `{value, reason, expiresAt?}`, authored by the actor. */
  async addEntry(list: string, input: unknown, ctx: ChangeContext): Promise<ListChange> {
    const actor = checkAuthor(ctx.actor, 'actor');
    const now = ctx.now ?? Date.now();
    const entry = this.set.checkEntry(list, input, actor, now);
    const change = await this.store?.putEntry(list, entry, actor);
    const before = this.set.putEntry(list, entry);
    this.set.prune(now);
    return change ?? { actor, action: 'list.entry.add', target: listTarget(list, entry.value), before, after: entry };
  }

  /** Removes `value` from `list`. */
  async removeEntry(list: string, value: string, ctx: ChangeContext): Promise<ListChange> {
    const actor = checkAuthor(ctx.actor, 'actor');
    const held = this.set.get(list, value); // a NotFoundError for an unknown list
    if (this.store === null) {
      const before = this.set.remove(list, value); // a NotFoundError when not on it
      return { actor, action: 'list.entry.remove', target: listTarget(list, value), before, after: null };
    }
    // the store is the truth: it refuses a value it does not hold, and removes one memory lacks (added by the CLI)
    const change = await this.store.removeEntry(list, value, actor);
    if (held !== undefined) this.set.remove(list, value);
    return change;
  }
}
