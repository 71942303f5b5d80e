/**
 * The HTTP(S) socket side of a server, shared by the embedded server and a cluster node: timeouts
 * that keep slow clients from holding sockets, counting requests in flight, and a close that waits
 * for them (up to a bound) before cutting connections — so a graceful stop loses no answer.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSecureContext } from 'node:tls';
import { ConfigError } from '../errors.js';

/** A PEM certificate (chain) and its private key, as read from `--tls-cert` and `--tls-key`. */
export interface TlsFiles {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
}

/** A listening socket. */
export interface HttpListener {
  /** Base URL, e.g. http://127.0.0.1:8080 (https:// with TLS). */
  readonly url: string;
  readonly port: number;
  /**
   * Stops accepting, waits up to `drainMs` for requests in flight, then runs `beforeCut` (a journal
   * flush: answers still waiting for it go out) and cuts every connection left.
   */
  close(drainMs: number, beforeCut?: () => Promise<void>): Promise<void>;
}

/** Listens with `handler` on host:port (0 picks a free port); a port in use is a ConfigError naming it. */
export async function listenHttp(handler: RequestListener, port: number, host: string, tls?: TlsFiles): Promise<HttpListener> {
  // Slow clients (slowloris: headers trickled a byte at a time) hold a socket, never the event loop;
  // headers must be complete within 10 s and the whole request within 30 s, checked every second
  // (node's default check runs every 30 s, which would let such sockets pile up for that long).
  const serverOptions = { requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000, connectionsCheckingInterval: 1_000 };
  const server: Server = tls === undefined ? createServer(serverOptions, handler) : createHttpsServer({ ...serverOptions, cert: tls.cert, key: tls.key }, handler);
  let inFlight = 0;
  let drained: (() => void) | null = null;
  server.on('request', (_req, res) => {
    inFlight++;
    res.once('close', () => {
      if (--inFlight === 0 && drained !== null) drained();
    });
  });
  await listen(server, port, host);
  const addr = server.address() as AddressInfo;
  const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `${tls === undefined ? 'http' : 'https'}://${shown}:${addr.port}`,
    port: addr.port,
    async close(drainMs, beforeCut) {
      const stopped = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        await new Promise<void>((r) => {
          drained = r;
          setTimeout(r, drainMs).unref();
        });
      }
      await beforeCut?.();
      server.closeAllConnections();
      await stopped;
    },
  };
}

/** Refuses a certificate or key that is no PEM, or a key that does not belong to the certificate. */
export function checkTls(tls: TlsFiles): void {
  try {
    createSecureContext({ cert: tls.cert, key: tls.key });
  } catch (e) {
    const msg = (e as Error).message;
    const which = /key values mismatch/i.test(msg)
      ? 'the --tls-key is not the private key of the --tls-cert certificate'
      : 'the --tls-cert / --tls-key files are not a PEM certificate and its PEM private key';
    throw new ConfigError(`cannot serve HTTPS: ${which} (${msg})`, { cause: e });
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'EADDRINUSE' ? 'the port is in use' : e.code === 'EACCES' ? 'permission denied' : e.message;
      reject(new ConfigError(`cannot listen on ${host}:${port}: ${why}`, { cause: e }));
    });
    server.listen(port, host, () => {
      server.removeAllListeners('error');
      resolve();
    });
  });
}
