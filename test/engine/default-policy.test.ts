// Every rule of the default policy (rules/*.fk), shown firing on a scenario of its signal and
// staying quiet on the nearest legitimate look-alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvent } from '../../src/contract/parse.js';
import type { Decision } from '../../src/engine/decision.js';
import { Engine } from '../../src/engine/engine.js';
import { AccountRestriction } from '../../src/features/account-restriction.js';
import { ListSet } from '../../src/lists/list-set.js';
import { account, at, baseWorld, BJ, DAY, DAY0, defaultPolicy, GZ, HOUR, last, MIN, SZ, SZ2, tx } from './world.js';

type Obj = Record<string, unknown>;
/** Entries put on the default lists before the events run: [list, value]. */
type Listed = [string, string][];
/** Account actions on A1 before the events run (rules/06-accounts.fk): until = event time they end (default never). */
type Restrict = { frozen?: true; stepUp?: true; limit?: number; until?: number };
/** Merchant actions in force before the events run (rules/07-actions.fk): until = event time they expire (default never). */
type Act = { hold?: string[]; suspend?: string[]; until?: number };
const T = 10 * HOUR; // 10:00 local on DAY0

const M2 = { merchantId: 'M2', terminalId: 'T2', mcc: '5944', merchantName: '深圳珠宝行', geo: SZ2 };
const M4 = { merchantId: 'M4', terminalId: 'T4', mcc: '5814', merchantName: '深圳小吃', geo: SZ2 };
/** 10 km north of T1's bound address in Shenzhen: another shop across town. */
const MOVED = { lat: SZ.lat + 0.09, lon: SZ.lon };

function burst(n: number, amount: number, gapMs: number, pick: (i: number) => Obj = () => ({})): Obj[] {
  return Array.from({ length: n }, (_, i) => tx(T + i * gapMs, { amount, ...pick(i) }));
}

/** Six accounts B0–B5 paying round ¥5,000 sums at M1 (or where `at` says), two a day over three days, in daytime. */
function thinRing(at: Obj): Obj[] {
  return [0, 1, 2, 3, 4, 5].map((i) => tx(T + Math.floor(i / 2) * DAY + (i % 2) * 3 * HOUR, { accountId: `B${i}`, deviceId: `E${i}`, amount: 500_000, ...at }));
}

function accounts(n: number): Obj[] {
  return Array.from({ length: n }, (_, i) => account(`B${i}`));
}

/** `who` (registered, a ¥20,000 line) spends ¥19,000 in four payments in the hours before T. */
function spent(who: string): Obj[] {
  return [...(who === 'A1' ? [] : [account(who)]), ...[0, 1, 2, 3].map((i) => tx(T - 4 * HOUR + i * HOUR, { accountId: who, amount: 475_000, ...M4 }))];
}

/** Account G1 (¥10,000 line, open 170 days) that spent ¥6,000 150 days ago, repaid 10 days ago or not. */
function weakCredit(repaid: boolean): Obj[] {
  const ev: Obj[] = [account('G1', { creditLimit: 1_000_000, openedAt: at(T - 170 * DAY) }), tx(T - 150 * DAY, { accountId: 'G1', amount: 600_000, deviceId: 'G' })];
  if (repaid) ev.push({ type: 'account_event', ts: at(T - 10 * DAY), accountId: 'G1', kind: 'repayment', amount: 600_000 });
  return ev;
}

function acctEvent(ms: number, kind: string, extra: Obj = {}): Obj {
  return { type: 'account_event', ts: at(ms), accountId: 'A1', kind, ...extra };
}

function labelEvent(ms: number, extra: Obj): Obj {
  return { type: 'label', ts: at(ms), fraud: true, source: 'case:case-1', ...extra };
}

