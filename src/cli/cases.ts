/**
 * `fengkong cases …`: the case queue and the analyst's work from a terminal, talking HTTP to a
 * running server (the same API, checks and audit trail; the HTTP client is the accounts command's).
 * `--url` (default http://127.0.0.1:8080), the key from `--key-file`, FENGKONG_KEY or (warned against) `--key`. A refusal prints
 * its status, code, field and message, and the command exits 1.
 */
import { UsageError } from '../errors.js';
import { clientCommand, httpRequest, type HttpReply, type Out, KEY_FLAGS } from './http-client.js';

const USAGE = `fengkong cases <command> [--url http://127.0.0.1:8080] [--key-file FILE | env FENGKONG_KEY] [--json]
  list [--status active|open|investigating|resolved|all] [--assignee NAME|none] [--subject account:ID]
       [--issue ISSUE|detector:] [--limit N] [--after CURSOR]   the queue, highest priority first
  show CASE [--no-evidence]                    one case: items, notes, history and the evidence
  open KIND ID --note TEXT [--issue I] [--risk 0-100] [--amount FEN]   open a case by hand (KIND: account, merchant, terminal)
  assign CASE [--to NAME | --none]             assign (default: to yourself) or unassign
  note CASE --text TEXT                        add a note
  status CASE open|investigating [--note TEXT] move an unresolved case
  resolve CASE fraud|legitimate [--typology T] [--note TEXT]   resolve (final); emits labels
  detectors                                    the case feed's lag and the detectors' findings`;

const SPEC = {
  url: 'string',
  ...KEY_FLAGS,
  json: 'switch',
  status: 'string',
  assignee: 'string',
  subject: 'string',
  issue: 'string',
  limit: 'int',
  after: 'string',
  'no-evidence': 'switch',
  note: 'string',
  text: 'string',
  risk: 'int',
  amount: 'int',
  to: 'string',
  none: 'switch',
  typology: 'string',
} as const;


interface Summary {
  id: string;
  subjectKind: string;
  subjectId: string;
  issue: string;
  status: string;
  risk: number;
  amount: number;
  priority: number;
  assignee: string | null;
  openedAt: number;
  items: number;
  resolution: string | null;
  typology: string | null;
  labels: number | null;
}

const money = (fen: number): string => `¥${(fen / 100).toFixed(2)}`;
const iso = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString());

/** One queue line. */
export function caseLine(c: Summary): string {
  const who = c.assignee ?? 'unassigned';
  const end = c.resolution === null ? c.status : `resolved ${c.resolution}${c.typology === null ? '' : ` (${c.typology})`}`;
  return `${c.id}\t${c.subjectKind}:${c.subjectId}\t${c.issue}\t${end}\tpriority ${c.priority}\trisk ${c.risk}\t${money(c.amount)}\t${c.items} items\t${who}\topened ${iso(c.openedAt)}`;
}

