// Forwarding requests to a partition's owner over NATS request–reply, against the real server:
// coalesced and in order, to the right owner, retried while no node owns the partition, and every
// failure (no owner, a failing owner, a malformed message, a silent owner) an answer, never a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headers } from '@nats-io/transport-node';
import { ConfigError } from '../../../src/errors.js';
import { FORWARD_HEADER, Forwarder, serveForwarded, type ForwardedAnswer, type ForwardedRequest } from '../../../src/store/nats/forward.js';
import { decodeAnswers, encodeAnswers, decodeRequests, encodeRequest, joinFrames } from '../../../src/store/nats/forward-frames.js';
import { secondNode, testCluster } from './harness.js';

const payment = (i: number): ForwardedRequest => ({ kind: 'decide', event: JSON.stringify({ type: 'transaction', id: `tx-${i}`, accountId: `acc-${i % 7}`, merchantName: '商户 "引号"\n', amount: i }) });

/** An owner that echoes each request's text back, recording what it saw in order. */
function echo(seen: string[], batches: number[]): (reqs: readonly ForwardedRequest[]) => Promise<ForwardedAnswer[]> {
  return async (reqs) => {
    batches.push(reqs.length);
    return reqs.map((r) => {
      const text = r.kind === 'decide' ? r.event : r.kind === 'events' ? r.events : r.txId;
      seen.push(text);
      return r.kind === 'events' ? { ok: true, body: `events:${text}`, accepted: 2 } : r.kind === 'find' ? { ok: true, body: `found:${text}`, replayed: true } : { ok: true, body: `decided:${text}` };
    });
  };
}

test('the wire format round-trips every request and answer byte for byte, and refuses garbage', () => {
  const reqs: ForwardedRequest[] = [payment(1), { kind: 'events', events: '[{"type":"label"}]' }, { kind: 'find', txId: 'tx-ü' }, { kind: 'decide', event: '' }];
  assert.deepEqual(decodeRequests(joinFrames(reqs.map(encodeRequest))), reqs);
  const answers: ForwardedAnswer[] = [{ ok: true, body: '{"a":"ü"}' }, { ok: true, body: '', replayed: true }, { ok: true, body: 'x', accepted: 3, replayed: false }, { ok: false, status: 409, code: 'conflict', message: 'm' }];
  assert.deepEqual(decodeAnswers(encodeAnswers(answers)), { each: answers });
  for (const bad of ['', 'd', 'd5', 'd5:abc', 'dx:', 'z1:a', 'd99999999999:', 'd-1:a']) {
    assert.throws(() => decodeRequests(Buffer.from(bad)), /forward|frame|request/i, JSON.stringify(bad));
  }
  assert.throws(() => decodeRequests(Buffer.from([0x64, 0x32, 0x3a, 0xc3, 0x28])), /not UTF-8/);
  for (const bad of ['x2:{}', 'm2:{}', 'm14:{"replayed":1}o1:a', 'm15:{"accepted":-1}o1:a', 'x3:[1]', 'o1:am2:{}']) {
    assert.throws(() => decodeAnswers(Buffer.from(bad)), /answer|metadata|JSON/i, bad);
  }
});

test('a burst of 1,000 requests reaches the owner in few messages, in order, each answer to its caller', async (t) => {
  const owner = await testCluster(t);
  const sender = await secondNode(t, owner);
  const seen: string[] = [];
  const batches: number[] = [];
  const server = serveForwarded(owner, 3, echo(seen, batches));
  await owner.nc.flush();
  const fwd = new Forwarder(sender);
  const reqs = Array.from({ length: 1000 }, (_, i) => (i % 10 === 9 ? { kind: 'find' as const, txId: `tx-${i}` } : payment(i)));
  const answers = await Promise.all(reqs.map((r) => fwd.send(3, r)));
  answers.forEach((a, i) => {
    const r = reqs[i];
    assert.deepEqual(a, r.kind === 'find' ? { ok: true, body: `found:${r.txId}`, replayed: true } : { ok: true, body: `decided:${r.kind === 'decide' ? r.event : ''}` });
  });
  assert.deepEqual(seen, reqs.map((r) => (r.kind === 'find' ? r.txId : r.kind === 'decide' ? r.event : r.events)));
  t.diagnostic(`1,000 requests in ${fwd.stats.messages} messages (${batches.join(', ')})`);
  assert.ok(fwd.stats.messages < 50, `${fwd.stats.messages} messages`);
  assert.equal(fwd.stats.requests, 1000);
  assert.equal(server.served, fwd.stats.messages);
  fwd.close();
  await server.close();
});

