/**
 * `fengkong merchants …`: check a merchant (and a terminal), see its rating, hold or release its
 * settlement, suspend or release a terminal — over HTTP to a running server, like `fengkong cases`.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { UsageError } from '../errors.js';
import { parseLicenceCsv } from '../merchants/licence-list.js';
import { clientCommand, httpRequest, type HttpReply, type Out, KEY_FLAGS } from './http-client.js';
import { reportError } from './cases.js';
import { expiresArg } from './lists.js';

const USAGE = `fengkong merchants <command> [--url http://127.0.0.1:8080] [--key-file FILE | env FENGKONG_KEY] [--json]
  show MERCHANT [--terminal TERMINAL]          registered? licensed acquirer? its terminal? (analysts: rating, actions, cases)
  risky [--kind merchant|terminal] [--min SCORE] [--limit N]   the riskiest merchant codes (or terminals) of the last 7 days
  actions MERCHANT                             the merchant's actions, newest first
  hold MERCHANT --reason TEXT [--expires 7d|ISO 8601|epoch ms]   hold settlement (analyst, admin): its payments are reviewed
  release MERCHANT --reason TEXT               lift the settlement hold (admin)
  suspend MERCHANT TERMINAL --reason TEXT [--expires …]   suspend a terminal (admin): its payments are declined
  release-terminal MERCHANT TERMINAL --reason TEXT        lift a terminal's suspension (admin)
  licences FILE.csv --as-of YYYY-MM-DD [--source TEXT] [--mark-unlisted] [--dry-run]
    the central bank's list of licensed payment institutions (CSV as published: 公司名称 / name, optionally
    机构代码 / acquirerId and 有效期至 / validUntil) as the authority for second clearing (admin); --mark-unlisted:
    the list is complete, registered acquirers it does not name become unlicensed; --dry-run shows what would change`;

const SPEC = {
  url: 'string',
  ...KEY_FLAGS,
  json: 'switch',
  terminal: 'string',
  kind: 'string',
  min: 'int',
  limit: 'int',
  reason: 'string',
  expires: 'string',
  'as-of': 'string',
  source: 'string',
  'mark-unlisted': 'switch',
  'dry-run': 'switch',
} as const;


interface ActionView {
  id: number;
  action: string;
  terminalId: string | null;
  reason: string;
  actor: string;
  createdAt: number;
  expiresAt: number | null;
  status: string;
  releasedBy: string | null;
  releaseReason: string | null;
}

const iso = (ms: number | null): string => (ms === null ? 'never' : new Date(ms).toISOString());

function actionLine(a: ActionView): string {
  const what = a.terminalId === null ? a.action : `${a.action} ${a.terminalId}`;
  const end = a.status === 'active' ? `expires ${iso(a.expiresAt)}` : `${a.status}${a.releasedBy === null ? '' : ` by ${a.releasedBy}: ${a.releaseReason}`}`;
  return `#${a.id}\t${what}\t${a.status}\tby ${a.actor} at ${iso(a.createdAt)}\t${a.reason}\t${end}`;
}

/** Runs `merchants …`; resolves to the exit code. */
export async function runMerchants(args: string[], out: Out = (l) => process.stdout.write(l + '\n'), err: Out = (l) => process.stderr.write(l + '\n')): Promise<number> {
  const cc = clientCommand('merchants', args, SPEC, USAGE, out);
  if (typeof cc === 'number') return cc;
  const { args: a, cmd, client: c, str, emit, need } = cc;
  const reason = (): string => {
    const r = str('reason');
    if (r === undefined) throw new UsageError(`an action needs --reason TEXT\nusage: ${USAGE}`);
    return r;
  };
  const act = async (merchant: string, body: Record<string, unknown>): Promise<HttpReply> => {
    const expires = expiresArg(str('expires'), Date.now());
    if (expires !== undefined) body.expiresAt = expires;
    const r = await httpRequest(c, 'POST', `/v1/merchants/${encodeURIComponent(merchant)}/actions`, body);
    if (r.status < 400) emit(r.body, () => out(actionLine((r.body as { action: ActionView }).action)));
    return r;
  };
  let r: HttpReply;
  switch (cmd) {
    case 'show': {
      const [m] = need(1, 'a merchant id');
      const t = str('terminal');
      r = await httpRequest(c, 'GET', `/v1/merchants/${encodeURIComponent(m)}${t === undefined ? '' : `?terminalId=${encodeURIComponent(t)}`}`);
      if (r.status < 400) emit(r.body, () => printMerchant(r.body as MerchantBody, out));
      break;
    }
    case 'risky': {
      need(0, 'no arguments');
      const q = new URLSearchParams({ kind: str('kind') ?? 'merchant' });
      if (a.flags.has('min')) q.set('minScore', String(a.flags.get('min')));
      if (a.flags.has('limit')) q.set('limit', String(a.flags.get('limit')));
      r = await httpRequest(c, 'GET', `/v1/merchants?${q}`);
      if (r.status < 400) {
        const list = (Object.values(r.body as Record<string, unknown>)[0] ?? []) as { merchantId?: string; terminalId?: string; score: number; grade: string; drivers: string[]; payments: number }[];
        emit(r.body, () => list.forEach((x) => out(`${x.merchantId ?? x.terminalId}\t${x.grade}\t${x.score}\t${x.payments} payments\t${x.drivers.join(', ')}`)));
      }
      break;
    }
    case 'actions': {
      const [m] = need(1, 'a merchant id');
      r = await httpRequest(c, 'GET', `/v1/merchants/${encodeURIComponent(m)}/actions`);
      if (r.status < 400) emit(r.body, () => (r.body as { actions: ActionView[] }).actions.forEach((x) => out(actionLine(x))));
      break;
    }
    case 'hold':
      r = await act(need(1, 'a merchant id')[0], { action: 'hold_settlement', reason: reason() });
      break;
    case 'release':
      r = await act(need(1, 'a merchant id')[0], { action: 'release', reason: reason() });
      break;
    case 'suspend': {
      const [m, t] = need(2, 'a merchant id and a terminal id');
      r = await act(m, { action: 'suspend_terminal', terminalId: t, reason: reason() });
      break;
    }
    case 'release-terminal': {
      const [m, t] = need(2, 'a merchant id and a terminal id');
      r = await act(m, { action: 'release_terminal', terminalId: t, reason: reason() });
      break;
    }
    case 'licences': {
      const [file] = need(1, 'the CSV file');
      const asOf = str('as-of');
      if (asOf === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new UsageError(`"merchants licences" needs --as-of YYYY-MM-DD, the list's date\nusage: ${USAGE}`);
      const rows = parseLicenceCsv(readFileSync(file, 'utf8')).map((x) => ({ name: x.name, ...(x.acquirerId === null ? {} : { acquirerId: x.acquirerId }), ...(x.validUntil === null ? {} : { validUntil: x.validUntil }) }));
      r = await httpRequest(c, 'POST', '/v1/acquirers/licence-list', {
        asOf, source: str('source') ?? `PBC licensed payment institutions, ${basename(file)}`, rows,
        ...(a.flags.get('mark-unlisted') === true ? { markUnlisted: true } : {}), ...(a.flags.get('dry-run') === true ? { dryRun: true } : {}),
      });
      if (r.status < 400) {
        const b = r.body as { updates: { acquirerId: string; licensed: boolean; why: string }[]; unmatched: { name: string }[]; unlisted: string[]; dryRun: boolean };
        emit(r.body, () => {
          for (const u of b.updates) out(`${u.acquirerId}\t${u.licensed ? 'licensed' : 'UNLICENSED'}\t${u.why}`);
          for (const x of b.unmatched) out(`(no registered acquirer)\t${x.name}`);
          if (b.unlisted.length > 0) out(`registered, not on the list: ${b.unlisted.join(', ')}`);
          if (b.dryRun) out('dry run: nothing changed');
        });
      }
      break;
    }
    default:
      throw new UsageError(`unknown command "merchants ${cmd ?? ''}"\nusage: ${USAGE}`);
  }
  return reportError('merchants', r, err);
}

interface MerchantBody {
  merchantId: string;
  registered: boolean;
  name: string | null;
  mcc: string | null;
  region: string | null;
  acquirer: { acquirerId: string; name: string | null; licensed: boolean | null } | null;
  terminal?: { terminalId: string; registered: boolean; belongsToMerchant: boolean; boundMerchantId: string | null; status: string };
  check: { ok: boolean; problems: string[] };
  terminals?: { terminalId: string; status: string; risk: { score: number; grade: string } }[];
  settlement?: string;
  rating?: { score: number; grade: string; drivers: { driver: string; points: number }[]; volume: { payments: number } };
  actions?: ActionView[];
  openCases?: { id: string; issue: string; status: string; priority: number }[];
}

function printMerchant(b: MerchantBody, out: Out): void {
  out(`${b.merchantId} ${b.name ?? ''} — ${b.registered ? 'registered' : 'NOT registered'}; MCC ${b.mcc ?? '-'}; region ${b.region ?? '-'}`);
  if (b.acquirer !== null) out(`acquirer ${b.acquirer.acquirerId} ${b.acquirer.name ?? ''}: ${b.acquirer.licensed === null ? 'not registered' : b.acquirer.licensed ? 'licensed' : 'NOT licensed'}`);
  if (b.terminal !== undefined) {
    const t = b.terminal;
    out(`terminal ${t.terminalId}: ${!t.registered ? 'not registered' : t.belongsToMerchant ? 'belongs to this merchant' : `bound to ${t.boundMerchantId}`}; ${t.status}`);
  }
  out(b.check.ok ? 'check: ok' : `check: ${b.check.problems.join('; ')}`);
  if (b.rating !== undefined) {
    out(`rating: ${b.rating.grade} (${b.rating.score}) over ${b.rating.volume.payments} payments in 7 days; settlement ${b.settlement}`);
    for (const d of b.rating.drivers) out(`  ${d.driver} +${d.points}`);
  }
  for (const t of b.terminals ?? []) out(`  terminal ${t.terminalId}\t${t.status}\t${t.risk.grade} (${t.risk.score})`);
  for (const a of b.actions ?? []) out(`  action ${actionLine(a)}`);
  for (const k of b.openCases ?? []) out(`  case ${k.id}\t${k.issue}\t${k.status}\tpriority ${k.priority}`);
}
