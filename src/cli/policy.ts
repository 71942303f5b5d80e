/**
 * `fengkong policy …`: the policy lifecycle from a terminal, talking HTTP to a running server (the
 * same API, the same checks, the same audit trail): draft a folder of `*.fk` files, list and show
 * versions with their diffs, propose, approve (a second admin key), reject, roll back, and the
 * incident modes. `--url` (default http://127.0.0.1:8080), the key from `--key-file`, FENGKONG_KEY or (warned against) `--key`.
 * A refusal prints its code and, for a policy that does not compile, every diagnostic as
 * `file:line:column`; the command then exits 1.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ConfigError, UsageError } from '../errors.js';
import { unifiedText, type PolicyDiff } from '../policy/diff.js';
import type { CompileSummary, PublishingView } from '../policy/lifecycle.js';
import type { IncidentMode, Publication } from '../policy/versions.js';
import { parseArgs, type ParsedArgs } from './args.js';
import { clientOf, httpRequest, type HttpClient, type HttpReply, KEY_FLAGS } from './http-client.js';

const USAGE = `fengkong policy <command> [--url http://127.0.0.1:8080] [--key-file FILE | env FENGKONG_KEY] [--json]
  draft --dir DIR --description TEXT [--parent N] [--model model.json | --no-model] [--check]
                                             compile and store a version (--check: compile and diff only)
  list [--limit N]                           versions, newest first
  show N [--diff]                            one version: files, compile summary, changes (--diff: line diff)
  live                                       the live version, overlays on, a publication under way
  history                                    what was live when
  publish N [--note TEXT]                    propose N; another admin key approves
  approve N [--no-wait]                      approve (publishes; waits while new windows warm)
  reject N [--reason TEXT]                   reject the open proposal
  rollback [N] --reason TEXT                 back to a version that was live before (default: the previous)
  mode list | show NAME | on NAME | off NAME | delete NAME
  mode approve NAME | reject NAME [--reason TEXT]   approve (another admin key) or reject a mode's proposed definition
  shadow start|status|stop N                 run N beside the live version on live traffic, compared
  shadow decisions N [--changed] [--limit N] [--run R] its recorded decisions beside live's, newest first (of run R)
  mode save NAME --file overlay.fk --description TEXT   propose an incident overlay; another admin key approves`;

const SPEC = {
  url: 'string',
  ...KEY_FLAGS,
  json: 'switch',
  dir: 'string',
  description: 'string',
  parent: 'int',
  model: 'string',
  'no-model': 'switch',
  check: 'switch',
  limit: 'int',
  diff: 'switch',
  note: 'string',
  reason: 'string',
  'no-wait': 'switch',
  file: 'string',
  changed: 'switch',
  run: 'int',
} as const;

/** The answer shapes this command reads (see the OpenAPI document for all of them). */
interface VersionBody {
  version: number;
  name: string;
  state: string;
  parent: number | null;
  author: string;
  createdAt: number;
  description: string;
  compile?: CompileSummary;
  diff?: PolicyDiff;
}
interface LiveBody {
  version: number;
  name: string;
  policy: string;
  publication: Publication;
  modes: { name: string; since: number; by: string }[];
  publishing: PublishingView | null;
  lastFailure: { message: string } | null;
}
interface SwapBody {
  version: number;
  state: string;
  policy?: string;
  freshWindows: string[];
}
interface ModeBody {
  mode: IncidentMode;
  changed?: boolean;
  policy: string;
}

/** Where and as whom to call, and whether to print raw JSON. */
interface Client extends HttpClient {
  readonly json: boolean;
}

type Reply = HttpReply;

type Out = (line: string) => void;

/** Runs `policy …`; resolves to the exit code. */
export async function runPolicy(args: string[], out: Out = (l) => process.stdout.write(l + '\n'), err: Out = (l) => process.stderr.write(l + '\n')): Promise<number> {
  if (args.length === 0 || ['help', '--help', '-h'].includes(args[0])) {
    out(`usage: ${USAGE}`);
    return args.length === 0 ? 2 : 0;
  }
  const parsed = parseArgs(args, SPEC, USAGE);
  const [cmd, ...rest] = parsed.positionals;
  if (cmd === undefined) throw new UsageError(`expected a command\nusage: ${USAGE}`);
  const c: Client = { ...clientOf(parsed, USAGE), json: parsed.flags.get('json') === true };
  const r = await dispatch(c, cmd, rest, parsed, out);
  if (r.status >= 400) {
    printError(r, err);
    return 1;
  }
  return 0;
}

