/**
 * The ISO 8583 socket side (node:net): many persistent connections, each a stream of framed
 * messages. Messages of one connection are handled as they arrive (pipelined: a switch need not wait
 * for an answer before sending the next) and answered strictly in arrival order, whatever order the
 * decisions become durable in. A connection idle for `idleMs` is closed; an unreadable message is
 * answered or logged and the connection stays open; only a length that cannot be trusted (the stream
 * is not framed as agreed) closes it. Closing stops accepting, answers what is in flight, then ends
 * every connection.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { ConfigError, Iso8583FormatError } from '../errors.js';
import { encodeMessage } from './codec.js';
import { frame, FrameReader } from './framing.js';
import { handleMessage, type IsoContext } from './handler.js';
import type { IsoListenerMetrics } from './metrics.js';

/** Where and how to listen. */
export interface IsoListenOptions {
  /** TCP port; 0 picks a free one. */
  readonly port: number;
  /** Interface to bind (default 127.0.0.1). */
  readonly host?: string;
  /** Close a connection with nothing in flight after this many ms without a byte; 0: never. */
  readonly idleMs: number;
  /** Messages in flight on one connection before it stops being read (back-pressure). Default 1024. */
  readonly maxInFlight?: number;
  /** Connections open at once; more are refused at accept. Default 1024. */
  readonly maxConnections?: number;
}

/** A listening ISO 8583 socket. */
export interface IsoListener {
  readonly port: number;
  /** `host:port`, the label of its metrics. */
  readonly address: string;
  /** Stops accepting, waits up to `drainMs` for answers in flight, then ends every connection. */
  close(drainMs: number): Promise<void>;
}

interface Slot {
  done: boolean;
  bytes: Buffer | null;
  readonly startedAt: number;
}

/** One connection: its frame reader, and its answers in arrival order. */
class Connection {
  private readonly reader = new FrameReader();
  private readonly slots: Slot[] = [];
  /** Not read while too many answers are owed, or while the peer does not read what was written. */
  private paused = false;
  private waitingDrain = false;
  /** The listener is closing: nothing more is read. */
  private stopped = false;

  constructor(
    readonly socket: Socket,
    private readonly ctx: IsoContext,
    private readonly metrics: IsoListenerMetrics,
    private readonly maxInFlight: number,
    private readonly onIdle: () => void,
  ) {}

  get inFlight(): number {
    return this.slots.length;
  }

  /** Bytes arrived: handle every whole message among them. */
  data(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.reader.push(chunk);
    } catch (e) {
      if (!(e instanceof Iso8583FormatError)) throw e;
      this.metrics.framingErrors++;
      this.ctx.log(`iso8583: closing ${this.peer()}: ${e.message}`);
      this.socket.destroy();
      return;
    }
    for (const bytes of frames) this.handle(bytes);
    if (!this.paused && this.slots.length >= this.maxInFlight) {
      this.paused = true;
      this.socket.pause();
    }
  }

  /** Stops reading for good (the listener closes); what is in flight is still answered. */
  stop(): void {
    this.stopped = true;
    this.socket.pause();
  }

  /** Reads again once neither back-pressure holds. */
  private maybeResume(): void {
    if (this.paused && !this.stopped && !this.waitingDrain && this.slots.length < this.maxInFlight / 2) {
      this.paused = false;
      this.socket.resume();
    }
  }

  private handle(bytes: Buffer): void {
    const slot: Slot = { done: false, bytes: null, startedAt: performance.now() };
    this.slots.push(slot);
    let mti = 'unreadable';
    try {
      mti = handleMessage(this.ctx, bytes, slot.startedAt, (answer, how) => {
        this.metrics.ended(how);
        slot.done = true;
        if (answer !== null) {
          try {
            slot.bytes = frame(encodeMessage(answer));
          } catch (e) {
            this.ctx.log(`iso8583: an answer could not be encoded: ${(e as Error).message}`);
          }
        }
        this.flush();
      });
    } catch (e) {
      // a bug, not the client's: logged, the message unanswered, the connection kept
      this.ctx.log(`iso8583: internal error on a message from ${this.peer()}: ${(e as Error).stack ?? e}`);
      if (!slot.done) {
        slot.done = true;
        this.metrics.ended('unanswered');
        this.flush();
      }
    }
    this.metrics.received(mti);
  }

  /** Writes the answers at the head that are ready, in arrival order. */
  private flush(): void {
    let n = 0;
    while (n < this.slots.length && this.slots[n].done) n++;
    if (n === 0) return;
    const ready = this.slots.splice(0, n);
    const out: Buffer[] = [];
    const now = performance.now();
    for (const s of ready) {
      if (s.bytes !== null) out.push(s.bytes);
      this.metrics.answerSeconds.observe((now - s.startedAt) / 1000);
    }
    if (out.length > 0 && !this.socket.destroyed) {
      const ok = this.socket.write(out.length === 1 ? out[0] : Buffer.concat(out));
      if (!ok && !this.waitingDrain) {
        // a peer that does not read its answers: stop reading its requests until it does
        this.waitingDrain = true;
        this.paused = true;
        this.socket.pause();
        this.socket.once('drain', () => {
          this.waitingDrain = false;
          this.maybeResume();
        });
      }
    }
    this.maybeResume();
    if (this.slots.length === 0) this.onIdle();
  }

  peer(): string {
    return `${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? '?'}`;
  }
}

