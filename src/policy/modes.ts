/**
 * Incident modes: prepared emergency overlays — rules and settings in the rule language — compiled on
 * top of the live version and switched on and off with one call each. Saving compiles the overlay
 * with the modes already on (422 with every diagnostic otherwise), which also prepares the switch;
 * every change is audited with the policy before and after; decisions under a mode name it.
 */
import { ConflictError, NotFoundError } from '../errors.js';
import { checkOverlay } from './compiled.js';
import { modeName, objectBody, onlyFields, stringField } from './input.js';
import type { LivePolicy, Outcome } from './live.js';
import type { IncidentMode } from './versions.js';

const modeTarget = (name: string): string => `modes/${name}`;

/** The incident modes of one server. */
export class IncidentModes {
  constructor(private readonly live: LivePolicy) {}

  /** Every mode, and the policy deciding now. */
  list(): { modes: IncidentMode[]; policy: string } {
    return { modes: this.live.d.store.modes(), policy: this.live.d.engine.currentPolicy.name };
  }

  /** One mode; a NotFoundError when there is none. */
  get(name: string): IncidentMode {
    const m = this.live.d.store.mode(modeName(name));
    if (m === undefined) throw new NotFoundError(`no incident mode named ${JSON.stringify(name)}`);
    return m;
  }

  /**
   * `PUT /v1/modes/{name} {description, rules}`: creates or replaces an overlay after compiling it
   * on the live version (422 with every diagnostic otherwise). A mode that is on takes effect at once.
   */
  save(rawName: string, body: unknown, actor: string): Outcome {
    const name = modeName(rawName);
    const o = objectBody(body, 'an object {description, rules}');
    onlyFields(o, ['description', 'rules']);
    const description = stringField(o, 'description', { required: true, max: 4_000, nonEmpty: true })!;
    const rules = stringField(o, 'rules', { required: true, max: 256 * 1024, nonEmpty: true })!;
    const before = this.live.d.store.mode(name);
    const overlay = { name, rules };
    checkOverlay(overlay);
    const active = this.live.overlays();
    const withIt = before?.active ? active.map((x) => (x.name === name ? overlay : x)) : [...active, overlay];
    const live = this.live.liveVersion();
    const r = this.live.runnable(live, withIt); // validates against the live version (and precompiles the switch)
    const saved = this.live.d.store.atomically(() => {
      const m = this.live.d.store.saveMode(name, description, rules, actor);
      this.live.d.audit.append({
        actor,
        action: 'mode.save',
        target: modeTarget(name),
        before: before === undefined ? null : { description: before.description, rules: before.rules },
        after: { description, rules },
      });
      return m;
    });
    if (saved.active) this.live.swap(r);
    return { status: before === undefined ? 201 : 200, body: { mode: saved, policy: this.live.d.engine.currentPolicy.name } };
  }

  /** `POST /v1/modes/{name}/on|off`: one call, audited; switching to the state it is in changes nothing. */
  switch(rawName: string, on: boolean, actor: string): Outcome {
    const m = this.get(rawName);
    if (m.active === on) return { status: 200, body: { mode: m, changed: false, policy: this.live.d.engine.currentPolicy.name } };
    const active = this.live.overlays();
    const next = on ? [...active, { name: m.name, rules: m.rules }] : active.filter((x) => x.name !== m.name);
    const r = this.live.runnable(this.live.liveVersion(), next);
    const before = { active: m.active, policy: this.live.d.engine.currentPolicy.name };
    const saved = this.live.d.store.atomically(() => {
      const out = this.live.d.store.setModeActive(m.name, on, actor);
      this.live.d.audit.append({ actor, action: on ? 'mode.on' : 'mode.off', target: modeTarget(m.name), before, after: { active: on, policy: r.policy.name } });
      return out;
    });
    this.live.swap(r);
    return { status: 200, body: { mode: saved, changed: true, policy: r.policy.name } };
  }

  /** `DELETE /v1/modes/{name}`: only a mode that is off. */
  delete(rawName: string, actor: string): Outcome {
    const m = this.get(rawName);
    if (m.active) throw new ConflictError(`incident mode ${m.name} is on; switch it off first`);
    this.live.d.store.atomically(() => {
      this.live.d.store.deleteMode(m.name);
      this.live.d.audit.append({ actor, action: 'mode.delete', target: modeTarget(m.name), before: { description: m.description, rules: m.rules }, after: null });
    });
    return { status: 200, body: { deleted: m.name } };
  }
}