async function dispatch(c: Client, cmd: string, rest: string[], a: ParsedArgs, out: Out): Promise<Reply> {
  const f = a.flags;
  const str = (name: string): string | undefined => f.get(name) as string | undefined;
  switch (cmd) {
    case 'draft': {
      const dir = str('dir');
      const description = str('description');
      if (dir === undefined || description === undefined) throw new UsageError(`draft needs --dir DIR and --description TEXT\nusage: ${USAGE}`);
      const body: Record<string, unknown> = { description, files: readFolder(dir) };
      if (f.has('parent')) body.parent = f.get('parent');
      if (f.get('no-model') === true) body.model = null;
      else if (str('model') !== undefined) body.model = readJson(str('model')!);
      if (f.get('check') === true) {
        const r = await request(c, 'POST', '/v1/policies/validate', body);
        if (r.status < 400) {
          show<VersionBody>(c, r, out, (b) => {
            out(`compiles; nothing stored (a draft would have parent ${b.parent})`);
            printDetails(b, out, true);
          });
        }
        return r;
      }
      const r = await request(c, 'POST', '/v1/policies', body);
      if (r.status < 400) show<VersionBody>(c, r, out, (b) => printVersion(b, out, true));
      return r;
    }
    case 'list': {
      const limit = f.get('limit');
      const r = await request(c, 'GET', `/v1/policies${limit === undefined ? '' : `?limit=${limit}`}`);
      if (r.status < 400) {
        show<{ versions: VersionBody[] }>(c, r, out, (b) => {
          for (const v of b.versions) out(`v${v.version}\t${v.state}\t${v.name}\tparent ${v.parent ?? '-'}\t${v.author}\t${iso(v.createdAt)}\t${v.description}`);
        });
      }
      return r;
    }
    case 'show': {
      const r = await request(c, 'GET', `/v1/policies/${one(rest, 'show N')}`);
      if (r.status < 400) show<VersionBody>(c, r, out, (b) => printVersion(b, out, f.get('diff') === true));
      return r;
    }
    case 'live': {
      const r = await request(c, 'GET', '/v1/policies/live');
      if (r.status < 400) {
        show<LiveBody>(c, r, out, (b) => {
          out(`live: version ${b.version} (${b.name}), deciding as ${b.policy}; since ${iso(b.publication.at)} by ${b.publication.actor} (${b.publication.kind})`);
          for (const m of b.modes) out(`incident mode on: ${m.name} since ${iso(m.since)} by ${m.by}`);
          if (b.publishing !== null) out(`publishing version ${b.publishing.version}: warming ${b.publishing.progress.phase}, seq ${b.publishing.progress.seq} of ${b.publishing.progress.liveSeq}`);
        });
      }
      return r;
    }
    case 'history': {
      const r = await request(c, 'GET', '/v1/policies/publications');
      if (r.status < 400) {
        show<{ publications: Publication[] }>(c, r, out, (b) => {
          for (const p of b.publications) {
            out(`${iso(p.at)}\tv${p.version}\t${p.kind}\tby ${p.actor}${p.proposedBy ? ` (proposed by ${p.proposedBy})` : ''}\t${p.journalSeq === null ? 'not placed in the journal yet' : `after journal seq ${p.journalSeq}`}${p.reason ? `\t${p.reason}` : ''}`);
          }
        });
      }
      return r;
    }
    case 'publish': {
      const n = one(rest, 'publish N');
      const r = await request(c, 'POST', `/v1/policies/${n}/publish`, str('note') === undefined ? {} : { note: str('note') });
      if (r.status < 400) {
        show<{ proposal: { id: number }; freshWindows: string[]; warning: string | null }>(c, r, out, (b) => {
          out(`version ${n} proposed (proposal ${b.proposal.id}); another admin key approves it with: fengkong policy approve ${n}`);
          if (b.freshWindows.length > 0) out(`approval will first warm these windows from the journal: ${b.freshWindows.join(', ')}`);
          if (b.warning) out(`warning: ${b.warning}`);
        });
      }
      return r;
    }
    case 'approve': {
      const n = one(rest, 'approve N');
      const r = await request(c, 'POST', `/v1/policies/${n}/approve`);
      if (r.status >= 400) return r;
      if (r.status === 202 && f.get('no-wait') !== true) {
        out(`version ${n} approved; warming ${(r.body as SwapBody).freshWindows.join(', ')} from the journal…`);
        return waitLive(c, n, out);
      }
      show<SwapBody>(c, r, out, (b) => out(b.state === 'live' ? `version ${n} is live (${b.policy})` : `version ${n} approved, warming its windows (fengkong policy live shows progress)`));
      return r;
    }
    case 'reject': {
      const n = one(rest, 'reject N');
      const r = await request(c, 'POST', `/v1/policies/${n}/reject`, str('reason') === undefined ? {} : { reason: str('reason') });
      if (r.status < 400) show(c, r, out, () => out(`proposal of version ${n} rejected`));
      return r;
    }
    case 'rollback': {
      const reason = str('reason');
      if (reason === undefined) throw new UsageError(`rollback needs --reason TEXT\nusage: ${USAGE}`);
      if (rest.length > 1) throw new UsageError(`rollback takes at most one version\nusage: ${USAGE}`);
      const body: Record<string, unknown> = { reason };
      if (rest.length === 1) body.version = versionArg(rest[0]);
      const r = await request(c, 'POST', '/v1/policies/rollback', body);
      if (r.status === 202 && f.get('no-wait') !== true) {
        const b = r.body as SwapBody;
        out(`rolling back to version ${b.version}; warming ${b.freshWindows.join(', ')} from the journal…`);
        return waitLive(c, b.version, out);
      }
      if (r.status < 400) show<SwapBody>(c, r, out, (b) => out(`rolled back: version ${b.version} is ${b.state} (${b.policy ?? ''})`));
      return r;
    }
    case 'mode':
      return mode(c, rest, a, out);
    case 'shadow':
      return shadow(c, rest, a, out);
    default:
      throw new UsageError(`unknown policy command "${cmd}"\nusage: ${USAGE}`);
  }
}

