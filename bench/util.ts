/** Helpers shared by the benchmark scripts. */

/** The value of `--name value` or `--name=value` on the command line. */
export function flag(name: string): string | undefined {
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    if (args[i] === `--${name}`) return args[i + 1];
    if (args[i].startsWith(`--${name}=`)) return args[i].slice(name.length + 3);
  }
  return undefined;
}

/** The q-quantile (0–1) of an ascending-sorted array. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

/**
 * Prints `usage` and exits 0 when the command line asks for --help or -h: every benchmark answers
 * --help (and says what it takes) instead of starting a run that may take minutes.
 */
export function answerHelp(usage: string): void {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
}