const CASES: { code: string; fires: Obj[]; quiet: Obj[]; lists?: Listed; restrict?: Restrict; act?: Act }[] = [
  { code: 'SMALL_PAYMENT_BURST', fires: burst(5, 2_000, MIN), quiet: burst(4, 2_000, MIN) },
  {
    code: 'SMALL_PAYMENT_BURST_MANY_MERCHANTS',
    fires: burst(4, 1_500, MIN, (i) => [{}, M2, M4, {}][i]),
    quiet: burst(4, 1_500, MIN),
  },
  { code: 'HIGH_VELOCITY', fires: burst(8, 10_000, 5 * MIN), quiet: burst(7, 10_000, 5 * MIN) },
  { code: 'MERCHANT_REPEAT', fires: burst(3, 20_000, 10 * MIN), quiet: burst(3, 10_000, 10 * MIN) },
  {
    code: 'MERCHANT_REPEAT_NEAR_LIMIT',
    fires: [tx(T, { amount: 900_000 }), tx(T + 10 * MIN, { amount: 800_000 })],
    quiet: [tx(T, { amount: 200_000 }), tx(T + 10 * MIN, { amount: 200_000 })],
  },
  {
    code: 'IMPOSSIBLE_TRAVEL',
    fires: [tx(T), tx(T + 10 * MIN, { geo: BJ })],
    quiet: [tx(T), tx(T + 5 * HOUR, { geo: BJ })],
  },
  {
    code: 'AFTER_IMPOSSIBLE_TRAVEL',
    fires: [tx(T), tx(T + 10 * MIN, { geo: BJ }), tx(T + 3 * HOUR, { geo: BJ })],
    quiet: [tx(T), tx(T + 5 * HOUR, { geo: BJ }), tx(T + 8 * HOUR, { geo: BJ })],
  },
  {
    code: 'MERCHANT_REPEAT_LARGE',
    fires: [tx(T, { amount: 150_000 }), tx(T + 20 * MIN, { amount: 120_000 })],
    quiet: [tx(T, { amount: 150_000 }), tx(T + 20 * MIN, { amount: 12_000 })],
  },
  {
    code: 'FRESH_ACCOUNT_FAST_SPEND',
    fires: [account('F1', { creditLimit: 500_000, openedAt: at(T - DAY) }), tx(T, { accountId: 'F1', amount: 120_000 }), tx(T + HOUR, { accountId: 'F1', amount: 110_000, ...M4 })],
    quiet: [account('F1', { creditLimit: 500_000, openedAt: at(T - 10 * DAY) }), tx(T, { accountId: 'F1', amount: 120_000 }), tx(T + HOUR, { accountId: 'F1', amount: 110_000, ...M4 })],
  },
  {
    code: 'FRESH_ACCOUNT_LOW_KYC',
    fires: [account('F1', { creditLimit: 500_000, kyc: 'basic', openedAt: at(T - DAY) }), tx(T, { accountId: 'F1', amount: 80_000 })],
    quiet: [account('F1', { creditLimit: 500_000, kyc: 'full', openedAt: at(T - DAY) }), tx(T, { accountId: 'F1', amount: 80_000 })],
  },
  // A1 has spent ¥19,000 of ¥20,000 by the stream's books; B1 did the same and the issuer's figure on
  // its card payment shows it repaid (a contradiction): A1's ¥2,000 is then a signal, not a decline
  {
    code: 'OVER_LIMIT_BY_OWN_BOOKS',
    fires: [...spent('A1'), ...spent('B1'), tx(T + 5 * HOUR, { accountId: 'B1', amount: 200_000, availableCredit: 2_000_000, channel: 'card' }), tx(T + 6 * HOUR, { amount: 200_000 })],
    quiet: [...spent('A1'), tx(T + 6 * HOUR, { amount: 200_000 })],
  },
  // grade E: ¥6,000 of a ¥10,000 line owed for 150 days without a repayment; the look-alike repaid it
  {
    code: 'WEAK_CREDIT_LARGE_PAYMENT',
    fires: [...weakCredit(false), tx(T, { accountId: 'G1', amount: 300_000, deviceId: 'G' })],
    quiet: [...weakCredit(true), tx(T, { accountId: 'G1', amount: 300_000, deviceId: 'G' })],
  },
  {
    code: 'REMOTE_LARGE_AMOUNT',
    fires: [tx(T), tx(T + 6 * HOUR, { geo: BJ, amount: 100_000 })],
    quiet: [tx(T), tx(T + 6 * HOUR, { geo: BJ, amount: 20_000 })],
  },
  {
    code: 'REMOTE_NEW_DEVICE',
    fires: [tx(T + 6 * HOUR, { geo: BJ, deviceId: 'D9' })],
    quiet: [tx(T + 6 * HOUR, { geo: BJ })],
  },
  {
    code: 'NEW_DEVICE_AFTER_PASSWORD_RESET',
    fires: [acctEvent(T, 'password_reset', { deviceId: 'D9' }), tx(T + 30 * MIN, { deviceId: 'D9' })],
    quiet: [acctEvent(T, 'password_reset', { deviceId: 'D1' }), tx(T + 30 * MIN)],
  },
  {
    code: 'NEW_DEVICE_AFTER_PHONE_CHANGE',
    fires: [acctEvent(T, 'phone_changed'), tx(T + 30 * MIN, { deviceId: 'D9' })],
    quiet: [acctEvent(T - 3 * DAY, 'phone_changed'), tx(T + 30 * MIN, { deviceId: 'D9' })],
  },
  {
    code: 'LARGE_AMOUNT_AFTER_SECURITY_CHANGE',
    fires: [acctEvent(T, 'password_reset'), tx(T + HOUR, { amount: 1_200_000 })],
    quiet: [acctEvent(T, 'password_reset'), tx(T + HOUR, { amount: 200_000 })],
  },
  {
    code: 'NEW_DEVICE_LARGE_AMOUNT',
    fires: [tx(T, { deviceId: 'D9', amount: 300_000 })],
    quiet: [tx(T, { deviceId: 'D9', amount: 15_000 })],
  },
  {
    code: 'SHARED_DEVICE',
    fires: [...accounts(4), ...[0, 1, 2, 3].map((i) => tx(T + i * HOUR, { accountId: `B${i}`, deviceId: 'D7' }))],
    quiet: [...accounts(3), ...[0, 1, 2].map((i) => tx(T + i * HOUR, { accountId: `B${i}`, deviceId: 'D7' }))],
  },
  {
    code: 'SHARED_IP',
    fires: [...accounts(6), ...[0, 1, 2, 3, 4, 5].map((i) => tx(T + i * MIN, { accountId: `B${i}`, deviceId: `E${i}`, ip: '10.9.9.9' }))],
    quiet: [...accounts(5), ...[0, 1, 2, 3, 4].map((i) => tx(T + i * MIN, { accountId: `B${i}`, deviceId: `E${i}`, ip: '10.9.9.9' }))],
  },
  {
    code: 'FREQUENT_DEVICE_CHANGES',
    fires: [2, 3, 4].map((d) => acctEvent(T - d * DAY, 'device_bound', { deviceId: `N${d}` })).concat([tx(T)]),
    quiet: [3, 4].map((d) => acctEvent(T - d * DAY, 'device_bound', { deviceId: `N${d}` })).concat([tx(T)]),
  },
  {
    code: 'MANY_DEVICES_TODAY',
    fires: [tx(T), tx(T + HOUR, { deviceId: 'D8' }), tx(T + 2 * HOUR, { deviceId: 'D9' })],
    quiet: [tx(T), tx(T + HOUR, { deviceId: 'D8' }), tx(T + 2 * HOUR)],
  },
  {
    code: 'RECENT_COMPLAINTS',
    fires: [acctEvent(T - 5 * DAY, 'complaint'), acctEvent(T - DAY, 'complaint'), tx(T)],
    quiet: [acctEvent(T - 40 * DAY, 'complaint'), acctEvent(T - DAY, 'complaint'), tx(T)],
  },
  {
    code: 'FRESH_ACCOUNT_LIMIT_RUSH',
    fires: [account('F1', { creditLimit: 500_000, openedAt: at(T - 3 * DAY) }), tx(T, { accountId: 'F1', amount: 400_000 })],
    quiet: [account('F1', { creditLimit: 500_000, openedAt: at(T - 30 * DAY) }), tx(T, { accountId: 'F1', amount: 400_000 })],
  },
  {
    code: 'LIMIT_DRAINED_IN_A_DAY',
    fires: [tx(T, { amount: 900_000, ...M4 }), tx(T + 3 * HOUR, { amount: 800_000 })],
    quiet: [tx(T, { amount: 500_000, ...M4 }), tx(T + 3 * HOUR, { amount: 500_000 })],
  },
  { code: 'OVER_LIMIT', fires: [tx(T, { amount: 2_500_000 })], quiet: [tx(T, { amount: 1_500_000 })] },
  {
    code: 'UNREGISTERED_ACCOUNT',
    fires: [tx(T, { accountId: 'GHOST' })],
    quiet: [tx(T)],
  },
  {
    code: 'CASHOUT_AFTER_REPAYMENT',
    fires: [acctEvent(T - 5 * HOUR, 'repayment', { amount: 800_000 }), tx(T, { amount: 800_000 })],
    quiet: [acctEvent(T - 5 * HOUR, 'repayment', { amount: 800_000 }), tx(T, { amount: 777_700 })],
  },
  {
    code: 'CASHOUT_NIGHT_ROUND_AMOUNT',
    fires: [tx(2 * HOUR, { amount: 200_000 })],
    quiet: [tx(14 * HOUR, { amount: 200_000 })],
  },
  {
    code: 'CASHOUT_NEAR_AVAILABLE',
    fires: [tx(T, { amount: 1_800_000 })],
    quiet: [tx(T, { amount: 1_000_000 })],
  },
  {
    code: 'MERCHANT_CASHOUT_RING',
    fires: [...accounts(5), ...[0, 1, 2, 3, 4].map((i) => tx(T + i * HOUR, { accountId: `B${i}`, deviceId: `E${i}`, amount: 500_000 }))],
    quiet: [...accounts(4), ...[0, 1, 2, 3].map((i) => tx(T + i * HOUR, { accountId: `B${i}`, deviceId: `E${i}`, amount: 500_000 }))],
  },
  {
    // six accounts pay M1 round ¥5,000 sums, two a day over three days (never five in 24 hours: no
    // ring); M1's seven-day profile rates it 60+, so a large payment there scores. Quiet: the same
    // traffic went to M2, and M1's profile is clean.
    code: 'MERCHANT_CASHOUT_PROFILE',
    fires: [...accounts(6), ...thinRing({}), tx(T + 3 * DAY, { amount: 123_456 })],
    quiet: [...accounts(6), ...thinRing(M2), tx(T + 3 * DAY, { amount: 123_456 })],
  },
  {
    code: 'MERCHANT_NIGHT_LARGE',
    fires: [...accounts(5), ...[0, 1, 2, 3, 4].map((i) => tx(HOUR + i * 10 * MIN, { accountId: `B${i}`, deviceId: `E${i}`, amount: 123_400 }))],
    quiet: [...accounts(5), ...[0, 1, 2, 3, 4].map((i) => tx(T + i * 10 * MIN, { accountId: `B${i}`, deviceId: `E${i}`, amount: 123_400 }))],
  },
  {
    code: 'TERMINAL_MERCHANT_MISMATCH',
    fires: [tx(T, { merchantId: 'M2', mcc: '5944', merchantName: '深圳珠宝行' })],
    quiet: [tx(T, M2)],
  },
  {
    code: 'TERMINAL_MCC_MISMATCH',
    fires: [tx(T, { ...M2, mcc: '5411' })],
    quiet: [tx(T, M2)],
  },
  {
    code: 'REGION_MISMATCH',
    fires: [tx(T, { merchantId: 'M3', mcc: '5812', merchantName: '广州餐厅' })],
    quiet: [tx(T, { merchantId: 'M2', mcc: '5944', merchantName: '深圳珠宝行' })],
  },
  { code: 'TERMINAL_RELOCATED', fires: [tx(T, { geo: GZ })], quiet: [tx(T, { geo: SZ })] },
  {
    // T1 moved 10 km across town: every located payment of the day comes from there; quiet while 2 of 5 are at home
    code: 'TERMINAL_MOVED',
    fires: [tx(T, { geo: MOVED }), tx(T + HOUR, { geo: MOVED }), tx(T + 2 * HOUR, { geo: MOVED })],
    quiet: [tx(T, { geo: SZ }), tx(T + HOUR, { geo: MOVED }), tx(T + 2 * HOUR, { geo: SZ }), tx(T + 3 * HOUR, { geo: MOVED }), tx(T + 4 * HOUR, { geo: MOVED })],
  },
  {
    code: 'TERMINAL_MANY_MERCHANT_CODES',
    fires: [tx(T), tx(T + HOUR, { accountId: 'A1', merchantId: 'M2', mcc: '5944', merchantName: '深圳珠宝行' })],
    quiet: [tx(T), tx(T + HOUR)],
  },
  {
    // two of T1's payments are confirmed fraud by the next one: 2 of 2 in 14 days; quiet with one label
    code: 'TERMINAL_CONFIRMED_FRAUD',
    fires: [tx(T, { id: 'f1' }), tx(T + HOUR, { id: 'f2', accountId: 'A1' }), labelEvent(T + 2 * HOUR, { txId: 'f1' }), labelEvent(T + 2 * HOUR, { txId: 'f2' }), tx(T + 3 * HOUR)],
    quiet: [tx(T, { id: 'f1' }), tx(T + HOUR, { id: 'f2', accountId: 'A1' }), labelEvent(T + 2 * HOUR, { txId: 'f1' }), tx(T + 3 * HOUR)],
  },
  { code: 'ACQUIRER_UNLICENSED', fires: [tx(T, { acquirerId: '48029999' })], quiet: [tx(T)] },
  { code: 'ACQUIRER_UNKNOWN', fires: [tx(T, { acquirerId: '11112222' })], quiet: [tx(T)] },
  { code: 'ACQUIRER_MISMATCH', fires: [tx(T, { acquirerId: '48023333' })], quiet: [tx(T)] },
  { code: 'MCC_MISMATCH', fires: [tx(T, { mcc: '5999' })], quiet: [tx(T)] },
  { code: 'MERCHANT_NAME_MISMATCH', fires: [tx(T, { merchantName: '某某商行' })], quiet: [tx(T)] },
  { code: 'UNREGISTERED_MERCHANT', fires: [tx(T, { merchantId: 'M404' })], quiet: [tx(T)] },
  { code: 'UNREGISTERED_TERMINAL', fires: [tx(T, { terminalId: 'T404' })], quiet: [tx(T)] },
  // lists (rules/05-lists.fk): the quiet case is the same payment with another value than the one listed
  { code: 'LIST_BLOCKED_ACCOUNT', lists: [['block_accounts', 'A1']], fires: [tx(T)], quiet: [account('A2'), tx(T, { accountId: 'A2' })] },
  { code: 'LIST_BLOCKED_DEVICE', lists: [['block_devices', 'D9']], fires: [tx(T, { deviceId: 'D9' })], quiet: [tx(T)] },
  { code: 'LIST_BLOCKED_MERCHANT', lists: [['block_merchants', 'M1']], fires: [tx(T)], quiet: [tx(T, M2)] },
  // the terminal's own merchant is blocked even when the payment carries another merchant's code (跳码)
  { code: 'LIST_BLOCKED_MERCHANT', lists: [['block_merchants', 'M2']], fires: [tx(T, { terminalId: 'T2' })], quiet: [tx(T)] },
  { code: 'LIST_BLOCKED_TERMINAL', lists: [['block_terminals', 'T1']], fires: [tx(T)], quiet: [tx(T, M2)] },
  { code: 'LIST_BLOCKED_IP', lists: [['block_ips', '10.6.6.6']], fires: [tx(T, { ip: '10.6.6.6' })], quiet: [tx(T)] },
  { code: 'LIST_ALLOWED_ACCOUNT', lists: [['allow_accounts', 'A1']], fires: [tx(T)], quiet: [account('A2'), tx(T, { accountId: 'A2' })] },
  { code: 'LIST_WATCHED_ACCOUNT', lists: [['watch_accounts', 'A1']], fires: [tx(T)], quiet: [account('A2'), tx(T, { accountId: 'A2' })] },
  { code: 'LIST_WATCHED_MERCHANT', lists: [['watch_merchants', 'M2']], fires: [tx(T, M2)], quiet: [tx(T)] },
  // account actions (rules/06-accounts.fk), on A1: the quiet case is another account's payment
  { code: 'ACCOUNT_FROZEN', restrict: { frozen: true }, fires: [tx(T)], quiet: [account('A2'), tx(T, { accountId: 'A2' })] },
  { code: 'STEP_UP_REQUIRED', restrict: { stepUp: true }, fires: [tx(T)], quiet: [account('A2'), tx(T, { accountId: 'A2' })] },
  // a limit lowered to ¥1,000 with ¥550 outstanding (the base world's payments) leaves ¥450: OVER_LIMIT (40-account.fk)
  { code: 'OVER_LIMIT', restrict: { limit: 100_000 }, fires: [tx(T, { amount: 50_000 })], quiet: [tx(T, { amount: 40_000 })] },
  // … and once the lowered limit has expired by the payment's time, the registered ¥20,000 applies again
  { code: 'OVER_LIMIT', restrict: { limit: 100_000, until: T - HOUR }, fires: [tx(T, { amount: 2_500_000 })], quiet: [tx(T, { amount: 50_000 })] },
  { code: 'ACCOUNT_FROZEN', restrict: { frozen: true, until: T + HOUR }, fires: [tx(T + 30 * MIN)], quiet: [tx(T + HOUR)] },
  // merchant actions and labels (rules/07-actions.fk)
  { code: 'TERMINAL_SUSPENDED', act: { suspend: ['T1'] }, fires: [tx(T)], quiet: [tx(T, M2)] },
  { code: 'TERMINAL_SUSPENDED', act: { suspend: ['T1'], until: T + HOUR }, fires: [tx(T + 30 * MIN)], quiet: [tx(T + HOUR)] },
  { code: 'MERCHANT_SETTLEMENT_HELD', act: { hold: ['M1'] }, fires: [tx(T)], quiet: [tx(T, M2)] },
  // the terminal's own merchant is held even when the payment carries another merchant's code (跳码)
  { code: 'MERCHANT_SETTLEMENT_HELD', act: { hold: ['M2'] }, fires: [tx(T, { terminalId: 'T2' })], quiet: [tx(T)] },
  {
    code: 'ACCOUNT_CONFIRMED_FRAUD',
    fires: [tx(T, { id: 'cf-1' }), labelEvent(T + HOUR, { txId: 'cf-1' }), tx(T + 2 * HOUR, { deviceId: 'D9' })],
    quiet: [tx(T, { id: 'cf-2' }), labelEvent(T + HOUR, { txId: 'cf-2', fraud: false }), tx(T + 2 * HOUR, { deviceId: 'D9' })],
  },
  // the owner's own phone after a confirmed takeover is not stepped up
  { code: 'ACCOUNT_CONFIRMED_FRAUD', fires: [labelEvent(T, { accountId: 'A1' }), tx(T + HOUR, { deviceId: 'D9' })], quiet: [labelEvent(T, { accountId: 'A1' }), tx(T + HOUR)] },
  { code: 'MERCHANT_CONFIRMED_FRAUD', fires: [labelEvent(T, { merchantId: 'M1' }), tx(T + HOUR)], quiet: [labelEvent(T, { merchantId: 'M2' }), tx(T + HOUR)] },
  { code: 'MERCHANT_CONFIRMED_FRAUD', fires: [labelEvent(T, { terminalId: 'T1' }), tx(T + HOUR)], quiet: [labelEvent(T, { terminalId: 'T1', fraud: false }), tx(T + HOUR)] },
];

