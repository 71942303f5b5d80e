/**
 * The policy of a cluster (docs/scale-out.md, "Control entries"): what the risk team publishes is
 * recorded in PostgreSQL (versions, publications, incident modes — the same PolicyStore the embedded
 * server keeps in SQLite), and the owner of a partition places it in the partition's journal as a
 * `control` entry naming the version and the overlays on. Every node applies the entry at its
 * position — the owner deciding, followers' replicas, a takeover's catch-up, a rebuild — so a
 * publication takes effect between the same two payments everywhere, and a node that takes over
 * decides with exactly what the old owner decided with.
 */
import { basename, resolve } from 'node:path';
import { DEFAULT_POLICY_DIR } from '../../engine/policy-source.js';
import { asStored, readModel } from '../../policy/boot.js';
import { readPolicyDir } from '../../rules/load.js';
import type { PgAuditLog } from '../../store/postgres/audit.js';
import type { PgPolicyStore } from '../../store/postgres/policies.js';
import type { EngineInput } from '../../engine/inputs.js';
import { AccountRestriction } from '../../features/account-restriction.js';
import { StoreError } from '../../errors.js';
import { checkModelFits, compileVersion, runnableKey, type CompiledCache, type Overlay, type Runnable } from '../../policy/compiled.js';

/** What a control entry carries: the policy that decides from the next entry on. */
export interface PolicyControl {
  readonly control: 'policy';
  /** The publication it places (PostgreSQL `policy_publications.seq`). */
  readonly publication: number;
  readonly version: number;
  /** The incident overlays on, in the order they were switched on, with the rules that decide. */
  readonly overlays: readonly Overlay[];
}

/**
 * A control entry that changes an engine input (engine/inputs.ts), placed by the partition's owner:
 * an account's restrictions after an action (the whole folded state), or a merchant's settlement
 * hold or a terminal's suspension, opened or lifted (each by its action's id). Placing one twice
 * changes nothing.
 */
export interface InputControl {
  readonly control: 'input';
  /** The record it places: an account action, a merchant action opened, or one released (`ref`: its id). */
  readonly source: InputSource;
  readonly ref: number;
  readonly input: EngineInput;
}

/** What an input entry places. */
export type InputSource = 'account_action' | 'merchant_action' | 'merchant_release';

const INPUT_SOURCES: readonly string[] = ['account_action', 'merchant_action', 'merchant_release'];

/** A restriction's time or amount as JSON carries it: NaN (none) is null, Infinity (no expiry) "inf". */
type WireNumber = number | 'inf' | null;

const toWire = (x: number): WireNumber => (Number.isNaN(x) ? null : x === Infinity ? 'inf' : x);

function fromWire(x: unknown, seq: number): number {
  if (x === null) return NaN;
  if (x === 'inf') return Infinity;
  if (typeof x === 'number' && Number.isFinite(x)) return x;
  throw new StoreError(`journal entry ${seq}: a restriction field is ${JSON.stringify(x)} (expected a number, "inf" or null)`);
}

/** Two controls with one key decide alike: same version, same overlays with the same rules. */
export function controlKey(c: PolicyControl): string {
  return runnableKey(c.version, c.overlays) + '\u0000' + c.overlays.map((o) => o.rules).join('\u0000');
}

/** The entry text of a control (the journal entry's `event`). */
export function controlText(c: PolicyControl): string {
  return JSON.stringify({ control: 'policy', publication: c.publication, version: c.version, overlays: c.overlays.map((o) => ({ name: o.name, rules: o.rules })) });
}

/**
 * The entry text of an input control. Times are written explicitly: JSON would turn "no expiry"
 * (Infinity) and "none" (NaN) both into null, and every other node would then read a freeze or a
 * suspension as lifted.
 */
