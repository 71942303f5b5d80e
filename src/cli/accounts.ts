/**
 * `fengkong accounts …`: account actions, the two account views and appeals from a terminal,
 * talking HTTP to a running server (the same API, checks and audit trail as any client). `--url`
 * (default http://127.0.0.1:8080), the key from `--key-file`, FENGKONG_KEY or (warned against) `--key`. A refusal prints its
 * status, code, field and message, and the command exits 1.
 */
import { UsageError } from '../errors.js';
import { parseArgs } from './args.js';
import { clientOf, httpRequest, type HttpReply, KEY_FLAGS } from './http-client.js';
import { expiresArg } from './lists.js';

const USAGE = `fengkong accounts <command> [--url http://127.0.0.1:8080] [--key-file FILE | env FENGKONG_KEY] [--json]
  show ACCOUNT                          the full view (analyst, admin): credit, restrictions, rating and drivers, payments
  customer ACCOUNT [--size N] [--cursor C]   what the customer is told (support, analyst, admin), newest payments first
  actions ACCOUNT                       the account's actions, newest first
  actions ACCOUNT ACTION --reason TEXT [--limit FEN] [--expires 30d|12h|ISO 8601|epoch ms]
                                        act (admin): freeze, unfreeze, lower_limit (--limit), restore_limit,
                                        require_step_up, lift_step_up, restore
  appeal ACCOUNT --text TEXT [--tx TXID]    file the customer's appeal (support, admin); opens a case`;

const SPEC = {
  url: 'string',
  ...KEY_FLAGS,
  json: 'switch',
  reason: 'string',
  limit: 'int',
  expires: 'string',
  text: 'string',
  tx: 'string',
  size: 'int',
  cursor: 'string',
} as const;

type Out = (line: string) => void;

/** Runs `accounts …`; resolves to the exit code. */
export async function runAccounts(args: string[], out: Out = (l) => process.stdout.write(l + '\n'), err: Out = (l) => process.stderr.write(l + '\n')): Promise<number> {
  if (args.length === 0 || ['help', '--help', '-h'].includes(args[0])) {
    out(`usage: ${USAGE}`);
    return args.length === 0 ? 2 : 0;
  }
  const a = parseArgs(args, SPEC, USAGE);
  const [cmd, account, action, ...extra] = a.positionals;
  if (account === undefined) throw new UsageError(`"accounts ${cmd}" needs an account id\nusage: ${USAGE}`);
  const c = clientOf(a, USAGE);
  const json = a.flags.get('json') === true;
  const str = (name: string): string | undefined => a.flags.get(name) as string | undefined;
  const path = `/v1/accounts/${encodeURIComponent(account)}`;
  /** Prints an answer as JSON with --json, else in words. */
  const emit = (body: unknown, human: () => void): void => (json ? out(JSON.stringify(body, null, 2)) : human());
  const none = (n: number): void => {
    if (extra.length > 0 || (n === 0 && action !== undefined)) throw new UsageError(`too many arguments for "accounts ${cmd}"\nusage: ${USAGE}`);
  };
  let r: HttpReply;
  switch (cmd) {
    case 'show':
      none(0);
      r = await httpRequest(c, 'GET', path);
      if (r.status < 400) emit(r.body, () => printFull(r.body as FullView, out));
      break;
    case 'customer': {
      none(0);
      const q = new URLSearchParams();
      if (a.flags.has('size')) q.set('limit', String(a.flags.get('size')));
      if (str('cursor') !== undefined) q.set('cursor', str('cursor')!);
      r = await httpRequest(c, 'GET', `${path}/customer-view${q.size > 0 ? `?${q}` : ''}`);
      if (r.status < 400) emit(r.body, () => printCustomer(r.body as CustomerView, out));
      break;
    }
    case 'actions':
      none(1);
      if (action === undefined) {
        r = await httpRequest(c, 'GET', path);
        const actions = (r.body as FullView).actions ?? [];
        if (r.status < 400) emit(actions, () => actions.forEach((x) => out(actionLine(x))));
      } else {
        const reason = str('reason');
        if (reason === undefined) throw new UsageError(`an action needs --reason TEXT\nusage: ${USAGE}`);
        const body: Record<string, unknown> = { action, reason };
        if (a.flags.has('limit')) body.limit = a.flags.get('limit');
        const expires = expiresArg(str('expires'), Date.now());
        if (expires !== undefined) body.expiresAt = expires;
        r = await httpRequest(c, 'POST', `${path}/actions`, body);
        if (r.status < 400) {
          const b = r.body as { action: ActionRecord; after: Restrictions };
          emit(b, () => {
            out(actionLine(b.action));
            out(`now: ${restrictionsLine(b.after)}`);
          });
        }
      }
      break;
    case 'appeal': {
      none(0);
      const text = str('text');
      if (text === undefined) throw new UsageError(`an appeal needs --text TEXT\nusage: ${USAGE}`);
      r = await httpRequest(c, 'POST', `${path}/appeals`, str('tx') === undefined ? { text } : { text, txId: str('tx') });
      if (r.status < 400) {
        const b = r.body as { appeal: { id: number; caseId: string | null }; case: { caseId: string; created: boolean } | null };
        const opened = b.case === null ? ' (no case service: no case opened)' : `; case ${b.case.caseId}${b.case.created ? ' opened' : ' (joined the open one)'}`;
        emit(b, () => out(`appeal ${b.appeal.id} filed for ${account}${opened}`));
      }
      break;
    }
    default:
      throw new UsageError(`unknown command "accounts ${cmd}"\nusage: ${USAGE}`);
  }
  if (r.status >= 400) {
    const e = (r.body as { error?: { code?: string; message?: string; path?: string } })?.error;
    err(e === undefined ? `fengkong accounts: HTTP ${r.status}: ${JSON.stringify(r.body)}` : `fengkong accounts: ${r.status} ${e.code}: ${e.message}`);
    return 1;
  }
  return 0;
}