/** The last decision of the events after the base world, with `listed` on the default lists and A1 restricted by `restrict`. */
function decideWith(events: Obj[], listed: Listed = [], restrict?: Restrict, act?: Act): Decision {
  if (listed.length === 0 && restrict === undefined && act === undefined) return last([...baseWorld(), ...events]);
  const lists = new ListSet();
  for (const [list, value] of listed) lists.add(list, { value, reason: 'test' }, 'key_test', 0);
  const engine = new Engine(defaultPolicy(), { lists });
  let d: Decision | null = null;
  for (const e of baseWorld()) d = engine.apply(parseEvent(e)) ?? d;
  if (restrict !== undefined) {
    const r = new AccountRestriction();
    const until = restrict.until === undefined ? Infinity : DAY0 + restrict.until;
    if (restrict.frozen) r.frozenUntil = until;
    if (restrict.stepUp) r.stepUpUntil = until;
    if (restrict.limit !== undefined) [r.limitCap, r.limitUntil] = [restrict.limit, until];
    engine.applyInput({ kind: 'restrict_account', accountId: 'A1', restriction: r });
  }
  const expiresAt = act?.until === undefined ? Infinity : DAY0 + act.until;
  for (const m of act?.hold ?? []) engine.applyInput({ kind: 'hold_settlement', merchantId: m, control: { id: 1, expiresAt } });
  for (const t of act?.suspend ?? []) engine.applyInput({ kind: 'suspend_terminal', terminalId: t, control: { id: 2, expiresAt } });
  for (const e of events) d = engine.apply(parseEvent(e)) ?? d;
  if (d === null) throw new Error('no decision');
  return d;
}

