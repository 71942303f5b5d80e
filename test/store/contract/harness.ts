// What every contract suite is given: a way to open the adapter under test on a fresh, empty
// location. One `open()` per test; the suite calls `close()` at the end of each, whatever happened.
import { it } from 'node:test';

/** The adapter under test, opened on a fresh, empty location. */
export interface Opened<P> {
  /** The port (or the ports that share one database, such as a store and its audit log). */
  readonly store: P;
  /**
   * Closes every handle opened so far and opens the same location again, as a restart would: what
   * the new handle sees is what the port promises to keep. Later calls of `close` close it too.
   */
  reopen(): P | Promise<P>;
  /**
   * Another handle on the same location while the first stays open (another connection or
   * process); closed by `close`. Only suites testing what a second writer or reader sees use it.
   */
  another?(): P | Promise<P>;
  /** Closes every handle and removes the location. */
  close(): void | Promise<void>;
}

/** Opens the adapter under test on a fresh location. */
export type Open<P> = () => Opened<P> | Promise<Opened<P>>;

/** A test of a suite: it gets the opened adapter and its port. */
export type ContractTest<P> = (h: Opened<P>, store: P) => void | Promise<void>;

/** Registers `title` under the suite's `describe`, opening a fresh location and closing it afterwards. */
export function contractIt<P>(open: Open<P>, title: string, fn: ContractTest<P>): void {
  it(title, async () => {
    const h = await open();
    try {
      await fn(h, h.store);
    } finally {
      await h.close();
    }
  });
}

/** `another()` of `h`, which the suite needs: an adapter without a second handle cannot pass it. */
export function anotherOf<P>(h: Opened<P>): P | Promise<P> {
  if (h.another === undefined) throw new Error('this contract needs a second handle on the same location (another())');
  return h.another();
}

/**
 * `f` applied to a port call's result without waiting when the adapter answered at once: inside a
 * transaction of either kind (an SQLite one cannot span an await), a suite chains its steps with it.
 */
export function andThen<T, U>(r: T | Promise<T>, f: (value: T) => U | Promise<U>): U | Promise<U> {
  return r instanceof Promise ? r.then(f) : f(r);
}

/**
 * Runs `fns` in order, each once the one before settled, and gives the last one's result: all in one
 * go while each answers at once (so inside an SQLite transaction nothing is awaited), chained from
 * the first that answers with a promise. The transactions of a suite run their steps with it.
 */
export function inOrder<T>(...fns: [...(() => unknown)[], () => T | Promise<T>]): T | Promise<T> {
  const last = fns[fns.length - 1] as () => T | Promise<T>;
  let i = 0;
  const next = (): T | Promise<T> => {
    while (i < fns.length - 1) {
      const r = fns[i++]();
      if (r instanceof Promise) return r.then(next);
    }
    return last();
  };
  return next();
}
