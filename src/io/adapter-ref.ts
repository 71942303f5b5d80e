/**
 * How a worker thread gets the store adapter it works on. Functions and open connections cannot
 * cross postMessage, and a domain worker must not import an adapter itself (only the composition
 * root picks adapters), so the root sends a reference as data — the URL of a module that exports
 * the factories and the data folder to open — and the worker imports that module by its URL.
 */
import { ConfigError } from '../errors.js';

/** An adapter as worker data: a module URL and what it opens. Plain data, so it survives structured clone. */
export interface AdapterRef {
  /** URL (`file:`) of a module exporting the factories the worker's domain defines (e.g. store/sqlite/worker-factory.ts). */
  readonly module: string;
  /** The data folder the factories open. */
  readonly dataDir: string;
  /**
   * Adapter settings the worker must share with the starting thread (e.g. the SQLite adapter's
   * master key file and whether it seals); given to the module's `adoptRef` when it exports one.
   */
  readonly settings?: Readonly<Record<string, string | boolean>>;
}

/**
 * Imports `ref.module` and returns it as `T`, having checked that it exports every factory in
 * `names` as a function: a wrong module fails here, with its URL, rather than deep in the worker.
 */
export async function importAdapter<T extends object>(ref: AdapterRef, names: readonly (keyof T & string)[]): Promise<T> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(ref.module)) as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError(`cannot load the store adapter ${ref.module}: ${(e as Error).message}`, { cause: e });
  }
  const missing = names.filter((n) => typeof mod[n] !== 'function');
  if (missing.length > 0) throw new ConfigError(`the store adapter ${ref.module} does not export ${missing.join(', ')}`);
  if (typeof mod.adoptRef === 'function') (mod.adoptRef as (r: AdapterRef) => void)(ref);
  return mod as T;
}