/** The fields of a shadow's status this command prints (GET /v1/policies/{n}/shadow). */
interface ShadowBody {
  version: number;
  run: number;
  state: string;
  policy: string;
  since: number | null;
  stopReason: string | null;
  resumedFrom: number | null;
  warmup: { phase: string; seq: number; replayTo: number } | null;
  lag: { events: number } | null;
  transactions: number;
  changed: number;
  agreementRate: number | null;
  outcomes: { live: Record<string, number>; shadow: Record<string, number> };
  alertRate: { live: number | null; shadow: number | null };
  newlyDeclined: { count: number; amount: number; legitimateAmount: number };
  labels: { labelled: number; fraud: number };
  money: { live: { fraudStopped: number; legitimateDeclined: number }; shadow: { fraudStopped: number; legitimateDeclined: number } };
}
interface ShadowRow {
  seq: number;
  txId: string;
  amount: number;
  live: { outcome: string; score: number; reasons: string[] };
  shadow: { outcome: string; score: number; reasons: string[] };
  label: boolean | null;
}

async function shadow(c: Client, rest: string[], a: ParsedArgs, out: Out): Promise<Reply> {
  const [sub, ...more] = rest;
  const n = one(more, `shadow ${sub ?? 'start|status|stop|decisions'} N`);
  const yuan = (fen: number): string => `¥${(fen / 100).toFixed(2)}`;
  const pct = (x: number | null): string => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
  const counts = (o: Record<string, number>): string => Object.entries(o).map(([k, v]) => `${k} ${v}`).join(', ');
  const printStatus = (b: ShadowBody): void => {
    const where =
      b.state === 'warming' && b.warmup !== null ? `warming (${b.warmup.phase}: seq ${b.warmup.seq} of ${b.warmup.replayTo})`
        : b.state === 'running' ? `running since ${iso(b.since)}, ${b.lag?.events ?? 0} events behind`
          : `stopped (${b.stopReason ?? ''})`;
    out(`version ${b.version}, shadow run ${b.run} as ${b.policy}: ${where}`);
    if (b.resumedFrom !== null) out(`  resumed at the server's start from run ${b.resumedFrom}, which a restart interrupted (its records: --run ${b.resumedFrom})`);
    out(`  compared ${b.transactions} payments: ${b.transactions - b.changed} same outcome (${pct(b.agreementRate)}), ${b.changed} changed`);
    out(`  live:   ${counts(b.outcomes.live)}; alert rate ${pct(b.alertRate.live)}`);
    out(`  shadow: ${counts(b.outcomes.shadow)}; alert rate ${pct(b.alertRate.shadow)}`);
    out(`  the shadow declines ${b.newlyDeclined.count} payments live did not: ${yuan(b.newlyDeclined.amount)} (${yuan(b.newlyDeclined.legitimateAmount)} not labelled fraud)`);
    out(`  labels so far: ${b.labels.labelled} (${b.labels.fraud} fraud); fraud stopped live ${yuan(b.money.live.fraudStopped)}, shadow ${yuan(b.money.shadow.fraudStopped)}`);
  };
  const path = `/v1/policies/${n}/shadow`;
  switch (sub) {
    case 'start': {
      const r = await request(c, 'POST', path);
      if (r.status < 400) show<ShadowBody>(c, r, out, (b) => out(`shadowing version ${n} (run ${b.run}) as ${b.policy}: warming its windows from the journal first; fengkong policy shadow status ${n}`));
      return r;
    }
    case 'status': {
      const r = await request(c, 'GET', path);
      if (r.status < 400) show<ShadowBody>(c, r, out, printStatus);
      return r;
    }
    case 'stop': {
      const r = await request(c, 'DELETE', path);
      if (r.status < 400) show<ShadowBody>(c, r, out, printStatus);
      return r;
    }
    case 'decisions': {
      const q = new URLSearchParams();
      if (a.flags.get('changed') === true) q.set('changed', 'true');
      if (a.flags.has('limit')) q.set('limit', String(a.flags.get('limit')));
      if (a.flags.has('run')) q.set('run', String(a.flags.get('run')));
      const r = await request(c, 'GET', `${path}/decisions${q.size > 0 ? `?${q}` : ''}`);
      if (r.status < 400) {
        show<{ decisions: ShadowRow[] }>(c, r, out, (b) => {
          for (const x of b.decisions) {
            const label = x.label === null ? '' : x.label ? '\tlabelled fraud' : '\tlabelled legitimate';
            out(`${x.seq}\t${x.txId}\t${yuan(x.amount)}\tlive ${x.live.outcome} ${x.live.score}\tshadow ${x.shadow.outcome} ${x.shadow.score} [${x.shadow.reasons.join(' ')}]${label}`);
          }
        });
      }
      return r;
    }
    default:
      throw new UsageError(`expected shadow start|status|stop|decisions N\nusage: ${USAGE}`);
  }
}

