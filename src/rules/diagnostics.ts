/**
 * The one catalog of everything the policy compiler can say. Codes are stable (`FKR1xx` lexical,
 * `FKR2xx` syntax, `FKR3xx` names, `FKR4xx` types, `FKR5xx` declarations and settings, `FKR6xx`
 * warnings) so tooling, tests and runbooks can match on them; messages are templates with `{0}`,
 * `{1}` … holes, in the style of the TypeScript compiler. Never renumber a code, only add.
 */
import type { PolicyDiagnostic } from '../errors.js';

/** Groups codes the way a reader looks for them: what part of the compiler refused the text. */
export type DiagnosticCategory = 'lexical' | 'syntax' | 'name' | 'type' | 'declaration' | 'setting' | 'lint';

/** One entry of the catalog: a message template with a stable code. */
export interface DiagnosticTemplate {
  readonly code: string;
  readonly category: DiagnosticCategory;
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

function t(
  code: string,
  category: DiagnosticCategory,
  message: string,
  severity: 'error' | 'warning' = 'error',
): DiagnosticTemplate {
  return { code, category, severity, message };
}

/** Every diagnostic of the rule language; the key is the name code uses, the code is what users see. */
export const Diagnostics = {
  // lexical
  UnexpectedCharacter: t('FKR101', 'lexical', "Unexpected character '{0}'."),
  UnterminatedString: t('FKR102', 'lexical', 'Unterminated string literal; strings end on the same line with ".'),
  InvalidEscape: t('FKR103', 'lexical', "Invalid escape sequence '\\{0}'; only \\\", \\\\, \\n and \\t are allowed."),
  InvalidNumber: t('FKR104', 'lexical', "Invalid number '{0}'; write digits with optional '_' separators and decimals, e.g. 1_000 or 0.5."),
  InvalidMoney: t('FKR105', 'lexical', "Invalid money literal '{0}'; write ¥ followed by yuan with at most two decimals, e.g. ¥50 or ¥49.90."),
  InvalidDuration: t('FKR106', 'lexical', "Invalid duration '{0}'; write a whole number followed by s, m, h or d, e.g. 90s, 10m, 24h, 30d."),
  // syntax
  UnexpectedToken: t('FKR201', 'syntax', 'Unexpected {0}; expected {1}.'),
  ExpectedDeclaration: t('FKR202', 'syntax', "Unexpected {0}; expected a declaration: 'rule', 'feature' or 'setting'."),
  UnknownClause: t('FKR203', 'syntax', "Unknown clause {0} in rule '{1}'; expected description, when, outcome, score, reason or action."),
  DuplicateClause: t('FKR204', 'syntax', "Clause '{0}' appears twice in rule '{1}'."),
  ExpressionTooDeep: t('FKR206', 'syntax', 'Expression nested more than {0} levels deep; split it into derived features.'),
  UnknownAggregation: t('FKR205', 'syntax', "Unknown window aggregation '{0}'; expected count, sum(x), mean(x), max(x), min(x) or distinct(x)."),
  // names
  UnknownFeature: t('FKR301', 'name', "Unknown feature '{0}'.{1}"),
  UnknownFunction: t('FKR302', 'name', "Unknown function '{0}'; available: abs, min, max, log, known, in_list."),
  ArgumentCount: t('FKR303', 'name', "Function '{0}' expects {1} but got {2}."),
  DerivedForwardReference: t('FKR304', 'name', "Derived feature '{0}' uses '{1}', {2}; a derived feature may only use builtins, windows and derived features declared before it."),
  FilterUsesDeclared: t('FKR305', 'name', "The 'where' filter of window '{0}' uses declared feature '{1}'; a filter runs before any declared feature is computed, so it may use builtins only."),
  WindowOverDeclared: t('FKR306', 'name', "Window '{0}' aggregates or groups by declared feature '{1}'; keys and values must be builtins."),
  InvalidListName: t('FKR307', 'name', "Invalid list name \"{0}\"; a list name is 1–64 lowercase letters, digits and '_', starting with a letter, e.g. \"block_devices\"."),
  // types
  BinaryTypeMismatch: t('FKR401', 'type', "Operator '{0}' cannot be applied to {1} and {2}."),
  UnaryTypeMismatch: t('FKR402', 'type', "Operator '{0}' cannot be applied to {1}."),
  ExpectedType: t('FKR403', 'type', '{0} must be {1}, but it is {2}.'),
  MixedList: t('FKR404', 'type', 'A list must hold only strings or only numbers.'),
  WindowKeyNotString: t('FKR405', 'type', "Window key '{0}' must be a string feature, but it is {1}."),
  DistinctNotString: t('FKR406', 'type', "distinct() counts distinct strings, but '{0}' is {1}."),
  AggregateNotNumber: t('FKR407', 'type', "{0}() aggregates numbers, but '{1}' is {2}."),
  ListNameNotLiteral: t('FKR408', 'type', 'The second argument of in_list() must be a list name in double quotes, e.g. in_list(device, "block_devices").'),
  // declarations and settings
  DuplicateRule: t('FKR501', 'declaration', "Duplicate rule '{0}'; it is first declared at {1}."),
  DuplicateFeature: t('FKR502', 'declaration', "Duplicate feature '{0}'; it is first declared at {1}."),
  ShadowsBuiltin: t('FKR503', 'declaration', "Feature '{0}' has the name of a builtin feature; choose another name."),
  RuleWithoutWhen: t('FKR504', 'declaration', "Rule '{0}' has no 'when' clause."),
  RuleWithoutEffect: t('FKR505', 'declaration', "Rule '{0}' needs an 'outcome' or a 'score' (or both)."),
  UnknownOutcome: t('FKR506', 'declaration', "Unknown outcome '{0}'; expected approve, review, challenge, decline or allow."),
  UnknownSetting: t('FKR507', 'setting', "Unknown setting '{0}'.{1} Settings: score.*, actions.cap_per_hour, actions.rule_cap_per_hour, detectors.actions_per_hour, detectors.<detector>.<action>_hours, alerts.switch_on.<alert>, schedules.review_every_days, schedules.weekly_report, schedules.rerate_idle_days, schedules.list_expiry (docs/automation.md)."),
  DuplicateSetting: t('FKR508', 'setting', "Setting '{0}' is set twice; it is first set at {1}."),
  SettingOutOfRange: t('FKR509', 'setting', "Setting '{0}' = {1} is out of range; {2}."),
  ThresholdsNotIncreasing: t('FKR510', 'setting', 'Score thresholds must not decrease: review ({0}) ≤ challenge ({1}) ≤ decline ({2}).'),
  WindowLengthOutOfRange: t('FKR511', 'declaration', "Window length {0} is out of range; it must be between 1s and 90d."),
  InvalidBuckets: t('FKR512', 'declaration', "Buckets must be a whole number, but it is {0}."),
  UnknownAction: t('FKR513', 'declaration', "Unknown action '{0}'.{1} Actions: freeze_account, lower_limit, require_step_up, hold_settlement, suspend_terminal, add_to_list."),
  ActionWithoutOutcome: t('FKR514', 'declaration', "Rule '{0}' {1}, so it cannot act: only a rule that reviews, challenges or declines may take an action (an action on a weaker signal would restrict customers the policy itself lets through)."),
  ActionNeedsDecline: t('FKR515', 'declaration', "Action '{0}' of rule '{1}' needs 'outcome decline': a rule that freezes an account or suspends a terminal must decline the payment that showed it, not {2} it."),
  ActionArgument: t('FKR516', 'declaration', "Action '{0}': {1}"),
  // warnings
  BucketsClamped: t('FKR601', 'lint', 'Buckets {0} is outside 1..120; using {1}.', 'warning'),
  EmptyStringComparison: t('FKR602', 'lint', "Comparing with \"\" is never true, because an unknown string is ''; write 'not known({0})' instead.", 'warning'),
  ConstantCondition: t('FKR603', 'lint', "The condition of rule '{0}' is always {1}.", 'warning'),
  UnusedFeature: t('FKR604', 'lint', "Feature '{0}' is declared but no rule or derived feature uses it; it still costs time on every payment.", 'warning'),
} as const satisfies Record<string, DiagnosticTemplate>;

/** Where in the policy text something is; 1-based, as editors count. */
export interface SourcePos {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** Fills a template's holes; kept apart so tests and docs can render messages without a position. */
export function formatMessage(template: DiagnosticTemplate, args: readonly (string | number)[]): string {
  return template.message.replace(/\{(\d+)\}/g, (_m, i: string) => String(args[Number(i)] ?? ''));
}

/** Builds a diagnostic from the catalog, so no message is ever written outside it. */
export function makeDiagnostic(
  template: DiagnosticTemplate,
  pos: SourcePos,
  ...args: (string | number)[]
): PolicyDiagnostic {
  return {
    code: template.code,
    message: formatMessage(template, args),
    file: pos.file,
    line: pos.line,
    column: pos.column,
    severity: template.severity,
  };
}

/** Renders one diagnostic the way compilers and editors' problem matchers expect: `file:line:col - error CODE: message`. */
export function formatDiagnostic(d: PolicyDiagnostic): string {
  return `${d.file}:${d.line}:${d.column} - ${d.severity} ${d.code}: ${d.message}`;
}

/** Collects diagnostics from every phase, so a compile reports all of them and not just the first. */
export class DiagnosticBag {
  readonly items: PolicyDiagnostic[] = [];

