/**
 * Decisions over ISO 8583 beside decisions over HTTP and a bare TCP echo floor, in one run on one
 * machine: full speed (decisions/s, each connection with one message outstanding, as
 * server-vs-fastify drives HTTP) and open-loop at a fixed rate (message i leaves at start + i / rate
 * whatever the answers do; its latency counts from that scheduled time, so stalls are charged to
 * everything queued behind them). One `fengkong serve --iso8583-port 0` (default policy, durable
 * journal) serves both protocols; the echo floor (peers/iso-echo.ts) frames and returns bytes only.
 * The same payments either way: bench/tx-traffic.ts's world, each account with a card number.
 *
 * usage: node dist/bench/iso8583.js [--connections 32] [--duration 10] [--rate 2000] [--rounds 2] [--journal auto]
 * Each round runs the three back to back (full speed, then the open loop), the order alternating
 * between rounds. On a shared machine absolute figures swing between runs; the ratios in one round
 * are the result.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { PACKAGE_ROOT } from '../src/engine/policy-source.js';
import { encodeMessage } from '../src/iso8583/codec.js';
import { frame, FrameReader } from '../src/iso8583/framing.js';
import { openLoop } from './open-loop.js';
import { referenceEvents, transactionText, WORLD } from './tx-traffic.js';
import { answerHelp, flag, quantile } from './util.js';

answerHelp('usage: node dist/bench/iso8583.js [--connections 32] [--duration 10] [--rate 2000] [--rounds 2] [--journal auto]');

const FENGKONG = join(PACKAGE_ROOT, 'bin', 'fengkong.js');
const ECHO = join(PACKAGE_ROOT, 'dist', 'bench', 'peers', 'iso-echo.js');

const connections = Number(flag('connections') ?? '32');
const duration = Number(flag('duration') ?? '10');
const rate = Number(flag('rate') ?? '2000');
const journal = flag('journal') ?? 'auto';
const rounds = Number(flag('rounds') ?? '2');

/** One protocol's figures in one round. */
function summary(name: string, full: number, l: Float64Array, olRps: number, notDecided: number) {
  return { name, full, p50: quantile(l, 0.5), p99: quantile(l, 0.99), max: l[l.length - 1] ?? NaN, olRps, notDecided };
}

/** The card number of account `a`: 19 digits. */
function cardOf(a: number): string {
  return `62220200${String(a).padStart(11, '0')}`;
}

/** Starts a child and resolves with what its stdout matched. */
function start(args: string[], re: RegExp): Promise<{ proc: ChildProcess; match: RegExpExecArray }> {
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = re.exec(out);
      if (m !== null) resolve({ proc, match: m });
    });
    proc.once('exit', (code) => reject(new Error(`${args[0]} exited ${code} before listening`)));
  });
}

async function stop(proc: ChildProcess): Promise<void> {
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill('SIGTERM');
  await exited;
}

const two = (n: number): string => String(n).padStart(2, '0');

/** Payment `n` of run `run` as an ISO 8583 0200 frame: the same payment as transactionText(run, n). */
function isoFrame(run: string, n: number): Buffer {
  const tx = JSON.parse(transactionText(run, n)) as { ts: string; accountId: string; amount: number; merchantId: string; terminalId: string; mcc: string; acquirerId: string };
  const sh = new Date(Date.parse(tx.ts) + 8 * 3600_000);
  const utc = new Date(Date.parse(tx.ts));
  const account = Number(tx.accountId.slice(4));
  const fields = new Map<number, string>([
    [2, cardOf(account)], [3, '000000'], [4, String(tx.amount).padStart(12, '0')],
    [7, `${two(utc.getUTCMonth() + 1)}${two(utc.getUTCDate())}${two(utc.getUTCHours())}${two(utc.getUTCMinutes())}${two(utc.getUTCSeconds())}`],
    [11, String(n % 1_000_000).padStart(6, '0')],
    [12, `${two(sh.getUTCHours())}${two(sh.getUTCMinutes())}${two(sh.getUTCSeconds())}`],
    [13, `${two(sh.getUTCMonth() + 1)}${two(sh.getUTCDate())}`],
    [18, tx.mcc], [22, n & 1 ? '031' : '051'], [25, '00'], [32, tx.acquirerId],
    [37, `${run}${String(n).padStart(12 - run.length, '0')}`],
    [41, tx.terminalId], [42, tx.merchantId], [49, '156'],
  ]);
  return frame(encodeMessage({ mti: '0200', fields }));
}

