/**
 * Detector actions: where the live policy's settings say so, a detector's finding holds the
 * merchant's settlement or suspends the terminal by itself, beside the case it opens —
 *
 * | detector | action | setting (hours, 0 = none) |
 * | cash-out ring, second clearing (merchant) | hold settlement | detectors.<name>.hold_settlement_hours |
 * | code jumping, relocated terminal (terminal) | suspend the terminal | detectors.<name>.suspend_terminal_hours |
 *
 * — recorded as taken by `detector:<name>` with the finding, audited, effective from the next
 * decision, ended by event time, lifted by an admin like any merchant action. Capped at
 * `detectors.actions_per_hour` per hour of event time: past it the finding only opens its case and an
 * alert `detector_actions_capped` is raised once that hour. A subject already held or suspended as
 * long is left as it is (a finding reported again after a restart takes nothing twice).
 */
import type { Finding } from '../detectors/types.js';
import type { RaisedAlert } from '../alerts/monitor.js';
import { formatShanghai } from '../contract/time.js';
import { DETECTOR_ACTIONS, type DetectorWithAction } from '../rules/settings.js';
import type { CompiledPolicy } from '../rules/policy-types.js';

/** An action a finding takes (MerchantActions.recordAutomatic stores it). */
export interface DetectorActionRequest {
  readonly actor: string;
  readonly reason: string;
  /** The journal seq of the payment that completed the finding: where the action takes effect. */
  readonly seq: number;
  readonly action: 'hold_settlement' | 'suspend_terminal';
  /** The merchant held, or the terminal suspended. */
  readonly target: string;
  /** The merchant concerned (the terminal's own, for a suspension). */
  readonly merchantId: string;
  /** Event time it ends. */
  readonly expiresAt: number;
  readonly detail: Record<string, unknown>;
}

/** What the detector actions need. */
export interface DetectorActionDeps {
  readonly policy: () => CompiledPolicy;
  /** When the merchant's hold or the terminal's suspension in force ends (NaN: none). */
  readonly holdEnd: (merchantId: string) => number;
  readonly suspensionEnd: (terminalId: string) => number;
  /** The registered merchant of a terminal. */
  readonly merchantOf: (terminalId: string) => string | undefined;
  readonly take: (r: DetectorActionRequest) => void;
  readonly raise: (a: RaisedAlert) => void;
}

const HOUR = 3_600_000;

/** Takes the actions findings call for; `onFinding` is the detectors' FindingListener. */
export class DetectorActions {
  private hour = -Infinity;
  private taken = 0;
  private alerted = false;

  constructor(private readonly d: DetectorActionDeps) {}

  readonly onFinding = (f: Finding): void => {
    const detector = f.detector as DetectorWithAction;
    const action = DETECTOR_ACTIONS[detector];
    if (action === undefined) return;
    const caps = this.d.policy().actionCaps;
    const hours = caps.detectorHours[detector] ?? 0;
    if (!(hours > 0)) return;
    const expiresAt = f.t + hours * HOUR;
    const hold = action === 'hold_settlement';
    const merchantId = f.subjectKind === 'merchant' ? f.subjectId : this.d.merchantOf(f.subjectId);
    if (merchantId === undefined) return; // a terminal nobody registered: the case is the action
    if (!hold && f.subjectKind !== 'terminal') return;
    const target = hold ? merchantId : f.subjectId;
    if ((hold ? this.d.holdEnd(target) : this.d.suspensionEnd(target)) >= expiresAt) return;
    const h = Math.floor(f.t / HOUR);
    if (h > this.hour) {
      this.hour = h;
      this.taken = 0;
      this.alerted = false;
    }
    if (this.taken >= caps.detectorPerHour) {
      if (!this.alerted) {
        this.alerted = true;
        this.d.raise({
          metric: 'detector_actions_capped', subject: f.detector, hour: h * HOUR, observed: this.taken, expected: 0, bound: caps.detectorPerHour, count: this.taken,
          message: `detectors took ${this.taken} actions in the hour from ${formatShanghai(h * HOUR)} (cap detectors.actions_per_hour = ${caps.detectorPerHour}): further findings only open cases until the hour ends (${f.detector} on ${f.subjectKind} ${f.subjectId} would have taken ${action})`,
        });
      }
      return;
    }
    this.taken++;
    this.d.take({
      actor: `detector:${f.detector}`,
      reason: `detector ${f.detector} on ${f.subjectKind} ${f.subjectId}: ${f.summary}`.slice(0, 500),
      seq: f.seq,
      action,
      target,
      merchantId,
      expiresAt,
      detail: { detector: f.detector, subjectKind: f.subjectKind, subjectId: f.subjectId, txId: f.txId },
    });
  };
}