const codes = (events: Obj[], listed?: Listed, restrict?: Restrict, act?: Act): string[] =>
  decideWith(events, listed, restrict, act).reasons.map((r) => r.code);

for (const c of CASES) {
  const label = c.lists
    ? ` (${c.lists.map(([l, v]) => `${v} on ${l}`).join(', ')})`
    : c.restrict
      ? ` (A1 ${JSON.stringify(c.restrict)})`
      : c.act
        ? ` (${JSON.stringify(c.act)})`
        : '';
  test(`${c.code} fires on its signal${label}`, () => {
    assert.ok(codes(c.fires, c.lists, c.restrict, c.act).includes(c.code), `reasons: ${codes(c.fires, c.lists, c.restrict, c.act).join(', ')}`);
  });
  test(`${c.code} stays quiet on the legitimate look-alike${label}`, () => {
    assert.ok(!codes(c.quiet, c.lists, c.restrict, c.act).includes(c.code), `reasons: ${codes(c.quiet, c.lists, c.restrict, c.act).join(', ')}`);
  });
}

test('account actions: a frozen account is declined, a step-up account challenged, a lowered limit enforced', () => {
  const frozen = decideWith([tx(T)], [], { frozen: true });
  assert.deepEqual([frozen.outcome, frozen.reasons[0].code], ['decline', 'ACCOUNT_FROZEN']);
  const stepUp = decideWith([tx(T)], [], { stepUp: true });
  assert.deepEqual([stepUp.outcome, stepUp.reasons.map((r) => r.code)], ['challenge', ['STEP_UP_REQUIRED']]);
  const over = decideWith([tx(T, { amount: 50_000 })], [], { limit: 100_000 });
  assert.deepEqual([over.outcome, over.reasons[0].code], ['decline', 'OVER_LIMIT']);
  assert.equal(decideWith([tx(T, { amount: 40_000 })], [], { limit: 100_000 }).outcome, 'approve');
  // a limit lowered to 0 leaves nothing to spend
  assert.equal(decideWith([tx(T, { amount: 100 })], [], { limit: 0 }).reasons[0].code, 'OVER_LIMIT');
});