/** A framed TCP connection whose answers come back in order: each settles the oldest waiter. */
class Line {
  private readonly reader = new FrameReader();
  private readonly waiting: Array<(b: Buffer) => void> = [];
  private constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (c: Buffer) => {
      for (const f of this.reader.push(c)) this.waiting.shift()?.(f);
    });
  }
  static open(host: string, port: number): Promise<Line> {
    return new Promise((resolve, reject) => {
      const s = connect(port, host, () => resolve(new Line(s)));
      s.once('error', reject);
    });
  }
  send(bytes: Buffer, answered: (b: Buffer) => void): void {
    this.waiting.push(answered);
    this.socket.write(bytes);
  }
}

/** Whether an answer approved or otherwise decided (field 39 present and not 30/9x): counts as a decision. */
function decided(b: Buffer, echo: boolean): boolean {
  if (echo) return true;
  return b.toString('latin1', 0, 4) === '0210';
}

/** Full speed: every line keeps one message outstanding for `secs`; answers per second. */
async function closedLoop(host: string, port: number, run: string, secs: number, echo: boolean): Promise<{ rps: number; bad: number }> {
  const lines = await Promise.all(Array.from({ length: connections }, () => Line.open(host, port)));
  let n = 0;
  let ok = 0;
  let bad = 0;
  const end = performance.now() + secs * 1000;
  await Promise.all(
    lines.map(
      (line) =>
        new Promise<void>((done) => {
          const next = (): void => {
            if (performance.now() >= end) return done();
            line.send(isoFrame(run, n++), (b) => {
              if (decided(b, echo)) ok++;
              else bad++;
              next();
            });
          };
          next();
        }),
    ),
  );
  for (const l of lines) l.socket.destroy();
  return { rps: ok / secs, bad };
}

/** Open loop at `rate`/s over the lines; latencies (ms) from each message's scheduled time. */
async function openLoopIso(host: string, port: number, run: string, secs: number, echo: boolean): Promise<{ latencies: Float64Array; rps: number; bad: number }> {
  const lines = await Promise.all(Array.from({ length: connections }, () => Line.open(host, port)));
  const total = Math.round(rate * secs);
  const frames = Array.from({ length: total }, (_, i) => isoFrame(run, i)); // built before the clock starts
  const lat: number[] = [];
  let bad = 0;
  let settled = 0;
  let sent = 0;
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - start) / 1000) * rate) + 1);
      while (sent < due) {
        const i = sent++;
        const at = start + (i * 1000) / rate;
        lines[i % lines.length].send(frames[i], (b) => {
          if (decided(b, echo)) lat.push(performance.now() - at);
          else bad++;
          if (++settled === total) resolve();
        });
      }
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  const secsTaken = (performance.now() - start) / 1000;
  for (const l of lines) l.socket.destroy();
  return { latencies: Float64Array.from(lat).sort(), rps: lat.length / Math.max(secsTaken, secs), bad };
}

/** HTTP at full speed with autocannon (the server-vs-fastify settings, `connections` sockets). */
async function httpFull(url: string, key: string, run: string, secs: number): Promise<number> {
  let n = 0;
  const r = await autocannon({
    url,
    connections,
    pipelining: 1,
    duration: secs,
    requests: [{ method: 'POST', path: '/v1/decisions', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, setupRequest: (req) => ({ ...req, body: transactionText(run, n++) }) }],
  });
  return r['2xx'] / r.duration;
}

