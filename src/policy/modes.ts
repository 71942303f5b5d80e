/**
 * Incident modes: prepared emergency overlays — rules and settings in the rule language — compiled on
 * top of the live version and switched on and off with one call each. A definition changes decisions
 * as much as a version does, so it follows the versions' four-eyes rule: saving one only *proposes*
 * it (compiled with the modes already on, 422 with every diagnostic otherwise), and a second admin key
 * approves it before it can decide; a mode that is on keeps deciding with its approved definition
 * meanwhile. Switching an approved mode on or off stays one call by one admin — the emergency brake.
 * Every step is audited with the policy before and after; decisions under a mode name it.
 */
import { ConflictError, NotFoundError } from '../errors.js';
import { checkOverlay, type Overlay } from './compiled.js';
import { modeName, objectBody, onlyFields, stringField } from './input.js';
import type { LivePolicy, Outcome } from './live.js';
import type { IncidentMode } from './versions.js';

/** The audit target of an incident mode. */
export const modeTarget = (name: string): string => `modes/${name}`;

/** The definition an audit entry records: description and rules, or null for none. */
export function definition(m: IncidentMode | undefined): { description: string; rules: string } | null {
  return m === undefined || m.approvedAt === null ? null : { description: m.description, rules: m.rules };
}

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

  /** The overlays that would decide with `name` defined as `rules` (in place when it is on, else added). */
  private withDefinition(name: string, rules: string, on: boolean): Overlay[] {
    const overlay = { name, rules };
    const active = this.live.overlays();
    return on ? active.map((x) => (x.name === name ? overlay : x)) : [...active, overlay];
  }

  /**
   * Reads `{description, rules}` and compiles the overlay on the live version with the modes on (in
   * place of its approved definition when it is on): a PolicyCompileError (422) with every
   * diagnostic otherwise. The compile is cached, so a later approval or switch does not compile again.
   */
  private checked(rawName: string, body: unknown, describe: boolean): { name: string; description: string; rules: string; before: IncidentMode | undefined; policy: string } {
    const name = modeName(rawName);
    const o = objectBody(body, 'an object {description, rules}');
    onlyFields(o, ['description', 'rules']);
    const description = stringField(o, 'description', { required: describe, max: 4_000, nonEmpty: describe }) ?? '';
    const rules = stringField(o, 'rules', { required: true, max: 256 * 1024, nonEmpty: true })!;
    const before = this.live.d.store.mode(name);
    checkOverlay({ name, rules });
    const r = this.live.runnable(this.live.liveVersion(), this.withDefinition(name, rules, before?.active === true));
    return { name, description, rules, before, policy: r.policy.name };
  }

  /**
   * `POST /v1/modes/{name}/validate {rules, description?}`: the checks a proposal runs, storing and
   * auditing nothing — what the console's mode editor calls as the admin types.
   */
  validate(rawName: string, body: unknown): Outcome {
    const { name, policy } = this.checked(rawName, body, false);
    return { status: 200, body: { ok: true, name, policy } };
  }

  /**
   * `PUT /v1/modes/{name} {description, rules}`: proposes a definition after compiling it on the live
   * version with the modes on (422 with every diagnostic otherwise). Nothing decides differently until
   * another admin approves it; a pending proposal is replaced.
   */
  propose(rawName: string, body: unknown, actor: string): Outcome {
    const { name, description, rules, before } = this.checked(rawName, body, true);
    const saved = this.live.d.store.atomically(() => {
      const m = this.live.d.store.proposeMode(name, description, rules, actor);
      this.live.d.audit.append({
        actor,
        action: 'mode.propose',
        target: modeTarget(name),
        before: { approved: definition(before), pending: before?.proposal ?? null },
        after: { proposed: { description, rules }, state: 'proposed' },
      });
      return m;
    });
    return { status: before === undefined ? 201 : 200, body: { mode: saved, state: 'proposed', policy: this.live.d.engine.currentPolicy.name } };
  }

  /**
   * `POST /v1/modes/{name}/approve`: a second admin key makes the pending proposal the approved
   * definition; a mode that is on decides with it from the next payment. The proposer's own key is
   * refused (409, four-eyes rule) and nothing changes.
   */
  approve(rawName: string, actor: string): Outcome {
    const m = this.get(rawName);
    const p = m.proposal;
    if (p === null) throw new ConflictError(`incident mode ${m.name} has no proposed definition; propose one with PUT /v1/modes/${m.name}`);
    if (p.proposedBy === actor) {
      throw new ConflictError(`four-eyes rule: incident mode ${m.name} was proposed by ${actor}; another admin key must approve it`);
    }
    // compiled again: the live version may have changed since the proposal
    const r = m.active ? this.live.runnable(this.live.liveVersion(), this.withDefinition(m.name, p.rules, true)) : null;
    const policyBefore = this.live.d.engine.currentPolicy.name;
    const saved = this.live.d.store.atomically(() => {
      const out = this.live.d.store.approveMode(m.name, actor);
      this.live.d.audit.append({
        actor,
        action: 'mode.approve',
        target: modeTarget(m.name),
        before: { approved: definition(m), proposedBy: p.proposedBy, active: m.active, policy: policyBefore },
        after: { approved: { description: p.description, rules: p.rules }, active: m.active, policy: r?.policy.name ?? policyBefore },
      });
      return out;
    });
    if (r !== null) this.live.swap(r);
    return { status: 200, body: { mode: saved, state: 'approved', policy: this.live.d.engine.currentPolicy.name } };
  }

  /** `POST /v1/modes/{name}/reject {reason?}`: refuses the pending proposal (its proposer may withdraw it too). */
  reject(rawName: string, body: unknown, actor: string): Outcome {
    const o = body === undefined ? {} : objectBody(body, 'an object {reason}');
    onlyFields(o, ['reason']);
    const reason = stringField(o, 'reason', { required: false, max: 4_000 }) ?? '';
    const m = this.get(rawName);
    const p = m.proposal;
    if (p === null) throw new ConflictError(`incident mode ${m.name} has no proposed definition to reject`);
    const saved = this.live.d.store.atomically(() => {
      const out = this.live.d.store.dropModeProposal(m.name);
      this.live.d.audit.append({
        actor,
        action: 'mode.reject',
        target: modeTarget(m.name),
        before: { proposed: { description: p.description, rules: p.rules }, proposedBy: p.proposedBy },
        after: { state: 'rejected', reason, approved: definition(m) },
      });
      return out;
    });
    return { status: 200, body: { mode: saved, state: 'rejected', policy: this.live.d.engine.currentPolicy.name } };
  }

  /**
   * `POST /v1/modes/{name}/on|off`: one call by one admin, audited — the emergency brake; switching to
   * the state it is in changes nothing. A mode whose definition was never approved cannot be switched on.
   */
  switch(rawName: string, on: boolean, actor: string): Outcome {
    const m = this.get(rawName);
    if (m.active === on) return { status: 200, body: { mode: m, changed: false, policy: this.live.d.engine.currentPolicy.name } };
    if (on && m.approvedAt === null) {
      throw new ConflictError(
        `four-eyes rule: incident mode ${m.name} has no approved definition; another admin key must approve it (POST /v1/modes/${m.name}/approve) before it can be switched on`,
      );
    }
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

  /**
   * Switches on, as `actor`, every approved mode that is off and whose approved overlay asks to be
   * switched on by alert `metric` (`setting alerts.switch_on.<metric> = 1`): the alert monitor's way
   * to pull the emergency brake the team prepared and approved with four eyes. Returns their names.
   */
  switchOnAlert(metric: string, actor: string): string[] {
    const on: string[] = [];
    const version = this.live.liveVersion();
    // what the mode's own overlay asks: compiled on the plain live version, not with other modes' settings
    if (this.live.runnable(version, []).policy.switchOnAlerts.includes(metric)) return on;
    for (const m of this.live.d.store.modes()) {
      if (m.active || m.approvedAt === null) continue;
      if (!this.live.runnable(version, [{ name: m.name, rules: m.rules }]).policy.switchOnAlerts.includes(metric)) continue;
      this.switch(m.name, true, actor);
      on.push(m.name);
    }
    return on;
  }

  /** `DELETE /v1/modes/{name}`: only a mode that is off (a pending proposal goes with it). */
  delete(rawName: string, actor: string): Outcome {
    const m = this.get(rawName);
    if (m.active) throw new ConflictError(`incident mode ${m.name} is on; switch it off first`);
    this.live.d.store.atomically(() => {
      this.live.d.store.deleteMode(m.name);
      this.live.d.audit.append({
        actor,
        action: 'mode.delete',
        target: modeTarget(m.name),
        before: { description: m.description, rules: m.rules, pending: m.proposal },
        after: null,
      });
    });
    return { status: 200, body: { deleted: m.name } };
  }
}