test('a blocked value declines; a watched one is reviewed; an allowed one alone is approved', () => {
  assert.equal(decideWith([tx(T, { deviceId: 'D9' })], [['block_devices', 'D9']]).outcome, 'decline');
  assert.equal(decideWith([tx(T, M2)], [['watch_merchants', 'M2']]).outcome, 'review');
  const allowed = decideWith([tx(T)], [['allow_accounts', 'A1']]);
  assert.deepEqual([allowed.outcome, allowed.reasons.map((r) => r.code)], ['approve', ['LIST_ALLOWED_ACCOUNT']]);
});

test('allow_accounts turns review and challenge into approve, keeping the score and the reasons', () => {
  // an unregistered terminal asks for review; a new device after a password reset for a challenge
  const review = [tx(T, { terminalId: 'T404' })];
  const challenge = [acctEvent(T, 'password_reset', { deviceId: 'D9' }), tx(T + 30 * MIN, { deviceId: 'D9' })];
  for (const events of [review, challenge]) {
    const plain = decideWith(events);
    const allowed = decideWith(events, [['allow_accounts', 'A1']]);
    assert.ok(plain.outcome === 'review' || plain.outcome === 'challenge', plain.outcome);
    assert.equal(allowed.outcome, 'approve');
    assert.equal(allowed.score, plain.score);
    assert.equal(allowed.reasons[0].code, 'LIST_ALLOWED_ACCOUNT');
    assert.deepEqual(allowed.reasons.slice(1), plain.reasons);
  }
});

