/**
 * The cached inputs of the benchmarks that read a big journal (backtest-1m, report-1m): a simulated
 * world and a SQLite journal of it with the default policy's decisions, journaled as the server
 * would. Built once into a cache folder outside the repository (minutes), reused by later runs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseEventText } from '../src/contract/parse.js';
import { Engine } from '../src/engine/engine.js';
import { loadPolicy, PACKAGE_ROOT } from '../src/engine/policy-source.js';
import { forEachLine, openInput } from '../src/io/lines.js';
import type { JournalEntry } from '../src/log/journal.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';

const FENGKONG = join(PACKAGE_ROOT, 'bin', 'fengkong.js');

/** The events file of a simulated world in `dir`, simulating it first when missing. */
export function simulate(dir: string, seed: string, accounts: string, days: string): string {
  const events = join(dir, 'events.jsonl');
  if (existsSync(events)) return events;
  process.stderr.write(`simulating ${accounts} accounts × ${days} days (seed ${seed}) into ${dir} …\n`);
  execFileSync(process.execPath, [FENGKONG, 'simulate', '--out', dir + '.part', '--seed', seed, '--accounts', accounts, '--days', days], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  renameSync(dir + '.part', dir);
  return events;
}

/** Decides every event with the default policy and journals it as the server would, in 20k batches. */
export async function buildJournal(events: string, data: string): Promise<void> {
  if (existsSync(join(data, 'fengkong.db'))) return;
  const part = data + '.part';
  rmSync(part, { recursive: true, force: true });
  process.stderr.write(`journaling ${events} with decisions of the default policy into ${data} …\n`);
  const t0 = performance.now();
  const engine = new Engine(loadPolicy());
  const store = new SqliteStore(part);
  let batch: JournalEntry[] = [];
  let seq = 0;
  let txs = 0;
  await forEachLine(openInput(events), (line) => {
    if (line.length === 0) return;
    const ev = parseEventText(line);
    const d = engine.apply(ev);
    seq++;
    if (d === null) {
      batch.push({ seq, type: ev.type, txId: null, event: JSON.stringify(ev), decision: null, receivedAt: ev.t });
    } else {
      txs++;
      const answer = { txId: d.txId, outcome: d.outcome, score: d.score, reasons: d.reasons, policy: d.policy, seq, latencyUs: 9 };
      batch.push({ seq, type: 'transaction', txId: d.txId, event: JSON.stringify(ev), decision: JSON.stringify(answer), receivedAt: ev.t });
    }
    if (batch.length >= 20_000) {
      store.append(batch);
      batch = [];
    }
  });
  store.append(batch);
  store.close();
  renameSync(part, data);
  process.stderr.write(`journal: ${seq} events, ${txs} payments, ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}
