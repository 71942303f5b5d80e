/**
 * The console's first load, measured as an analyst meets it: a real `fengkong serve` on a fresh data
 * folder, Debian's Chromium (playwright-core) opening `/console/` with an empty cache, then signing in
 * and waiting for the overview's first figures. Reports, against the numbers: the first load
 * (navigation start → the sign-in form usable; and → load event), the gzipped JavaScript the first
 * page loads (every script index.html pulls in, measured on the bytes the server sends), and sign-in →
 * overview figures on screen, and an action's result: "Freeze" confirmed on an account's page until the
 * page shows it frozen (target 300 ms). Floor beside it: the same browser loading a static page of one line
 * from the same server (`/console/` minus the app), so the ratio shows what the app itself costs.
 * usage: node dist/bench/console-load.js [--loads 10]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { createKey, startServeChild } from './serve-child.js';
import { flag, quantile } from './util.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write('usage: node dist/bench/console-load.js [--loads 10]\n');
  process.exit(0);
}
const LOADS = Number(flag('loads') ?? 10);

/** The gzipped size of every script `index.html` loads (module entry and modulepreloads), as served. */
async function firstPageScriptBytes(url: string): Promise<{ files: string[]; gzBytes: number }> {
  const html = await (await fetch(`${url}/console/`)).text();
  const files = [...html.matchAll(/<(?:script|link)[^>]+(?:src|href)="([^"]+\.js)"/g)].map((m) => m[1]);
  let gzBytes = 0;
  for (const f of files) gzBytes += gzipSync(Buffer.from(await (await fetch(new URL(f, `${url}/console/`))).arrayBuffer())).length;
  return { files, gzBytes };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fk-console-bench-'));
  const key = createKey(dir, 'analyst');
  const admin = createKey(dir, 'admin');
  const server = await startServeChild(dir);
  const { url } = server;
  // accounts to freeze, one per visit
  const accounts = Array.from({ length: LOADS }, (_, i) => ({ type: 'account', ts: '2026-12-01T10:00:00+08:00', accountId: `acc-bench-${i}`, creditLimit: 1_000_000 }));
  const r = await fetch(`${url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify(accounts) });
  if (!r.ok) throw new Error(`registering the accounts: ${r.status} ${await r.text()}`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const size = await firstPageScriptBytes(url);
    const usable: number[] = [];
    const loaded: number[] = [];
    const floor: number[] = [];
    const overview: number[] = [];
    const action: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      // a new context each time: empty cache, empty sessionStorage, as a first visit
      const ctx = await browser.newContext({ locale: 'en-US' });
      const page = await ctx.newPage();
      const t0 = Date.now();
      await page.goto(`${url}/console/`, { waitUntil: 'load' });
      loaded.push(Date.now() - t0);
      await page.getByLabel('API key').waitFor();
      usable.push(Date.now() - t0);
      await page.getByLabel('API key').fill(key);
      const t1 = Date.now();
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('Decisions per second').first().waitFor();
      overview.push(Date.now() - t1);
      // floor: the same browser and server, a document with nothing to run (the console's 404 page
      // for a missing asset is plain text served by the same code path)
      const f0 = Date.now();
      await page.goto(`${url}/console/assets/none.txt`, { waitUntil: 'load' });
      floor.push(Date.now() - f0);
      await ctx.close();
      // an action: an admin freezes an account; from Confirm to the page saying it is frozen
      const actx = await browser.newContext({ locale: 'en-US' });
      const ap = await actx.newPage();
      await ap.goto(`${url}/console/`);
      await ap.getByLabel('API key').fill(admin);
      await ap.getByRole('button', { name: 'Sign in' }).click();
      await ap.getByText('Decisions per second').first().waitFor();
      await ap.goto(`${url}/console/#/accounts/acc-bench-${i}`);
      await ap.getByRole('button', { name: 'Freeze', exact: true }).click();
      await ap.getByLabel('Reason').fill('benchmark: how soon the result shows');
      const a0 = Date.now();
      await ap.getByRole('button', { name: 'Confirm' }).click();
      await ap.waitForFunction(() => document.querySelector('[data-testid="account-status"]')?.textContent === 'Frozen');
      action.push(Date.now() - a0);
      await actx.close();
    }
    const sorted = (a: number[]): number[] => [...a].sort((x, y) => x - y);
    const fmt = (a: number[]): string => `p50 ${quantile(sorted(a), 0.5)} ms, max ${Math.max(...a)} ms`;
    console.log(`console-load: ${LOADS} first visits (empty cache each), Debian Chromium, ${url}`);
    console.log(`  first page's JavaScript: ${(size.gzBytes / 1024).toFixed(1)} KB gzipped in ${size.files.length} file(s) (target ≤ 400 KB) ${size.gzBytes <= 400 * 1024 ? 'PASS' : 'FAIL'}`);
    console.log(`  /console/ to load event:        ${fmt(loaded)}`);
    console.log(`  /console/ to sign-in usable:    ${fmt(usable)} (target < 1 s) ${quantile(sorted(usable), 0.5) < 1000 ? 'PASS' : 'FAIL'}`);
    console.log(`  floor, a plain document:        ${fmt(floor)}; ratio first load / floor ${(quantile(sorted(usable), 0.5) / Math.max(1, quantile(sorted(floor), 0.5))).toFixed(1)}×`);
    console.log(`  sign-in → overview figures:     ${fmt(overview)}`);
    console.log(`  Freeze confirmed → shown frozen: ${fmt(action)} (target < 300 ms) ${quantile(sorted(action), 0.5) < 300 ? 'PASS' : 'FAIL'}`);
  } finally {
    await browser.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
