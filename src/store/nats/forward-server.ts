/**
 * The owner's side of forwarding (docs/scale-out.md, "Routing"): while a node owns partition `p` it
 * subscribes to `fk.<c>.p.<p>.in`, so requests any node forwards for `p` reach it and no other node.
 * Each NATS message holds the requests one sender coalesced in one event-loop turn; they are handed
 * to `answer` together, in order, and their answers go back in one reply.
 */
import { headers, type Msg } from '@nats-io/transport-node';
import type { NatsCluster } from './connect.js';
import {
  decodeRequests,
  encodeAnswers,
  encodeMessageError,
  FORWARD_HEADER,
  FORWARD_VERSION,
  ForwardFormatError,
  type ForwardedAnswer,
  type ForwardedRequest,
} from './forward-frames.js';

/**
 * A partition's subscription to forwarded requests; `close` stops taking new ones and waits for
 * those being answered (an `answer` that never settles keeps it waiting: the owner's engine must).
 */
export interface ForwardServer {
  close(): Promise<void>;
  /** Messages replied to (one per sender batch, malformed ones included). */
  readonly served: number;
}

/** What the owner does with the requests of one message: one answer per request, in their order. */
export type ForwardAnswerer = (reqs: readonly ForwardedRequest[]) => Promise<readonly ForwardedAnswer[]>;

/** Headers and NATS framing a reply carries besides its payload (the payload's limit is `maxPayload` minus these). */
const REPLY_OVERHEAD = 512;

/**
 * Serves the forwarded requests of `partition` with `answer` until closed. `answer` is called in the
 * order messages arrive (NATS keeps the order of one sender's connection), synchronously from the
 * subscription's callback, so the owner's queue sees requests in arrival order even when the answers
 * resolve out of order. A message that cannot be read, of another format version, or whose `answer`
 * fails gets an error answer for all its requests; the subscription keeps serving.
 */
export function serveForwarded(cluster: NatsCluster, partition: number, answer: ForwardAnswerer): ForwardServer {
  const subject = cluster.names.inboxSubject(partition);
  const replyHeaders = headers();
  replyHeaders.set(FORWARD_HEADER, FORWARD_VERSION);
  const inflight = new Set<Promise<void>>();
  let served = 0;

  const reply = (m: Msg, payload: Uint8Array): void => {
    try {
      if (m.respond(payload, { headers: replyHeaders })) served++;
    } catch {
      // the connection is closing or gone: the sender's request times out and it answers 503
    }
  };

  const handle = async (m: Msg): Promise<void> => {
    // a plain publish (no reply subject) is nobody's request: deciding it would apply payments whose answer nobody hears
    if (!m.reply) return;
    const version = m.headers?.get(FORWARD_HEADER) ?? '';
    if (version !== FORWARD_VERSION) {
      const what = version === '' ? `no ${FORWARD_HEADER} header` : `${FORWARD_HEADER} version ${JSON.stringify(version)}`;
      reply(m, encodeMessageError({ ok: false, status: 400, code: 'bad_forward', message: `forwarded message with ${what}: this node speaks ${FORWARD_HEADER} ${FORWARD_VERSION}; run one Fengkong version on every node of a cluster` }));
      return;
    }
    let reqs: ForwardedRequest[];
    try {
      reqs = decodeRequests(m.data);
    } catch (e) {
      const why = e instanceof ForwardFormatError ? e.message : String(e);
      reply(m, encodeMessageError({ ok: false, status: 400, code: 'bad_forward', message: `malformed forwarded message for partition ${partition}: ${why}` }));
      return;
    }
    let payload: Buffer;
    try {
      const answers = await answer(reqs);
      if (answers.length !== reqs.length) throw new Error(`answered ${answers.length} of ${reqs.length} requests`);
      payload = encodeAnswers(answers);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      reply(m, encodeMessageError({ ok: false, status: 500, code: 'internal', message: `partition ${partition}'s owner failed to answer: ${why}` }));
      return;
    }
    if (payload.length > cluster.maxPayload - REPLY_OVERHEAD) {
      reply(m, encodeMessageError({ ok: false, status: 500, code: 'forward_reply_too_large', message: `the answers of ${reqs.length} forwarded requests take ${payload.length} bytes, over NATS's ${cluster.maxPayload}; send fewer requests per message` }));
      return;
    }
    reply(m, payload);
  };

  const sub = cluster.nc.subscribe(subject, {
    callback: (err, m) => {
      if (err !== null) return; // a subscription error ends it; the lease code notices a node that cannot serve
      const p = handle(m).finally(() => inflight.delete(p));
      inflight.add(p);
    },
  });

  return {
    get served() {
      return served;
    },
    async close() {
      try {
        await sub.drain();
      } catch {
        // the connection is already closed: nothing more arrives
      }
      await Promise.allSettled([...inflight]);
    },
  };
}
