/**
 * The peer of the server benchmark: a bare Fastify server that parses the same JSON body and
 * answers a fixed decision (echoing the id), with no validation, state or durability. What
 * Fengkong's server is measured against: the cost of HTTP + JSON in a well-tuned framework.
 *
 * usage: node dist/bench/peers/fastify-decisions.js   (prints "listening on URL", port picked by the OS)
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });

app.post('/v1/decisions', async (req) => {
  const body = req.body as { id?: unknown };
  return { txId: body.id, outcome: 'approve', score: 0, reasons: [], policy: 'fixed' };
});

const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`listening on ${url}\n`);
const stop = (): void => {
  void app.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
