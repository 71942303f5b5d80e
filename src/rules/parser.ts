/**
 * Recursive-descent parser from tokens to the syntax tree. On an error it records a diagnostic,
 * skips to the next clause or declaration and goes on, so one compile reports every broken place.
 *
 * Precedence, loosest first: or · and · not · comparisons and (not) in · + - · * / · unary - · atoms.
 */
import type { ActionDecl, BinaryOp, Decl, DerivedDecl, Expr, ListItem, NameRef, PolicyFile, RuleDecl, SettingDecl, WindowDecl } from './ast.js';
import { Diagnostics, type DiagnosticBag, type SourcePos } from './diagnostics.js';
import { tokenize, type Token } from './lexer.js';

/** Clause words of a rule block, in the order the docs list them. */
export const RULE_CLAUSES = ['description', 'when', 'outcome', 'score', 'reason', 'action'] as const;
type Clause = (typeof RULE_CLAUSES)[number];

/** Window aggregations; `count` takes no value. */
/**
 * Deepest expression tree (and deepest parser recursion) accepted. The parser, checker and code
 * generator recurse over the tree, so a deeper one — 10,000 `not`s, or `a and a and …` a few thousand
 * times — would overflow the stack instead of getting a diagnostic. No real condition comes close.
 */
export const MAX_EXPR_DEPTH = 200;

export const AGGREGATIONS = new Set(['count', 'sum', 'mean', 'max', 'min', 'distinct']);

const CLAUSE_SET = new Set<string>(RULE_CLAUSES);
const WINDOW_WORDS = new Set(['by', 'over', 'buckets', 'where']);
const DECL_WORDS = new Set(['rule', 'feature', 'setting']);
const COMPARE = new Set(['<', '<=', '>', '>=', '==', '!=']);

/** Thrown to unwind to the nearest clause or declaration after a syntax error was recorded. */
class Bail {}
const BAIL = new Bail();

/** Parses one file; syntax errors go into `bag` and the tree holds whatever could be understood. */
export function parseFile(file: string, text: string, bag: DiagnosticBag): PolicyFile {
  return new Parser(file, tokenize(file, text, bag), bag).parseFile();
}

/** Parses a lone expression (for tools and tests); null when it does not parse. */
export function parseExpression(file: string, text: string, bag: DiagnosticBag): Expr | null {
  const p = new Parser(file, tokenize(file, text, bag), bag);
  return p.parseLoneExpr();
}

/** How a token is named in "Unexpected …" messages. */
function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'end of file';
    case 'string':
      return `string "${t.text}"`;
    case 'number':
    case 'money':
    case 'duration':
      return `${t.kind} ${t.text}`;
    case 'keyword':
      return `keyword '${t.text}'`;
    default:
      return `'${t.text}'`;
  }
}

class Parser {
  private i = 0;
  /** parseExpr/parseNot/parseUnary calls under way, bounded by MAX_EXPR_DEPTH. */
  private nesting = 0;
  /** the depth of every tree node built so far (leaves are not recorded: depth 1). */
  private readonly depths = new WeakMap<Expr, number>();

  constructor(
    private readonly file: string,
    private readonly toks: readonly Token[],
    private readonly bag: DiagnosticBag,
  ) {}

  parseFile(): PolicyFile {
    const decls: Decl[] = [];
    while (this.peek().kind !== 'eof') {
      const t = this.peek();
      try {
        if (t.kind === 'keyword' && t.text === 'rule') decls.push(this.parseRule());
        else if (t.kind === 'keyword' && t.text === 'feature') decls.push(this.parseFeature());
        else if (t.kind === 'keyword' && t.text === 'setting') decls.push(this.parseSetting());
        else {
          this.bag.add(Diagnostics.ExpectedDeclaration, this.pos(t), describe(t));
          throw BAIL;
        }
      } catch (e) {
        if (e !== BAIL) throw e;
        this.syncToDecl();
      }
    }
    return { file: this.file, decls };
  }

  parseLoneExpr(): Expr | null {
    try {
      const e = this.parseExpr();
      const t = this.peek();
      if (t.kind !== 'eof') this.fail(t, 'end of expression');
      return e;
    } catch (e) {
      if (e !== BAIL) throw e;
      return null;
    }
  }

  // ---------------------------------------------------------------- declarations

  private parseSetting(): SettingDecl {
    this.next();
    const name = this.expectName('a setting name such as score.review');
    this.expectPunct('=');
    const neg = this.eatPunct('-');
    const t = this.peek();
    if (t.kind !== 'number') this.fail(t, 'a number');
    this.next();
    return { kind: 'setting', name, value: neg ? -t.value : t.value, valuePos: this.pos(t) };
  }

