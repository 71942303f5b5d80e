// The ISO 8583 listener on a real server over a real TCP client: echo and sign-on, a clean purchase,
// a decline, a frozen account's card, a malformed message answered 30 with the connection still
// answering, 50 pipelined messages answered in order, one id over HTTP and ISO as one payment, an
// unknown card decided as an unregistered account, the listener's metrics, no card number in clear
// in any file of the data folder, and after a restart: the card index rebuilt, the TPDU variant, the
// idle timeout and a close that answers what is in flight.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeMessage, type IsoMessage } from '../../src/iso8583/codec.js';
import { frame } from '../../src/iso8583/framing.js';
import { call, feed, startTestServer, type TestServer } from '../server/helpers.js';
import { IsoClient, network, purchase } from './client.js';

const PAN_A = '6222021234567890123';
const PAN_B = '6222025555444433332';
const PAN_UNKNOWN = '6222029999888877776';
const PANS = [PAN_A, PAN_B, PAN_UNKNOWN];
const DAY = 86_400_000;

function shanghai(ms: number): string {
  const d = new Date(ms + 8 * 3600_000);
  return d.toISOString().slice(0, 19) + '+08:00';
}

function world(): Record<string, unknown>[] {
  const ts = shanghai(Date.now() - 100 * DAY);
  const opened = shanghai(Date.now() - 400 * DAY);
  return [
    { type: 'acquirer', ts, acquirerId: '48021000', name: '持牌支付', licensed: true },
    { type: 'merchant', ts, merchantId: 'M1', name: 'Shenzhen corner shop', mcc: '5411', acquirerId: '48021000' },
    { type: 'terminal', ts, terminalId: 'T1', merchantId: 'M1', acquirerId: '48021000' },
    { type: 'account', ts, accountId: 'A1', creditLimit: 2_000_000, kyc: 'full', openedAt: opened, cardNumber: PAN_A },
    { type: 'account', ts, accountId: 'A2', creditLimit: 2_000_000, kyc: 'full', openedAt: opened, cardNumber: PAN_B },
    { type: 'account_event', ts, accountId: 'A1', kind: 'repayment', amount: 100 },
    { type: 'account_event', ts, accountId: 'A2', kind: 'repayment', amount: 100 },
  ];
}

/** Field 48 read back. */
function private48(m: IsoMessage): { outcome: string; score: number; reasons: string[] } {
  const v = m.fields.get(48) ?? '';
  const parts = Object.fromEntries(v.split('|').slice(1).map((p) => [p.slice(0, 1), p.slice(2)]));
  assert.ok(v.startsWith('FK1|'), v);
  return { outcome: parts.O, score: Number(parts.S), reasons: parts.R === '' ? [] : parts.R.split(',') };
}

/** Every file under `dir`, recursively. */
function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else out.push(p);
  }
  return out;
}

