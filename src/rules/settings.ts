/**
 * The `setting` declarations of a policy: every setting's name, range and default, resolved into
 * PolicySettings — the score's thresholds and scale, the caps on automatic actions (rules' and
 * detectors'), which detectors act and for how long, which alerts switch an incident mode on, and
 * the periodic jobs. Kept apart from the checker, which calls checkSettings once per compile.
 */
import type { SettingDecl } from './ast.js';
import { Diagnostics, didYouMean, posText, type DiagnosticBag, type SourcePos } from './diagnostics.js';

/** Score settings after defaults. */
export interface PolicySettings {
  readonly review: number;
  readonly challenge: number;
  readonly decline: number;
  readonly scale: number;
  /** Most actions all rules together take in an hour of event time (actions.cap_per_hour). */
  readonly actionCap: number;
  /** Most actions one rule takes in an hour of event time (actions.rule_cap_per_hour). */
  readonly ruleActionCap: number;
  /** Hours a detector's finding holds settlement or suspends the terminal; 0: the detector only opens a case. */
  readonly detectorActionHours: Readonly<Record<DetectorWithAction, number>>;
  /** Most detector actions in an hour of event time (detectors.actions_per_hour). */
  readonly detectorActionCap: number;
  /** Alerts that switch an incident mode on, for a mode's overlay (`setting alerts.switch_on.<metric> = 1`). */
  readonly switchOnAlerts: readonly string[];
  /** Days between periodic reviews of watched and grade-E accounts (schedules.review_every_days; 0: none). */
  readonly reviewEveryDays: number;
  /** Whether the weekly risk report is made and kept (schedules.weekly_report, 1 or 0). */
  readonly weeklyReport: boolean;
  /** Days without an event after which the nightly job re-rates an account (schedules.rerate_idle_days; 0: never). */
  readonly rerateIdleDays: number;
  /** Whether the nightly job deletes expired list entries from the store (schedules.list_expiry, 1 or 0). */
  readonly listExpiry: boolean;
}

/** The alerts (src/alerts) an incident mode may ask to be switched on by. */
export const SWITCHING_ALERTS = [
  'decline_rate', 'challenge_rate', 'review_rate', 'rule_hit_rate', 'fraud_labels',
  'latency_p99', 'journal_lag', 'case_feed_lag', 'rule_actions_capped', 'detector_actions_capped',
] as const;
const SWITCH_SETTINGS = SWITCHING_ALERTS.map((m) => `alerts.switch_on.${m}`);

/** The detectors that may act by themselves, and what they do (automation/detector-actions.ts). */
export const DETECTOR_ACTIONS = {
  cashout_ring: 'hold_settlement',
  second_clearing: 'hold_settlement',
  code_jumping: 'suspend_terminal',
  relocated_terminal: 'suspend_terminal',
} as const;
export type DetectorWithAction = keyof typeof DETECTOR_ACTIONS;
const DETECTOR_SETTINGS = (Object.keys(DETECTOR_ACTIONS) as DetectorWithAction[]).map((d) => `detectors.${d}.${DETECTOR_ACTIONS[d]}_hours`);
/** Longest a detector action may hold: a year. */
const MAX_DETECTOR_HOURS = 8_760;

/**
 * Defaults when a policy sets nothing: review at 40, challenge at 60, decline at 80, 50 points =
 * score 50; rules act at most 100 times an hour together and 20 times each — enough for the rare
 * cases actions are meant for, small enough that a rule gone wrong restricts a few dozen customers,
 * not thousands, before it stops and raises an alert.
 */
export const DEFAULT_SETTINGS: PolicySettings = {
  review: 40,
  challenge: 60,
  decline: 80,
  scale: 50,
  actionCap: 100,
  ruleActionCap: 20,
  detectorActionHours: { cashout_ring: 0, second_clearing: 0, code_jumping: 0, relocated_terminal: 0 },
  detectorActionCap: 10,
  switchOnAlerts: [],
  reviewEveryDays: 7,
  weeklyReport: true,
  rerateIdleDays: 7,
  listExpiry: true,
};

/** Largest action cap a policy may set. */
export const MAX_ACTION_CAP = 100_000;

const SETTING_NAMES: readonly string[] = ['score.review', 'score.challenge', 'score.decline', 'score.scale', 'actions.cap_per_hour', 'actions.rule_cap_per_hour', 'detectors.actions_per_hour', ...DETECTOR_SETTINGS, ...SWITCH_SETTINGS, 'schedules.review_every_days', 'schedules.weekly_report', 'schedules.rerate_idle_days', 'schedules.list_expiry'];

