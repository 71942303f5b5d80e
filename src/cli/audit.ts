/**
 * `fengkong audit verify --data DIR [--pin SEQ:HASH]`: walks the audit log's hash chain of a data
 * folder, oldest entry first, and says whether it is whole. Exits 0 printing `ok, N entries, head
 * <hash>` (and the head's seq), or 1 naming the first entry that does not match — edited, deleted,
 * inserted or reordered behind Fengkong's back, even with the file's triggers dropped. `--pin` is a
 * head an outside system recorded earlier (`GET /v1/audit/head`): it must still be in the chain,
 * which also catches a forger who recomputed every hash, or entries cut from the end. The file is
 * opened read-only, so verifying never changes the evidence, beside a running server or not.
 * With `--postgres URL [--cluster NAME] [--master-key-file FILE]` it walks a cluster's chain instead
 * (docs/scale-out.md), read through the same port.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ChainVerifier } from '../audit/chain.js';
import type { AuditHead, AuditLog } from '../audit/log.js';
import { StoreError, UsageError } from '../errors.js';
import { dbPath, SqliteStore } from '../store/sqlite/sqlite-store.js';
import { parseArgs } from './args.js';

const USAGE = `fengkong audit verify [--data ./data] [--pin SEQ:HASH] [--json]
       fengkong audit verify --postgres URL [--cluster fengkong] [--master-key-file FILE] [--pin SEQ:HASH] [--json]
  walks the audit log's hash chain: exit 0 "ok, N entries, head <hash>", exit 1 naming the first entry that does not match`;

/** Runs `audit <subcommand>`; resolves to the exit code. */
export async function runAudit(args: string[]): Promise<number> {
  const { positionals, flags } = parseArgs(args, { data: 'string', pin: 'string', json: 'switch', postgres: 'string', cluster: 'string', 'master-key-file': 'string' }, USAGE);
  if (positionals[0] !== 'verify') {
    throw new UsageError(`${positionals[0] === undefined ? 'a subcommand is needed' : `unknown subcommand "${positionals[0]}"`}: expected "audit verify"\nusage: ${USAGE}`);
  }
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"\nusage: ${USAGE}`);
  const rawPin = flags.get('pin') as string | undefined;
  const pin = rawPin === undefined ? undefined : parsePin(rawPin);
  const json = flags.get('json') === true;
  const v = new ChainVerifier(pin);
  const postgres = flags.get('postgres') as string | undefined;
  if (postgres !== undefined) {
    if (flags.has('data')) throw new UsageError(`--data and --postgres name two different audit logs: give one\nusage: ${USAGE}`);
    // loaded here only: the embedded commands never load the PostgreSQL client
    const { openClusterStores } = await import('../wiring/cluster/stores.js');
    const mk = flags.get('master-key-file') as string | undefined;
    const stores = await openClusterStores({ postgres, cluster: (flags.get('cluster') as string | undefined) ?? 'fengkong', ...(mk !== undefined ? { masterKeyFile: mk } : {}) });
    try {
      await walkChain(stores.audit, v);
    } finally {
      await stores.close();
    }
  } else {
    for (const f of ['cluster', 'master-key-file']) {
      if (flags.has(f)) throw new UsageError(`--${f} is for a cluster's audit log: give --postgres URL too\nusage: ${USAGE}`);
    }
    const dataDir = resolve((flags.get('data') as string | undefined) ?? './data');
    if (!existsSync(dbPath(dataDir))) throw new UsageError(`--data ${dataDir}: no fengkong.db there (is it a data folder?)\nusage: ${USAGE}`);
    const store = new SqliteStore(dataDir, { readonly: true });
    try {
      await walkChain(store.audit, v);
    } finally {
      store.close();
    }
  }
  const verdict = v.verdict();
  if (json) {
    process.stdout.write(JSON.stringify(verdict) + '\n');
    return verdict.ok ? 0 : 1;
  }
  if (verdict.ok) {
    process.stdout.write(`ok, ${verdict.entries} entries, head ${verdict.head.hash} (seq ${verdict.head.seq})${pin === undefined ? '' : `, pinned entry ${pin.seq} found`}\n`);
    return 0;
  }
  process.stderr.write(`fengkong audit verify: the chain is broken at entry ${verdict.seq}: ${verdict.reason}\n`);
  return 1;
}

/**
 * Feeds every entry of `log` to `v`, oldest first, through the port of either kind; an entry the
 * store cannot read back fails the chain at its seq instead of ending the walk with an error.
 * Exported so a cluster's log (PostgreSQL) is checked by this same walk.
 */
export async function walkChain(log: AuditLog, v: ChainVerifier): Promise<void> {
  let last = 0;
  try {
    await log.forEachEntry((e) => {
      last = e.seq;
      return v.add(e);
    });
  } catch (e) {
    if (!(e instanceof StoreError)) throw e;
    const seq = /audit entry (\d+)/.exec(e.message)?.[1];
    v.fail(seq === undefined ? last + 1 : Number(seq), e.message.replace(/^\[FK\d+\] /, ''));
  }
}

/** `SEQ:HASH` (as `GET /v1/audit/head` gives them) into a head, refusing anything else. */
function parsePin(raw: string): AuditHead {
  const m = /^(\d+):([0-9a-f]{64})$/.exec(raw);
  if (m === null || !Number.isSafeInteger(Number(m[1]))) {
    throw new UsageError(`--pin must be SEQ:HASH, a seq and a 64-digit lowercase hex hash (e.g. --pin 42:${'ab'.repeat(32)}), got "${raw}"\nusage: ${USAGE}`);
  }
  return { seq: Number(m[1]), hash: m[2] };
}
