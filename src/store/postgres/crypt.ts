/**
 * Encryption at rest on the PostgreSQL adapters' boundary, the twin of store/sqlite/crypt.ts: ports
 * keep clear values in memory; the adapters seal personal columns as they write and open them as
 * they read, in the same encoding (src/crypto/sealed-text.ts). The cluster's data keys live wrapped
 * in its `data_keys` table, the master key in a file outside the database that every node is given.
 * Tokens are scoped to the cluster, so two clusters sharing a master key share no token.
 */
import type { PayloadSealer } from '../../log/payload-sealer.js';
import {
  encodeSealedText, isSealedText, Keyring, loadOrCreateMasterKey, MASTER_KEY_ENV, namedKeyId, newDataKey, newMasterKeyNotice, sealedTextBytes,
  tokenText, unlockKeyring, wrapDataKey, wrongMasterKey, type WrappedKey,
} from '../../crypto/index.js';
import { ConfigError, CryptoError } from '../../errors.js';
import type { PoolClient } from 'pg';
import { migrate } from './migrate.js';
import type { PgCluster } from './pool.js';
import { underLock } from './tx.js';

/** How often, at most, sealing looks for a data key rotated in by another node. */
const REFRESH_MS = 2000;

/**
 * The master key file of a cluster: the one given (`--master-key-file`), else
 * FENGKONG_MASTER_KEY_FILE. There is no default: a cluster has no data folder to put one in, and
 * every node must be given the same file.
 */
export function clusterMasterKeyFile(given?: string): string {
  const file = given !== undefined && given !== '' ? given : process.env[MASTER_KEY_ENV];
  if (file === undefined || file === '') {
    throw new ConfigError(
      `a cluster needs its master key file, kept outside the database and the same on every node: give --master-key-file or set ${MASTER_KEY_ENV} (the file is created when the cluster has no data key yet)`,
    );
  }
  return file;
}

async function readWrapped(q: PgCluster['pool'] | PoolClient, above: number): Promise<WrappedKey[]> {
  const r = await q.query<{ id: number; wrapped: Buffer }>('SELECT id, wrapped FROM data_keys WHERE id > $1 ORDER BY id', [above]);
  return r.rows.map((row) => ({ id: row.id, wrapped: row.wrapped }));
}

/** How errors name the owner of a cluster's data keys. */
function whoseKeys(pg: PgCluster): string {
  return `schema ${pg.schema} on ${pg.where}`;
}

/** Seals and opens column values of one cluster and makes its equality tokens. */
export class PgCrypt {
  private lastRefresh = Date.now();
  private refreshing: Promise<void> | null = null;

  private constructor(
    private readonly pg: PgCluster,
    private readonly ring: Keyring,
    private readonly master: Buffer,
    /** The master key file, named by errors. */
    readonly masterKeyFile: string,
  ) {}

  /**
   * The Crypt of cluster `pg`: migrates the schema, loads the master key (creating the file, with
   * one stderr line, only when the cluster has no data key yet) and the data keys, and creates the
   * first data key when there is none — once, however many nodes start together. A master key that
   * is not the cluster's is a CryptoError naming the file.
   */
  static async open(pg: PgCluster, opts: { masterKeyFile?: string } = {}): Promise<PgCrypt> {
    const file = clusterMasterKeyFile(opts.masterKeyFile);
    await migrate(pg);
    const stored = await readWrapped(pg.pool, 0);
    const { key, created } = loadOrCreateMasterKey(file, stored.length === 0);
    if (created) process.stderr.write(`${newMasterKeyNotice(file)}\n`);
    const crypt = new PgCrypt(pg, unlockKeyring(file, key, stored, whoseKeys(pg), pg.cluster), key, file);
    if (crypt.ring.activeId === null) await crypt.addKey(true);
    return crypt;
  }

  private get whose(): string {
    return whoseKeys(this.pg);
  }

  /** The id of the data key that seals now. */
  get activeId(): number {
    const id = this.ring.activeId;
    if (id === null) throw new CryptoError(`no data key in schema ${this.pg.schema}`);
    return id;
  }

  /** `text` sealed for a text column (marker + base64, as in SQLite). */
  sealText(text: string): string {
    this.maybeRefresh();
    return encodeSealedText(this.ring, text);
  }