export function inputControlText(c: InputControl): string {
  const i = c.input;
  let input: Record<string, unknown>;
  switch (i.kind) {
    case 'restrict_account': {
      const r = i.restriction;
      const restriction = r === null ? null : { frozenUntil: toWire(r.frozenUntil), stepUpUntil: toWire(r.stepUpUntil), limitCap: toWire(r.limitCap), limitUntil: toWire(r.limitUntil) };
      input = { kind: i.kind, accountId: i.accountId, restriction };
      break;
    }
    case 'hold_settlement':
      input = { kind: i.kind, merchantId: i.merchantId, control: { id: i.control.id, expiresAt: toWire(i.control.expiresAt) } };
      break;
    case 'suspend_terminal':
      input = { kind: i.kind, terminalId: i.terminalId, control: { id: i.control.id, expiresAt: toWire(i.control.expiresAt) } };
      break;
    case 'release_settlement':
      input = { kind: i.kind, merchantId: i.merchantId, id: i.id };
      break;
    case 'release_terminal':
      input = { kind: i.kind, terminalId: i.terminalId, id: i.id };
      break;
    case 'rule_action_stored':
      throw new RangeError('a rule action being stored concerns only the engine that took it; it is never placed in the journal');
  }
  return JSON.stringify({ control: 'input', source: c.source, ref: c.ref, input });
}

/** Reads an `input` entry's text; a StoreError naming the entry when it is not one this version knows. */
export function parseInputControl(text: string, seq: number): InputControl {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    throw new StoreError(`journal entry ${seq} is an input entry that does not parse: ${(e as Error).message}`, { cause: e });
  }
  const c = o as { control?: unknown; source?: unknown; ref?: unknown; input?: Record<string, unknown> } | null;
  const unknown = (): never => {
    throw new StoreError(`journal entry ${seq} is an input entry this version of fengkong does not know (expected {control: "input", source, ref, input: {kind, …}})`);
  };
  if (c === null || typeof c !== 'object' || c.control !== 'input' || typeof c.source !== 'string' || !INPUT_SOURCES.includes(c.source) || !Number.isInteger(c.ref)) return unknown();
  const i = c.input;
  if (i === null || typeof i !== 'object') return unknown();
  const str = (k: string): string => (typeof i[k] === 'string' ? (i[k] as string) : unknown());
  const id = (x: unknown): number => (Number.isInteger(x) ? (x as number) : unknown());
  const control = (): { id: number; expiresAt: number } => {
    const x = i.control as Record<string, unknown> | null;
    if (x === null || typeof x !== 'object') return unknown();
    return { id: id(x.id), expiresAt: fromWire(x.expiresAt, seq) };
  };
  let input: EngineInput;
  switch (i.kind) {
    case 'restrict_account': {
      const r = i.restriction as Record<string, unknown> | null | undefined;
      if (r === undefined || typeof r !== 'object') return unknown();
      let restriction: AccountRestriction | null = null;
      if (r !== null) {
        restriction = new AccountRestriction();
        restriction.frozenUntil = fromWire(r.frozenUntil, seq);
        restriction.stepUpUntil = fromWire(r.stepUpUntil, seq);
        restriction.limitCap = fromWire(r.limitCap, seq);
        restriction.limitUntil = fromWire(r.limitUntil, seq);
      }
      input = { kind: 'restrict_account', accountId: str('accountId'), restriction };
      break;
    }
    case 'hold_settlement':
      input = { kind: 'hold_settlement', merchantId: str('merchantId'), control: control() };
      break;
    case 'suspend_terminal':
      input = { kind: 'suspend_terminal', terminalId: str('terminalId'), control: control() };
      break;
    case 'release_settlement':
      input = { kind: 'release_settlement', merchantId: str('merchantId'), id: id(i.id) };
      break;
    case 'release_terminal':
      input = { kind: 'release_terminal', terminalId: str('terminalId'), id: id(i.id) };
      break;
    default:
      return unknown();
  }
  return { control: 'input', source: c.source as InputSource, ref: c.ref as number, input };
}

/** Reads a policy control entry's text; a StoreError naming the entry when it is not one. */
export function parseControl(text: string, seq: number): PolicyControl {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    throw new StoreError(`journal entry ${seq} is a control entry that does not parse: ${(e as Error).message}`, { cause: e });
  }
  const c = o as Partial<PolicyControl> | null;
  const overlaysOk =
    Array.isArray(c?.overlays) && c.overlays.every((x: unknown) => typeof (x as Overlay | null)?.name === 'string' && typeof (x as Overlay).rules === 'string');
  if (c === null || typeof c !== 'object' || c.control !== 'policy' || !Number.isInteger(c.version) || !Number.isInteger(c.publication) || !overlaysOk) {
    throw new StoreError(`journal entry ${seq} is not a control entry this version of fengkong knows (expected {control: "policy", publication, version, overlays})`);
  }
  return { control: 'policy', publication: c.publication!, version: c.version!, overlays: c.overlays!.map((x) => ({ name: x.name, rules: x.rules })) };
}

