/**
 * Webhook subscriptions and their outbox on the data folder's SQLite file, on the store's own
 * connection (the audit log's too). URLs (they often carry a token), secrets and delivery bodies are
 * sealed at rest like every column that names a customer (the secret must be read back to sign, so
 * it is sealed, not hashed).
 * A deleted subscription keeps its row (deleted_at), so its deliveries stay explainable.
 */
import { randomBytes } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import { NotFoundError, StoreError } from '../../errors.js';
import { newSecret } from '../../webhooks/signature.js';
import type { DeliveryState, DueDelivery, NewDelivery, NewWebhook, Webhook, WebhookDelivery, WebhookEventType, WebhookStore } from '../../webhooks/types.js';
import { cryptOf, type Crypt } from './crypt.js';

const DDL = `
CREATE TABLE IF NOT EXISTS webhooks (
  id          TEXT    PRIMARY KEY,
  url         TEXT    NOT NULL,
  events      TEXT    NOT NULL,
  description TEXT,
  secret      TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  created_by  TEXT    NOT NULL,
  deleted_at  INTEGER
) STRICT;
CREATE TABLE IF NOT EXISTS webhook_deliveries (
  id           TEXT    PRIMARY KEY,
  webhook_id   TEXT    NOT NULL REFERENCES webhooks (id),
  event_id     TEXT    NOT NULL,
  type         TEXT    NOT NULL,
  body         TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  attempts     INTEGER NOT NULL DEFAULT 0,
  next_at      INTEGER NOT NULL,
  state        TEXT    NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
  last_status  INTEGER,
  last_error   TEXT,
  delivered_at INTEGER,
  UNIQUE (webhook_id, event_id)
) STRICT;
CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (next_at) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS webhook_deliveries_of ON webhook_deliveries (webhook_id, created_at);
CREATE TABLE IF NOT EXISTS webhook_cursor (
  id        INTEGER PRIMARY KEY CHECK (id = 1),
  audit_seq INTEGER NOT NULL
) STRICT;
`;

interface HookRow {
  id: string;
  url: string;
  events: string;
  description: string | null;
  secret: string;
  created_at: number;
  created_by: string;
}

interface DeliveryRow {
  id: string;
  webhook_id: string;
  event_id: string;
  type: string;
  created_at: number;
  attempts: number;
  next_at: number;
  state: string;
  last_status: number | null;
  last_error: string | null;
  delivered_at: number | null;
}

const HOOK_COLUMNS = 'id, url, events, description, secret, created_at, created_by';
const DELIVERY_COLUMNS = 'id, webhook_id, event_id, type, created_at, attempts, next_at, state, last_status, last_error, delivered_at';

function toHook(r: HookRow, c: Crypt): Webhook {
  return {
    id: r.id,
    url: c.openText(r.url),
    events: JSON.parse(r.events) as WebhookEventType[],
    description: c.openOpt(r.description),
    createdAt: r.created_at,
    createdBy: r.created_by,
  };
}

function toDelivery(r: DeliveryRow): WebhookDelivery {
  return {
    id: r.id,
    webhookId: r.webhook_id,
    eventId: r.event_id,
    type: r.type as WebhookEventType,
    createdAt: r.created_at,
    attempts: r.attempts,
    nextAt: r.next_at,
    state: r.state as DeliveryState,
    lastStatus: r.last_status,
    lastError: r.last_error,
    deliveredAt: r.delivered_at,
  };
}

/** WebhookStore on an open, writable connection. */
export class SqliteWebhookStore implements WebhookStore {
  private readonly crypt: Crypt;
  private readonly insertHook: Statement<[string, string, string, string | null, string, number, string]>;
  private readonly liveHooks: Statement<[], HookRow>;
  private readonly hookById: Statement<[string], HookRow>;
  private readonly markDeleted: Statement<[number, string]>;
  private readonly dropPending: Statement<[number, string]>;
  private readonly readCursor: Statement<[], { audit_seq: number }>;
  private readonly writeCursor: Statement<[number]>;
  private readonly insertDelivery: Statement<[string, string, string, string, string, number, number]>;
  private readonly dueRows: Statement<[number, number], DeliveryRow & { url: string; secret: string; body: string }>;
  private readonly markDelivered: Statement<[number, number, string]>;
  private readonly markFailed: Statement<[number | null, string, number, string, string]>;
  private readonly countStates: Statement<[], { state: string; n: number }>;
  private readonly deliveriesOf: Statement<[{ hook: string; state: string | null; limit: number }], DeliveryRow>;

