// Opens a SQLite adapter for the contract suites: a fresh data folder in a temp dir per test, every
// handle opened on it tracked, closed by `reopen` and `close`, and the folder removed at the end.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Open } from '../contract/harness.js';

/** One handle on the data folder: the port(s) and how to release what it opened. */
export interface SqliteHandle<P> {
  readonly port: P;
  close(): void;
}

/** The contract harness of an adapter `openAt` opens on a data folder (every call: a new handle on the same folder). */
export function sqliteHarness<P>(prefix: string, openAt: (dataDir: string) => SqliteHandle<P>): Open<P> {
  return () => {
    const root = mkdtempSync(join(tmpdir(), `fk-contract-${prefix}-`));
    const dataDir = join(root, 'data');
    let open: SqliteHandle<P>[] = [];
    const closeAll = (): void => {
      for (const h of open.reverse()) h.close();
      open = [];
    };
    const add = (): P => {
      const h = openAt(dataDir);
      open.push(h);
      return h.port;
    };
    const store = add();
    return {
      store,
      reopen: () => {
        closeAll();
        return add();
      },
      another: add,
      close: () => {
        try {
          closeAll();
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      },
    };
  };
}
