// The listener against a client nobody here wrote (issue 15): messages built by the npm `iso_8583`
// library with its default packing (2-byte length, ASCII MTI, binary bitmap, ASCII fields), sent
// over TCP to a real server, and the answers parsed back by the same library — a purchase approved,
// one over the credit line declined, a network echo, a malformed frame answered 30 on a connection
// that goes on answering, a reversal giving the credit back, a frozen account's card declined 62.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createRequire } from 'node:module';
import { call, feed, startTestServer, type TestServer } from '../server/helpers.js';
import { nowFields } from './client.js';

/** The library's message class (CommonJS, untyped): what its README calls `new iso8583(data)`. */
interface IsoLib {
  new (data?: Record<number, string>): { validateMessage(): unknown; getBufferMessage(): Buffer | { error: string }; getIsoJSON(b: Buffer, config: object): Record<string, string> };
}
const Iso = createRequire(import.meta.url)('iso_8583') as IsoLib;

const PAN = '6222021234567890123';
const DAY = 86_400_000;

function shanghai(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19) + '+08:00';
}

/** One connection; `ask` sends a library-built message and returns the answer as the library parses it. */
class LibraryClient {
  private buf = Buffer.alloc(0);
  private waiting: Array<(b: Buffer) => void> = [];

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      while (this.buf.length >= 2 && this.buf.length >= 2 + this.buf.readUInt16BE(0)) {
        const n = 2 + this.buf.readUInt16BE(0);
        const whole = this.buf.subarray(0, n);
        this.buf = this.buf.subarray(n);
        this.waiting.shift()?.(Buffer.from(whole));
      }
    });
  }

  static open(port: number): Promise<LibraryClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new LibraryClient(s)));
      s.once('error', reject);
    });
  }

  ask(data: Record<number, string>): Promise<Record<string, string>> {
    const m = new Iso(data);
    assert.equal(m.validateMessage(), true, 'the library accepts the message it builds');
    const out = m.getBufferMessage();
    assert.ok(Buffer.isBuffer(out), JSON.stringify(out));
    return new Promise((resolve) => {
      this.waiting.push((b) => resolve(new Iso().getIsoJSON(b, {})));
      this.socket.write(out);
    });
  }

  /** Sends bytes as they are; the next answer as the library parses it, or null when none comes within 1 s. */
  raw(bytes: Buffer): Promise<Record<string, string> | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(take);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve(null);
      }, 1_000);
      const take = (b: Buffer): void => {
        clearTimeout(timer);
        resolve(new Iso().getIsoJSON(b, {}));
      };
      this.waiting.push(take);
      this.socket.write(bytes);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

let stan = 0;
/** A request as a switch fills it, through the library's field names (numbers). */
function request(mti: string, amount: number, extra: Record<number, string> = {}): Record<number, string> {
  const t = nowFields();
  const s = String(++stan).padStart(6, '0');
  return {
    0: mti, 2: PAN, 3: '000000', 4: String(amount).padStart(12, '0'), 7: t.f7, 11: s, 12: t.f12, 13: t.f13, 18: '5411', 22: '051',
    32: '48021000', 37: `LIB${Date.now() % 1_000_000_000}${s}`.slice(0, 12), 41: 'T1      ', 42: 'M1             ', 49: '156', ...extra,
  };
}