/** Listens for ISO 8583 on host:port; a port in use is a ConfigError naming it. */
export async function listenIso8583(ctx: IsoContext, opts: IsoListenOptions, metrics: IsoListenerMetrics): Promise<IsoListener> {
  const conns = new Set<Connection>();
  let closing = false;
  let drained: (() => void) | null = null;
  const checkDrained = (): void => {
    if (drained === null) return;
    for (const c of conns) if (c.inFlight > 0) return;
    drained();
  };
  const server: Server = createServer((socket) => {
    if (closing) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const conn = new Connection(socket, ctx, metrics, opts.maxInFlight ?? 1024, checkDrained);
    conns.add(conn);
    metrics.accepted++;
    metrics.open++;
    socket.on('data', (chunk: Buffer) => conn.data(chunk));
    socket.on('error', (e) => ctx.log(`iso8583: connection ${conn.peer()}: ${e.message}`));
    socket.on('close', () => {
      conns.delete(conn);
      metrics.open--;
      checkDrained();
    });
    if (opts.idleMs > 0) {
      socket.setTimeout(opts.idleMs, () => {
        if (conn.inFlight > 0) return;
        metrics.idleClosed++;
        socket.end();
      });
    }
  });
  server.maxConnections = opts.maxConnections ?? 1024;
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'EADDRINUSE' ? 'the port is in use' : e.code === 'EACCES' ? 'permission denied' : e.message;
      reject(new ConfigError(`cannot listen for ISO 8583 on ${host}:${opts.port}: ${why}`, { cause: e }));
    });
    server.listen(opts.port, host, () => {
      server.removeAllListeners('error');
      server.on('error', (e) => ctx.log(`iso8583: listener: ${e.message}`));
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const address = `${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  let closed: Promise<void> | null = null;
  return {
    port: addr.port,
    address,
    close(drainMs) {
      closed ??= (async () => {
        closing = true;
        const stopped = new Promise<void>((r) => server.close(() => r()));
        // no new bytes are read: what is in flight is answered, then each connection ends
        for (const c of conns) c.stop();
        if ([...conns].some((c) => c.inFlight > 0)) {
          await new Promise<void>((r) => {
            drained = r;
            setTimeout(r, drainMs).unref();
          });
        }
        for (const c of conns) c.socket.end();
        const cut = setTimeout(() => {
          for (const c of conns) c.socket.destroy();
        }, 1000);
        cut.unref();
        await stopped;
        clearTimeout(cut);
      })();
      return closed;
    },
  };
}
