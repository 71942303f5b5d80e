/**
 * The live policy as the policy store records it (the latest publication's version, with the
 * incident modes that are on and its model), for a checkpointer's replica or an offline snapshot:
 * the same thing a server start compiles (policy/boot.ts), so a replica decides as recovery does.
 * `liveKey` is two small queries and cheap to poll; `compileLive` compiles only when it changed.
 * Both take the store's synchronous form: the replica polls them between replayed journal entries,
 * which must not wait (a networked store needs the live key pushed to the replica instead).
 */
import { PolicyCompileError, StoreError } from '../errors.js';
import { modelFromText } from '../model/model-file.js';
import { compileVersion, runnableKey, type Overlay, type Runnable } from './compiled.js';
import type { PolicyStore } from './versions.js';
import type { SnapshotPolicy } from '../engine/snapshot/format.js';

/** What identifies the live runnable: version, overlays on, model. */
export interface LiveKey {
  readonly version: number;
  readonly overlays: readonly Overlay[];
  readonly modelHash: string | null;
  /** runnableKey plus the model: equal keys, same decisions. */
  readonly key: string;
}

/** The live runnable's key, or null when nothing is published yet. */
export function liveKey(store: PolicyStore<'sync'>): LiveKey | null {
  const live = store.live();
  if (live === undefined) return null;
  const version = store.version(live.version);
  if (version === undefined) return null;
  const overlays = store.activeModes().map((m) => ({ name: m.name, rules: m.rules }));
  return { version: live.version, overlays, modelHash: version.modelHash, key: `${runnableKey(live.version, overlays)}\u0002${version.modelHash ?? ''}` };
}

/** The live runnable compiled, with what a snapshot header records about it. */
export interface LiveRunnable extends Runnable {
  readonly live: LiveKey;
  readonly meta: SnapshotPolicy;
}

/**
 * Compiles `k`'s version with its overlays and model. Overlays that no longer compile are left
 * off, as a server start does (it also switches them off in the store).
 */
export function compileLive(store: PolicyStore<'sync'>, k: LiveKey): LiveRunnable {
  const version = store.version(k.version);
  if (version === undefined) throw new StoreError(`live policy version ${k.version} is missing from the store`);
  let policy;
  try {
    policy = compileVersion(version, k.overlays);
  } catch (e) {
    if (!(e instanceof PolicyCompileError) || k.overlays.length === 0) throw e;
    policy = compileVersion(version);
  }
  const text = k.modelHash === null ? undefined : store.model(k.modelHash);
  const model = text === undefined ? null : modelFromText(text);
  return { policy, model, live: k, meta: { name: policy.name, key: k.key, modelHash: k.modelHash } };
}
