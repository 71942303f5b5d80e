// Run sizes and seeds of the property tests. CI runs a fixed seed and the default counts, so a failure
// reproduces; a soak run asks for more cases and a fresh seed:
//
//   FENGKONG_FUZZ_RUNS=20 FENGKONG_FUZZ_SEED=random node --test dist/test/fuzz/
//
// FENGKONG_FUZZ_RUNS multiplies every property's CI count; FENGKONG_FUZZ_SEED is a number or `random`.
// fast-check prints the seed and the counterexample's path on failure; rerun with that seed to
// reproduce it (the path replays the shrunk case directly: FENGKONG_FUZZ_PATH).
import fc from 'fast-check';

const CI_SEED = 20261206;

function multiplier(): number {
  const raw = process.env.FENGKONG_FUZZ_RUNS;
  if (raw === undefined || raw === '') return 1;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`FENGKONG_FUZZ_RUNS must be a positive number, not '${raw}'`);
  return n;
}

function seed(): number {
  const raw = process.env.FENGKONG_FUZZ_SEED;
  if (raw === undefined || raw === '') return CI_SEED;
  if (raw === 'random') return (Math.random() * 2 ** 31) | 0;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`FENGKONG_FUZZ_SEED must be an integer or 'random', not '${raw}'`);
  return n;
}

/** fast-check parameters for a property whose CI size is `ciRuns` cases. */
export function params<T>(ciRuns: number): fc.Parameters<T> {
  const p: fc.Parameters<T> = { seed: seed(), numRuns: Math.max(1, Math.round(ciRuns * multiplier())), endOnFailure: false };
  const path = process.env.FENGKONG_FUZZ_PATH;
  return path ? { ...p, path } : p;
}
