/**
 * `fengkong simulate --out DIR [--seed N] [--accounts N] [--days N] [--start YYYY-MM-DD] [--available-credit …] [--missing-repayments …] [--quiet]`:
 * writes a labelled simulated world. Progress goes to stderr (a live line on a terminal, a line
 * every ~5% otherwise) and a summary at the end; bad arguments throw a UsageError that says what to
 * type (the CLI turns it into exit code 2). It lives in the CLI layer so the simulator itself
 * depends on nothing but the contract.
 */
import { UsageError } from '../errors.js';
import { SimOptionError } from '../sim/option-error.js';
import { MAX_ACCOUNTS, MAX_DAYS, simulate, type SimSummary } from '../sim/simulate.js';
import { parseArgs } from './args.js';
import { Progress } from './progress.js';

const USAGE =
  'fengkong simulate --out DIR [--seed N] [--accounts N] [--days N] [--start YYYY-MM-DD] [--available-credit none|card|all] [--missing-repayments 0.33] [--quiet]\n' +
  '  --available-credit: which payments carry the issuer\'s open-to-buy (availableCredit, ISO 8583 field 54); default none\n' +
  '  --missing-repayments: the share of repayments the stream leaves out (paid by bank transfer), still in the issuer\'s books; default 0\n' +
  '  e.g. fengkong simulate --out /tmp/world --seed 1 --accounts 20000 --days 30';

/** Parsed options of the simulate command. */
export interface SimulateArgs {
  out: string;
  seed: number;
  accounts: number;
  days: number;
  start: string;
  availableCredit: 'none' | 'card' | 'all';
  missingRepayments: number;
  quiet: boolean;
}

function bad(message: string): UsageError {
  return new UsageError(`${message}\nusage: ${USAGE}`);
}

/** Parses and checks the command line; throws UsageError naming the problem and the usage. */
export function parseSimulateArgs(args: readonly string[]): SimulateArgs {
  const { positionals, flags } = parseArgs(
    args,
    { out: 'string', seed: 'int', accounts: 'int', days: 'int', start: 'string', 'available-credit': 'string', 'missing-repayments': 'string', quiet: 'switch' },
    USAGE,
  );
  if (positionals.length > 0) throw bad(`unexpected argument "${positionals[0]}"`);
  const out = flags.get('out');
  if (typeof out !== 'string' || out === '') throw bad('--out DIR is required (the folder to write the world into)');
  const seed = (flags.get('seed') as number | undefined) ?? 1;
  const accounts = (flags.get('accounts') as number | undefined) ?? 20_000;
  const days = (flags.get('days') as number | undefined) ?? 30;
  const start = (flags.get('start') as string | undefined) ?? '2026-10-01';
  if (seed > 0xffffffff) throw bad(`--seed must be from 0 to 4294967295, got ${seed}`);
  if (accounts < 10 || accounts > MAX_ACCOUNTS) throw bad(`--accounts must be from 10 to ${MAX_ACCOUNTS}, got ${accounts}`);
  if (days < 1 || days > MAX_DAYS) throw bad(`--days must be from 1 to ${MAX_DAYS}, got ${days}`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(start)) throw bad(`--start must be a date like 2026-10-01, got "${start}"`);
  const availableCredit = (flags.get('available-credit') as string | undefined) ?? 'none';
  if (availableCredit !== 'none' && availableCredit !== 'card' && availableCredit !== 'all') throw bad(`--available-credit must be none, card or all, got "${availableCredit}"`);
  const missingText = (flags.get('missing-repayments') as string | undefined) ?? '0';
  const missingRepayments = Number(missingText);
  if (missingText.trim() === '' || !(missingRepayments >= 0 && missingRepayments <= 1)) throw bad(`--missing-repayments must be a share from 0 to 1 (0.33: one in three), got "${missingText}"`);
  return { out, seed, accounts, days, start, availableCredit, missingRepayments, quiet: flags.get('quiet') === true };
}

/** Human-readable lines of a summary. */
export function formatSummary(s: SimSummary, seconds: number, outDir: string): string {
  const pct = (s.fraudRate * 100).toFixed(2);
  const typologies = Object.entries(s.fraudByTypology)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const ev = Object.entries(s.events)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return (
    `simulate: ${s.accounts} accounts × ${s.days} days (seed ${s.seed}) → ${outDir} in ${seconds.toFixed(2)} s\n` +
    `  events: ${ev}\n` +
    `  transactions ${s.transactions}, fraud ${s.fraudTransactions} (${pct}%): ${typologies}\n` +
    `  labels: ${s.labels.transaction} on payments, ${s.labels.merchant} merchants, ${s.labels.terminal} terminals, ` +
    `${s.labels.account} accounts\n`
  );
}

/** Runs the simulate command; resolves to the exit code (0), throws UsageError on bad arguments. */
export async function runSimulate(args: string[]): Promise<number> {
  const a = parseSimulateArgs(args);
  const tty = process.stderr.isTTY === true;
  const live = new Progress();
  let nextPct = 5;
  const began = process.hrtime.bigint();
  const summary = await simulate({
    outDir: a.out,
    seed: a.seed,
    accounts: a.accounts,
    days: a.days,
    start: a.start,
    stream: { availableCredit: a.availableCredit, missingRepayments: a.missingRepayments },
    onProgress: (done, total) => {
      if (a.quiet) return;
      const pct = Math.floor((done / total) * 100);
      if (tty) live.tick(() => `simulate: day ${done}/${total} (${pct}%)`);
      else if (pct >= nextPct || done === total) {
        process.stderr.write(`simulate: day ${done}/${total} (${pct}%)\n`);
        nextPct = Math.floor(pct / 5) * 5 + 5;
      }
    },
  }).catch((e: unknown) => {
    // What the simulator refuses (a start date that is not a real day) is the user's to fix.
    throw e instanceof SimOptionError ? new UsageError(e.message) : e;
  });
  live.done();
  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  process.stderr.write(formatSummary(summary, seconds, a.out));
  return 0;
}
