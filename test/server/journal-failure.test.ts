// When the journal cannot store a decision, the server must not answer it: the request gets 503
// journal_unavailable, every later request is refused, /healthz says so, and after a restart the
// unstored payment is unknown (nothing answered was lost; nothing unanswered was kept). The failure
// is a real one: another process holds the SQLite file's write lock past the busy timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import BetterSqlite3 from 'better-sqlite3';
import { dbPath } from '../../src/store/sqlite/sqlite-store.js';
import { at, baseWorld, tx } from '../engine/world.js';
import { call, feed, startTestServer } from './helpers.js';

for (const journal of ['inline', 'walsync', 'thread'] as const) {
  test(`a journal that cannot commit refuses the answer and all later work (${journal} writer)`, async () => {
    let fatal: Error | null = null;
    const srv = await startTestServer({ journal, onFatal: (e) => (fatal = e) });
    let closed = false;
    try {
      await feed(srv.url, srv.keys.admin, baseWorld());
      const ok = await call(srv.url, '/v1/decisions', { key: srv.keys.decide, body: tx(1_000, { id: 'stored-1' }) });
      assert.equal(ok.status, 200);

      // another process takes the write lock and keeps it past the server's 5 s busy timeout
      const other = new BetterSqlite3(dbPath(srv.dir));
      other.pragma('busy_timeout = 0');
      other.prepare('BEGIN IMMEDIATE').run();
      let lost;
      try {
        lost = await call(srv.url, '/v1/decisions', { key: srv.keys.decide, body: tx(2_000, { id: 'lost-1' }) });
      } finally {
        other.prepare('ROLLBACK').run();
        other.close();
      }
      assert.equal(lost.status, 503);
      assert.equal(lost.json.error.code, 'journal_unavailable');
      assert.ok(fatal !== null, 'the server reported the journal failure');

      const after = await call(srv.url, '/v1/decisions', { key: srv.keys.decide, body: tx(3_000, { id: 'after-1' }) });
      assert.equal(after.status, 503, 'no new work once the journal failed, even with the lock gone');
      const events = await call(srv.url, '/v1/events', { key: srv.keys.admin, body: { type: 'label', ts: at(3_000), txId: 'stored-1', fraud: true } });
      assert.equal(events.status, 503);
      const health = await call(srv.url, '/healthz');
      assert.equal(health.status, 503);
      assert.deepEqual(health.json, { ok: false });
      const detail = await call(srv.url, '/healthz', { key: srv.keys.analyst });
      assert.equal(detail.status, 503);
      assert.equal(detail.json.status, 'journal_failed');
      const stored = await call(srv.url, '/v1/decisions/stored-1', { key: srv.keys.analyst });
      assert.equal(stored.status, 200, 'what was answered before the failure is still readable');

      await srv.close(true);
      closed = true;
      const again = await startTestServer({ dir: srv.dir, keys: srv.keys, journal });
      try {
        assert.equal((await call(again.url, '/v1/decisions/stored-1', { key: again.keys.analyst })).status, 200);
        assert.equal((await call(again.url, '/v1/decisions/lost-1', { key: again.keys.analyst })).status, 404, 'the unanswered payment was not kept');
        const redo = await call(again.url, '/v1/decisions', { key: again.keys.decide, body: tx(2_000, { id: 'lost-1' }) });
        assert.equal(redo.status, 200, 'the client retry is decided as new');
        assert.equal(redo.headers['fengkong-replayed'], undefined);
      } finally {
        await again.close();
      }
    } finally {
      if (!closed) await srv.close();
    }
  });
}
