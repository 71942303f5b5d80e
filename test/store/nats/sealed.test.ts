// Journal payloads sealed at rest with the cluster's data key: the raw stored message holds no
// device id, the reader opens it, and a reader without (or with another) key says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { CryptoError, StoreError } from '../../../src/errors.js';
import { Keyring } from '../../../src/crypto/index.js';
import { startJetStreamJournalWriter } from '../../../src/store/nats/journal-writer.js';
import { readJournal } from '../../../src/store/nats/journal-reader.js';
import { SEALED_HEADER } from '../../../src/store/nats/journal-message.js';
import { collect, entries, testCluster } from './harness.js';

test('a sealed journal message holds no device id in its stored bytes, and reads back with the key', async (t) => {
  const c = await testCluster(t);
  const keys = new Keyring(randomBytes(32));
  keys.rotate();
  const w = await startJetStreamJournalWriter({ cluster: c, partition: 0, sealer: keys });
  const written = entries(1, 20);
  await w.write(written);
  await w.close();
  assert.ok(written[0].event.includes('dev-1-secret'));

  const raw = await c.jsm.streams.getMessage(c.names.stream, { last_by_subj: c.names.journalSubject(0) });
  assert.ok(raw !== null);
  const bytes = Buffer.from(raw.data);
  assert.equal(raw.header.get(SEALED_HEADER), '1');
  for (const e of written) {
    assert.equal(bytes.includes(`dev-${e.seq}-secret`), false, `device id of entry ${e.seq} is not in the stored bytes`);
    if (e.txId !== null) assert.equal(bytes.includes(e.txId), false);
  }
  assert.equal(bytes.includes('secret'), false);

  assert.deepEqual(await collect(readJournal(c, 0, { sealer: keys })), written);
  await assert.rejects(collect(readJournal(c, 0)), (e: Error) => e instanceof StoreError && /is sealed/.test(e.message));
  const otherKeys = new Keyring(randomBytes(32));
  otherKeys.rotate();
  otherKeys.rotate();
  await assert.rejects(collect(readJournal(c, 0, { sealer: otherKeys })), CryptoError);
});

test('without a sealer the payload is the packed entries in clear', async (t) => {
  const c = await testCluster(t);
  const w = await startJetStreamJournalWriter({ cluster: c, partition: 0 });
  await w.write(entries(1, 2));
  const raw = await c.jsm.streams.getMessage(c.names.stream, { last_by_subj: c.names.journalSubject(0) });
  assert.ok(raw !== null && Buffer.from(raw.data).includes('dev-1-secret'));
  assert.equal(raw.header.has(SEALED_HEADER), false);
});
