// A small registered world for engine and policy tests: acquirers, merchants, terminals and an
// account with a few days of ordinary history, plus a helper to run events through an Engine.
import { parseEvent } from '../../src/contract/parse.js';
import { formatShanghai } from '../../src/contract/time.js';
import { Engine } from '../../src/engine/engine.js';
import type { Decision } from '../../src/engine/decision.js';
import { loadPolicy } from '../../src/engine/policy-source.js';
import type { CompiledPolicy } from '../../src/rules/policy-types.js';

export const SZ = { lat: 22.5431, lon: 114.0579 };
export const SZ2 = { lat: 22.55, lon: 114.07 };
export const GZ = { lat: 23.1291, lon: 113.2644 };
export const BJ = { lat: 39.9042, lon: 116.4074 };

/** 2026-11-10 00:00 Asia/Shanghai. */
export const DAY0 = Date.UTC(2026, 10, 9, 16, 0, 0);
export const MIN = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** A timestamp `ms` after DAY0, in the contract's format. */
export function at(ms: number): string {
  return formatShanghai(DAY0 + ms);
}

type Obj = Record<string, unknown>;

export function registry(): Obj[] {
  const ts = at(-100 * DAY);
  return [
    { type: 'acquirer', ts, acquirerId: '48021000', name: '持牌支付', licensed: true },
    { type: 'acquirer', ts, acquirerId: '48029999', name: '无牌机构', licensed: false },
    { type: 'acquirer', ts, acquirerId: '48023333', name: '另一持牌支付', licensed: true },
    { type: 'merchant', ts, merchantId: 'M1', name: '深圳便利店', mcc: '5411', acquirerId: '48021000', geo: SZ, region: '440304' },
    { type: 'merchant', ts, merchantId: 'M2', name: '深圳珠宝行', mcc: '5944', acquirerId: '48021000', geo: SZ2, region: '440304' },
    { type: 'merchant', ts, merchantId: 'M3', name: '广州餐厅', mcc: '5812', acquirerId: '48021000', geo: GZ, region: '440106' },
    { type: 'merchant', ts, merchantId: 'M4', name: '深圳小吃', mcc: '5814', acquirerId: '48021000', geo: SZ2, region: '440304' },
    { type: 'terminal', ts, terminalId: 'T1', merchantId: 'M1', acquirerId: '48021000', geo: SZ },
    { type: 'terminal', ts, terminalId: 'T2', merchantId: 'M2', acquirerId: '48021000', geo: SZ2 },
    { type: 'terminal', ts, terminalId: 'T3', merchantId: 'M3', acquirerId: '48021000', geo: GZ },
    { type: 'terminal', ts, terminalId: 'T4', merchantId: 'M4', acquirerId: '48021000', geo: SZ2 },
  ];
}

/** An account with a ¥20,000 limit living in Shenzhen, opened long ago. */
export function account(id: string, extra: Obj = {}): Obj {
  return {
    type: 'account', ts: at(-90 * DAY), accountId: id, creditLimit: 2_000_000, home: SZ, kyc: 'full',
    openedAt: at(-400 * DAY), ...extra,
  };
}

let seq = 0;
/** A ¥100 QR payment by A1 at M1/T1 in Shenzhen with device D1, at `ms` after DAY0. */
export function tx(ms: number, extra: Obj = {}): Obj {
  return {
    type: 'transaction', id: `tx-${++seq}`, ts: at(ms), accountId: 'A1', amount: 10_000, currency: 'CNY',
    merchantId: 'M1', terminalId: 'T1', mcc: '5411', acquirerId: '48021000', geo: SZ, deviceId: 'D1',
    ip: '10.0.0.1', channel: 'qr', merchantName: '深圳便利店', ...extra,
  };
}

/**
 * Registry, account A1 (with a repayment long ago: the stream reports repayments, so what A1 owes is
 * known) and five ordinary days of ¥50–¥150 payments (mean about ¥100).
 */
export function baseWorld(): Obj[] {
  const ev: Obj[] = [...registry(), account('A1'), { type: 'account_event', ts: at(-60 * DAY), accountId: 'A1', kind: 'repayment', amount: 100 }];
  for (let d = 5; d >= 1; d--) ev.push(tx(-d * DAY + 12 * HOUR, { amount: 5_000 + d * 2_000, merchantId: 'M4', terminalId: 'T4', mcc: '5814', merchantName: '深圳小吃', geo: SZ2 }));
  return ev;
}

/** The example of an acting rule: a payment of ¥9,000 or more is declined and freezes the account for a day. */
export const FREEZE_HUGE = `
rule AUTO_FREEZE_HUGE
  description "A huge payment freezes the account for a day"
  when amount >= ¥9000
  outcome decline
  action freeze_account for 24h
`;

let cached: CompiledPolicy | undefined;
/** The default policy pack, compiled once per test file. */
export function defaultPolicy(): CompiledPolicy {
  cached ??= loadPolicy();
  return cached;
}

/** Runs events (validated by the contract) through a fresh engine; returns the decisions in order. */
export function run(events: Obj[], policy: CompiledPolicy = defaultPolicy()): Decision[] {
  const engine = new Engine(policy);
  const out: Decision[] = [];
  for (const e of events) {
    const d = engine.apply(parseEvent(e));
    if (d !== null) out.push(d);
  }
  return out;
}

/** The last decision of a run. */
export function last(events: Obj[]): Decision {
  const ds = run(events);
  const d = ds[ds.length - 1];
  if (d === undefined) throw new Error('no decision');
  return d;
}
