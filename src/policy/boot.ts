/**
 * The policy a server starts with. The policy store on the data folder is the truth: the latest
 * published version, with the incident overlays that were on, decides — so a restart keeps whatever
 * was live. On a new data folder the configured policy (`--policy DIR`, or the shipped pack) and
 * model are imported as version 1, published by `system`. A publication whose approval a restart
 * interrupted while it warmed completes here: recovery replays the journal with it anyway.
 */
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { DEFAULT_POLICY_DIR } from '../engine/policy-source.js';
import { ConfigError, PolicyCompileError } from '../errors.js';
import { modelFromText } from '../model/model-file.js';
import type { PolicyBuild, PolicySource } from '../rules/compile.js';
import { readPolicyDir } from '../rules/load.js';
import type { CompiledPolicy } from '../rules/policy-types.js';
import type { AuditLog } from '../audit/log.js';
import type { Journal } from '../log/journal.js';
import { checkModelFits, CompiledCache, compileVersion, runnableKey, type Overlay, type Runnable } from './compiled.js';
import type { PolicyStore, PolicyVersion } from './versions.js';

/** What the server was configured with (used only on a new data folder). */
export interface PolicyBootOptions {
  /** Policy folder; the shipped pack when omitted. */
  readonly policyDir?: string;
  /**
   * The compiled form of version 1 (tests): decides instead of compiling version 1's files again,
   * as long as version 1 is live without overlays. Its name is version 1's name.
   */
  readonly policy?: CompiledPolicy;
  /** A model file (`fengkong train`) for version 1. */
  readonly modelPath?: string;
}

/** The started policy state, handed from the server's start to the policy routes. */
export interface PolicyBoot {
  readonly store: PolicyStore<'sync'>;
  readonly cache: CompiledCache;
  /** The live version. */
  readonly version: PolicyVersion;
  /** What the engine starts with: the live version with its overlays on. */
  readonly runnable: Runnable;
  /** Lines for the operator (configuration ignored, publications completed, overlays dropped). */
  readonly notes: readonly string[];
}

/** The stores a boot reads and writes, opened by the composition root. */
export interface PolicyBootStores {
  readonly policies: PolicyStore<'sync'>;
  /** The audit log sharing the policy store's transactions. */
  readonly audit: AuditLog<'sync'>;
  /** The server's journal: a publication records the journal position it took effect at. */
  readonly journal: Journal;
}

const BOOTS = new WeakMap<Journal, PolicyBoot>();

/** The boot of the server whose journal this is (the policy and mode routes find their state here). */
export function bootOf(journal: Journal): PolicyBoot | undefined {
  return BOOTS.get(journal);
}