  private parseFeature(): WindowDecl | DerivedDecl {
    this.next();
    const name = this.expectName('a feature name');
    this.expectPunct('=');
    const expr = this.parseExpr();
    const t = this.peek();
    const looksLikeAgg = (expr.kind === 'name' && expr.name === 'count') || (expr.kind === 'call' && AGGREGATIONS.has(expr.fn));
    if (t.kind === 'ident' && (t.text === 'by' || (t.text === 'over' && looksLikeAgg))) return this.parseWindow(name, expr);
    return { kind: 'derived', name, expr };
  }

  private parseWindow(name: NameRef, head: Expr): WindowDecl {
    let agg: WindowDecl['agg'] = 'count';
    let value: NameRef | null = null;
    if (head.kind === 'name' && head.name === 'count') agg = 'count';
    else if (head.kind === 'call' && head.fn === 'count' && head.args.length === 0) agg = 'count';
    else if (head.kind === 'call' && AGGREGATIONS.has(head.fn) && head.fn !== 'count' && head.args.length === 1 && head.args[0].kind === 'name') {
      agg = head.fn as WindowDecl['agg'];
      value = { name: head.args[0].name, pos: head.args[0].pos };
    } else {
      const shown = head.kind === 'name' ? head.name : head.kind === 'call' ? `${head.fn}(…)` : 'expression';
      this.bag.add(Diagnostics.UnknownAggregation, head.pos, shown);
      throw BAIL;
    }
    this.expectWord('by', "'by' and the window's key, e.g. by account");
    const keys = [this.expectName('a key feature such as account')];
    while (this.eatPunct(',')) keys.push(this.expectName('a key feature such as merchant'));
    this.expectWord('over', "'over' and the window length, e.g. over 10m");
    const len = this.peek();
    if (len.kind !== 'duration') this.fail(len, 'a window length such as 10m, 24h or 30d');
    this.next();
    let buckets: number | null = null;
    let bucketsPos: SourcePos | null = null;
    let filter: Expr | null = null;
    for (;;) {
      const w = this.peek();
      if (w.kind === 'ident' && w.text === 'buckets') {
        this.next();
        const n = this.peek();
        if (n.kind !== 'number') this.fail(n, 'a number of buckets');
        this.next();
        buckets = n.value;
        bucketsPos = this.pos(n);
      } else if (w.kind === 'ident' && w.text === 'where') {
        this.next();
        filter = this.parseExpr();
      } else break;
    }
    return {
      kind: 'window',
      name,
      agg,
      aggPos: head.pos,
      value,
      keys,
      lengthMs: len.value,
      lengthText: len.text,
      lengthPos: this.pos(len),
      buckets,
      bucketsPos,
      filter,
    };
  }

