/**
 * `/v1/policies/{version}/backtests`: backtest a stored policy version (draft or any other) over
 * journaled history, over HTTP. A request is checked, recorded (`queued`) and answered 202 at once;
 * runs go one at a time (a few may wait; more are refused 409) on a worker thread with its own
 * read-only connection (runBacktestInWorker), so live decisions keep their latency. Progress is
 * held in memory, runs and their reports in the data folder (store/sqlite/backtests.ts), so a
 * report outlives the server. Shutdown cancels what is queued or running; a run a crash interrupted
 * is marked cancelled at the next start. Analysts and admins may run and read them.
 */
import { ContractError, FengkongError, PolicyCompileError } from '../../errors.js';
import { runBacktestInWorker } from '../../policy/backtest-in-worker.js';
import type { BacktestProgress } from '../../policy/backtest.js';
import { formatBacktest } from '../../policy/backtest-format.js';
import { objectBody, onlyFields, versionParam } from '../../policy/input.js';
import { boundValue, checkRange } from '../../report/range.js';
import { JobQueue } from '../../report/worker-runner.js';
import { BACKTEST_MAX_PAGE, type BacktestParams, type BacktestRun, type BacktestStore } from '../../policy/backtest-store.js';
import { SqliteBacktestStore } from '../../store/sqlite/backtests.js';
import { sqliteWorkerAdapter } from '../../store/sqlite/worker-factory.js';
import { ApiError } from '../errors.js';
import type { ApiReply, ModuleFactory } from '../routes.js';
import { BacktestBody, BacktestListQuery } from '../schemas/policies.js';
import { intParam } from './audit.js';
import { lifecycleFor } from './policies.js';

const DAY = 86_400_000;
/** Runs that may wait behind the running one. */
const MAX_WAITING = 4;
const BODY = { maxBytes: 16 * 1024, maxDepth: 4 };
const FIELDS = ['from', 'to', 'warmUpDays', 'maxChanged'] as const;

/** The body of a backtest request, checked field by field. */
export function parseBacktestBody(body: unknown): BacktestParams {
  const o = objectBody(body, 'a JSON object {from, to, warmUpDays?, maxChanged?}');
  onlyFields(o, FIELDS);
  if (o.from === undefined || o.from === null) throw new ContractError('from', 'the start of the range (epoch ms or a timestamp)');
  if (o.to === undefined || o.to === null) throw new ContractError('to', 'the end of the range (epoch ms or a timestamp)');
  const from = boundValue(o.from, 'from');
  const to = boundValue(o.to, 'to');
  checkRange(from, to);
  let warmUpDays: number | null = null;
  if (o.warmUpDays !== undefined && o.warmUpDays !== null) {
    const w = o.warmUpDays;
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0 || w > 3650) throw new ContractError('warmUpDays', 'a number of days from 0 to 3650');
    warmUpDays = w;
  }
  let maxChanged: number | null = null;
  if (o.maxChanged !== undefined && o.maxChanged !== null) {
    const m = o.maxChanged;
    if (typeof m !== 'number' || !Number.isSafeInteger(m) || m < 0 || m > 100_000) throw new ContractError('maxChanged', 'an integer from 0 to 100000');
    maxChanged = m;
  }
  return { from, to, warmUpDays, maxChanged };
}

/** A backtest id from the path. */
function idParam(raw: string): number {
  const n = /^[1-9]\d{0,14}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n)) throw new ContractError('id', 'a backtest id (an integer ≥ 1) in the path');
  return n;
}

/** Progress as answered: where the worker is, and the share of the journal read. */
function progressView(p: BacktestProgress | undefined): Record<string, unknown> | null {
  if (p === undefined) return null;
  return { ...p, elapsedMs: Math.round(p.elapsedMs), fraction: p.lastSeq > 0 ? Math.min(1, p.seq / p.lastSeq) : 1 };
}