/** Checks the settings (every problem into `bag`) and resolves them over the defaults. */
export function checkSettings(settings: readonly SettingDecl[], bag: DiagnosticBag): PolicySettings {
  const values: Record<string, number> = {
    'score.review': DEFAULT_SETTINGS.review,
    'score.challenge': DEFAULT_SETTINGS.challenge,
    'score.decline': DEFAULT_SETTINGS.decline,
    'score.scale': DEFAULT_SETTINGS.scale,
    'actions.cap_per_hour': DEFAULT_SETTINGS.actionCap,
    'actions.rule_cap_per_hour': DEFAULT_SETTINGS.ruleActionCap,
    'detectors.actions_per_hour': DEFAULT_SETTINGS.detectorActionCap,
    ...Object.fromEntries(DETECTOR_SETTINGS.map((n) => [n, 0])),
    ...Object.fromEntries(SWITCH_SETTINGS.map((n) => [n, 0])),
    'schedules.review_every_days': DEFAULT_SETTINGS.reviewEveryDays,
    'schedules.weekly_report': 1,
    'schedules.rerate_idle_days': DEFAULT_SETTINGS.rerateIdleDays,
    'schedules.list_expiry': 1,
  };
  const where = new Map<string, SourcePos>();
  for (const s of settings) {
    const name = s.name.name;
    if (!SETTING_NAMES.includes(name)) {
      bag.add(Diagnostics.UnknownSetting, s.name.pos, name, didYouMean(name, SETTING_NAMES));
      continue;
    }
    const prev = where.get(name);
    if (prev) {
      bag.add(Diagnostics.DuplicateSetting, s.name.pos, name, posText(prev));
      continue;
    }
    if (s.value !== s.value) continue; // bad literal, already reported
    if (name.startsWith('actions.') || name === 'detectors.actions_per_hour') {
      if (!Number.isInteger(s.value) || s.value < 0 || s.value > MAX_ACTION_CAP) {
        bag.add(Diagnostics.SettingOutOfRange, s.valuePos, name, s.value, `an action cap is a whole number of actions an hour from 0 to ${MAX_ACTION_CAP}`);
        continue;
      }
    } else if (name === 'schedules.review_every_days' || name === 'schedules.rerate_idle_days') {
      if (!Number.isInteger(s.value) || s.value < 0 || s.value > 365) {
        const off = name === 'schedules.review_every_days' ? 'no periodic review' : 'no re-rating of idle accounts';
        bag.add(Diagnostics.SettingOutOfRange, s.valuePos, name, s.value, `a whole number of days from 0 (${off}) to 365`);
        continue;
      }
    } else if (name.startsWith('alerts.switch_on.') || name === 'schedules.weekly_report' || name === 'schedules.list_expiry') {
      if (s.value !== 0 && s.value !== 1) {
        bag.add(Diagnostics.SettingOutOfRange, s.valuePos, name, s.value, 'it is 1 (on) or 0 (off)');
        continue;
      }
    } else if (name.startsWith('detectors.')) {
      if (!Number.isInteger(s.value) || s.value < 0 || s.value > MAX_DETECTOR_HOURS) {
        bag.add(Diagnostics.SettingOutOfRange, s.valuePos, name, s.value, `how long a detector's action holds, in whole hours from 0 (no action) to ${MAX_DETECTOR_HOURS}`);
        continue;
      }
    } else if (name === 'score.scale' ? !(s.value > 0) : s.value < 0 || s.value > 100) {
      bag.add(Diagnostics.SettingOutOfRange, s.valuePos, name, s.value, name === 'score.scale' ? 'it must be greater than 0' : 'a score threshold lies between 0 and 100');
      continue;
    }
    where.set(name, s.valuePos);
    values[name] = s.value;
  }
  const r = values['score.review'];
  const c = values['score.challenge'];
  const d = values['score.decline'];
  const blame = (a: string, b: string): SourcePos | undefined => {
    const pa = where.get(a);
    const pb = where.get(b);
    if (pa && pb) return pa.line > pb.line ? pa : pb;
    return pa ?? pb;
  };
  const bad = r > c ? blame('score.review', 'score.challenge') : c > d ? blame('score.challenge', 'score.decline') : undefined;
  if (bad) bag.add(Diagnostics.ThresholdsNotIncreasing, bad, r, c, d);
  const detectorActionHours = Object.fromEntries((Object.keys(DETECTOR_ACTIONS) as DetectorWithAction[]).map((k) => [k, values[`detectors.${k}.${DETECTOR_ACTIONS[k]}_hours`]])) as Record<DetectorWithAction, number>;
  return {
    review: r,
    challenge: c,
    decline: d,
    scale: values['score.scale'],
    actionCap: values['actions.cap_per_hour'],
    ruleActionCap: values['actions.rule_cap_per_hour'],
    detectorActionHours,
    detectorActionCap: values['detectors.actions_per_hour'],
    switchOnAlerts: SWITCHING_ALERTS.filter((m) => values[`alerts.switch_on.${m}`] === 1),
    reviewEveryDays: values['schedules.review_every_days'],
    weeklyReport: values['schedules.weekly_report'] === 1,
    rerateIdleDays: values['schedules.rerate_idle_days'],
    listExpiry: values['schedules.list_expiry'] === 1,
  };
}