/**
 * Warms the whole answer path before a server listens: a scratch server of the same policy, model,
 * journal mode and durability, on a throwaway data folder, answers a synthetic world over loopback
 * HTTP (reference data, then payments on 32 keep-alive connections), and is then closed and its
 * folder removed. The engine's own warm-up (engine/warm-up.ts) leaves the rest of the path cold —
 * HTTP parsing, the route table, request validation, sealing and inserting journal entries, the group
 * commit, the commit listeners — and measured, a fresh server's first second and a half at 2,000
 * requests/s carried most of its tail (docs/server.md, "Third pass"). V8 keeps what it learned per
 * function, not per server, so the live server's first requests run the code the scratch one warmed.
 * Nothing of the scratch server reaches the live one: another folder, another journal, its own keys.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MASTER_KEY_FILE, loadOrCreateMasterKey } from '../crypto/index.js';
import { syntheticPayments, syntheticReference } from '../engine/warm-up.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { generateKey, hashKey } from './auth.js';
import type { RunningServer, ServeOptions } from './server.js';

/**
 * Answers the scratch server gives before the live one listens: with its start, ~1.4 s on the
 * project's 2-core VM; docs/server.md ("Fourth pass") measures a fresh server's first seconds with
 * and without it.
 */
export const WARM_ANSWERS = 3_000;

/** Connections the warm-up sends on, as a switch keeps several open. */
const SOCKETS = 32;

/** Reference events per POST /v1/events. */
const EVENTS_PER_CALL = 500;

/** What the answer path's warm-up did, for the start line. */
export interface AnswerWarmUpReport {
  readonly answers: number;
  readonly ms: number;
}

/**
 * Starts a scratch server through `start` (startServer: passed in, so this file does not import
 * the server it warms), sends it `answers` payments after the synthetic world's reference data,
 * then closes it and removes its folder. Throws when the scratch server cannot start or answer;
 * the caller reports that and starts without this warm-up.
 */
export async function warmAnswerPath(start: (o: ServeOptions) => Promise<RunningServer>, live: ServeOptions, answers = WARM_ANSWERS): Promise<AnswerWarmUpReport> {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'fengkong-warm-up-'));
  const agent = new Agent({ keepAlive: true, maxSockets: SOCKETS });
  let server: RunningServer | null = null;
  try {
    // made here, quietly: the notice a new master key gets is for folders someone must back up
    loadOrCreateMasterKey(join(dir, DEFAULT_MASTER_KEY_FILE), true);
    const key = generateKey();
    const store = new SqliteStore(dir);
    try {
      store.createKey(hashKey(key), 'admin');
    } finally {
      store.close();
    }
    server = await start({
      dataDir: dir,
      masterKeyFile: join(dir, DEFAULT_MASTER_KEY_FILE),
      port: 0,
      host: '127.0.0.1',
      ...(live.policyDir !== undefined ? { policyDir: live.policyDir } : {}),
      ...(live.policy !== undefined ? { policy: live.policy } : {}),
      ...(live.modelPath !== undefined ? { modelPath: live.modelPath } : {}),
      ...(live.journal !== undefined ? { journal: live.journal } : {}),
      ...(live.durability !== undefined ? { durability: live.durability } : {}),
      snapshots: false,
      warmUpPayments: 0,
      warmUpAnswers: 0,
      log: () => {},
    });
    const post = poster(server.url, key, agent);
    const now = Date.now();
    const reference = [...syntheticReference(now)];
    for (let i = 0; i < reference.length; i += EVENTS_PER_CALL) await post('/v1/events', `[${reference.slice(i, i + EVENTS_PER_CALL).join(',')}]`, 202);
    const payments = [...syntheticPayments(answers, now)];
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < payments.length) await post('/v1/decisions', payments[next++], 200);
    };
    await Promise.all(Array.from({ length: SOCKETS }, lane));
    return { answers: payments.length, ms: performance.now() - started };
  } finally {
    agent.destroy();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** POSTs a JSON body and resolves once the answer is read; another status than `want` rejects with it. */
function poster(base: string, key: string, agent: Agent): (path: string, body: string, want: number) => Promise<void> {
  return (path, body, want) =>
    new Promise((resolve, reject) => {
      const req = request(
        new URL(path, base),
        { method: 'POST', agent, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => (res.statusCode === want ? resolve() : reject(new Error(`${path} answered ${res.statusCode}: ${text.slice(0, 200)}`))));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
}
