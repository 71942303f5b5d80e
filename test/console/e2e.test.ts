// The analyst console end to end: the built app (dist/console, made by `npm run build:console`, which
// `npm install` runs) served by a real server at /console/, a simulated world's payments decided
// through the API so the figures are real, then Chromium walks the pages (drive.ts). Screenshots
// go to screenshots/console/ (git-ignored).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulate } from '../../src/sim/simulate.js';
import { ROOT } from '../helpers/paths.js';
import { call, feed, startTestServer, type TestServer } from '../server/helpers.js';
import { driveConsole } from './drive.js';

const CONSOLE_INDEX = join(ROOT, 'dist', 'console', 'index.html');
/** Payments sent before the walk: enough for every outcome and a few cases, quick to decide. */
const PAYMENTS = 400;

let srv: TestServer;
let simDir: string;

before(async () => {
  if (!existsSync(CONSOLE_INDEX)) {
    throw new Error(`${CONSOLE_INDEX} is missing: build the console first (\`npm run build:console\`; \`npm install\` / \`npm ci\` run it)`);
  }
  srv = await startTestServer();
  simDir = mkdtempSync(join(tmpdir(), 'fk-console-sim-'));
});

after(async () => {
  await srv?.close();
  if (simDir !== undefined) rmSync(simDir, { recursive: true, force: true });
});

/** Fails at once, saying what is missing, when the server does not serve the console. */
async function assertServesConsole(): Promise<void> {
  const r = await call(srv.url, '/console/');
  assert.equal(r.status, 200, `GET /console/ answered ${r.status}: the server must serve dist/console at /console/ (its consoleDir)`);
  assert.match(r.text, /<div id="root">/);
}

test('the server serves the built console at /console/, without inline script', async () => {
  await assertServesConsole();
  const r = await call(srv.url, '/console/');
  assert.doesNotMatch(r.text, /<script(?![^>]*\bsrc=)[^>]*>/, 'index.html has no inline script');
});

test('analysts sign in, read the overview and the queue; roles and languages show what they should', { timeout: 180_000 }, async () => {
  await assertServesConsole();
  // a simulated world (registrations, then payments in event-time order) decided through the API
  await simulate({ outDir: simDir, seed: 11, accounts: 300, days: 3 });
  const events = readFileSync(join(simDir, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const upTo: Record<string, unknown>[] = [];
  let payments = 0;
  for (const e of events) {
    if (e.type === 'transaction' && ++payments > PAYMENTS) break;
    upTo.push(e);
  }
  const answers = await feed(srv.url, srv.keys.admin, upTo);
  assert.equal(answers.length, PAYMENTS);

  // the case feed is asynchronous: wait until the queue holds cases before the browser looks
  const deadline = Date.now() + 20_000;
  let open = 0;
  while (Date.now() < deadline) {
    const q = await call(srv.url, '/v1/cases?limit=1', { key: srv.keys.analyst });
    assert.equal(q.status, 200);
    open = (q.json.cases as unknown[]).length;
    if (open > 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(open > 0, 'the simulated payments opened cases');

  await driveConsole({ url: srv.url, keys: srv.keys, screenshots: join(ROOT, 'screenshots', 'console') });
});
