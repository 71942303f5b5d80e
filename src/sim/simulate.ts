/**
 * The simulator's entry point: builds a labelled world and writes it as the engine would receive it
 * (events.jsonl, in time order), with the ground truth per payment (truth.jsonl) and counts
 * (summary.json). Generation runs day by day and writes each day as it is done, so a month of
 * 20,000 accounts takes seconds and little memory; a seed always gives byte-identical files.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatShanghai } from '../contract/time.js';
import { ByteSink } from './bytes.js';
import { makeCalendar } from './calendar.js';
import type { SimContext } from './context.js';
import { planFraud, fraudCounts } from './fraud/plan.js';
import { IdFactory } from './ids.js';
import { legitDay } from './legit/day.js';
import { TYPOLOGIES, type Typology } from './model.js';
import { SimOptionError } from './option-error.js';
import { pushRegistry } from './registry.js';
import { Rng } from './rng.js';
import { Serializer, type SimCounts } from './serialize.js';
import { Timeline } from './timeline.js';
import type { StreamOptions } from './serialize.js';
import { buildWorld } from './world.js';
import { LineWriter } from './writer.js';

/** Options of one simulation. */
export interface SimOptions {
  /** Folder for events.jsonl, truth.jsonl and summary.json (created if missing). */
  outDir: string;
  seed: number;
  accounts: number;
  days: number;
  /** First local day, ISO date; default 2026-10-01. */
  start?: string;
  /** How the stream is kept: which payments carry the issuer's open-to-buy, which repayments it misses (serialize.ts). */
  stream?: StreamOptions;
  /** Called after each simulated day with (days done, total days). */
  onProgress?: (done: number, total: number) => void;
}

/** What was written: the content of summary.json. */
export interface SimSummary {
  seed: number;
  accounts: number;
  days: number;
  start: string;
  /** End of the simulated period (exclusive); labels may come later. */
  end: string;
  world: { cities: number; acquirers: number; merchants: number; terminals: number; accounts: number };
  /** Events written, by type. */
  events: Record<string, number>;
  transactions: number;
  fraudTransactions: number;
  fraudRate: number;
  fraudByTypology: Record<Typology, number>;
  /** Scenario counts planned per typology (incidents, rings, terminals, shops, fresh accounts). */
  incidents: Record<Typology, number>;
  labels: SimCounts['labels'];
  firstTs: string | null;
  lastTs: string | null;
}

/** Largest accepted number of accounts, to keep a typo from filling the disk. */
export const MAX_ACCOUNTS = 2_000_000;
/** Longest accepted period in days (a year). */
export const MAX_DAYS = 366;

function checkOptions(o: SimOptions): void {
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff) {
    throw new SimOptionError(`seed must be an integer from 0 to 4294967295, got ${o.seed}`);
  }
  if (!Number.isInteger(o.accounts) || o.accounts < 10 || o.accounts > MAX_ACCOUNTS) {
    throw new SimOptionError(`accounts must be an integer from 10 to ${MAX_ACCOUNTS}, got ${o.accounts}`);
  }
  if (!Number.isInteger(o.days) || o.days < 1 || o.days > MAX_DAYS) {
    throw new SimOptionError(`days must be an integer from 1 to ${MAX_DAYS}, got ${o.days}`);
  }
  const missing = o.stream?.missingRepayments ?? 0;
  if (!(missing >= 0 && missing <= 1)) throw new SimOptionError(`missing repayments must be a share from 0 to 1, got ${missing}`);
}

/**
 * Generates a world and writes it into `opts.outDir`; resolves with the summary. An option out of
 * range rejects with SimOptionError before anything is written, so a typo costs no disk.
 */
export async function simulate(opts: SimOptions): Promise<SimSummary> {
  checkOptions(opts);
  const startDate = opts.start ?? '2026-10-01';
  const calendar = makeCalendar(startDate, opts.days);
  await mkdir(opts.outDir, { recursive: true });

  const counts = fraudCounts(opts.accounts, opts.days);
  const ids = new IdFactory(opts.seed);
  const world = buildWorld(Rng.stream(opts.seed, 'world'), ids, calendar, {
    accounts: opts.accounts,
    freshFraud: counts.account_anomaly,
  });
  const timeline = new Timeline();
  const ctx: SimContext = { world, calendar, timeline, ids };
  const tasks = planFraud(ctx, opts.seed, counts);

  pushRegistry(ctx, Rng.stream(opts.seed, 'registry'));

  const events = new LineWriter(join(opts.outDir, 'events.jsonl'));
  const truth = new LineWriter(join(opts.outDir, 'truth.jsonl'));
  const serializer = new Serializer(opts.stream);
  const eventBytes = new ByteSink(8 << 20);
  const truthBytes = new ByteSink(1 << 20);
  const flush = async (until: number) => {
    serializer.write(timeline.release(until), eventBytes, truthBytes);
    await events.write(eventBytes.take());
    await truth.write(truthBytes.take());
  };

  try {
    await flush(calendar.start);
    const legit = Rng.stream(opts.seed, 'legit');
    for (const day of calendar.days) {
      for (const acc of world.accounts) legitDay(ctx, legit, acc, day);
      for (const task of tasks[day.index]) task.run(day);
      await flush(day.end);
      opts.onProgress?.(day.index + 1, calendar.days.length);
    }
    await flush(Infinity);
  } catch (e) {
    // The first error is the one to report; closing may fail too once the disk is the problem.
    await events.close().catch(() => undefined);
    await truth.close().catch(() => undefined);
    throw e;
  }
  await events.close();
  await truth.close();

  const c = serializer.counts;
  const summary: SimSummary = {
    seed: opts.seed,
    accounts: opts.accounts,
    days: opts.days,
    start: formatShanghai(calendar.start),
    end: formatShanghai(calendar.end),
    world: {
      cities: world.cities.length,
      acquirers: world.acquirers.length,
      merchants: world.merchants.length,
      terminals: world.terminals.length,
      accounts: world.accounts.length,
    },
    events: c.events,
    transactions: c.transactions,
    fraudTransactions: c.fraudTransactions,
    fraudRate: c.transactions === 0 ? 0 : Math.round((c.fraudTransactions / c.transactions) * 1e6) / 1e6,
    fraudByTypology: c.fraudByTypology,
    incidents: Object.fromEntries(TYPOLOGIES.map((t) => [t, counts[t]])) as Record<Typology, number>,
    labels: c.labels,
    firstTs: c.firstTs,
    lastTs: c.lastTs,
  };
  await writeFile(join(opts.outDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  return summary;
}
