/**
 * An open-loop HTTP load: request i leaves at start + i / rate whatever the answers do, and its
 * latency counts from that scheduled time — so a server that stalls is charged for every request
 * that queued behind the stall (no coordinated omission; autocannon's rate option sends bursts
 * instead). Keep-alive sockets, as a payment switch keeps them; the body of each request from `body`.
 */
import { Agent, request } from 'node:http';

/** One open-loop run. */
export interface OpenLoopOptions {
  /** Base URLs; request i goes to urls[i % urls.length] (two nodes fed alternately). */
  readonly urls: readonly string[];
  readonly path: string;
  readonly headers: Record<string, string>;
  /** Requests per second. */
  readonly rate: number;
  readonly seconds: number;
  /** Keep-alive sockets per URL (default 32). */
  readonly sockets?: number;
  readonly body: (i: number) => string;
  /**
   * Also return the latencies of the requests scheduled before and from this many ms into the run
   * apart (`early`, `late`): a fresh server's first seconds and its steady state have different tails.
   */
  readonly splitMs?: number;
}

/** What came back: latencies (ms from each request's scheduled time) of the 2xx answers, sorted. */
export interface OpenLoopResult {
  readonly latencies: Float64Array;
  readonly ok: number;
  readonly failed: number;
  /** 2xx answers per second over the run. */
  readonly rps: number;
  /** With `splitMs`: the latencies of the requests scheduled before it, and from it on, each sorted. */
  readonly early?: Float64Array;
  readonly late?: Float64Array;
}

/** Runs the load and resolves once every request sent was answered (or failed). */
export function openLoop(o: OpenLoopOptions): Promise<OpenLoopResult> {
  const agents = o.urls.map(() => new Agent({ keepAlive: true, maxSockets: o.sockets ?? 32 }));
  const total = Math.round(o.rate * o.seconds);
  const lat: number[] = [];
  const early: number[] = [];
  const late: number[] = [];
  let failed = 0;
  let settled = 0;
  let sent = 0;
  const start = performance.now();
  return new Promise((resolve) => {
    const finish = (): void => {
      for (const a of agents) a.destroy();
      const latencies = Float64Array.from(lat).sort();
      const secs = (performance.now() - start) / 1000;
      const split = o.splitMs === undefined ? {} : { early: Float64Array.from(early).sort(), late: Float64Array.from(late).sort() };
      resolve({ latencies, ok: lat.length, failed, rps: lat.length / Math.max(secs, o.seconds), ...split });
    };
    const one = (i: number, due: number): void => {
      const k = i % o.urls.length;
      const body = o.body(i);
      const req = request(
        new URL(o.path, o.urls[k]),
        { method: 'POST', agent: agents[k], headers: { ...o.headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== undefined && res.statusCode < 300) {
              const ms = performance.now() - due;
              lat.push(ms);
              if (o.splitMs !== undefined) (due - start < o.splitMs ? early : late).push(ms);
            } else failed++;
            if (++settled === total) finish();
          });
        },
      );
      req.on('error', () => {
        failed++;
        if (++settled === total) finish();
      });
      req.end(body);
    };
    const tick = (): void => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - start) / 1000) * o.rate) + 1);
      while (sent < due) {
        one(sent, start + (sent * 1000) / o.rate);
        sent++;
      }
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
}