/** Files as stored: their base names (diagnostics then read `10-velocity.fk:3:5`). */
export function asStored(sources: readonly PolicySource[]): PolicySource[] {
  return sources.map((s) => ({ file: basename(s.file), text: s.text })).sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** A model file's text, checked to be one (a ConfigError naming the path otherwise). */
export function readModel(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read model file ${path}`, { cause: e });
  }
  modelFromText(text); // checks it
  return text;
}

/** A compiled policy as a build (one compiled by compilePolicy already is one). */
function asBuild(p: CompiledPolicy): PolicyBuild {
  return 'warnings' in p ? (p as PolicyBuild) : { ...p, warnings: [] };
}

/** Imports the configured policy as version 1, published by `system`. */
function importFirst(store: PolicyStore<'sync'>, audit: AuditLog<'sync'>, journal: Journal, opts: PolicyBootOptions): void {
  const dir = opts.policyDir ?? DEFAULT_POLICY_DIR;
  const model = opts.modelPath === undefined ? null : readModel(opts.modelPath);
  // a model trained with features from the stream brings their file: it becomes part of version 1
  const generated = model === null ? null : modelFromText(model).features;
  const folder = readPolicyDir(dir);
  const sources = asStored(generated === null || folder.some((f) => basename(f.file) === generated.file) ? folder : [...folder, generated]);
  const name = opts.policy?.name ?? (opts.policyDir === undefined ? 'default' : basename(resolve(opts.policyDir)));
  if (opts.policy === undefined) compileVersion({ name, sources }); // refuse a folder that does not compile before storing it
  store.atomically(() => {
    const v = store.createVersion({
      parent: null,
      author: 'system',
      description: `imported from ${opts.policyDir === undefined ? 'the default policy pack' : resolve(dir)} at first start`,
      sources,
      model,
      name,
    });
    const pub = store.publish({ version: v.version, kind: 'import', fromVersion: null, actor: 'system', proposedBy: null, proposalId: null, journalSeq: journal.lastSeq(), reason: null });
    audit.append({
      actor: 'system',
      action: 'policy.import',
      target: `policies/${v.version}`,
      before: null,
      after: { version: v.version, name, files: sources.map((s) => s.file), model: v.modelHash, journalSeq: pub.journalSeq },
    });
  });
}

/** Completes a publication approved before a restart cut its warm-up short. */
function completeInterrupted(store: PolicyStore<'sync'>, audit: AuditLog<'sync'>, journal: Journal, notes: string[]): void {
  const approved = store.approvedProposals();
  approved.forEach((p, i) => {
    store.atomically(() => {
      if (i < approved.length - 1) {
        store.decideProposal(p.id, 'cancelled', 'system', 'superseded by a later approval before a restart');
        store.setState(p.version, 'draft');
        return;
      }
      const live = store.live();
      store.decideProposal(p.id, 'published', p.decidedBy ?? 'system');
      const pub = store.publish({
        version: p.version,
        kind: 'publish',
        fromVersion: live?.version ?? null,
        actor: p.decidedBy ?? 'system',
        proposedBy: p.proposedBy,
        proposalId: p.id,
        journalSeq: journal.lastSeq(),
        reason: 'completed at start: a restart interrupted its warm-up',
      });
      audit.append({
        actor: p.decidedBy ?? 'system',
        action: 'policy.publish',
        target: `policies/${p.version}`,
        before: { version: live?.version ?? null },
        after: { version: p.version, kind: 'publish', proposedBy: p.proposedBy, journalSeq: pub.journalSeq, completedAtStart: true },
      });
      notes.push(`version ${p.version}, approved before the restart, is now live`);
    });
  });
}

/**
 * Imports version 1 into the server's policy store when it holds none (a new data folder), and
 * compiles the live version with its overlays. Throws ConfigError / PolicyCompileError when the
 * live version cannot run.
 */
export function bootPolicies(stores: PolicyBootStores, opts: PolicyBootOptions = {}): PolicyBoot {
  const { policies, audit, journal } = stores;
  const notes: string[] = [];
  if (policies.live() === undefined) importFirst(policies, audit, journal, opts);
  else {
    if (opts.policyDir !== undefined || opts.modelPath !== undefined) {
      notes.push(
        `the data folder holds policy versions, so --policy/--model are ignored (they only seed a new data folder); ` +
          `publish a new version to change the policy (fengkong policy draft …)`,
      );
    }
    completeInterrupted(policies, audit, journal, notes);
  }
  const live = policies.live()!;
  const version = policies.version(live.version)!;
  const cache = new CompiledCache();
  const model = version.modelHash === null ? null : cache.model(version.modelHash, () => policies.model(version.modelHash!));
  let overlays: Overlay[] = policies.activeModes().map((m) => ({ name: m.name, rules: m.rules }));
  const given = opts.policy !== undefined && version.version === 1 ? asBuild(opts.policy) : null;
  const plain: Runnable = { policy: given ?? compileVersion(version), model };
  checkModelFits(model, plain.policy);
  cache.set(runnableKey(version.version, []), plain);
  let runnable = plain;
  if (overlays.length > 0) {
    try {
      runnable = { policy: compileVersion(version, overlays), model };
      cache.set(runnableKey(version.version, overlays), runnable);
    } catch (e) {
      if (!(e instanceof PolicyCompileError)) throw e;
      // cannot happen through the API (every switch is compiled first); a changed feature catalog could
      notes.push(`incident modes ${overlays.map((o) => o.name).join(', ')} no longer compile on version ${version.version} and are switched off: ${e.message}`);
      policies.atomically(() => {
        for (const o of overlays) {
          policies.setModeActive(o.name, false, 'system');
          audit.append({ actor: 'system', action: 'mode.off', target: `modes/${o.name}`, before: { active: true }, after: { active: false, reason: e.message } });
        }
      });
      overlays = [];
    }
  }
  cache.pin([runnableKey(version.version, []), runnableKey(version.version, overlays)]);
  const boot: PolicyBoot = { store: policies, cache, version, runnable, notes };
  BOOTS.set(journal, boot);
  return boot;
}