  private parseRule(): RuleDecl {
    this.next();
    const name = this.expectName('a rule name');
    let description: string | null = null;
    let when: Expr | null = null;
    let outcome: NameRef | null = null;
    let score: number | null = null;
    let scorePos: SourcePos | null = null;
    let reason: string | null = null;
    const actions: ActionDecl[] = [];
    let broken = false;
    const seen = new Set<Clause>();
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof' || (t.kind === 'keyword' && DECL_WORDS.has(t.text))) break;
      try {
        if (t.kind !== 'ident' || !CLAUSE_SET.has(t.text)) {
          this.bag.add(Diagnostics.UnknownClause, this.pos(t), describe(t), name.name);
          throw BAIL;
        }
        const clause = t.text as Clause;
        if (seen.has(clause) && clause !== 'action') this.bag.add(Diagnostics.DuplicateClause, this.pos(t), clause, name.name);
        seen.add(clause);
        this.next();
        switch (clause) {
          case 'description': {
            const s = this.peek();
            if (s.kind !== 'string') this.fail(s, 'a description in double quotes');
            this.next();
            description = s.text;
            break;
          }
          case 'when':
            when = this.parseExpr();
            break;
          case 'outcome':
            outcome = this.expectName('an outcome: approve, review, challenge, decline or allow');
            break;
          case 'score': {
            const neg = this.peek();
            const isNeg = this.eatPunct('-');
            const n = this.peek();
            if (n.kind !== 'number') this.fail(n, 'a number of points');
            this.next();
            score = isNeg ? -n.value : n.value;
            scorePos = this.pos(isNeg ? neg : n);
            break;
          }
          case 'reason': {
            const r = this.peek();
            if (r.kind !== 'ident' && r.kind !== 'string') this.fail(r, 'a reason code');
            this.next();
            reason = r.text;
            break;
          }
          case 'action':
            actions.push(this.parseAction());
            break;
        }
      } catch (e) {
        if (e !== BAIL) throw e;
        broken = true;
        this.syncToClause();
      }
    }
    return { kind: 'rule', name, description, when, outcome, score, scorePos, reason, actions, broken };
  }

  /**
   * `action <name> [<subject>] ["list"] [to N% | to ¥N] [for <duration>]`, the parts on the action's
   * own line; which parts an action needs is the checker's business (rules/actions.ts).
   */
  private parseAction(): ActionDecl {
    const name = this.expectName('an action such as freeze_account, lower_limit or add_to_list');
    let subject: NameRef | null = null;
    let list: ActionDecl['list'] = null;
    let to: ActionDecl['to'] = null;
    let forMs: number | null = null;
    let forPos: SourcePos | null = null;
    for (;;) {
      const t = this.peek();
      if (t.newlineBefore || t.kind === 'eof') break;
      if (t.kind === 'string' && list === null) {
        this.next();
        list = { name: t.text, pos: this.pos(t) };
      } else if (t.kind === 'ident' && t.text === 'to' && to === null) {
        this.next();
        const v = this.peek();
        if (v.kind === 'money') {
          this.next();
          to = { kind: 'money', value: v.value, pos: this.pos(v) };
        } else if (v.kind === 'number') {
          this.next();
          this.expectPunct('%');
          to = { kind: 'percent', value: v.value, pos: this.pos(v) };
        } else this.fail(v, 'a share of the limit such as 50% or an amount such as ¥2000');
      } else if (t.kind === 'ident' && t.text === 'for' && forMs === null) {
        this.next();
        const d = this.peek();
        if (d.kind !== 'duration') this.fail(d, 'a duration such as 24h or 7d');
        this.next();
        forMs = d.value;
        forPos = this.pos(d);
      } else if (t.kind === 'ident' && subject === null && list === null && !CLAUSE_SET.has(t.text)) {
        this.next();
        subject = { name: t.text, pos: this.pos(t) };
      } else this.fail(t, "'to', 'for' or the end of the action's line");
    }
    return { name, subject, list, to, forMs, forPos };
  }

  // ---------------------------------------------------------------- expressions

  private parseExpr(): Expr {
    return this.nested(() => this.parseOr());
  }

  /** Runs one level of recursive descent, refusing to go deeper than MAX_EXPR_DEPTH. */
  private nested(parse: () => Expr): Expr {
    if (this.nesting >= MAX_EXPR_DEPTH) this.tooDeep(this.pos(this.peek()));
    this.nesting++;
    try {
      return parse();
    } finally {
      this.nesting--;
    }
  }

  /** Records the depth of a new node over its children, refusing a tree deeper than MAX_EXPR_DEPTH. */
  private node(e: Expr, ...children: Expr[]): Expr {
    let d = 1;
    for (const c of children) d = Math.max(d, (this.depths.get(c) ?? 1) + 1);
    if (d > MAX_EXPR_DEPTH) this.tooDeep(e.pos);
    this.depths.set(e, d);
    return e;
  }

  private tooDeep(pos: SourcePos): never {
    this.bag.add(Diagnostics.ExpressionTooDeep, pos, MAX_EXPR_DEPTH);
    throw BAIL;
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.isKeyword('or')) {
      const op = this.next();
      const right = this.parseAnd();
      left = this.node({ kind: 'binary', op: 'or', left, right, pos: this.pos(op) }, left, right);
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.isKeyword('and')) {
      const op = this.next();
      const right = this.parseNot();
      left = this.node({ kind: 'binary', op: 'and', left, right, pos: this.pos(op) }, left, right);
    }
    return left;
  }

  private parseNot(): Expr {
    if (this.isKeyword('not')) {
      const op = this.next();
      const operand = this.nested(() => this.parseNot());
      return this.node({ kind: 'unary', op: 'not', operand, pos: this.pos(op) }, operand);
    }
    return this.parseCompare();
  }

  private parseCompare(): Expr {
    let left = this.parseAdd();
    for (;;) {
      const t = this.peek();
      if (t.kind === 'punct' && COMPARE.has(t.text)) {
        this.next();
        const right = this.parseAdd();
        left = this.node({ kind: 'binary', op: t.text as BinaryOp, left, right, pos: this.pos(t) }, left, right);
      } else if (this.isKeyword('in')) {
        this.next();
        left = this.node({ kind: 'in', negated: false, operand: left, items: this.parseList(), pos: this.pos(t) }, left);
      } else if (this.isKeyword('not') && this.peek(1).kind === 'keyword' && this.peek(1).text === 'in') {
        this.next();
        this.next();
        left = this.node({ kind: 'in', negated: true, operand: left, items: this.parseList(), pos: this.pos(t) }, left);
      } else return left;
    }
  }

  private parseAdd(): Expr {
    let left = this.parseMul();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'punct' || (t.text !== '+' && t.text !== '-')) return left;
      this.next();
      const right = this.parseMul();
      left = this.node({ kind: 'binary', op: t.text, left, right, pos: this.pos(t) }, left, right);
    }
  }

  private parseMul(): Expr {
    let left = this.parseUnary();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'punct' || (t.text !== '*' && t.text !== '/')) return left;
      this.next();
      const right = this.parseUnary();
      left = this.node({ kind: 'binary', op: t.text, left, right, pos: this.pos(t) }, left, right);
    }
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (t.kind === 'punct' && t.text === '-') {
      this.next();
      const operand = this.nested(() => this.parseUnary());
      if (operand.kind === 'num') return { kind: 'num', value: -operand.value, pos: this.pos(t) };
      return this.node({ kind: 'unary', op: '-', operand, pos: this.pos(t) }, operand);
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case 'number':
      case 'money':
      case 'duration':
        this.next();
        return { kind: 'num', value: t.value, pos: this.pos(t) };
      case 'string':
        this.next();
        return { kind: 'str', value: t.text, pos: this.pos(t) };
      case 'keyword':
        if (t.text === 'true' || t.text === 'false') {
          this.next();
          return { kind: 'bool', value: t.text === 'true', pos: this.pos(t) };
        }
        break;
      case 'ident': {
        // a clause word opening a new line means the expression before it is unfinished
        if (t.newlineBefore && (CLAUSE_SET.has(t.text) || WINDOW_WORDS.has(t.text))) break;
        this.next();
        if (!this.isPunct('(')) return { kind: 'name', name: t.text, pos: this.pos(t) };
        this.next();
        const args: Expr[] = [];
        if (!this.isPunct(')')) {
          args.push(this.parseExpr());
          while (this.eatPunct(',')) args.push(this.parseExpr());
        }
        this.expectPunct(')');
        return this.node({ kind: 'call', fn: t.text, args, pos: this.pos(t) }, ...args);
      }
      case 'punct':
        if (t.text === '(') {
          this.next();
          const e = this.parseExpr();
          this.expectPunct(')');
          return e;
        }
        if (t.text === '[') this.fail(t, "an expression (a list may only follow 'in')");
        break;
      default:
        break;
    }
    return this.fail(t, 'an expression');
  }

  private parseList(): ListItem[] {
    this.expectPunct('[');
    const items: ListItem[] = [];
    if (this.eatPunct(']')) return items;
    do {
      const first = this.peek();
      const neg = this.eatPunct('-');
      const t = this.peek();
      if (t.kind === 'number' || t.kind === 'money' || t.kind === 'duration') {
        this.next();
        items.push({ kind: 'num', value: neg ? -t.value : t.value, pos: this.pos(first) });
      } else if (t.kind === 'string' && !neg) {
        this.next();
        items.push({ kind: 'str', value: t.text, pos: this.pos(t) });
      } else this.fail(t, 'a string or number literal');
    } while (this.eatPunct(','));
    this.expectPunct(']');
    return items;
  }

  // ---------------------------------------------------------------- helpers

  private peek(ahead = 0): Token {
    return this.toks[Math.min(this.i + ahead, this.toks.length - 1)];
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  private pos(t: Token): SourcePos {
    return { file: this.file, line: t.line, column: t.column };
  }

  private fail(t: Token, expected: string): never {
    this.bag.add(Diagnostics.UnexpectedToken, this.pos(t), describe(t), expected);
    throw BAIL;
  }

  private isKeyword(word: string): boolean {
    const t = this.peek();
    return t.kind === 'keyword' && t.text === word;
  }

  private isPunct(p: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === p;
  }

  private eatPunct(p: string): boolean {
    if (!this.isPunct(p)) return false;
    this.next();
    return true;
  }

  private expectPunct(p: string): void {
    if (!this.eatPunct(p)) this.fail(this.peek(), `'${p}'`);
  }

  private expectWord(word: string, expected: string): void {
    const t = this.peek();
    if (t.kind !== 'ident' || t.text !== word) this.fail(t, expected);
    this.next();
  }

  private expectName(expected: string): NameRef {
    const t = this.peek();
    if (t.kind !== 'ident') this.fail(t, expected);
    this.next();
    return { name: t.text, pos: this.pos(t) };
  }

  /** Skips to the next `rule`, `feature` or `setting`; callers have always consumed a token, so this progresses. */
  private syncToDecl(): void {
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof' || (t.kind === 'keyword' && DECL_WORDS.has(t.text))) return;
      this.next();
    }
  }

  /** Skips to the next clause word at the start of a line, or the next declaration. */
  private syncToClause(): void {
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof' || (t.kind === 'keyword' && DECL_WORDS.has(t.text))) return;
      if (t.kind === 'ident' && t.newlineBefore && CLAUSE_SET.has(t.text)) return;
      this.next();
    }
  }
}
