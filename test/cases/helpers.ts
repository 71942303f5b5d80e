// Shared by the case, merchant and detector tests: waiting for the asynchronous case feed, and
// short ways to post payments and read cases through the real server.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { call, tempDir, type TestServer } from '../server/helpers.js';

/** A temp data folder under /tmp/case-*. */
export function caseDir(name: string): string {
  return tempDir(`case-${name}-`);
}

/** Polls `fn` until it returns something other than undefined (or `timeoutMs` passes). */
export async function eventually<T>(fn: () => Promise<T | undefined>, what: string, timeoutMs = 5_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A decision answer's body. */
export interface Answered {
  txId: string;
  outcome: string;
  score: number;
  reasons: { code: string }[];
}

/** Posts one payment; asserts it was answered. */
export async function pay(s: TestServer, tx: Record<string, unknown>): Promise<Answered> {
  const r = await call(s.url, '/v1/decisions', { key: s.keys.decide, body: tx });
  assert.equal(r.status, 200, r.text);
  return r.json as Answered;
}

/** Posts reference or account events; asserts they were accepted. */
export async function events(s: TestServer, evs: Record<string, unknown>[]): Promise<void> {
  const r = await call(s.url, '/v1/events', { key: s.keys.admin, body: evs });
  assert.equal(r.status, 202, r.text);
}

/** The case feed has processed everything applied so far (GET /v1/detectors). */
export async function settled(s: TestServer): Promise<void> {
  await eventually(async () => {
    const r = await call(s.url, '/v1/detectors', { key: s.keys.analyst });
    assert.equal(r.status, 200, r.text);
    return r.json.lagEntries === 0 && r.json.pendingCases === 0 && !r.json.catchingUp ? true : undefined;
  }, 'the case feed to catch up');
}

/** The active cases of a subject (`account:A1`), after the feed caught up. */
export async function casesOf(s: TestServer, subject: string, status = 'active'): Promise<any[]> {
  await settled(s);
  const r = await call(s.url, `/v1/cases?subject=${encodeURIComponent(subject)}&status=${status}`, { key: s.keys.analyst });
  assert.equal(r.status, 200, r.text);
  return r.json.cases;
}

/** The audit entries whose target starts with `prefix`, oldest first. */
export async function auditOf(s: TestServer, prefix: string): Promise<any[]> {
  const r = await call(s.url, `/v1/audit?target=${encodeURIComponent(prefix)}&limit=1000`, { key: s.keys.analyst });
  assert.equal(r.status, 200, r.text);
  return (r.json.entries as any[]).reverse();
}