test('2,000 requests sent in a burst, split into many small messages all in flight, arrive in send order', async (t) => {
  const owner = await testCluster(t);
  const sender = await secondNode(t, owner);
  const seen: string[] = [];
  const batches: number[] = [];
  // an owner that answers in reverse order of arrival: replies out of order must still reach their callers
  const answer = echo(seen, batches);
  const pending: (() => void)[] = [];
  const server = serveForwarded(owner, 0, (reqs) => {
    const p = answer(reqs);
    return new Promise((resolve) => {
      pending.push(() => resolve(p));
      if (pending.length === 1) setTimeout(() => pending.splice(0).reverse().forEach((f) => f()), 50);
    });
  });
  await owner.nc.flush();
  const fwd = new Forwarder(sender, { maxMessageRequests: 37 });
  const reqs = Array.from({ length: 2000 }, (_, i) => payment(i));
  const answers = await Promise.all(reqs.map((r) => fwd.send(0, r)));
  assert.deepEqual(seen, reqs.map((r) => (r.kind === 'decide' ? r.event : '')));
  answers.forEach((a, i) => assert.deepEqual(a, { ok: true, body: `decided:${(reqs[i] as { event: string }).event}` }));
  assert.equal(fwd.stats.messages, Math.ceil(2000 / 37));
  assert.ok(batches.every((n) => n <= 37));
  fwd.close();
  await server.close();
});

test('messages are cut below the byte cap, in order', async (t) => {
  const owner = await testCluster(t);
  const seen: string[] = [];
  const batches: number[] = [];
  const server = serveForwarded(owner, 1, echo(seen, batches));
  await owner.nc.flush();
  const fwd = new Forwarder(owner, { maxMessageBytes: 4096 });
  const reqs = Array.from({ length: 300 }, (_, i) => payment(i));
  const answers = await Promise.all(reqs.map((r) => fwd.send(1, r)));
  assert.ok(answers.every((a) => a.ok));
  assert.equal(seen.length, 300);
  assert.deepEqual(seen, reqs.map((r) => (r as { event: string }).event));
  assert.ok(fwd.stats.messages > 5, `${fwd.stats.messages} messages`);
  const huge = await fwd.send(1, { kind: 'decide', event: 'x'.repeat(5000) });
  assert.equal(huge.ok, false);
  assert.equal(!huge.ok && huge.status, 413);
  fwd.close();
  await server.close();
});

test('requests to two partitions go to their own owners', async (t) => {
  const a = await testCluster(t);
  const b = await secondNode(t, a);
  const sender = await secondNode(t, a);
  const seenA: string[] = [];
  const seenB: string[] = [];
  const sa = serveForwarded(a, 0, async (reqs) => reqs.map((r) => (seenA.push((r as { event: string }).event), { ok: true as const, body: 'A' })));
  const sb = serveForwarded(b, 1, async (reqs) => reqs.map((r) => (seenB.push((r as { event: string }).event), { ok: true as const, body: 'B' })));
  await a.nc.flush();
  await b.nc.flush();
  const fwd = new Forwarder(sender);
  const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => fwd.send(i % 2, { kind: 'decide', event: String(i) })));
  answers.forEach((x, i) => assert.deepEqual(x, { ok: true, body: i % 2 === 0 ? 'A' : 'B' }));
  assert.deepEqual(seenA, Array.from({ length: 50 }, (_, i) => String(2 * i)));
  assert.deepEqual(seenB, Array.from({ length: 50 }, (_, i) => String(2 * i + 1)));
  assert.equal(fwd.stats.messages, 2);
  await assert.rejects(fwd.send(-1, payment(0)), ConfigError);
  await assert.rejects(fwd.send(0, { kind: 'decide', event: undefined as unknown as string }), TypeError);
  fwd.close();
  await assert.rejects(fwd.send(0, payment(0)), /closed/);
  await sa.close();
  await sb.close();
});

test('no owner: every caller gets 503 partition_unavailable after noOwnerWaitMs, retried meanwhile', async (t) => {
  const c = await testCluster(t);
  const fwd = new Forwarder(c, { noOwnerWaitMs: 300, retryMs: 50 });
  const started = performance.now();
  const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => fwd.send(9, payment(i))));
  const took = performance.now() - started;
  for (const a of answers) {
    assert.deepEqual(a, { ok: false, status: 503, code: 'partition_unavailable', message: 'no node owns partition 9 yet (a takeover is in progress); retry' });
  }
  assert.ok(took >= 290 && took < 2000, `answered after ${took.toFixed(0)} ms`);
  assert.equal(fwd.stats.messages, 1);
  assert.ok(fwd.stats.noOwnerRetries >= 2, `${fwd.stats.noOwnerRetries} retries`);
  fwd.close();
});

test('an owner that subscribes during the wait (a takeover) gets the waiting messages, in order, and answers them', async (t) => {
  const c = await testCluster(t);
  const owner = await secondNode(t, c);
  const fwd = new Forwarder(c, { noOwnerWaitMs: 5000, retryMs: 20 });
  const first = Array.from({ length: 10 }, (_, i) => fwd.send(2, payment(i)));
  await new Promise((r) => setTimeout(r, 100));
  const second = Array.from({ length: 10 }, (_, i) => fwd.send(2, payment(10 + i))); // parked behind the first
  await new Promise((r) => setTimeout(r, 100));
  const seen: string[] = [];
  const server = serveForwarded(owner, 2, echo(seen, []));
  const answers = await Promise.all([...first, ...second]);
  answers.forEach((a, i) => assert.deepEqual(a, { ok: true, body: `decided:${(payment(i) as { event: string }).event}` }));
  assert.deepEqual(seen, Array.from({ length: 20 }, (_, i) => (payment(i) as { event: string }).event));
  assert.ok(fwd.stats.noOwnerRetries >= 1);
  assert.equal(fwd.stats.messages, 2);
  fwd.close();
  await server.close();
});

