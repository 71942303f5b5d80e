/**
 * Sync and async modelled in types, not duplicated (the Drizzle way): a store port is written once,
 * generic over its adapter's kind. An embedded adapter (SQLite answers in microseconds) implements
 * `Port<'sync'>` and returns values; a networked one (PostgreSQL) implements `Port<'async'>` and
 * returns promises. Code written against `Port` (both kinds) awaits every call, which a value
 * satisfies too; code that must stay synchronous (a replay loop) asks for `Port<'sync'>`.
 */

/** Whether a port's adapter answers at once or later. */
export type ResultKind = 'sync' | 'async';

/** What a port method of kind K returns for a T: T itself, or a promise of it (both, for `ResultKind`). */
export type Result<K extends ResultKind, T> = K extends 'sync' ? T : Promise<T>;

/**
 * `f(x)`, after `x` settles when it is a promise: code written against a port of either kind chains
 * its steps with this, so it stays synchronous — in one tick, with no promise — over a sync adapter.
 */
export function then<T, U>(x: T | Promise<T>, f: (v: T) => U | Promise<U>): U | Promise<U> {
  return x instanceof Promise ? x.then(f) : f(x);
}