  /** sealText of a nullable column. */
  sealOpt(text: string | null): string | null {
    return text === null ? null : this.sealText(text);
  }

  /** `plain` sealed for a bytea column (the sealed bytes themselves: such a column is never clear). */
  sealBytes(plain: Buffer): Buffer {
    this.maybeRefresh();
    return this.ring.seal(plain);
  }

  /** The clear text of a column value; a value without the marker is returned as it is. */
  async openText(stored: string): Promise<string> {
    if (!isSealedText(stored)) return stored;
    return (await this.openBytes(sealedTextBytes(stored))).toString('utf8');
  }

  /** openText of a nullable column. */
  async openOpt(stored: string | null): Promise<string | null> {
    return stored === null ? null : this.openText(stored);
  }

  /** The clear bytes of a sealed bytea value; a key rotated in by another node is fetched first. */
  async openBytes(sealed: Buffer): Promise<Buffer> {
    const id = namedKeyId(sealed);
    if (id !== null && !this.ring.has(id)) await this.refresh();
    return this.ring.open(sealed);
  }

  /**
   * The cluster's data keys as the journal's payload sealer (JetStream messages, docs/scale-out.md):
   * every node holds the same keys, so any follower opens what any owner sealed. Opening is
   * synchronous — a reader on the journal cannot wait per message — so a message sealed with a key
   * rotated in since this node last looked fails to open (a CryptoError naming the key); the reader
   * then calls `refresh()` and reads it again.
   */
  payloadSealer(): PayloadSealer {
    return { seal: (b) => this.sealBytes(b), open: (b) => this.ring.open(b) };
  }

  /** The equality token of `value` of `kind` in this cluster (HMAC under a key derived from the master key). */
  token(kind: string, value: string): string {
    return tokenText(this.ring, kind, value);
  }

  /** The equality token of `value` of `kind` as 16 raw bytes (see Keyring.tokenBytes). */
  tokenBytes(kind: string, value: string): Buffer {
    return this.ring.tokenBytes(kind, value);
  }

  /** Adds the data keys rotated in by other nodes since the last look; concurrent calls share one query. */
  refresh(): Promise<void> {
    this.lastRefresh = Date.now();
    this.refreshing ??= (async () => {
      try {
        this.addStored(await readWrapped(this.pg.pool, this.ring.activeId ?? 0));
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  /**
   * Adds a new active data key (`fengkong keys rotate-data` on a cluster): other nodes seal with it
   * within REFRESH_MS and open with it at once; values sealed before keep their key and stay readable.
   */
  rotate(): Promise<number> {
    return this.addKey(false);
  }

  /**
   * Stores a data key one above the highest, under the cluster's lock; `onlyIfNone` makes it the
   * first key only when no node stored one meanwhile. The keyring takes the key after the commit,
   * so nothing is ever sealed with a key the database does not hold.
   */
  private async addKey(onlyIfNone: boolean): Promise<number> {
    const w = await underLock(this.pg.pool, this.pg.schema, 'data-keys', async (c) => {
      const newer = await readWrapped(c, this.ring.activeId ?? 0);
      this.addStored(newer);
      if (onlyIfNone && this.ring.activeId !== null) return null;
      const max = await c.query<{ m: number | null }>('SELECT max(id) AS m FROM data_keys');
      const wrapped = wrapDataKey(this.master, newDataKey((max.rows[0]?.m ?? 0) + 1));
      await c.query('INSERT INTO data_keys (id, wrapped) VALUES ($1, $2)', [wrapped.id, wrapped.wrapped]);
      return wrapped;
    });
    if (w !== null) this.addStored([w]);
    return this.activeId;
  }

  /** Keys read from the table into the keyring; keys another master key wrapped are wrongMasterKey. */
  private addStored(wrapped: readonly WrappedKey[]): void {
    try {
      this.ring.add(wrapped);
    } catch (e) {
      throw wrongMasterKey(this.masterKeyFile, this.whose, e);
    }
  }

  private maybeRefresh(): void {
    if (this.refreshing === null && Date.now() - this.lastRefresh >= REFRESH_MS) {
      // sealing with the previous key meanwhile is correct (it stays readable); a failed look is retried on the next one
      this.refresh().catch(() => undefined);
    }
  }
}