  add(template: DiagnosticTemplate, pos: SourcePos, ...args: (string | number)[]): void {
    this.items.push(makeDiagnostic(template, pos, ...args));
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }

  /** Diagnostics in reading order (file, line, column), as a user fixes them. */
  sorted(fileOrder: readonly string[]): PolicyDiagnostic[] {
    const rank = new Map(fileOrder.map((f, i) => [f, i]));
    return [...this.items].sort(
      (a, b) =>
        (rank.get(a.file) ?? 0) - (rank.get(b.file) ?? 0) || a.line - b.line || a.column - b.column,
    );
  }
}

/** Renders a position for "first declared at" messages. */
export function posText(p: SourcePos): string {
  return `${p.file}:${p.line}:${p.column}`;
}

/** Edit distance (Levenshtein with adjacent transpositions), for "did you mean" hints on typos. */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = new Array<number>(n + 1);
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur[j] = d;
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[n];
}

/** The closest candidate to a misspelt name, if any is close enough to be a plausible typo. */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestD = limit + 1;
  const lower = name.toLowerCase();
  for (const c of candidates) {
    if (Math.abs(c.length - name.length) > limit) continue;
    const d = c.toLowerCase() === lower ? 0.5 : editDistance(lower, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

/** The " Did you mean 'x'?" tail of a message, or '' when nothing is close. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const c = closestName(name, candidates);
  return c === undefined ? '' : ` Did you mean '${c}'?`;
}
