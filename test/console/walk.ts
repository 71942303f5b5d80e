// What the console's end-to-end walks share: where screenshots go, and sending events and payments
// to the real server they walk, each checked for the answer the API documents.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT } from '../helpers/paths.js';
import { call, type TestServer } from '../server/helpers.js';

/** The git-ignored folder every walk saves its screenshots to. */
export const SHOTS = join(ROOT, 'screenshots', 'console');

/** Saves the whole page as `screenshots/console/<name>.png`. */
export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Posts non-payment events with the admin key; the server must accept them all (202). */
export async function postEvents(srv: TestServer, list: Record<string, unknown>[]): Promise<void> {
  const r = await call(srv.url, '/v1/events', { key: srv.keys.admin, body: list });
  assert.equal(r.status, 202, r.text);
}

/** Asks for a decision with the admin key, as the payment switch would; the answer must be 200. */
export async function decideTx(srv: TestServer, tx: Record<string, unknown>): Promise<{ outcome: string; reasons: { code: string }[] }> {
  const r = await call(srv.url, '/v1/decisions', { key: srv.keys.admin, body: tx });
  assert.equal(r.status, 200, r.text);
  return r.json as { outcome: string; reasons: { code: string }[] };
}
