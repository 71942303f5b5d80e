// Shared by the policy lifecycle tests: the default pack's files as a draft body, a second admin
// key (four eyes need two), and small calls for drafting, publishing and deciding.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_POLICY_DIR } from '../../src/engine/policy-source.js';
import { generateKey, hashKey, keyIdOf } from '../../src/server/auth.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { call, type Answer, type TestServer } from '../server/helpers.js';

/** The shipped pack as `{name: text}`. */
export function defaultFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of readdirSync(DEFAULT_POLICY_DIR).filter((f) => f.endsWith('.fk')).sort()) {
    out[n] = readFileSync(join(DEFAULT_POLICY_DIR, n), 'utf8');
  }
  return out;
}

/** A new admin key in the data folder (works beside a running server). */
export function addAdmin(dir: string): string {
  const store = new SqliteStore(dir);
  try {
    const key = generateKey();
    store.createKey(hashKey(key), 'admin');
    return key;
  } finally {
    store.close();
  }
}

/** The key id the server records for `key`. */
export function idOf(key: string): string {
  return keyIdOf(hashKey(key));
}

/** POST /v1/policies. */
export function draft(s: TestServer, key: string, files: Record<string, string>, description = 'test draft', extra: Record<string, unknown> = {}): Promise<Answer> {
  return call(s.url, '/v1/policies', { key, body: { description, files, ...extra } });
}

/** Drafts, proposes with `proposer` and approves with `approver`; returns the approval answer. */
export async function publish(s: TestServer, proposer: string, approver: string, files: Record<string, string>, description = 'test'): Promise<{ version: number; approval: Answer }> {
  const d = await draft(s, proposer, files, description);
  if (d.status !== 201) throw new Error(`draft refused: ${d.text}`);
  const version = d.json.version as number;
  const p = await call(s.url, `/v1/policies/${version}/publish`, { key: proposer, body: {} });
  if (p.status !== 200) throw new Error(`proposal refused: ${p.text}`);
  const approval = await call(s.url, `/v1/policies/${version}/approve`, { key: approver, method: 'POST' });
  return { version, approval };
}

/**
 * Proposes an incident mode's definition with `proposer` and approves it with `approver` (four eyes:
 * the way a definition comes to decide); returns the approval answer, throws when the proposal is refused.
 */
export async function defineMode(s: TestServer, proposer: string, approver: string, name: string, body: { description: string; rules: string }): Promise<Answer> {
  const p = await call(s.url, `/v1/modes/${name}`, { key: proposer, method: 'PUT', body });
  if (p.status !== 200 && p.status !== 201) throw new Error(`mode proposal refused: ${p.text}`);
  return call(s.url, `/v1/modes/${name}/approve`, { key: approver, method: 'POST' });
}

/** Posts one decision; throws unless 200. */
export async function decide(s: TestServer, key: string, tx: Record<string, unknown>): Promise<Record<string, any>> {
  const r = await call(s.url, '/v1/decisions', { key, body: tx });
  if (r.status !== 200) throw new Error(`decision refused: ${r.text}`);
  return r.json;
}

/** Audit entries of an action prefix or exact action, newest first. */
export async function auditOf(s: TestServer, key: string, action: string): Promise<any[]> {
  const r = await call(s.url, `/v1/audit?action=${encodeURIComponent(action)}`, { key });
  if (r.status !== 200) throw new Error(`audit refused: ${r.text}`);
  return r.json.entries;
}

/** Waits until GET /v1/policies/live names `version` live (after a warming publish). */
export async function waitLive(s: TestServer, key: string, version: number, timeoutMs = 20_000): Promise<Record<string, any>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await call(s.url, '/v1/policies/live', { key });
    if (r.json.version === version && r.json.publishing === null) return r.json;
    if (Date.now() > until) throw new Error(`version ${version} not live in time: ${r.text}`);
    await new Promise((res) => setTimeout(res, 20));
  }
}