test("allow_accounts never overrides a decline: neither a rule's nor a block list's (the score's: test/lists/allow.test.ts)", () => {
  const byRule = decideWith([tx(T, { acquirerId: '48029999' })], [['allow_accounts', 'A1']]);
  assert.equal(byRule.outcome, 'decline');
  assert.equal(byRule.reasons[0].code, 'ACQUIRER_UNLICENSED');
  assert.ok(byRule.reasons.some((r) => r.code === 'LIST_ALLOWED_ACCOUNT'));
  const byList = decideWith([tx(T)], [['allow_accounts', 'A1'], ['block_accounts', 'A1']]);
  assert.equal(byList.outcome, 'decline');
  assert.equal(byList.reasons[0].code, 'LIST_BLOCKED_ACCOUNT');
});

test('every rule of the default policy has a case here', () => {
  const covered = new Set(CASES.map((c) => c.code));
  const missing = defaultPolicy().rules.map((r) => r.reason).filter((r) => !covered.has(r));
  assert.deepEqual(missing, []);
});

test('an ordinary payment is approved with score 0 and no reasons', () => {
  const d = last([...baseWorld(), tx(T)]);
  assert.equal(d.outcome, 'approve');
  assert.equal(d.score, 0);
  assert.deepEqual(d.reasons, []);
});

test('outcome priority: decline beats review, and every matching reason is reported, decisive first', () => {
  const d = last([...baseWorld(), tx(T, { acquirerId: '48029999', terminalId: 'T404' })]);
  assert.equal(d.outcome, 'decline');
  const codes = d.reasons.map((r) => r.code);
  assert.equal(codes[0], 'ACQUIRER_UNLICENSED');
  assert.ok(codes.includes('UNREGISTERED_TERMINAL'));
  assert.ok(d.score > 0 && d.score < 100);
});

test('the hand-written decision line equals JSON.stringify of the decision', async () => {
  const { decisionJson } = await import('../../src/engine/decision.js');
  const ds = [
    last([...baseWorld(), tx(T)]),
    last([...baseWorld(), tx(T, { acquirerId: '48029999', terminalId: 'T404', id: 'q"uote\\d' })]),
  ];
  for (const d of ds) assert.equal(decisionJson(d), JSON.stringify(d));
});
