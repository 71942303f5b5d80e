/**
 * The `fengkong` command: dispatches to one module per subcommand and turns Fengkong's own errors
 * into a clear message and exit code 2, so users see what to do rather than a stack trace.
 */
import { FengkongError } from '../errors.js';
import { HelpRequested } from './args.js';

const HELP = `fengkong — real-time risk control for credit payments at POS terminals

usage:
  fengkong simulate --out DIR [--seed N] [--accounts N] [--days N]   write a labelled simulated world
  fengkong replay <events.jsonl|-> [--out FILE|-] [--policy DIR] [--model FILE]   decide every payment of a file
  fengkong train <events.jsonl> --out model.json [--from TS] [--to TS]   learn a model from labelled history
  fengkong eval --decisions d.jsonl --truth t.jsonl [--json]          score decisions against ground truth
  fengkong check [--policy DIR]                                       compile a policy and list its rules
  fengkong features                                                   list the builtin features rules can use
  fengkong serve [--port 8080] [--host 127.0.0.1] [--data ./data] [--policy DIR] [--model FILE]   run the decision server
  fengkong keys create --role decide|ingest|analyst|admin|support|metrics [--name LABEL] [--rate N] [--data ./data]   print a new API key (only its hash is stored)
  fengkong keys list|revoke KEY_ID --reason TEXT|rate KEY_ID N|none [--data ./data]   list keys, revoke one or set its rate limit (a server applies it within 5 s)
  fengkong keys … --postgres URL [--cluster NAME] [--master-key-file FILE]   the same on a cluster's PostgreSQL instead of a data folder
  fengkong docs routes [--write docs/security.md]                    the route × role table, generated from the server's routes
  fengkong audit verify [--data ./data] [--pin SEQ:HASH]            check the audit log's hash chain; names the first entry that does not match
  fengkong snapshot [--data ./data] [--keep 2]                       write an engine snapshot with the server stopped (faster next start)
  fengkong lists [show|entries|create|add|remove] … [--data ./data]   block, allow and watch lists (fengkong lists --help)
  fengkong accounts show|customer|actions|appeal ACCOUNT …           account actions, views and appeals on a running server (fengkong accounts help)
  fengkong policy draft|list|show|live|publish|approve|reject|rollback|mode …   policy versions on a running server (fengkong policy help)
  fengkong cases list|show|open|assign|note|status|resolve|detectors …   the case queue on a running server (fengkong cases help)
  fengkong merchants show|risky|actions|hold|release|suspend|release-terminal|licences …   merchants and terminals on a running server (fengkong merchants help)
  fengkong backtest --data DIR --policy DIR [--from TS] [--to TS] [--out report.json]   run a draft over journaled history
  fengkong report --data DIR --from TS --to TS [--out report.html] [--format html|json]   the printable risk assessment report
    (backtest, report and rules performance take --postgres URL [--cluster NAME] [--master-key-file F] in place of --data: a cluster's history)
  fengkong backup --data DIR --out FILE [--master-key-file F]          an online, encrypted, verified copy of every store (server may run)
  fengkong restore --from FILE --data DIR [--master-key-file F]       write a backup into a new, empty data folder
  fengkong rules performance --data DIR [--from TS] [--to TS] [--bucket day] [--json]   per rule: hits, outcomes, fraud, precision
`;

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  replay: async () => (await import('./replay.js')).runReplay,
  simulate: async () => (await import('./simulate.js')).runSimulate,
  train: async () => (await import('./train.js')).runTrain,
  eval: async () => (await import('./eval.js')).runEval,
  check: async () => (await import('./check.js')).runCheck,
  features: async () => (await import('./check.js')).runFeatures,
  serve: async () => (await import('./serve.js')).runServe,
  keys: async () => (await import('./keys.js')).runKeys,
  docs: async () => (await import('./docs.js')).runDocs,
  audit: async () => (await import('./audit.js')).runAudit,
  snapshot: async () => (await import('./snapshot.js')).runSnapshot,
  lists: async () => (await import('./lists.js')).runLists,
  accounts: async () => (await import('./accounts.js')).runAccounts,
  policy: async () => (await import('./policy.js')).runPolicy,
  cases: async () => (await import('./cases.js')).runCases,
  merchants: async () => (await import('./merchants.js')).runMerchants,
  backtest: async () => (await import('./backtest.js')).runBacktestCommand,
  report: async () => (await import('./report.js')).runReportCommand,
  rules: async () => (await import('./rules.js')).runRules,
  backup: async () => (await import('./backup.js')).runBackup,
  restore: async () => (await import('./backup.js')).runRestore,
};

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(HELP);
    return name === undefined ? 2 : 0;
  }
  const load = COMMANDS[name];
  if (load === undefined) {
    process.stderr.write(`fengkong: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  try {
    return await (await load())(rest);
  } catch (e) {
    if (e instanceof HelpRequested) {
      process.stdout.write(`usage: ${e.usage}\n`);
      return 0;
    }
    if (e instanceof FengkongError) {
      process.stderr.write(`fengkong ${name}: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
