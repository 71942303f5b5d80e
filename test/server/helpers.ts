// Shared by the server tests: a real server on a free port over a temp data folder, keys of every
// role, and a small HTTP client that never throws on an error status.
import { request as httpRequest, Agent } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey, hashKey } from '../../src/server/auth.js';
import { startServer, type RunningServer, type ServeOptions } from '../../src/server/server.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Role } from '../../src/keys/store.js';
import { defaultPolicy } from '../engine/world.js';

/** A fresh temp folder. */
export function tempDir(prefix = 'fk-server-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Creates one key per role in `dir` (as `fengkong keys create` does) and returns them. */
export function createKeys(dir: string): Record<Role, string> {
  const store = new SqliteStore(dir);
  try {
    const keys = { decide: generateKey(), ingest: generateKey(), analyst: generateKey(), admin: generateKey(), support: generateKey(), metrics: generateKey() };
    for (const [role, key] of Object.entries(keys)) store.createKey(hashKey(key), role as Role);
    return keys;
  } finally {
    store.close();
  }
}

/** A running test server and what it needs. */
export interface TestServer {
  readonly server: RunningServer;
  readonly url: string;
  readonly dir: string;
  readonly keys: Record<Role, string>;
  /** Stops the server (graceful) and, unless `keep`, removes the folder. */
  close(keep?: boolean): Promise<void>;
}

/** Starts the real server on port 0 over `dir` (a new temp folder by default). */
export async function startTestServer(
  opts: { dir?: string; keys?: Record<Role, string> } & Partial<ServeOptions> = {},
): Promise<TestServer> {
  const dir = opts.dir ?? tempDir();
  const keys = opts.keys ?? createKeys(dir);
  const server = await startServer({ policy: defaultPolicy(), ...opts, dataDir: dir, port: 0 });
  return {
    server,
    url: server.url,
    dir,
    keys,
    async close(keep = false) {
      await server.close();
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An answer: status, headers, text, and the JSON when it parses. */
export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  readonly json: any;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** Options of one call. */
export interface CallOptions {
  readonly method?: string;
  readonly key?: string;
  /** A string is sent as is; anything else as JSON. */
  readonly body?: unknown;
  readonly contentType?: string | null;
  readonly headers?: Record<string, string>;
  /** Send the body in chunks without Content-Length. */
  readonly chunked?: boolean;
}

/** One HTTP call; resolves with whatever the server answered (errors only when nothing came back). */
export function call(base: string, path: string, o: CallOptions = {}): Promise<Answer> {
  const url = new URL(path, base);
  const body = o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (o.key !== undefined) headers.authorization = `Bearer ${o.key}`;
  if (body !== undefined && o.contentType !== null) headers['content-type'] = o.contentType ?? 'application/json';
  if (body !== undefined && !o.chunked) headers['content-length'] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpRequest(
      url,
      { method: o.method ?? (body === undefined ? 'GET' : 'POST'), headers, agent },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    if (body === undefined) req.end();
    else if (o.chunked) {
      const buf = Buffer.from(body);
      const step = 16 * 1024;
      let i = 0;
      const pump = (): void => {
        while (i < buf.length) {
          const ok = req.write(buf.subarray(i, i + step));
          i += step;
          if (!ok) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    } else req.end(body);
  });
}

/** The journal's last seq as /healthz reports it to a caller with a key (without one it says only `ok`). */
export async function journalSeq(base: string, key: string): Promise<number> {
  const h = await call(base, '/healthz', { key });
  if (h.status !== 200) throw new Error(`healthz answered ${h.status}`);
  return h.json.journalSeq as number;
}

/** A decision answer without its timing (which differs between runs). */
export function stable(body: Record<string, unknown>): Record<string, unknown> {
  const { latencyUs: _ignored, ...rest } = body;
  return rest;
}

/**
 * Posts events in order as a client would: consecutive non-transactions as one /v1/events array,
 * each transaction to /v1/decisions. Returns the decision answers (bodies) in order.
 */
export async function feed(base: string, key: string, events: readonly Record<string, unknown>[]): Promise<Answer[]> {
  const out: Answer[] = [];
  let group: Record<string, unknown>[] = [];
  const flush = async (): Promise<void> => {
    if (group.length === 0) return;
    const r = await call(base, '/v1/events', { key, body: group });
    if (r.status !== 202) throw new Error(`events refused: ${r.text}`);
    group = [];
  };
  for (const e of events) {
    if (e.type !== 'transaction') {
      group.push(e);
      continue;
    }
    await flush();
    const r = await call(base, '/v1/decisions', { key, body: e });
    if (r.status !== 200) throw new Error(`decision refused: ${r.text}`);
    out.push(r);
  }
  await flush();
  return out;
}