describe('the listener with the npm iso_8583 library as the switch', () => {
  let s: TestServer;
  let c: LibraryClient;

  before(async () => {
    s = await startTestServer({ iso8583: { port: 0, idleMs: 0 } });
    const ts = shanghai(Date.now() - 100 * DAY);
    await feed(s.url, s.keys.admin, [
      { type: 'acquirer', ts, acquirerId: '48021000', name: '持牌支付', licensed: true },
      { type: 'merchant', ts, merchantId: 'M1', name: 'Shenzhen corner shop', mcc: '5411', acquirerId: '48021000' },
      { type: 'terminal', ts, terminalId: 'T1', merchantId: 'M1', acquirerId: '48021000' },
      { type: 'account', ts, accountId: 'A1', creditLimit: 2_000_000, kyc: 'full', openedAt: shanghai(Date.now() - 400 * DAY), cardNumber: PAN },
      { type: 'account_event', ts, accountId: 'A1', kind: 'repayment', amount: 100 },
    ]);
    c = await LibraryClient.open(s.server.iso8583!.port);
  });
  after(async () => {
    c?.close();
    await s?.close();
  });

  it('a purchase built by the library is approved, its answer parsed by the library, the decision found by its RRN', async () => {
    const req = request('0200', 10_000);
    const a = await c.ask(req);
    assert.equal(a['0'], '0210');
    assert.equal(a['39'], '00');
    for (const f of [2, 3, 4, 7, 11, 12, 13, 32, 37, 41, 42, 49]) assert.equal(a[String(f)], req[f], `field ${f} echoed`);
    assert.match(a['48'], /^FK1\|O=approve\|S=/);
    const d = await call(s.url, `/v1/decisions/${req[37]}`, { key: s.keys.analyst });
    assert.equal(d.status, 200, d.text);
    assert.equal(d.json.outcome, 'approve');
  });

  it('an authorisation over the credit line → 0110 / 05, OVER_LIMIT in field 48', async () => {
    const a = await c.ask(request('0100', 3_000_000));
    assert.equal(a['0'], '0110');
    assert.equal(a['39'], '05');
    assert.match(a['48'], /O=decline.*OVER_LIMIT/);
  });

  it('a network echo (0800, field 70 = 301) → 0810 / 00', async () => {
    const t = nowFields();
    const a = await c.ask({ 0: '0800', 7: t.f7, 11: String(++stan).padStart(6, '0'), 70: '301' });
    assert.equal(a['0'], '0810');
    assert.equal(a['39'], '00');
    assert.equal(a['70'], '301');
  });

  it('a malformed frame on the connection is answered 30 and the next message the library builds is answered', async () => {
    // MTI 0200, a bitmap with fields 11 (STAN) and 49 (currency, n3), and letters where 49's digits go
    const junk = Buffer.concat([Buffer.from('0200', 'ascii'), Buffer.from('0020000000008000', 'hex'), Buffer.from('000777ABC', 'ascii')]);
    const answered = await c.raw(Buffer.concat([Buffer.from([0, junk.length]), junk]));
    assert.ok(answered !== null, 'a frame whose MTI and STAN can be read is answered');
    assert.equal(answered['0'], '0210');
    assert.equal(answered['39'], '30');
    assert.equal(answered['11'], '000777');
    const t = nowFields();
    const a = await c.ask({ 0: '0800', 7: t.f7, 11: String(++stan).padStart(6, '0'), 70: '301' });
    assert.equal(a['0'], '0810');
    assert.equal(a['39'], '00');
  });

  it('a reversal of a purchase, both built by the library → 0410 / 00, the payment\'s credit given back', async () => {
    const available = async (): Promise<number> => ((await call(s.url, '/v1/accounts/A1', { key: s.keys.analyst })).json as { credit: { availableCredit: number } }).credit.availableCredit;
    const before = await available();
    const pay = request('0200', 25_000);
    assert.equal((await c.ask(pay))['39'], '00');
    assert.equal(await available(), before - 25_000);
    const a = await c.ask(request('0400', 25_000, { 37: pay[37] }));
    assert.equal(a['0'], '0410');
    assert.equal(a['39'], '00');
    assert.equal(await available(), before);
  });

  it('the card of a frozen account is declined 62', async () => {
    const r = await call(s.url, '/v1/accounts/A1/actions', { key: s.keys.admin, body: { action: 'freeze', reason: 'suspected takeover' } });
    assert.equal(r.status, 201, r.text);
    const a = await c.ask(request('0200', 5_000));
    assert.equal(a['0'], '0210');
    assert.equal(a['39'], '62');
    assert.match(a['48'], /ACCOUNT_FROZEN/);
  });
});
