// A small ISO 8583 test client over a real TCP socket: sends framed messages, hands back each answer
// (decoded) in the order it arrives, and tells when the server closed the connection.
import { connect, type Socket } from 'node:net';
import { decodeMessage, encodeMessage, type IsoMessage } from '../../src/iso8583/codec.js';
import { frame, FrameReader } from '../../src/iso8583/framing.js';

/** Local time now in Shanghai as the fields 7, 12, 13 a terminal would send. */
export function nowFields(ms = Date.now()): { f7: string; f12: string; f13: string } {
  const utc = new Date(ms);
  const sh = new Date(ms + 8 * 3600_000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return {
    f7: `${p(utc.getUTCMonth() + 1)}${p(utc.getUTCDate())}${p(utc.getUTCHours())}${p(utc.getUTCMinutes())}${p(utc.getUTCSeconds())}`,
    f12: `${p(sh.getUTCHours())}${p(sh.getUTCMinutes())}${p(sh.getUTCSeconds())}`,
    f13: `${p(sh.getUTCMonth() + 1)}${p(sh.getUTCDate())}`,
  };
}

let stan = 0;
let rrn = 0;
/** A 0200 purchase of `amount` fen by card `pan` at M1/T1, dated now; `extra` overrides fields. */
export function purchase(pan: string, amount: number, extra: Record<number, string> = {}, mti = '0200'): IsoMessage {
  const t = nowFields();
  const s = String(++stan % 1_000_000).padStart(6, '0');
  const fields = new Map<number, string>([
    [2, pan], [3, '000000'], [4, String(amount).padStart(12, '0')], [7, t.f7], [11, s], [12, t.f12], [13, t.f13],
    [18, '5411'], [22, '051'], [25, '00'], [32, '48021000'],
    [37, `R${String(process.pid % 1000).padStart(3, '0')}${String(++rrn).padStart(8, '0')}`],
    [41, 'T1'.padEnd(8, ' ')], [42, 'M1'.padEnd(15, ' ')], [43, 'Shenzhen corner shop'.padEnd(40, ' ')], [49, '156'],
  ]);
  for (const [k, v] of Object.entries(extra)) fields.set(Number(k), v);
  return { mti, fields };
}

/** A 0800 network management message with field 70 = `code`. */
export function network(code: string): IsoMessage {
  const t = nowFields();
  return { mti: '0800', fields: new Map([[7, t.f7], [11, String(++stan % 1_000_000).padStart(6, '0')], [70, code]]) };
}

/** A client connection. */
export class IsoClient {
  private readonly reader = new FrameReader();
  private readonly answers: Buffer[] = [];
  private waiters: Array<(b: Buffer | null) => void> = [];
  closed = false;

  private constructor(readonly socket: Socket, private readonly tpdu: boolean) {
    socket.on('data', (chunk: Buffer) => {
      for (const f of this.reader.push(chunk)) {
        const w = this.waiters.shift();
        if (w !== undefined) w(f);
        else this.answers.push(f);
      }
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w(null);
    });
    socket.on('error', () => {});
  }

  static open(port: number, tpdu = false): Promise<IsoClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new IsoClient(s, tpdu)));
      s.once('error', reject);
    });
  }

  /** Sends raw bytes (already framed or not: the caller decides). */
  raw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Sends one message, framed. */
  send(msg: IsoMessage): void {
    this.socket.write(frame(encodeMessage(msg)));
  }

  /** The next answer's bytes (after the length), or null once the server closed. */
  nextRaw(timeoutMs = 5000): Promise<Buffer | null> {
    const ready = this.answers.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push((b) => {
        clearTimeout(timer);
        resolve(b);
      });
    });
  }

  /** The next answer, decoded. */
  async next(timeoutMs = 5000): Promise<IsoMessage> {
    const b = await this.nextRaw(timeoutMs);
    if (b === null) throw new Error('the server closed the connection');
    return decodeMessage(b, { tpdu: this.tpdu });
  }

  /** Sends and waits for the answer. */
  async ask(msg: IsoMessage): Promise<IsoMessage> {
    this.send(msg);
    return this.next();
  }

  close(): void {
    this.socket.destroy();
  }
}