/** Runs `cases …`; resolves to the exit code. */
export async function runCases(args: string[], out: Out = (l) => process.stdout.write(l + '\n'), err: Out = (l) => process.stderr.write(l + '\n')): Promise<number> {
  const cc = clientCommand('cases', args, SPEC, USAGE, out);
  if (typeof cc === 'number') return cc;
  const { args: a, cmd, client: c, str, emit, need } = cc;
  const at = (id: string, tail = ''): string => `/v1/cases/${encodeURIComponent(id)}${tail}`;
  let r: HttpReply;
  switch (cmd) {
    case 'list': {
      need(0, 'no arguments');
      const q = new URLSearchParams();
      for (const f of ['status', 'assignee', 'subject', 'issue', 'after']) if (str(f) !== undefined) q.set(f, str(f)!);
      if (a.flags.has('limit')) q.set('limit', String(a.flags.get('limit')));
      r = await httpRequest(c, 'GET', `/v1/cases${q.size > 0 ? `?${q}` : ''}`);
      if (r.status < 400) {
        const b = r.body as { cases: Summary[]; next: string | null };
        emit(b, () => {
          b.cases.forEach((x) => out(caseLine(x)));
          if (b.next !== null) out(`(more: --after ${b.next})`);
        });
      }
      break;
    }
    case 'show': {
      const [id] = need(1, 'a case id');
      r = await httpRequest(c, 'GET', at(id, a.flags.get('no-evidence') === true ? '?evidence=false' : ''));
      if (r.status < 400) emit(r.body, () => printCase(r.body as CaseBody, out));
      break;
    }
    case 'open': {
      const [kind, id] = need(2, 'a subject kind and id');
      const note = str('note');
      if (note === undefined) throw new UsageError(`opening a case needs --note TEXT\nusage: ${USAGE}`);
      const body: Record<string, unknown> = { subjectKind: kind, subjectId: id, note };
      if (str('issue') !== undefined) body.issue = str('issue');
      if (a.flags.has('risk')) body.risk = a.flags.get('risk');
      if (a.flags.has('amount')) body.amount = a.flags.get('amount');
      r = await httpRequest(c, 'POST', '/v1/cases', body);
      if (r.status < 400) {
        const b = r.body as { caseId: string; created: boolean };
        emit(b, () => out(`${b.caseId} ${b.created ? 'opened' : '(joined the open case)'}`));
      }
      break;
    }
    case 'assign': {
      const [id] = need(1, 'a case id');
      const body = a.flags.get('none') === true ? { assignee: null } : str('to') === undefined ? {} : { assignee: str('to') };
      r = await httpRequest(c, 'POST', at(id, '/assign'), body);
      if (r.status < 400) emit(r.body, () => out(caseLine((r.body as { case: Summary }).case)));
      break;
    }
    case 'note': {
      const [id] = need(1, 'a case id');
      const text = str('text');
      if (text === undefined) throw new UsageError(`a note needs --text TEXT\nusage: ${USAGE}`);
      r = await httpRequest(c, 'POST', at(id, '/notes'), { text });
      if (r.status < 400) emit(r.body, () => out(`note ${(r.body as { note: { n: number } }).note.n} added to ${id}`));
      break;
    }
    case 'status': {
      const [id, status] = need(2, 'a case id and a status');
      r = await httpRequest(c, 'POST', at(id, '/status'), str('note') === undefined ? { status } : { status, note: str('note') });
      if (r.status < 400) emit(r.body, () => out(caseLine((r.body as { case: Summary }).case)));
      break;
    }
    case 'resolve': {
      const [id, resolution] = need(2, 'a case id and fraud or legitimate');
      const body: Record<string, unknown> = { resolution };
      if (str('typology') !== undefined) body.typology = str('typology');
      if (str('note') !== undefined) body.note = str('note');
      r = await httpRequest(c, 'POST', at(id, '/resolve'), body);
      if (r.status < 400) {
        const b = r.body as { case: Summary; labels: number };
        emit(b, () => {
          out(caseLine(b.case));
          out(`${b.labels} label(s) emitted`);
        });
      }
      break;
    }
    case 'detectors':
      need(0, 'no arguments');
      r = await httpRequest(c, 'GET', '/v1/detectors');
      if (r.status < 400) emit(r.body, () => out(JSON.stringify(r.body, null, 2)));
      break;
    default:
      throw new UsageError(`unknown command "cases ${cmd ?? ''}"\nusage: ${USAGE}`);
  }
  return reportError('cases', r, err);
}

/** Prints a refusal (status, code, field, message) and returns the exit code: 1 on error, else 0. */
export function reportError(command: string, r: HttpReply, err: Out): number {
  if (r.status < 400) return 0;
  const e = (r.body as { error?: { code?: string; message?: string; path?: string } })?.error;
  err(
    e === undefined
      ? `fengkong ${command}: HTTP ${r.status}: ${JSON.stringify(r.body)}`
      : `fengkong ${command}: ${r.status} ${e.code}${e.path === undefined ? '' : ` (${e.path})`}: ${e.message}`,
  );
  return 1;
}

interface CaseBody {
  case: Summary & { notes: { n: number; author: string; at: number; text: string }[]; history: { at: number; actor: string; action: string; from: string | null; to: string | null }[] };
  items: { n: number; kind: string; ref: string | null; txId: string | null; risk: number; amount: number; note: string | null; actor: string; at: number }[];
  evidence?: {
    payments?: { txId: string; ts: string; amount: number; merchantId: string; outcome: string | null; score: number | null; reasons: string[] }[];
    reasons?: { code: string; payments: number; description: string | null }[];
    related?: Record<string, { accountId?: string; merchantId?: string; deviceId?: string }[]>;
  };
}

function printCase(b: CaseBody, out: Out): void {
  out(caseLine(b.case));
  out('items:');
  for (const i of b.items) out(`  ${i.n}. ${i.kind} ${i.ref ?? ''}\trisk ${i.risk}\t${money(i.amount)}\t${i.actor}\t${iso(i.at)}${i.note === null ? '' : `\t${i.note}`}`);
  if (b.case.notes.length > 0) {
    out('notes:');
    for (const n of b.case.notes) out(`  ${iso(n.at)} ${n.author}: ${n.text}`);
  }
  out('history:');
  for (const h of b.case.history) out(`  ${iso(h.at)} ${h.actor} ${h.action}${h.to === null ? '' : ` → ${h.to}`}`);
  const ev = b.evidence;
  if (ev === undefined) return;
  out('recent payments:');
  for (const p of (ev.payments ?? []).slice(0, 20)) out(`  ${p.ts} ${p.txId} ${money(p.amount)} at ${p.merchantId}: ${p.outcome ?? '?'} ${p.score ?? ''} ${p.reasons.join(', ')}`);
  out('reasons:');
  for (const r of ev.reasons ?? []) out(`  ${r.code} ×${r.payments}${r.description === null ? '' : ` — ${r.description}`}`);
  for (const [k, list] of Object.entries(ev.related ?? {})) {
    if (list.length === 0) continue;
    out(`related (${k}): ${list.map((x) => x.accountId ?? x.merchantId ?? x.deviceId).join(', ')}`);
  }
}
