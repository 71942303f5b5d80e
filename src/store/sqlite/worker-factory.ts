/**
 * The SQLite adapter as worker threads open it. A domain worker (the payment index, backtests,
 * shadows, reports) never imports an adapter: the composition root hands it `sqliteWorkerAdapter`
 * (this module's URL and the data folder) as worker data, and the worker imports this module by
 * that URL and calls the factory its domain defines. Each factory is typed by its port's interface,
 * so a change of a port fails the build here.
 */
import type { TxIndexAdapter } from '../../accounts/store.js';
import { storeActionSteps, storeLists } from './side-inputs.js';
import type { AdapterRef } from '../../io/adapter-ref.js';
import type { BacktestAdapter } from '../../policy/backtest-in-worker.js';
import type { ShadowAdapter } from '../../policy/shadow-types.js';
import type { ReportAdapter } from '../../report/worker-runner.js';
import { openTxIndexWriter as openWriter } from './accounts.js';
import { SqliteCaseQueueReader } from './case-queue.js';
import { SqliteListStore } from './lists.js';
import { SqliteShadowStore } from './shadow.js';
import { SqliteStore } from './sqlite-store.js';
import { encryptionSettings, setEncryption } from './crypt.js';

/** This module with `dataDir`: what the composition root puts in a worker's data. */
export function sqliteWorkerAdapter(dataDir: string): AdapterRef {
  const e = encryptionSettings(dataDir);
  return { module: import.meta.url, dataDir, settings: { masterKeyFile: e.masterKeyFile, encryption: e.enabled } };
}

/** Called by importAdapter in the worker: the folder is sealed as in the thread that made `ref`. */
export function adoptRef(ref: AdapterRef): void {
  const s = ref.settings;
  if (s === undefined) return;
  setEncryption(ref.dataDir, {
    ...(typeof s.masterKeyFile === 'string' ? { masterKeyFile: s.masterKeyFile } : {}),
    ...(typeof s.encryption === 'boolean' ? { enabled: s.encryption } : {}),
  });
}

/** The payment index writer of the data folder (accounts/tx-index-worker.ts). */
export const openTxIndexWriter: TxIndexAdapter['openTxIndexWriter'] = (dataDir) => openWriter(dataDir);

/** The journal, actions and lists of the data folder, read-only (policy/backtest-worker.ts). */
export const openBacktestSource: BacktestAdapter['openBacktestSource'] = (dataDir) => {
  const store = new SqliteStore(dataDir, { readonly: true });
  try {
    return {
      journal: store,
      actions: (engine) => storeActionSteps(store.database, engine),
      lists: storeLists(store.database),
      close: () => store.close(),
    };
  } catch (e) {
    store.close();
    throw e;
  }
};

/**
 * The journal (read-only), the shadow store (shadow.db, its own writer) and the lists (on the
 * journal's connection) of the data folder (policy/shadow-worker.ts).
 */
export const openShadowSource: ShadowAdapter['openShadowSource'] = (dataDir) => {
  const journal = new SqliteStore(dataDir, { readonly: true });
  let shadows: SqliteShadowStore | null = null;
  try {
    shadows = new SqliteShadowStore(dataDir);
    const lists = new SqliteListStore(journal.database);
    const s = shadows;
    return {
      journal,
      shadows: s,
      lists,
      close: () => {
        s.close();
        lists.close();
        journal.close();
      },
    };
  } catch (e) {
    shadows?.close();
    journal.close();
    throw e;
  }
};

/** The journal and case queue of the data folder, read-only (report/worker-main.ts). */
export const openReportSource: ReportAdapter['openReportSource'] = (dataDir) => {
  const store = new SqliteStore(dataDir, { readonly: true });
  return { journal: store, cases: new SqliteCaseQueueReader(store.database), close: () => store.close() };
};
