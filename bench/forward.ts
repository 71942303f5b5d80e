/**
 * The cost of forwarding to a partition's owner (docs/scale-out.md, "Routing"): `--requests`
 * payments sent through a `Forwarder` in one event-loop turn (coalesced into one NATS message) to
 * an owner on another connection that answers each with a decision-sized body, awaited until every
 * answer is back. Beside it, the floor: a plain NATS request–reply round trip between the same two
 * connections carrying exactly the same request and reply bytes (framing included), so the ratio is
 * what the forwarding layer adds — coalescing, encoding, decoding, distributing the answers — over
 * moving the bytes. Also a single forwarded request against a round trip of its size. The series
 * alternate round by round, so they share the machine's conditions; prints p50/p99 and the ratios.
 *
 * usage: node dist/bench/forward.js [--url nats://127.0.0.1:4222] [--rounds 1000] [--requests 100]
 * Creates a cluster `bench_<random>` on the server and deletes its stream and bucket at the end.
 */
import { randomBytes } from 'node:crypto';
import { connectCluster, deleteClusterObjects } from '../src/store/nats/connect.js';
import { Forwarder, serveForwarded, type ForwardedAnswer, type ForwardedRequest } from '../src/store/nats/forward.js';
import { encodeAnswers, encodeRequest, joinFrames } from '../src/store/nats/forward-frames.js';
import { transactionText } from './tx-traffic.js';
import { answerHelp, flag, quantile } from './util.js';

answerHelp('usage: node dist/bench/forward.js [--url nats://127.0.0.1:4222] [--rounds 1000] [--requests 100]');

const URL = flag('url') ?? 'nats://127.0.0.1:4222';
const ROUNDS = Number(flag('rounds') ?? '1000');
const REQUESTS = Number(flag('requests') ?? '100');
const WARMUP = 50;

function decision(event: string): ForwardedAnswer {
  const id = (JSON.parse(event) as { id: string }).id;
  return { ok: true, body: JSON.stringify({ txId: id, outcome: 'approve', score: id.length * 7, reasons: ['VELOCITY_1H'], policy: 'default@7', seq: 1, latencyUs: 9 }) };
}

function answerAll(reqs: readonly ForwardedRequest[]): ForwardedAnswer[] {
  return reqs.map((r) => (r.kind === 'decide' ? decision(r.event) : { ok: false, status: 400, code: 'bad', message: 'only payments here' }));
}

function stats(ms: number[]): { p50: number; p99: number } {
  ms.sort((a, b) => a - b);
  return { p50: quantile(ms, 0.5), p99: quantile(ms, 0.99) };
}

function row(name: string, s: { p50: number; p99: number }, floor: { p50: number; p99: number }): string {
  return `${name.padEnd(44)} p50 ${s.p50.toFixed(3).padStart(7)} ms  p99 ${s.p99.toFixed(3).padStart(7)} ms   ×floor p50 ${(s.p50 / floor.p50).toFixed(2)}  p99 ${(s.p99 / floor.p99).toFixed(2)}`;
}

const cluster = `bench_${randomBytes(4).toString('hex')}`;
const sender = await connectCluster({ url: URL, cluster, name: 'fengkong-bench-sender' });
const owner = await connectCluster({ url: URL, cluster, name: 'fengkong-bench-owner' });
try {
  // the owner's answers are made before each round, so the series compare transport, not the making of answers
  let prepared: ForwardedAnswer[] = [];
  const server = serveForwarded(owner, 0, async (reqs) => (reqs.length === prepared.length ? prepared : answerAll(reqs)));
  const echoSubject = `fk.${cluster}.bench.echo`;
  let replyBytes: Uint8Array = new Uint8Array(0);
  const echo = owner.nc.subscribe(echoSubject, { callback: (_e, m) => void m.respond(replyBytes) });
  await owner.nc.flush();
  const fwd = new Forwarder(sender);

  const batchFloor: number[] = [];
  const batchFwd: number[] = [];
  const oneFloor: number[] = [];
  const oneFwd: number[] = [];
  let reqBytes = 0;
  let repBytes = 0;
  let oneReq = 0;
  let oneRep = 0;
  for (let r = 0; r < WARMUP + ROUNDS; r++) {
    const reqs: ForwardedRequest[] = Array.from({ length: REQUESTS }, (_, i) => ({ kind: 'decide', event: transactionText('fwb', r * REQUESTS + i) }));
    const batchPayload = joinFrames(reqs.map(encodeRequest));
    const batchReply = encodeAnswers(answerAll(reqs));
    const onePayload = encodeRequest(reqs[0]);
    const oneReply = encodeAnswers(answerAll(reqs.slice(0, 1)));
    reqBytes = batchPayload.length;
    repBytes = batchReply.length;
    oneReq = onePayload.length;
    oneRep = oneReply.length;

    replyBytes = batchReply;
    prepared = answerAll(reqs);
    let t = performance.now();
    await sender.nc.request(echoSubject, batchPayload, { timeout: 5000 });
    const bf = performance.now() - t;
    t = performance.now();
    const answers = await Promise.all(reqs.map((q) => fwd.send(0, q)));
    const bw = performance.now() - t;
    if (!answers.every((a) => a.ok)) throw new Error(`a forwarded request failed: ${JSON.stringify(answers.find((a) => !a.ok))}`);

    replyBytes = oneReply;
    prepared = answerAll(reqs.slice(0, 1));
    t = performance.now();
    await sender.nc.request(echoSubject, onePayload, { timeout: 5000 });
    const of = performance.now() - t;
    t = performance.now();
    await fwd.send(0, reqs[0]);
    const ow = performance.now() - t;
    if (r >= WARMUP) {
      batchFloor.push(bf);
      batchFwd.push(bw);
      oneFloor.push(of);
      oneFwd.push(ow);
    }
  }
  const messages = fwd.stats.messages;
  fwd.close();
  echo.unsubscribe();
  await server.close();
  const bfS = stats(batchFloor);
  const ofS = stats(oneFloor);
  const server_ = sender.nc.info?.version ?? '?';
  process.stdout.write(
    `Forwarding to a partition's owner (two connections), ${ROUNDS} rounds, NATS ${server_} at ${URL}; ${messages} forward messages for ${(WARMUP + ROUNDS) * (REQUESTS + 1)} requests\n`,
  );
  process.stdout.write(row(`floor: round trip ${(reqBytes / 1024).toFixed(1)} KiB → ${(repBytes / 1024).toFixed(1)} KiB`, bfS, bfS) + '\n');
  process.stdout.write(row(`forward ${REQUESTS} requests in one turn`, stats(batchFwd), bfS) + '\n');
  process.stdout.write(row(`floor: round trip ${oneReq} B → ${oneRep} B`, ofS, ofS) + '\n');
  process.stdout.write(row('forward 1 request', stats(oneFwd), ofS) + '\n');
} finally {
  await deleteClusterObjects(sender.jsm, sender.names);
  await owner.close();
  await sender.close();
}