async function mode(c: Client, rest: string[], a: ParsedArgs, out: Out): Promise<Reply> {
  const [sub, name, ...more] = rest;
  if (more.length > 0) throw new UsageError(`unexpected argument "${more[0]}"\nusage: ${USAGE}`);
  const need = (): string => {
    if (name === undefined) throw new UsageError(`mode ${sub} needs a mode name\nusage: ${USAGE}`);
    return encodeURIComponent(name);
  };
  switch (sub) {
    case 'list': {
      const r = await request(c, 'GET', '/v1/modes');
      if (r.status < 400) {
        show<{ modes: IncidentMode[]; policy: string }>(c, r, out, (b) => {
          for (const m of b.modes) out(`${m.name}\t${m.active ? 'ON' : 'off'}\t${modeState(m)}\t${m.description || m.proposal?.description || ''}`);
          out(`deciding as ${b.policy}`);
        });
      }
      return r;
    }
    case 'show': {
      const r = await request(c, 'GET', `/v1/modes/${need()}`);
      if (r.status < 400) {
        show<ModeBody>(c, r, out, (b) => {
          const m = b.mode;
          out(`${m.name} (${m.active ? 'ON' : 'off'}, ${modeState(m)}): ${m.description}\n${m.rules}`);
          if (m.proposal !== null) out(`proposed by ${m.proposal.proposedBy} at ${iso(m.proposal.proposedAt)}: ${m.proposal.description}\n${m.proposal.rules}`);
        });
      }
      return r;
    }
    case 'save': {
      const file = a.flags.get('file') as string | undefined;
      const description = a.flags.get('description') as string | undefined;
      if (file === undefined || description === undefined) throw new UsageError(`mode save needs --file overlay.fk and --description TEXT\nusage: ${USAGE}`);
      const r = await request(c, 'PUT', `/v1/modes/${need()}`, { description, rules: readText(file) });
      if (r.status < 400) {
        show<ModeBody>(c, r, out, (b) =>
          out(`mode ${b.mode.name}: definition proposed; another admin key approves it (fengkong policy mode approve ${b.mode.name})${b.mode.active ? '; the approved definition keeps deciding meanwhile' : ''}`),
        );
      }
      return r;
    }
    case 'approve': {
      const r = await request(c, 'POST', `/v1/modes/${need()}/approve`);
      if (r.status < 400) show<ModeBody>(c, r, out, (b) => out(`mode ${name}: definition approved (${b.mode.active ? `ON: in effect now; deciding as ${b.policy}` : 'off'})`));
      return r;
    }
    case 'reject': {
      const reason = a.flags.get('reason') as string | undefined;
      const r = await request(c, 'POST', `/v1/modes/${need()}/reject`, reason === undefined ? {} : { reason });
      if (r.status < 400) show(c, r, out, () => out(`mode ${name}: proposed definition rejected`));
      return r;
    }
    case 'on':
    case 'off': {
      const r = await request(c, 'POST', `/v1/modes/${need()}/${sub}`);
      if (r.status < 400) show<ModeBody>(c, r, out, (b) => out(`${b.changed ? `mode ${name} switched ${sub}` : `mode ${name} was already ${sub}`}; deciding as ${b.policy}`));
      return r;
    }
    case 'delete': {
      const r = await request(c, 'DELETE', `/v1/modes/${need()}`);
      if (r.status < 400) show(c, r, out, () => out(`mode ${name} deleted`));
      return r;
    }
    default:
      throw new UsageError(`expected mode list|show|save|approve|reject|on|off|delete\nusage: ${USAGE}`);
  }
}

