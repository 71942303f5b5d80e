/**
 * The cluster schema's migrations, in order. Append only: a migration that ran on some cluster is
 * never edited or renumbered — a change is a new migration — because schema_version records numbers,
 * not contents.
 */

/** One step of the schema: its number (1, 2, … without gaps), a name for humans, and its SQL. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Every migration this version of fengkong knows. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'data keys',
    // the cluster's data keys, each wrapped by the master key (src/crypto/keyring.ts): the database alone opens nothing
    sql: `
CREATE TABLE data_keys (
  id         integer     PRIMARY KEY CHECK (id > 0),
  wrapped    bytea       NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);`,
  },
  {
    version: 2,
    name: 'api keys',
    // as the SQLite file's api_keys (store/sqlite/schema.ts, version 4): only a key's hash is kept; times are epoch ms
    sql: `
CREATE TABLE api_keys (
  hash          text             PRIMARY KEY,
  role          text             NOT NULL CHECK (role IN ('decide', 'ingest', 'analyst', 'admin', 'support', 'metrics')),
  created_at    bigint           NOT NULL,
  name          text,
  revoked_at    bigint,
  revoked_by    text,
  revoke_reason text,
  rate          double precision CHECK (rate IS NULL OR rate > 0)
);
CREATE INDEX api_keys_created ON api_keys (created_at, hash);`,
  },
  {
    version: 3,
    name: 'audit log',
    // as the SQLite file's audit_log (store/sqlite/audit.ts): snapshots as JSON text (what the chain hashes,
    // parsed), times epoch ms; append-only enforced by the database itself, TRUNCATE included
    sql: `
CREATE TABLE audit_log (
  seq       bigint PRIMARY KEY CHECK (seq > 0),
  at        bigint NOT NULL,
  actor     text   NOT NULL,
  action    text   NOT NULL,
  target    text   NOT NULL,
  before    text,
  after     text,
  prev_hash text   NOT NULL,
  hash      text   NOT NULL UNIQUE
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_no_rewrite BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();`,
  },
  {
    version: 4,
    name: 'lists',
    // as the SQLite file's lists (store/sqlite/schema.ts, LISTS_DDL), but every entry kept by its token (the
    // cluster's HMAC of kind and value) with the value and the reason sealed beside it: no clear value or
    // free text in the table; lists_version counts committed changes, and its row lock orders them
    sql: `
CREATE TABLE lists (
  name        text    PRIMARY KEY,
  kind        text    NOT NULL CHECK (kind IN ('account', 'device', 'merchant', 'terminal', 'ip', 'string')),
  purpose     text    NOT NULL CHECK (purpose IN ('block', 'allow', 'watch')),
  description text    NOT NULL,
  created_by  text    NOT NULL,
  created_at  bigint  NOT NULL,
  builtin     boolean NOT NULL
);
CREATE TABLE list_entries (
  list        text   NOT NULL REFERENCES lists (name) ON DELETE CASCADE,
  token       text   NOT NULL,
  sealed      text   NOT NULL,
  reason      text   NOT NULL,
  author      text   NOT NULL,
  added_at    bigint NOT NULL,
  expires_at  bigint,
  PRIMARY KEY (list, token)
);
CREATE INDEX list_entries_expiry ON list_entries (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE lists_version (
  id      integer PRIMARY KEY CHECK (id = 1),
  version bigint  NOT NULL
);
INSERT INTO lists_version (id, version) VALUES (1, 0);`,
  },
  {
    version: 5,
    name: 'policies',
    // as the SQLite file's policy tables (store/sqlite/policies.ts, with the four-eyes mode columns); the
    // texts people write about a decision (proposal notes, reasons) are sealed, the policy itself is not
    sql: `
CREATE TABLE policy_models (
  hash text PRIMARY KEY,
  json text NOT NULL
);
CREATE TABLE policy_versions (
  version     integer PRIMARY KEY CHECK (version > 0),
  parent      integer REFERENCES policy_versions (version),
  name        text    NOT NULL,
  author      text    NOT NULL,
  created_at  bigint  NOT NULL,
  description text    NOT NULL,
  sources     text    NOT NULL,
  model_hash  text    REFERENCES policy_models (hash),
  state       text    NOT NULL CHECK (state IN ('draft', 'proposed', 'rejected', 'live', 'retired'))
);
CREATE TABLE policy_proposals (
  id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  version     integer NOT NULL REFERENCES policy_versions (version),
  proposed_by text    NOT NULL,
  proposed_at bigint  NOT NULL,
  note        text    NOT NULL,
  state       text    NOT NULL CHECK (state IN ('open', 'approved', 'published', 'rejected', 'cancelled')),
  decided_by  text,
  decided_at  bigint,
  reason      text
);
CREATE INDEX policy_proposals_version ON policy_proposals (version);
CREATE TABLE policy_publications (
  seq          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  version      integer NOT NULL REFERENCES policy_versions (version),
  kind         text    NOT NULL CHECK (kind IN ('import', 'publish', 'rollback')),
  from_version integer,
  actor        text    NOT NULL,
  proposed_by  text,
  proposal_id  integer,
  at           bigint  NOT NULL,
  journal_seq  bigint  NOT NULL,
  reason       text
);
CREATE TABLE policy_modes (
  name                 text    PRIMARY KEY,
  description          text    NOT NULL,
  rules                text    NOT NULL,
  created_by           text    NOT NULL,
  created_at           bigint  NOT NULL,
  updated_by           text    NOT NULL,
  updated_at           bigint  NOT NULL,
  active               boolean NOT NULL,
  active_since         bigint,
  active_by            text,
  approved_by          text,
  approved_at          bigint,
  approved_proposer    text,
  proposed_description text,
  proposed_rules       text,
  proposed_by          text,
  proposed_at          bigint
);`,
  },
  {
    version: 6,
    name: 'cases',
    // as the SQLite file's case tables (store/sqlite/cases.ts): one unresolved case per subject and issue
    // (partial unique index), an item's ref unique within its case; the free texts (item notes and
    // details, case notes) sealed; amounts in fen and times in epoch ms as bigint. The case_feed row is
    // made by the first store opened on the schema (PgCaseStore.open), which is how a store knows it is fresh
    sql: `
CREATE TABLE cases (
  id             integer          PRIMARY KEY CHECK (id > 0),
  subject_kind   text             NOT NULL CHECK (subject_kind IN ('account', 'merchant', 'terminal')),
  subject_id     text             NOT NULL,
  issue          text             NOT NULL,
  status         text             NOT NULL CHECK (status IN ('open', 'investigating', 'resolved')),
  risk           double precision NOT NULL,
  amount         bigint           NOT NULL,
  priority       double precision NOT NULL,
  assignee       text,
  opened_at      bigint           NOT NULL,
  opened_by      text             NOT NULL,
  updated_at     bigint           NOT NULL,
  item_count     integer          NOT NULL,
  resolution     text             CHECK (resolution IN ('fraud', 'legitimate')),
  typology       text,
  resolved_at    bigint,
  resolved_by    text,
  labels         integer,
  labels_pending boolean          NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX cases_open_subject ON cases (subject_kind, subject_id, issue) WHERE status <> 'resolved';
CREATE INDEX cases_queue ON cases (status, priority DESC, opened_at, id);
CREATE INDEX cases_subject ON cases (subject_kind, subject_id);
CREATE TABLE case_items (
  case_id integer          NOT NULL REFERENCES cases (id),
  n       integer          NOT NULL,
  kind    text             NOT NULL CHECK (kind IN ('decision', 'appeal', 'detector', 'analyst')),
  ref     text,
  tx_id   text,
  risk    double precision NOT NULL,
  amount  bigint           NOT NULL,
  note    text,
  actor   text             NOT NULL,
  at      bigint           NOT NULL,
  detail  text,
  PRIMARY KEY (case_id, n)
);
CREATE UNIQUE INDEX case_items_ref ON case_items (case_id, ref) WHERE ref IS NOT NULL;
CREATE TABLE case_notes (
  case_id integer NOT NULL REFERENCES cases (id),
  n       integer NOT NULL,
  author  text    NOT NULL,
  at      bigint  NOT NULL,
  text    text    NOT NULL,
  PRIMARY KEY (case_id, n)
);
CREATE TABLE case_history (
  case_id integer NOT NULL REFERENCES cases (id),
  n       integer NOT NULL,
  at      bigint  NOT NULL,
  actor   text    NOT NULL,
  action  text    NOT NULL,
  from_v  text,
  to_v    text,
  PRIMARY KEY (case_id, n)
);
CREATE TABLE case_feed (
  id  integer PRIMARY KEY CHECK (id = 1),
  seq bigint  NOT NULL
);`,
  },
  {
    version: 7,
    name: 'merchant actions',
    // as the SQLite file's merchant_actions (store/sqlite/merchants.ts): never deleted, a release closes a
    // row; at most one open hold per merchant and one open suspension per terminal (partial unique
    // indexes, so two nodes taking the same one at once get one row); ids 1, 2, 3, … numbered under the
    // cluster's merchants lock (a rolled-back action leaves no gap, as SQLite's rowid); reasons sealed
    sql: `
CREATE TABLE merchant_actions (
  id             integer PRIMARY KEY CHECK (id > 0),
  merchant_id    text   NOT NULL,
  action         text   NOT NULL CHECK (action IN ('hold_settlement', 'suspend_terminal')),
  terminal_id    text,
  reason         text   NOT NULL,
  actor          text   NOT NULL,
  created_at     bigint NOT NULL,
  from_seq       bigint NOT NULL,
  expires_at     bigint,
  released_at    bigint,
  released_by    text,
  release_reason text,
  to_seq         bigint,
  CHECK ((action = 'suspend_terminal') = (terminal_id IS NOT NULL))
);
CREATE UNIQUE INDEX merchant_actions_open_hold ON merchant_actions (merchant_id) WHERE action = 'hold_settlement' AND released_at IS NULL;
CREATE UNIQUE INDEX merchant_actions_open_suspension ON merchant_actions (terminal_id) WHERE action = 'suspend_terminal' AND released_at IS NULL;
CREATE INDEX merchant_actions_merchant ON merchant_actions (merchant_id, id);`,
  },
  {
    version: 8,
    name: 'account actions and appeals, journal projection',
    // as the SQLite file's account_actions and account_appeals (store/sqlite/accounts.ts): append-only,
    // enforced by the database for both (TRUNCATE included); action ids 1, 2, 3, … numbered under the
    // cluster's accounts lock, appeal ids given by the caller; reasons and appeal texts sealed. And the
    // journal projection of docs/scale-out.md, filled by the projector (wiring/cluster/projector.ts) and
    // read by the account views and GET /v1/decisions/{id}: events sealed as in the SQLite journal, one
    // row per transaction id
    sql: `
CREATE TABLE account_actions (
  id          integer PRIMARY KEY CHECK (id > 0),
  account_id  text    NOT NULL,
  action      text    NOT NULL CHECK (action IN ('freeze', 'unfreeze', 'lower_limit', 'restore_limit', 'require_step_up', 'lift_step_up', 'restore')),
  reason      text    NOT NULL,
  author      text    NOT NULL,
  at          bigint  NOT NULL,
  expires_at  bigint,
  limit_fen   bigint  CHECK (limit_fen IS NULL OR limit_fen >= 0),
  journal_seq bigint  NOT NULL
);
CREATE INDEX account_actions_account ON account_actions (account_id, id);
CREATE INDEX account_actions_order ON account_actions (journal_seq, id);
CREATE TABLE account_appeals (
  id         integer PRIMARY KEY CHECK (id > 0),
  account_id text    NOT NULL,
  tx_id      text,
  text       text    NOT NULL,
  author     text    NOT NULL,
  at         bigint  NOT NULL,
  case_id    text
);
CREATE INDEX account_appeals_account ON account_appeals (account_id, id);
CREATE FUNCTION account_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'account actions and appeals are append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER account_actions_no_rewrite BEFORE UPDATE OR DELETE ON account_actions FOR EACH ROW EXECUTE FUNCTION account_history_append_only();
CREATE TRIGGER account_actions_no_truncate BEFORE TRUNCATE ON account_actions FOR EACH STATEMENT EXECUTE FUNCTION account_history_append_only();
CREATE TRIGGER account_appeals_no_rewrite BEFORE UPDATE OR DELETE ON account_appeals FOR EACH ROW EXECUTE FUNCTION account_history_append_only();
CREATE TRIGGER account_appeals_no_truncate BEFORE TRUNCATE ON account_appeals FOR EACH STATEMENT EXECUTE FUNCTION account_history_append_only();
CREATE TABLE journal (
  partition   integer NOT NULL CHECK (partition >= 0),
  seq         bigint  NOT NULL CHECK (seq > 0),
  tx_id       text,
  type        text    NOT NULL,
  event       text    NOT NULL,
  decision    text,
  received_at bigint  NOT NULL,
  PRIMARY KEY (partition, seq)
);
CREATE UNIQUE INDEX journal_tx_id ON journal (tx_id) WHERE tx_id IS NOT NULL;`,
  },
  {
    version: 9,
    name: 'backtests',
    // as the SQLite file's policy_backtests (store/sqlite/backtests.ts): ids 1, 2, 3, … in request order,
    // numbered under the cluster's backtests lock (no gap, as SQLite's AUTOINCREMENT after a commit);
    // params, error, summary and report as the JSON text SQLite keeps (text, not jsonb: kept as written,
    // and a \u0000 in a message stays storable); nothing sealed, as in SQLite; times epoch ms
    sql: `
CREATE TABLE policy_backtests (
  id           bigint  PRIMARY KEY CHECK (id > 0),
  version      integer NOT NULL,
  state        text    NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
  params       text    NOT NULL,
  requested_by text    NOT NULL,
  requested_at bigint  NOT NULL,
  started_at   bigint,
  finished_at  bigint,
  error        text,
  summary      text,
  report       text
);
CREATE INDEX policy_backtests_version ON policy_backtests (version, id);
CREATE INDEX policy_backtests_open ON policy_backtests (id) WHERE state IN ('queued', 'running');`,
  },
  {
    version: 10,
    name: 'partition snapshots',
    // docs/scale-out.md, "Followers and takeover": an engine snapshot of one partition at journal
    // entry `seq` (the JetStream message holding it is `stream_seq`), the snapshot file's bytes as the
    // embedded store writes them (clear header, body sealed with the cluster's data keys). A node
    // starts from the newest usable one and replays only the journal after it
    sql: `
CREATE TABLE partition_snapshots (
  partition  integer NOT NULL CHECK (partition >= 0),
  seq        bigint  NOT NULL CHECK (seq > 0),
  stream_seq bigint  NOT NULL CHECK (stream_seq > 0),
  created_at bigint  NOT NULL,
  writer     text    NOT NULL,
  bytes      bytea   NOT NULL,
  PRIMARY KEY (partition, seq)
);`,
  },
  {
    version: 11,
    name: 'shadows',
    // as SQLite's shadow.db (store/sqlite/shadow.ts): shadow runs and their compared decisions. Run ids
    // 1, 2, 3, … numbered under the cluster's shadows lock (gap-free, in creation order); summaries and
    // reason lists as JSON text; times and seqs epoch ms / journal seqs. Nothing sealed, as in SQLite:
    // ids, amounts, outcomes, scores and reason codes, no event (docs/security.md, Encryption at rest)
    sql: `
CREATE TABLE shadow_runs (
  run           integer PRIMARY KEY CHECK (run > 0),
  version       integer NOT NULL,
  policy        text    NOT NULL,
  started_at    bigint  NOT NULL,
  started_by    text    NOT NULL,
  start_seq     bigint  NOT NULL,
  running_since bigint,
  stopped_at    bigint,
  stopped_by    text,
  stop_reason   text,
  summary       text,
  resume        boolean NOT NULL DEFAULT false,
  resumed_from  integer
);
CREATE INDEX shadow_runs_version ON shadow_runs (version, run);
CREATE TABLE shadow_decisions (
  run            integer          NOT NULL,
  version        integer          NOT NULL,
  seq            bigint           NOT NULL,
  tx_id          text             NOT NULL,
  t              bigint           NOT NULL,
  amount         bigint           NOT NULL,
  live_policy    text             NOT NULL,
  live_outcome   text             NOT NULL,
  live_score     double precision NOT NULL,
  live_reasons   text             NOT NULL,
  shadow_outcome text             NOT NULL,
  shadow_score   double precision NOT NULL,
  shadow_reasons text             NOT NULL,
  changed        boolean          NOT NULL,
  label          boolean,
  PRIMARY KEY (run, seq)
);
CREATE INDEX shadow_decisions_changed ON shadow_decisions (run, seq) WHERE changed;`,
  },
  {
    version: 12,
    name: 'publications placed in the journal',
    // docs/scale-out.md, "Control entries": on a cluster a publication (or rollback) is recorded
    // first and placed in the partition's journal by its owner afterwards — after warming new windows
    // if it needs them — so its journal position is unknown (null) until then
    sql: `ALTER TABLE policy_publications ALTER COLUMN journal_seq DROP NOT NULL;`,
  },
  {
    version: 13,
    name: 'control placements',
    // docs/scale-out.md, "Control entries": an account or merchant action recorded on any node (a
    // merchant action twice: opened, then released) is placed in its partition's journal by the
    // partition's owner; one row per placement (the first stands). The actions' rows stay as they
    // are; what has no row here is still to be placed
    sql: `
CREATE TABLE control_placements (
  kind        text    NOT NULL CHECK (kind IN ('account_action', 'merchant_action', 'merchant_release')),
  ref         bigint  NOT NULL,
  partition   integer NOT NULL CHECK (partition >= 0),
  journal_seq bigint  NOT NULL CHECK (journal_seq > 0),
  placed_at   bigint  NOT NULL,
  PRIMARY KEY (kind, ref, partition)
);`,
  },
  {
    version: 14,
    name: 'payments by account and merchant in the projection',
    // the account and merchant pages of a cluster node list payments from the journal projection:
    // each transaction row carries equality tokens of its account and merchant code (keyed HMAC, 16
    // bytes: no id in clear beside the sealed event, and small indexes). Rows projected before this
    // migration carry none and are not listed
    sql: `
ALTER TABLE journal ADD COLUMN account_token bytea, ADD COLUMN merchant_token bytea;
CREATE INDEX journal_account ON journal (account_token, partition, seq) WHERE account_token IS NOT NULL;
CREATE INDEX journal_merchant ON journal (merchant_token, partition, seq) WHERE merchant_token IS NOT NULL;`,
  },
  {
    version: 15,
    name: 'partitions',
    // docs/scale-out.md, "Partitions": a cluster's partition count, fixed by its first node (a row of
    // cluster_settings); each account action carries its account's partition, whose owner alone
    // places it (rows of a one-partition cluster are all partition 0)
    sql: `
CREATE TABLE cluster_settings (
  name  text PRIMARY KEY,
  value text NOT NULL
);
ALTER TABLE account_actions ADD COLUMN partition integer NOT NULL DEFAULT 0 CHECK (partition >= 0);
CREATE INDEX account_actions_partition ON account_actions (partition, id);`,
  },
];