interface Hold {
  reason: string;
  author: string;
  since: number;
  expiresAt: number | null;
}
interface Restrictions {
  frozen: Hold | null;
  stepUp: Hold | null;
  limit: (Hold & { limit: number }) | null;
}
interface ActionRecord {
  id: number;
  action: string;
  reason: string;
  author: string;
  at: number;
  expiresAt: number | null;
  limit: number | null;
}
interface FullView {
  accountId: string;
  status: string;
  credit: { creditLimit: number | null; effectiveLimit: number | null; outstanding: number; availableCredit: number | null };
  restrictions: Restrictions;
  rating: { score: number; grade: string; base: number; drivers: { driver: string; points: number; note: string }[] } | null;
  devices: { deviceId: string; firstSeen: string }[];
  recentPayments: { txId: string; ts: string; amount: number; merchant: { name: string | null }; outcome: string; score: number; reasons: { code: string }[] }[];
  actions: ActionRecord[];
}
interface CustomerView {
  accountId: string;
  status: string;
  statusText: { en: string; zh: string };
  restrictions: { kind: string; until: string | null; message: { en: string; zh: string }; whatYouCanDo: { en: string; zh: string } }[];
  creditLimit: number | null;
  availableCredit: number | null;
  transactions: { txId: string; time: string; amount: number; merchant: string | null; outcomeText: { en: string; zh: string } }[];
  next: string | null;
}

const iso = (ms: number | null): string => (ms === null ? 'never' : new Date(ms).toISOString());
const money = (fen: number | null): string => (fen === null ? '-' : `¥${(fen / 100).toFixed(2)}`);

function actionLine(a: ActionRecord): string {
  const limit = a.limit === null ? '' : ` to ${money(a.limit)}`;
  return `#${a.id} ${a.action}${limit} by ${a.author} at ${iso(a.at)}, until ${iso(a.expiresAt)}: ${a.reason}`;
}

function restrictionsLine(r: Restrictions): string {
  const parts: string[] = [];
  if (r.frozen) parts.push(`frozen until ${iso(r.frozen.expiresAt)} (${r.frozen.reason})`);
  if (r.limit) parts.push(`limit lowered to ${money(r.limit.limit)} until ${iso(r.limit.expiresAt)} (${r.limit.reason})`);
  if (r.stepUp) parts.push(`step-up required until ${iso(r.stepUp.expiresAt)} (${r.stepUp.reason})`);
  return parts.length === 0 ? 'no restrictions' : parts.join('; ');
}

function printFull(v: FullView, out: Out): void {
  out(`${v.accountId}: ${v.status}; limit ${money(v.credit.creditLimit)}, in force ${money(v.credit.effectiveLimit)}, outstanding ${money(v.credit.outstanding)}, available ${money(v.credit.availableCredit)}`);
  out(`restrictions: ${restrictionsLine(v.restrictions)}`);
  if (v.rating !== null) {
    out(`rating: ${v.rating.score} (${v.rating.grade}) = base ${v.rating.base}`);
    for (const d of v.rating.drivers) out(`  ${d.points >= 0 ? '+' : ''}${d.points}\t${d.driver}\t${d.note}`);
  }
  out(`devices: ${v.devices.map((d) => `${d.deviceId} (since ${d.firstSeen})`).join(', ') || 'none'}`);
  out('recent payments:');
  for (const p of v.recentPayments) {
    out(`  ${p.ts}\t${p.txId}\t${money(p.amount)}\t${p.merchant.name ?? '-'}\t${p.outcome} ${p.score}\t${p.reasons.map((x) => x.code).join(',')}`);
  }
  out('actions:');
  for (const a of v.actions) out(`  ${actionLine(a)}`);
}

function printCustomer(v: CustomerView, out: Out): void {
  out(`${v.accountId}: ${v.statusText.en} / ${v.statusText.zh}`);
  out(`credit limit ${money(v.creditLimit)}, available ${money(v.availableCredit)}`);
  for (const r of v.restrictions) {
    out(`- ${r.message.en}${r.until === null ? '' : ` (until ${r.until})`}`);
    out(`  ${r.whatYouCanDo.en}`);
    out(`  ${r.message.zh} ${r.whatYouCanDo.zh}`);
  }
  for (const t of v.transactions) out(`  ${t.time}\t${t.txId}\t${money(t.amount)}\t${t.merchant ?? '-'}\t${t.outcomeText.en} / ${t.outcomeText.zh}`);
  if (v.next !== null) out(`more: --cursor ${v.next}`);
}