/** The backtest routes. */
export const backtestsModule: ModuleFactory = (parts) => {
  const life = lifecycleFor(parts);
  // the routes answer from the store at once (create → 202, settle inside the queue's turn): the 'sync' form
  const store: BacktestStore<'sync'> = new SqliteBacktestStore(parts.store.database);
  const stale = store.cancelOpen('the server stopped before this backtest finished');
  if (stale > 0) process.stderr.write(`fengkong serve: ${stale} backtest(s) interrupted by the last stop marked cancelled\n`);
  const queue = new JobQueue(MAX_WAITING);
  const progress = new Map<number, BacktestProgress>();
  let closing = false;

  /** The version's stored sources, or 404. */
  const inputOf = (raw: string): ReturnType<typeof life.backtestInput> => life.backtestInput(versionParam(raw));

  const view = (run: BacktestRun): Record<string, unknown> => ({
    ...run,
    location: `/v1/policies/${run.version}/backtests/${run.id}`,
    progress: run.state === 'running' ? progressView(progress.get(run.id)) : null,
  });

  const runOf = (version: number, rawId: string): BacktestRun => {
    const run = store.get(idParam(rawId));
    if (run === undefined || run.version !== version) throw new ApiError('not_found', `policy version ${version} has no backtest ${rawId}`);
    return run;
  };

  /** Settles a run's row; the store may be closed by then (shutdown), which is fine: the row was cancelled first. */
  const settle = (fn: () => void): void => {
    try {
      fn();
    } catch (e) {
      if (!closing) process.stderr.write(`fengkong serve: cannot record a backtest's end: ${(e as Error).message}\n`);
    }
  };

  /** Records why a run ended without a report: cancelled by shutdown, or failed. */
  const failed = (id: number, e: unknown): void => {
    if (closing) return store.end(id, 'cancelled', { message: 'the server shut down before this backtest finished', code: null });
    const err = e as Error;
    store.end(id, 'failed', {
      message: err.message.replace(/^\[FK\d+\] /, ''),
      code: e instanceof FengkongError ? e.code : null,
      ...(e instanceof PolicyCompileError ? { diagnostics: e.diagnostics } : {}),
    });
  };

  return {
    close() {
      closing = true;
      settle(() => store.cancelOpen('the server shut down before this backtest finished'));
      queue.close();
    },
    routes: [
      {
        method: 'POST',
        path: '/v1/policies/{version}/backtests',
        permission: 'backtest',
        summary: 'Backtest a policy version over journaled history: 202 with the run, whose report GET …/backtests/{id} gives when done',
        description:
          'Body: {from, to (epoch ms, an ISO 8601 timestamp with offset, or a date YYYY-MM-DD meaning midnight +08:00; payments with ' +
          'from ≤ t < to are compared), warmUpDays? (history replayed before from; default the version\'s longest window, at least 30 days), ' +
          `maxChanged? (changed payments listed, default 1000)}. One run at a time per server, up to ${MAX_WAITING} waiting (409 beyond).`,
        body: BODY,
        bodySchema: BacktestBody,
        handle({ params, body, principal }): ApiReply {
          const input = inputOf(params.version);
          const p = parseBacktestBody(body);
          if (queue.full) throw new ApiError('conflict', `a backtest is running and ${MAX_WAITING} are waiting; retry when one has finished`);
          const run = store.create(input.version.version, p, principal.keyId);
          const id = run.id;
          // the run's end is recorded inside its turn, so the next run starts after it
          void queue
            .run(async (signal) => {
              store.start(id);
              try {
                const report = await runBacktestInWorker(sqliteWorkerAdapter(parts.dataDir), input.sources, {
                  policyName: input.version.name,
                  modelText: input.modelText ?? undefined,
                  from: p.from,
                  to: p.to,
                  warmUpMs: p.warmUpDays === null ? undefined : p.warmUpDays * DAY,
                  maxChanged: p.maxChanged ?? undefined,
                  onProgress: (x) => progress.set(id, x),
                  signal,
                });
                settle(() => store.finish(id, report));
              } catch (e) {
                settle(() => failed(id, e));
              } finally {
                progress.delete(id);
              }
            })
            .catch((e: unknown) => settle(() => failed(id, e)));
          const location = `/v1/policies/${run.version}/backtests/${id}`;
          return { status: 202, body: { backtest: view(store.get(id) ?? run) }, headers: { location } };
        },
      },
      {
        method: 'GET',
        path: '/v1/policies/{version}/backtests',
        permission: 'read',
        summary: 'The backtests of a policy version, newest first, with their headline figures (paged with before, limit)',
        querySchema: BacktestListQuery,
        handle({ params, query }) {
          const version = inputOf(params.version).version.version;
          const limit = intParam(query, 'limit', 1, BACKTEST_MAX_PAGE) ?? 100;
          const runs = store.list(version, { before: intParam(query, 'before', 1, Number.MAX_SAFE_INTEGER), limit });
          const last = runs.at(-1);
          return { body: { backtests: runs.map(view), next: runs.length === limit && last !== undefined ? last.id : null } };
        },
      },
      {
        method: 'GET',
        path: '/v1/policies/{version}/backtests/{id}',
        permission: 'read',
        summary: 'One backtest: its state and progress, and when done its full report and a short text summary',
        handle({ params }) {
          const version = inputOf(params.version).version.version;
          const run = runOf(version, params.id);
          const report = run.state === 'done' ? store.report(run.id) : null;
          return { body: { backtest: view(run), report, text: report === null ? null : formatBacktest(report) } };
        },
      },
    ],
  };
};