/** The cluster's policy as the nodes read it: what is wanted, and what a control entry runs. */
export class ClusterPolicySource {
  constructor(
    readonly store: PgPolicyStore,
    private readonly audit: PgAuditLog,
    readonly cache: CompiledCache,
  ) {}

  /**
   * The version and overlays `c` names, compiled (cached): versions are immutable, so any node
   * compiles the same policy from the same row. A StoreError when the version is not stored.
   */
  async runnable(c: Pick<PolicyControl, 'version' | 'overlays'>): Promise<Runnable> {
    const key = runnableKey(c.version, c.overlays);
    const hit = this.cache.get(key);
    if (hit !== undefined && c.overlays.length === 0) return hit;
    const v = await this.store.version(c.version);
    if (v === undefined) throw new StoreError(`policy version ${c.version} is named by the journal but not stored in PostgreSQL: is this the cluster's database?`);
    const hash = v.modelHash;
    const text = hash === null ? undefined : await this.store.model(hash);
    const model = hash === null ? null : this.cache.model(hash, () => text);
    // the cache is keyed by overlay names; rules of a mode may have been approved anew since, so
    // overlays are compiled from the rules the entry carries
    const policy = compileVersion(v, c.overlays);
    checkModelFits(model, policy);
    const r = { policy, model };
    this.cache.set(key, r);
    return r;
  }

  /** What should decide now: the live publication with the modes that are on. */
  async wanted(): Promise<PolicyControl> {
    const [pub, modes] = await Promise.all([this.store.live(), this.store.activeModes()]);
    if (pub === undefined) throw new StoreError('the cluster has no live policy version (the first node imports one at its start)');
    return { control: 'policy', publication: pub.seq, version: pub.version, overlays: modes.map((m) => ({ name: m.name, rules: m.rules })) };
  }

  /**
   * Records that `c` took effect at journal entry `seq` of `partition` — the publication's position
   * (the first placement stands) and an audit entry — once the entry is durable.
   */
  async placed(c: PolicyControl, seq: number, partition: number, node: string): Promise<void> {
    await this.store.atomically(async () => {
      const first = await this.store.placePublication(c.publication, seq);
      await this.audit.append({
        actor: 'system',
        action: 'policy.placed',
        target: `policies/${c.version}`,
        before: null,
        after: { publication: c.publication, version: c.version, modes: c.overlays.map((o) => o.name), partition, journalSeq: seq, node, firstPlacement: first },
      });
    });
  }
}

/**
 * A new cluster's first version: the configured policy folder (the shipped pack when none) and
 * model, imported and published by `system` at journal position 0 — as a data folder's first start
 * does. Nodes starting together import once (the store's lock); a cluster that has versions keeps
 * them, and `--policy`/`--model` only seed a new one (the note says so).
 */
export async function importFirstVersion(store: PgPolicyStore, audit: PgAuditLog, opts: { policyDir?: string; modelPath?: string }): Promise<string | null> {
  const dir = opts.policyDir ?? DEFAULT_POLICY_DIR;
  const sources = asStored(readPolicyDir(dir));
  const name = opts.policyDir === undefined ? 'default' : basename(resolve(dir));
  const model = opts.modelPath === undefined ? null : readModel(opts.modelPath);
  compileVersion({ name, sources }); // a folder that does not compile is refused before anything is stored
  return store.atomically(async () => {
    if ((await store.live()) !== undefined) {
      return opts.policyDir !== undefined || opts.modelPath !== undefined
        ? 'the cluster holds policy versions, so --policy/--model are ignored (they only seed a new cluster); publish a new version to change the policy (fengkong policy draft --url …)'
        : null;
    }
    const v = await store.createVersion({ parent: null, author: 'system', description: `imported from ${opts.policyDir === undefined ? 'the default policy pack' : resolve(dir)} at the cluster's first start`, sources, model, name });
    const pub = await store.publish({ version: v.version, kind: 'import', fromVersion: null, actor: 'system', proposedBy: null, proposalId: null, journalSeq: 0, reason: null });
    await audit.append({
      actor: 'system',
      action: 'policy.import',
      target: `policies/${v.version}`,
      before: null,
      after: { version: v.version, name, files: sources.map((s) => s.file), model: v.modelHash, journalSeq: pub.journalSeq },
    });
    return `imported ${name} as policy version ${v.version} of the cluster`;
  });
}