/** A mode's four-eyes state in a word or two: approved, proposed, or approved with a change proposed. */
function modeState(m: IncidentMode): string {
  if (m.approvedAt === null) return 'proposed, never approved';
  return m.proposal === null ? 'approved' : 'approved, change proposed';
}

/** Polls until `version` is live, printing progress now and then. */
async function waitLive(c: Client, version: number, out: Out): Promise<Reply> {
  let lastPrint = Date.now();
  for (;;) {
    const r = await request(c, 'GET', '/v1/policies/live');
    if (r.status >= 400) return r;
    const b = r.body as LiveBody;
    if (b.version === version && b.publishing === null) {
      out(`version ${version} is live (${b.policy})`);
      return r;
    }
    if (b.publishing === null || b.publishing.version !== version) {
      return { status: 409, body: { error: { code: 'conflict', message: `version ${version} did not go live: ${b.lastFailure?.message ?? 'another change came first'}` } } };
    }
    if (Date.now() - lastPrint > 2_000) {
      const p = b.publishing.progress;
      out(`  ${p.phase}: seq ${p.seq} of ${p.liveSeq} (${Math.round(p.elapsedMs / 1000)} s)`);
      lastPrint = Date.now();
    }
    await new Promise((res) => setTimeout(res, 200));
  }
}

function request(c: Client, method: string, path: string, body?: unknown): Promise<Reply> {
  return httpRequest(c, method, path, body);
}

function show<T>(c: Client, r: Reply, out: Out, human: (body: T) => void): void {
  if (c.json) out(JSON.stringify(r.body, null, 2));
  else human(r.body as T);
}

