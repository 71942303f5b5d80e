// A compact checker of the event contract (shared/contract/EVENTS.md), written independently of
// src/contract so that the simulator's output is checked against the text, not against our parser.

type Check = (v: unknown) => boolean;

const TS = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

const isString: Check = (v) => typeof v === 'string';
const isTs: Check = (v) => typeof v === 'string' && TS.test(v);
const isId: Check = (v) => typeof v === 'string' && v.length >= 1 && v.length <= 128 && !/[\x00-\x1f\x7f]/.test(v);
const isMoney: Check = (v) => typeof v === 'number' && Number.isInteger(v) && v > 0;
const isMoneyOrZero: Check = (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isBool: Check = (v) => typeof v === 'boolean';
const isMcc: Check = (v) => typeof v === 'string' && /^\d{4}$/.test(v);
const isRegion: Check = (v) => typeof v === 'string' && /^\d{6}$/.test(v);
const isGeo: Check = (v) => {
  if (typeof v !== 'object' || v === null) return false;
  const g = v as Record<string, unknown>;
  return (
    Object.keys(g).length === 2 &&
    typeof g.lat === 'number' && g.lat >= -90 && g.lat <= 90 &&
    typeof g.lon === 'number' && g.lon >= -180 && g.lon <= 180
  );
};
const oneOf = (...xs: string[]): Check => (v) => typeof v === 'string' && xs.includes(v);

type Spec = Record<string, [required: boolean, check: Check]>;

const SPECS: Record<string, Spec> = {
  transaction: {
    id: [true, isId], ts: [true, isTs], accountId: [true, isId], amount: [true, isMoney],
    currency: [false, (v) => typeof v === 'string' && /^[A-Z]{3}$/.test(v)],
    merchantId: [true, isId], terminalId: [true, isId], mcc: [false, isMcc], acquirerId: [false, isId],
    geo: [false, isGeo], deviceId: [false, isId], ip: [false, isId], channel: [false, oneOf('qr', 'card', 'app')],
    merchantName: [false, isString],
  },
  account: {
    ts: [true, isTs], accountId: [true, isId], creditLimit: [true, isMoneyOrZero], home: [false, isGeo],
    kyc: [false, oneOf('none', 'basic', 'full')], openedAt: [false, isTs],
  },
  account_event: {
    ts: [true, isTs], accountId: [true, isId],
    kind: [true, oneOf('login', 'device_bound', 'password_reset', 'phone_changed', 'repayment', 'complaint', 'limit_changed')],
    deviceId: [false, isId], ip: [false, isId], geo: [false, isGeo], amount: [false, isMoney], creditLimit: [false, isMoneyOrZero],
  },
  merchant: {
    ts: [true, isTs], merchantId: [true, isId], acquirerId: [true, isId], name: [false, isString], mcc: [false, isMcc],
    geo: [false, isGeo], region: [false, isRegion],
  },
  terminal: { ts: [true, isTs], terminalId: [true, isId], merchantId: [true, isId], acquirerId: [false, isId], geo: [false, isGeo] },
  acquirer: { ts: [true, isTs], acquirerId: [true, isId], name: [false, isString], licensed: [true, isBool] },
  label: {
    ts: [true, isTs], txId: [false, isId], accountId: [false, isId], merchantId: [false, isId], terminalId: [false, isId],
    fraud: [true, isBool], typology: [false, isString], source: [false, isString],
  },
};

/**
 * Problems of one event against the contract, empty when it conforms. Stricter than the contract in
 * one way on purpose: the simulator must not write fields the contract does not name.
 */
export function contractProblems(o: unknown): string[] {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return ['not an object'];
  const e = o as Record<string, unknown>;
  const spec = typeof e.type === 'string' ? SPECS[e.type] : undefined;
  if (spec === undefined) return [`unknown type ${String(e.type)}`];
  const out: string[] = [];
  for (const [k, [required, check]] of Object.entries(spec)) {
    if (e[k] === undefined) {
      if (required) out.push(`${k} missing`);
    } else if (!check(e[k])) out.push(`${k} invalid: ${JSON.stringify(e[k])}`);
  }
  for (const k of Object.keys(e)) if (k !== 'type' && !(k in spec)) out.push(`unexpected field ${k}`);
  if (e.type === 'account_event') {
    if (e.kind === 'repayment' && e.amount === undefined) out.push('repayment without amount');
    if (e.kind === 'limit_changed' && e.creditLimit === undefined) out.push('limit_changed without creditLimit');
  }
  if (e.type === 'label') {
    const targets = ['txId', 'accountId', 'merchantId', 'terminalId'].filter((k) => e[k] !== undefined);
    if (targets.length !== 1) out.push(`label with ${targets.length} targets`);
  }
  return out;
}

/** Epoch ms of a contract timestamp (the checker's own reading, offsets included). */
export function epochMs(ts: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|([+-])(\d{2}):(\d{2}))$/.exec(ts);
  if (m === null) return NaN;
  const ms = m[7] === undefined ? 0 : Number((m[7] + '00').slice(0, 3));
  const off = m[8] === 'Z' ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], ms) - off * 60_000;
}