  constructor(private readonly db: Database) {
    this.crypt = cryptOf(db);
    try {
      db.exec(DDL);
    } catch (e) {
      throw new StoreError(`cannot create the webhook tables: ${(e as Error).message}`, { cause: e });
    }
    this.insertHook = db.prepare(`INSERT INTO webhooks (${HOOK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`);
    this.liveHooks = db.prepare(`SELECT ${HOOK_COLUMNS} FROM webhooks WHERE deleted_at IS NULL ORDER BY created_at, id`);
    this.hookById = db.prepare(`SELECT ${HOOK_COLUMNS} FROM webhooks WHERE id = ? AND deleted_at IS NULL`);
    this.markDeleted = db.prepare('UPDATE webhooks SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL');
    this.dropPending = db.prepare("UPDATE webhook_deliveries SET state = 'dead', last_error = 'webhook deleted', next_at = ? WHERE webhook_id = ? AND state = 'pending'");
    this.readCursor = db.prepare('SELECT audit_seq FROM webhook_cursor WHERE id = 1');
    this.writeCursor = db.prepare('INSERT INTO webhook_cursor (id, audit_seq) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET audit_seq = excluded.audit_seq');
    this.insertDelivery = db.prepare(
      "INSERT OR IGNORE INTO webhook_deliveries (id, webhook_id, event_id, type, body, created_at, next_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')",
    );
    this.dueRows = db.prepare(
      `SELECT d.id, d.webhook_id, d.event_id, d.type, d.created_at, d.attempts, d.next_at, d.state, d.last_status, d.last_error, d.delivered_at, d.body, w.url, w.secret
       FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
       WHERE d.state = 'pending' AND d.next_at <= ? ORDER BY d.next_at, d.created_at LIMIT ?`,
    );
    this.markDelivered = db.prepare("UPDATE webhook_deliveries SET state = 'delivered', attempts = attempts + 1, delivered_at = ?, last_status = ?, last_error = NULL WHERE id = ?");
    this.markFailed = db.prepare(
      "UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = ?, last_error = ?, next_at = ?, state = ? WHERE id = ? AND state = 'pending'",
    );
    this.countStates = db.prepare('SELECT state, count(*) AS n FROM webhook_deliveries GROUP BY state');
    this.deliveriesOf = db.prepare(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = @hook AND (@state IS NULL OR state = @state) ORDER BY created_at DESC, id LIMIT @limit`,
    );
  }

  create(w: NewWebhook): { webhook: Webhook; secret: string } {
    const id = `wh_${randomBytes(6).toString('hex')}`;
    const secret = newSecret();
    this.insertHook.run(id, this.crypt.sealText(w.url), JSON.stringify(w.events), this.crypt.sealOpt(w.description), this.crypt.sealText(secret), w.createdAt, w.createdBy);
    return { webhook: { id, url: w.url, events: [...w.events], description: w.description, createdAt: w.createdAt, createdBy: w.createdBy }, secret };
  }

  list(): Webhook[] {
    return this.liveHooks.all().map((r) => toHook(r, this.crypt));
  }

  get(id: string): Webhook {
    const r = this.hookById.get(id);
    if (r === undefined) throw new NotFoundError(`no webhook '${id}' (GET /v1/webhooks lists them)`);
    return toHook(r, this.crypt);
  }

  remove(id: string, at: number): Webhook {
    const w = this.get(id);
    this.db.transaction(() => {
      this.markDeleted.run(at, id);
      this.dropPending.run(at, id);
    })();
    return w;
  }

  cursor(): number {
    return this.readCursor.get()?.audit_seq ?? 0;
  }

  enqueue(auditSeq: number, deliveries: readonly NewDelivery[]): void {
    this.db.transaction(() => {
      for (const d of deliveries) {
        this.insertDelivery.run(`dlv_${randomBytes(8).toString('hex')}`, d.webhookId, d.eventId, d.type, this.crypt.sealText(d.body), d.createdAt, d.createdAt);
      }
      this.writeCursor.run(auditSeq);
    })();
  }

  due(now: number, limit: number, skip: ReadonlySet<string>): DueDelivery[] {
    const out: DueDelivery[] = [];
    for (const r of this.dueRows.all(now, limit + skip.size)) {
      if (skip.has(r.id)) continue;
      out.push({ ...toDelivery(r), url: this.crypt.openText(r.url), secret: this.crypt.openText(r.secret), body: this.crypt.openText(r.body) });
      if (out.length === limit) break;
    }
    return out;
  }

  delivered(id: string, at: number, status: number): void {
    this.markDelivered.run(at, status, id);
  }

  failed(id: string, at: number, status: number | null, error: string, nextAt: number | null): void {
    this.markFailed.run(status, error.slice(0, 500), nextAt ?? at, nextAt === null ? 'dead' : 'pending', id);
  }

  deliveries(webhookId: string, q: { state?: DeliveryState; limit?: number }): WebhookDelivery[] {
    const limit = Math.min(Math.max(1, Math.trunc(q.limit ?? 100)), 1000);
    return this.deliveriesOf.all({ hook: webhookId, state: q.state ?? null, limit }).map(toDelivery);
  }

  counts(): Record<DeliveryState, number> {
    const out: Record<DeliveryState, number> = { pending: 0, delivered: 0, dead: 0 };
    for (const r of this.countStates.all()) out[r.state as DeliveryState] = r.n;
    return out;
  }
}