const data = mkdtempSync(join(tmpdir(), 'fk-bench-iso-'));
let server: ChildProcess | null = null;
let echo: ChildProcess | null = null;
try {
  const key = execFileSync(process.execPath, [FENGKONG, 'keys', 'create', '--role', 'admin', '--data', data], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const s = await start([FENGKONG, 'serve', '--port', '0', '--data', data, '--journal', journal, '--iso8583-port', '0'], /listening on (http:\/\/\S+)\n[^]*?ISO 8583 on (\S+):(\d+)/);
  server = s.proc;
  const url = s.match[1];
  const isoHost = s.match[2];
  const isoPort = Number(s.match[3]);
  const e = await start([ECHO], /listening on tcp:\/\/(\S+):(\d+)/);
  echo = e.proc;
  const echoHost = e.match[1];
  const echoPort = Number(e.match[2]);
  // the world, each account with its card (kept as a token)
  const events = referenceEvents().map((ev) => (ev.type === 'account' ? { ...ev, cardNumber: cardOf(Number(String(ev.accountId).slice(4))) } : ev));
  for (let i = 0; i < events.length; i += 2_000) {
    const r = await fetch(`${url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(events.slice(i, i + 2_000)) });
    if (r.status !== 202) throw new Error(`registering the world failed: ${r.status} ${await r.text()}`);
  }
  process.stderr.write(`up: HTTP ${url}, ISO 8583 ${isoHost}:${isoPort}, echo ${echoHost}:${echoPort}; ${WORLD.accounts} accounts with cards; ${connections} connections\n`);
  // warm-up: JIT and the first journal pages, both protocols
  await closedLoop(isoHost, isoPort, 'w', 2, false);
  await httpFull(url, key, 'x', 2);
  await closedLoop(echoHost, echoPort, 'y', 2, true);

  const rows: { name: string; full: number; p50: number; p99: number; max: number; olRps: number; notDecided: number }[][] = [];
  for (let r = 0; r < rounds; r++) {
    // alternate the order, so neither protocol always runs on a warmer (or busier) server
    const order = r % 2 === 0 ? ['echo', 'iso', 'http'] : ['http', 'iso', 'echo'];
    const row: (typeof rows)[number] = [];
    for (const what of order) {
      const tag = `${what[0]}${r}`;
      if (what === 'echo') {
        const f = await closedLoop(echoHost, echoPort, tag.toUpperCase(), duration, true);
        const o = await openLoopIso(echoHost, echoPort, tag, duration, true);
        row.push(summary('TCP echo floor', f.rps, o.latencies, o.rps, o.bad));
      } else if (what === 'iso') {
        const f = await closedLoop(isoHost, isoPort, tag.toUpperCase(), duration, false);
        const o = await openLoopIso(isoHost, isoPort, tag, duration, false);
        row.push(summary('ISO 8583 decisions', f.rps, o.latencies, o.rps, o.bad + f.bad));
      } else {
        const f = await httpFull(url, key, tag.toUpperCase(), duration);
        let h = 0;
        const o = await openLoop({ urls: [url], path: '/v1/decisions', headers: { authorization: `Bearer ${key}` }, rate, seconds: duration, sockets: connections, body: () => transactionText(tag, h++) });
        row.push(summary('HTTP decisions', f, o.latencies, o.rps, o.failed));
      }
      process.stderr.write(`round ${r + 1}: ${row[row.length - 1].name} done\n`);
    }
    rows.push(row);
  }
  console.log(`iso8583 bench: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}, journal ${journal}, ${connections} connections, ${duration} s per phase, ${rounds} rounds (order alternating)`);
  for (let r = 0; r < rows.length; r++) {
    console.log(`round ${r + 1} (in this order):`);
    for (const x of rows[r]) {
      console.log(
        `  ${x.name.padEnd(20)} full speed ${String(Math.round(x.full)).padStart(6)} /s | open loop ${rate}/s: ${Math.round(x.olRps)} /s, ` +
          `p50 ${x.p50.toFixed(2)} ms, p99 ${x.p99.toFixed(2)} ms, max ${x.max.toFixed(2)} ms${x.notDecided > 0 ? ` (${x.notDecided} not decided)` : ''}`,
      );
    }
    const by = (n: string) => rows[r].find((x) => x.name.startsWith(n))!;
    const iso = by('ISO');
    const http = by('HTTP');
    const echoRow = by('TCP');
    console.log(
      `  ratios: full speed ISO/HTTP ${(iso.full / http.full).toFixed(2)}, ISO/echo ${(iso.full / echoRow.full).toFixed(3)}, HTTP/echo ${(http.full / echoRow.full).toFixed(3)}; ` +
        `p99 ISO/HTTP ${(iso.p99 / http.p99).toFixed(2)}, ISO/echo ${(iso.p99 / echoRow.p99).toFixed(1)}`,
    );
  }
} finally {
  if (echo !== null) await stop(echo);
  if (server !== null) await stop(server);
  rmSync(data, { recursive: true, force: true });
}