describe('ISO 8583 listener on a real server', () => {
  let s: TestServer;
  let port: number;
  let c: IsoClient;

  before(async () => {
    s = await startTestServer({ iso8583: { port: 0, idleMs: 0 } });
    port = s.server.iso8583!.port;
    await feed(s.url, s.keys.admin, world());
    c = await IsoClient.open(port);
  });
  after(async () => {
    c?.close();
    await s?.close(true);
  });

  it('0800 echo, sign-on and sign-off → 0810 / 00 with field 70 echoed; an unknown code → 40', async () => {
    for (const code of ['301', '001', '002']) {
      const req = network(code);
      const a = await c.ask(req);
      assert.equal(a.mti, '0810');
      assert.equal(a.fields.get(39), '00');
      assert.equal(a.fields.get(70), code);
      assert.equal(a.fields.get(11), req.fields.get(11));
    }
    assert.equal((await c.ask(network('999'))).fields.get(39), '40');
  });

  it('a clean purchase → 0210 / 00, the request fields echoed, score and reasons in 48, readable by its RRN over HTTP', async () => {
    const req = purchase(PAN_A, 10_000);
    const a = await c.ask(req);
    assert.equal(a.mti, '0210');
    assert.equal(a.fields.get(39), '00');
    for (const f of [2, 3, 4, 7, 11, 12, 13, 32, 37, 41, 42, 49]) assert.equal(a.fields.get(f), req.fields.get(f), `field ${f} echoed`);
    assert.match(a.fields.get(38) ?? '', /^\d{6}$/);
    const p = private48(a);
    assert.equal(p.outcome, 'approve', p.reasons.join());
    const rrn = req.fields.get(37)!;
    const d = await call(s.url, `/v1/decisions/${rrn}`, { key: s.keys.analyst });
    assert.equal(d.status, 200, d.text);
    assert.equal(d.json.txId, rrn);
    assert.equal(d.json.outcome, 'approve');
    assert.equal(d.json.score, p.score);
  });

  it('0100 authorisation → 0110; a payment over the credit line is declined 05 (OVER_LIMIT is not a fraud reason)', async () => {
    const a = await c.ask(purchase(PAN_A, 3_000_000, {}, '0100'));
    assert.equal(a.mti, '0110');
    const p = private48(a);
    assert.equal(p.outcome, 'decline');
    assert.ok(p.reasons.includes('OVER_LIMIT'), p.reasons.join());
    assert.equal(a.fields.get(39), p.reasons[0] === 'OVER_LIMIT' ? '05' : '59');
  });

  it('a frozen account\'s card is declined 62', async () => {
    const r = await call(s.url, '/v1/accounts/A2/actions', { key: s.keys.admin, body: { action: 'freeze', reason: 'suspected takeover' } });
    assert.equal(r.status, 201, r.text);
    const a = await c.ask(purchase(PAN_B, 5_000));
    assert.equal(a.fields.get(39), '62');
    assert.ok(private48(a).reasons.includes('ACCOUNT_FROZEN'));
  });

  it('an unknown card is decided as an unregistered account (its token as the account id)', async () => {
    const req = purchase(PAN_UNKNOWN, 5_000);
    const a = await c.ask(req);
    assert.equal(a.fields.get(39), '00'); // review approves
    const p = private48(a);
    assert.equal(p.outcome, 'review');
    assert.ok(p.reasons.includes('UNREGISTERED_ACCOUNT'), p.reasons.join());
  });

  it('a malformed message is answered 30 with its MTI and STAN, and the connection still answers the next', async () => {
    const good = encodeMessage(purchase(PAN_A, 5_000));
    const bad = Buffer.from(good);
    // field 4 starts after MTI (4), bitmap (8), field 2 (2 + 19) and field 3 (6): byte 39
    bad[41] = 0x58;
    c.raw(frame(bad));
    const a = await c.next();
    assert.equal(a.mti, '0210');
    assert.equal(a.fields.get(39), '30');
    assert.equal(a.fields.get(11), good.toString('latin1', 4 + 8 + 21 + 6 + 12 + 10, 4 + 8 + 21 + 6 + 12 + 10 + 6));
    // unreadable (no MTI): not answered, connection kept
    c.raw(frame(Buffer.from('XXXXgarbage')));
    // a payment whose currency is not decided here: 30 too
    assert.equal((await c.ask(purchase(PAN_A, 5_000, { 49: '840' }))).fields.get(39), '30');
    assert.equal((await c.ask(network('301'))).fields.get(39), '00');
    assert.equal((await c.ask(purchase(PAN_A, 4_000))).fields.get(39), '00');
  });

  it('a 0400 reversal → 0410 / 00 gives the payment\'s credit back; a 0420 advice → 0430 / 00; a reversal of an unknown payment is answered 00 and changes nothing', async () => {
    const outstanding = async (): Promise<number> => {
      const v = await call(s.url, '/v1/accounts/A1', { key: s.keys.analyst });
      assert.equal(v.status, 200, v.text);
      return (v.json as { credit: { outstanding: number } }).credit.outstanding;
    };
    const start = await outstanding();
    const pay = purchase(PAN_A, 12_345);
    assert.equal((await c.ask(pay)).fields.get(39), '00');
    assert.equal(await outstanding(), start + 12_345);
    // the reversal carries the original's RRN (field 37) as switches send it
    const rev = purchase(PAN_A, 12_345, { 37: pay.fields.get(37)! }, '0400');
    const a = await c.ask(rev);
    assert.equal(a.mti, '0410');
    assert.equal(a.fields.get(39), '00');
    assert.equal(a.fields.get(37), pay.fields.get(37));
    assert.equal(await outstanding(), start);
    // the switch sends it again (no answer reached it): answered 00, nothing given back twice
    const again = await c.ask(purchase(PAN_A, 12_345, { 37: pay.fields.get(37)! }, '0400'));
    assert.equal(again.fields.get(39), '00');
    assert.equal(await outstanding(), start);
    const advice = await c.ask(purchase(PAN_A, 500, { 37: 'NEVERDECIDED' }, '0420'));
    assert.equal(advice.mti, '0430');
    assert.equal(advice.fields.get(39), '00');
    assert.equal(await outstanding(), start);
  });

  it('50 pipelined messages on one connection are answered in the order sent', async () => {
    const reqs: IsoMessage[] = [];
    for (let i = 0; i < 50; i++) reqs.push(i % 7 === 3 ? network('301') : purchase(PAN_A, 1_000 + i));
    c.raw(Buffer.concat(reqs.map((m) => frame(encodeMessage(m)))));
    for (const r of reqs) {
      const a = await c.next();
      assert.equal(a.fields.get(11), r.fields.get(11));
      assert.equal(a.mti, r.mti === '0800' ? '0810' : '0210');
    }
  });

  it('one id sent over ISO 8583 and over HTTP is one payment, in either order', async () => {
    const seq0 = (await call(s.url, '/healthz', { key: s.keys.admin })).json.journalSeq as number;
    const req = purchase(PAN_A, 6_600);
    const a = await c.ask(req);
    const f = req.fields;
    const year = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();
    const ts = `${year}-${f.get(13)!.slice(0, 2)}-${f.get(13)!.slice(2)}T${f.get(12)!.slice(0, 2)}:${f.get(12)!.slice(2, 4)}:${f.get(12)!.slice(4)}+08:00`;
    const body = {
      type: 'transaction', id: f.get(37), ts, accountId: 'A1', amount: 6_600, currency: 'CNY', merchantId: 'M1', terminalId: 'T1',
      mcc: '5411', acquirerId: '48021000', channel: 'card', merchantName: 'Shenzhen corner shop',
    };
    const h = await call(s.url, '/v1/decisions', { key: s.keys.decide, body });
    assert.equal(h.status, 200, h.text);
    assert.equal(h.headers['fengkong-replayed'], 'true');
    assert.equal(h.json.outcome, private48(a).outcome);
    // HTTP first, then ISO: the ISO answer replays the HTTP decision
    const req2 = purchase(PAN_A, 7_700);
    const f2 = req2.fields;
    const ts2 = `${year}-${f2.get(13)!.slice(0, 2)}-${f2.get(13)!.slice(2)}T${f2.get(12)!.slice(0, 2)}:${f2.get(12)!.slice(2, 4)}:${f2.get(12)!.slice(4)}+08:00`;
    const h2 = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: { ...body, id: f2.get(37), ts: ts2, amount: 7_700 } });
    assert.equal(h2.status, 200, h2.text);
    const a2 = await c.ask(req2);
    assert.equal(private48(a2).score, h2.json.score);
    const seq1 = (await call(s.url, '/healthz', { key: s.keys.admin })).json.journalSeq as number;
    assert.equal(seq1 - seq0, 2, 'two payments journaled, not four');
    // the same RRN with another amount is refused as a duplicate, not decided again
    const clash = await c.ask(purchase(PAN_A, 9_900, { 37: f2.get(37)!, 12: f2.get(12)!, 13: f2.get(13)! }));
    assert.equal(clash.fields.get(39), '94');
  });

  it('a bad cardNumber refuses the whole batch, naming the field; the card index learns nothing from it', async () => {
    const ts = shanghai(Date.now() - DAY);
    const r = await call(s.url, '/v1/events', {
      key: s.keys.ingest,
      body: [
        { type: 'account', ts, accountId: 'A9', creditLimit: 100, cardNumber: PAN_UNKNOWN },
        { type: 'account', ts, accountId: 'A8', creditLimit: 100, cardNumber: '12ab' },
      ],
    });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.path, '[1].cardNumber');
    const a = await c.ask(purchase(PAN_UNKNOWN, 1_000));
    assert.ok(private48(a).reasons.includes('UNREGISTERED_ACCOUNT'), 'the refused batch registered no card');
  });

  it('the listener\'s metrics: connections, messages by MTI, format errors, answer latency', async () => {
    const m = await call(s.url, '/metrics', { key: s.keys.metrics });
    assert.equal(m.status, 200);
    assert.match(m.text, /^fengkong_iso8583_connections 1$/m);
    assert.match(m.text, /^fengkong_iso8583_messages_total\{mti="0200"\} \d+$/m);
    assert.match(m.text, /^fengkong_iso8583_messages_total\{mti="0800"\} \d+$/m);
    assert.match(m.text, /^fengkong_iso8583_format_errors_total [3-9]$/m);
    assert.match(m.text, /^fengkong_iso8583_answer_seconds_count\{listener="127\.0\.0\.1:\d+"\} \d+$/m);
    assert.match(m.text, /^fengkong_cards 2$/m);
  });

  it('no card number appears in clear in any file of the data folder (journal, WAL, snapshots, logs)', async () => {
    const seen: string[] = [];
    for (const file of files(s.dir)) {
      const bytes = readFileSync(file);
      for (const pan of PANS) if (bytes.includes(Buffer.from(pan, 'latin1'))) seen.push(`${file}: ${pan}`);
    }
    assert.deepEqual(seen, []);
  });

  it('after a restart: the card index is rebuilt (a frozen card is still 62), TPDU variant, idle timeout, close answers what is in flight', async () => {
    c.close();
    await s.server.close();
    const r = await startTestServer({ dir: s.dir, keys: s.keys, iso8583: { port: 0, idleMs: 300, tpdu: true } });
    try {
      const tp = await IsoClient.open(r.server.iso8583!.port, true);
      const prefix = Buffer.from('6000010002600100000000', 'hex');
      const a = await tp.ask({ ...purchase(PAN_B, 5_000), prefix });
      assert.equal(a.fields.get(39), '62', 'PAN_B is still A2, frozen');
      assert.equal(a.prefix!.toString('hex'), '6000020001600100000000');
      const known = await tp.ask({ ...purchase(PAN_A, 5_000), prefix });
      assert.ok(!private48(known).reasons.includes('UNREGISTERED_ACCOUNT'), 'PAN_A is still A1');
      assert.notEqual(known.fields.get(39), '62');
      // idle: the server closes the connection after 300 ms without a byte
      const idleFrom = Date.now();
      while (!tp.closed && Date.now() - idleFrom < 5000) await sleep(50);
      assert.equal(tp.closed, true);
      assert.ok(Date.now() - idleFrom >= 100, 'not long before the idle timeout');
      const m = await call(r.url, '/metrics', { key: r.keys.metrics });
      assert.match(m.text, /^fengkong_iso8583_idle_closed_total 1$/m);
      // close with 20 payments in flight: every one is answered before the connection ends
      const last = await IsoClient.open(r.server.iso8583!.port, true);
      const reqs = Array.from({ length: 20 }, (_, i) => ({ ...purchase(PAN_A, 2_000 + i), prefix }));
      last.raw(Buffer.concat(reqs.map((q) => frame(encodeMessage(q)))));
      // the first answer proves the server is reading them; then close with the rest in flight
      assert.notEqual(await last.nextRaw(), null);
      const closing = r.server.close();
      let answered = 1;
      for (;;) {
        const b = await last.nextRaw(3000).catch(() => null);
        if (b === null) break;
        answered++;
      }
      await closing;
      // answered = those whose frames reached the server before it stopped reading; none lost once read
      assert.ok(answered > 0, 'answers before the close');
      const d = await startTestServer({ dir: s.dir, keys: s.keys });
      try {
        let found = 0;
        for (const q of reqs) if ((await call(d.url, `/v1/decisions/${q.fields.get(37)}`, { key: d.keys.analyst })).status === 200) found++;
        assert.equal(found, answered, 'every answered payment is journaled, and nothing unanswered was');
      } finally {
        await d.close(true);
      }
    } finally {
      await r.server.close();
    }
  });
});