/** A refusal: status, stable code, message, and every diagnostic of a policy that does not compile. */
function printError(r: Reply, err: Out): void {
  const e = (r.body as { error?: { code?: string; message?: string; path?: string; details?: unknown } })?.error;
  if (e === undefined) {
    err(`fengkong policy: HTTP ${r.status}: ${typeof r.body === 'string' ? r.body : JSON.stringify(r.body)}`);
    return;
  }
  err(`fengkong policy: ${r.status} ${e.code}: ${e.message}`);
  if (Array.isArray(e.details)) {
    for (const d of e.details as { file: string; line: number; column: number; severity: string; code: string; message: string }[]) {
      err(`  ${d.file}:${d.line}:${d.column} - ${d.severity} ${d.code}: ${d.message}`);
    }
  }
}

function printVersion(b: VersionBody, out: Out, withDiff: boolean): void {
  out(`version ${b.version} (${b.name}) — ${b.state}; parent ${b.parent ?? 'none'}; by ${b.author} at ${iso(b.createdAt)}`);
  out(`  ${b.description}`);
  printDetails(b, out, withDiff);
}

/** The compile summary and the changes against the parent. */
function printDetails(b: Pick<VersionBody, 'compile' | 'diff'>, out: Out, withDiff: boolean): void {
  const cs = b.compile;
  if (cs?.ok) {
    const t = cs.thresholds;
    out(`  compiles: ${cs.rules} rules, ${cs.windows?.length ?? 0} windows, ${cs.features} features; thresholds review ${t?.review} / challenge ${t?.challenge} / decline ${t?.decline}`);
    const fresh = cs.freshWindows ?? [];
    if (fresh.length > 0) out(`  windows new to the live engine (warmed from the journal at publication): ${fresh.join(', ')}`);
    for (const w of cs.warnings ?? []) out(`  ${w.file}:${w.line}:${w.column} - ${w.severity} ${w.code}: ${w.message}`);
    for (const p of cs.listProblems ?? []) out(`  list: ${p}`);
  } else if (cs !== undefined) {
    out('  no longer compiles:');
    for (const d of cs.diagnostics ?? []) out(`  ${d.file}:${d.line}:${d.column} - ${d.severity} ${d.code}: ${d.message}`);
  }
  const diff = b.diff;
  if (diff === undefined) return;
  const s = diff.summary;
  const names = (label: string, x: { added: readonly string[]; removed: readonly string[]; changed: readonly string[] }): void => {
    const parts = [...x.added.map((n) => `+${n}`), ...x.removed.map((n) => `-${n}`), ...x.changed.map((n) => `~${n}`)];
    if (parts.length > 0) out(`  ${label}: ${parts.join(' ')}`);
  };
  out(`  changes against version ${diff.parent ?? '(none)'}: ${diff.files.length} file(s)`);
  names('rules', s.rules);
  names('windows', s.windows);
  names('features', s.features);
  for (const x of s.settings) out(`  setting ${x.name}: ${x.before ?? 'default'} → ${x.after ?? 'default'}`);
  if (withDiff) for (const f of diff.files) out(unifiedText(f).trimEnd());
}

function one(rest: string[], what: string): number {
  if (rest.length !== 1) throw new UsageError(`expected ${what}\nusage: ${USAGE}`);
  return versionArg(rest[0]);
}

function versionArg(s: string): number {
  const n = Number(s.replace(/^v/, ''));
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`"${s}" is not a version number\nusage: ${USAGE}`);
  return n;
}

/** The `*.fk` files of a folder as `{name: text}`. */
function readFolder(dir: string): Record<string, string> {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new ConfigError(`${dir} is not a folder`);
    names = readdirSync(dir).filter((n) => n.endsWith('.fk')).sort();
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`cannot read policy folder ${dir}`, { cause: e });
  }
  if (names.length === 0) throw new ConfigError(`policy folder ${dir} holds no *.fk files`);
  const files: Record<string, string> = {};
  for (const n of names) files[basename(n)] = readText(join(dir, n));
  return files;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read ${path}`, { cause: e });
  }
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readText(path));
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
}

function iso(ms: number | null | undefined): string {
  return typeof ms === 'number' ? new Date(ms).toISOString() : '-';
}
