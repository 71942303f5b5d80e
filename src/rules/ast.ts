/**
 * The syntax tree of a policy. Every node carries its position so the checker can point at the exact
 * token; nothing here knows about slots or closures, which keeps parsing testable on its own.
 */
import type { SourcePos } from './diagnostics.js';

/** Binary operators; comparisons, logic and arithmetic share one node kind so the checker types them in one place. */
export type BinaryOp = 'or' | 'and' | '<' | '<=' | '>' | '>=' | '==' | '!=' | '+' | '-' | '*' | '/';

/** Literal kinds that may appear in an `in [...]` list. */
export type ListItem = { readonly kind: 'num'; readonly value: number; readonly pos: SourcePos } | { readonly kind: 'str'; readonly value: string; readonly pos: SourcePos };

/** An expression; `pos` is the position of the token that best explains an error about it. */
export type Expr =
  | { readonly kind: 'num'; readonly value: number; readonly pos: SourcePos }
  | { readonly kind: 'str'; readonly value: string; readonly pos: SourcePos }
  | { readonly kind: 'bool'; readonly value: boolean; readonly pos: SourcePos }
  | { readonly kind: 'name'; readonly name: string; readonly pos: SourcePos }
  | { readonly kind: 'unary'; readonly op: '-' | 'not'; readonly operand: Expr; readonly pos: SourcePos }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly pos: SourcePos }
  | { readonly kind: 'in'; readonly negated: boolean; readonly operand: Expr; readonly items: readonly ListItem[]; readonly pos: SourcePos }
  | { readonly kind: 'call'; readonly fn: string; readonly args: readonly Expr[]; readonly pos: SourcePos };

/** A feature reference; the checker maps each one to its symbol. */
export type NameExpr = Extract<Expr, { kind: 'name' }>;

/** A name with where it was written, for declarations' references. */
export interface NameRef {
  readonly name: string;
  readonly pos: SourcePos;
}

/** `setting score.review = 40` */
export interface SettingDecl {
  readonly kind: 'setting';
  readonly name: NameRef;
  readonly value: number;
  readonly valuePos: SourcePos;
}

/** `feature x = sum(amount) by account over 24h buckets 24 where …` */
export interface WindowDecl {
  readonly kind: 'window';
  readonly name: NameRef;
  readonly agg: 'count' | 'sum' | 'mean' | 'max' | 'min' | 'distinct';
  readonly aggPos: SourcePos;
  /** the aggregated builtin; null for count. */
  readonly value: NameRef | null;
  readonly keys: readonly NameRef[];
  readonly lengthMs: number;
  readonly lengthText: string;
  readonly lengthPos: SourcePos;
  readonly buckets: number | null;
  readonly bucketsPos: SourcePos | null;
  readonly filter: Expr | null;
}

/** `feature ratio = amount / mean_amount_30d` */
export interface DerivedDecl {
  readonly kind: 'derived';
  readonly name: NameRef;
  readonly expr: Expr;
}

/** `rule NAME` and its clauses; absent clauses are null. */
export interface RuleDecl {
  readonly kind: 'rule';
  readonly name: NameRef;
  readonly description: string | null;
  readonly when: Expr | null;
  readonly outcome: NameRef | null;
  readonly score: number | null;
  readonly scorePos: SourcePos | null;
  readonly reason: string | null;
  /** `action …` clauses, in the order written (a rule may have several). */
  readonly actions: readonly ActionDecl[];
  /** a syntax error inside the block: the checker skips "missing clause" errors that would only repeat it. */
  readonly broken: boolean;
}

/**
 * `action freeze_account for 24h`, `action lower_limit to 50%`, `action add_to_list device
 * "watch_devices" for 30d`: what a firing rule does besides deciding (rules/actions.ts checks it).
 */
export interface ActionDecl {
  /** the action's word, e.g. freeze_account. */
  readonly name: NameRef;
  /** add_to_list: what of the payment goes on the list (account, device, …), when written. */
  readonly subject: NameRef | null;
  /** add_to_list: the list's name, when written. */
  readonly list: { readonly name: string; readonly pos: SourcePos } | null;
  /** lower_limit: `to 50%` (percent) or `to ¥2000` (fen). */
  readonly to: { readonly kind: 'percent' | 'money'; readonly value: number; readonly pos: SourcePos } | null;
  /** `for 24h`: how long, in ms of event time; null for until lifted. */
  readonly forMs: number | null;
  readonly forPos: SourcePos | null;
}

/** Anything a policy file declares at top level. */
export type Decl = SettingDecl | WindowDecl | DerivedDecl | RuleDecl;

/** One parsed file. */
export interface PolicyFile {
  readonly file: string;
  readonly decls: readonly Decl[];
}