test("an owner whose answer rejects: 500 for every request of the message; it keeps serving", async (t) => {
  const c = await testCluster(t);
  let fail = true;
  const server = serveForwarded(c, 0, async (reqs) => {
    if (fail) throw new Error('engine exploded');
    return reqs.map(() => ({ ok: true as const, body: 'fine' }));
  });
  await c.nc.flush();
  const fwd = new Forwarder(c);
  const answers = await Promise.all([fwd.send(0, payment(1)), fwd.send(0, payment(2))]);
  for (const a of answers) assert.deepEqual(a, { ok: false, status: 500, code: 'internal', message: "partition 0's owner failed to answer: engine exploded" });
  fail = false;
  assert.deepEqual(await fwd.send(0, payment(3)), { ok: true, body: 'fine' });
  fwd.close();
  await server.close();
});

test('a malformed message or another format version gets a 400 bad_forward reply, a message without a reply subject is ignored, and the server keeps serving', async (t) => {
  const c = await testCluster(t);
  let calls = 0;
  const server = serveForwarded(c, 0, async (reqs) => (calls++, reqs.map(() => ({ ok: true as const, body: 'fine' }))));
  await c.nc.flush();
  const subject = c.names.inboxSubject(0);
  const v1 = headers();
  v1.set(FORWARD_HEADER, '1');
  for (const [payload, h, want] of [
    ['d999:short', v1, /claims 999 bytes/],
    ['', v1, /no request/],
    ['q1:a', v1, /unknown request frame/],
    ['d1:a', undefined, /no Fk-Forward header/],
    ['d1:a', (() => { const h2 = headers(); h2.set(FORWARD_HEADER, '2'); return h2; })(), /version "2".*speaks Fk-Forward 1/],
  ] as const) {
    const reply = await c.nc.request(subject, Buffer.from(payload), { timeout: 2000, headers: h });
    const d = decodeAnswers(reply.data);
    assert.ok('all' in d, payload);
    assert.equal(d.all.status, 400);
    assert.equal(d.all.code, 'bad_forward');
    assert.match(d.all.message, want);
  }
  c.nc.publish(subject, Buffer.from('d1:a'), { headers: v1 }); // no reply subject: nobody would hear the answer, so it is not applied
  await c.nc.flush();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(calls, 0);
  const fwd = new Forwarder(c);
  assert.deepEqual(await fwd.send(0, payment(1)), { ok: true, body: 'fine' });
  assert.equal(calls, 1);
  assert.equal(server.served, 6);
  fwd.close();
  await server.close();
});

test('an owner that never answers: 503 naming the timeout, not a rejection', async (t) => {
  const c = await testCluster(t);
  const server = serveForwarded(c, 5, () => new Promise<never>(() => {}));
  await c.nc.flush();
  const fwd = new Forwarder(c, { timeoutMs: 200 });
  const answers = await Promise.all([fwd.send(5, payment(1)), fwd.send(5, { kind: 'find', txId: 'x' })]);
  for (const a of answers) {
    assert.deepEqual(a, { ok: false, status: 503, code: 'partition_unavailable', message: "partition 5's owner did not answer within 200 ms; the request may or may not have been applied; retry with the same id" });
  }
  fwd.close();
  void server; // its answers never come: closing would wait for them forever; the connection's close ends it
});

test('abandonInFlight answers what went to a gone owner at once (503, retry), drops its late reply, and leaves other partitions alone', async (t) => {
  const c = await testCluster(t);
  let release: (() => void) | null = null;
  const held = new Promise<void>((r) => (release = r));
  // a stalled owner of partition 3: it answers only when the test lets it, long after the abandon
  const stalled = serveForwarded(c, 3, async (reqs) => {
    await held;
    return reqs.map(() => ({ ok: true, body: 'late' }));
  });
  const other = serveForwarded(c, 4, async (reqs) => reqs.map(() => ({ ok: true, body: 'p4' })));
  await c.nc.flush();
  const fwd = new Forwarder(c, { timeoutMs: 10_000 });
  const started = Date.now();
  const pending = [fwd.send(3, payment(1)), fwd.send(3, payment(2))];
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(fwd.abandonInFlight(4, 'nothing in flight there'), 0);
  assert.equal(fwd.abandonInFlight(3, 'this node took partition 3 over'), 2);
  const answers = await Promise.all(pending);
  assert.ok(Date.now() - started < 2000, 'answered long before the 10 s timeout');
  for (const a of answers) {
    assert.deepEqual(a, { ok: false, status: 503, code: 'partition_unavailable', message: 'this node took partition 3 over; the request may or may not have been applied; retry with the same id' });
  }
  release!();
  await new Promise((r) => setTimeout(r, 100)); // the stalled owner's late reply arrives and is dropped
  assert.deepEqual(await fwd.send(4, payment(3)), { ok: true, body: 'p4' });
  fwd.close();
  await stalled.close();
  await other.close();
});
