/**
 * Turns policy text into tokens. Newlines are plain whitespace (the grammar is keyword-driven), but
 * each token remembers whether a line break came before it so the parser can give better errors.
 * Bad literals still produce a token (with a NaN value) after their diagnostic, so one typo does not
 * hide the errors after it. Columns count Unicode code points, as editors do.
 */
import { Diagnostics, type DiagnosticBag } from './diagnostics.js';

/** Words that can never name a feature or a rule; clause words (when, score, by, …) stay usable as names. */
export const RESERVED = new Set(['and', 'or', 'not', 'in', 'true', 'false', 'rule', 'feature', 'setting']);

/** Literal kinds stay apart (money, duration) so messages can name what was written. */
export type TokenKind = 'ident' | 'keyword' | 'number' | 'money' | 'duration' | 'string' | 'punct' | 'eof';

/** One token; `value` is the number (money in fen, durations in ms), `text` the source or the unescaped string. */
export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly value: number;
  readonly line: number;
  readonly column: number;
  /** a line break separates this token from the previous one. */
  readonly newlineBefore: boolean;
}

const PUNCT2 = new Set(['<=', '>=', '==', '!=']);
const PUNCT1 = new Set(['(', ')', '[', ']', ',', '=', '<', '>', '+', '-', '*', '/', '%']);
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isIdentStart = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isIdentPart = (c: string): boolean => isIdentStart(c) || isDigit(c);

const NUMBER_RE = /^\d+(?:_\d+)*(?:\.\d+(?:_\d+)*)?$/;
const DURATION_RE = /^(\d+(?:_\d+)*)([smhd])$/;
const MONEY_RE = /^(\d+(?:_\d+)*)(?:\.(\d{1,2}))?$/;

/** Splits one file into tokens, reporting lexical errors into `bag`; always ends with an `eof` token. */
export function tokenize(file: string, text: string, bag: DiagnosticBag): Token[] {
  const tokens: Token[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let col = 1;
  let newline = true;
  let badRun = false;

  const push = (kind: TokenKind, tokText: string, value: number, l: number, c: number): void => {
    tokens.push({ kind, text: tokText, value, line: l, column: c, newlineBefore: newline });
    newline = false;
  };
  /** Moves past one code point (a surrogate pair counts as one column). */
  const advance = (): void => {
    const code = text.charCodeAt(i);
    i += code >= 0xd800 && code <= 0xdbff && i + 1 < text.length ? 2 : 1;
    col++;
  };
  /** A run of characters that can belong to a numeric literal, so `12abc` is one bad token, not two. */
  const word = (): string => {
    const start = i;
    while (i < text.length && (isIdentPart(text[i]) || text[i] === '.')) advance();
    return text.slice(start, i);
  };

  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      i++;
      line++;
      col = 1;
      newline = true;
      badRun = false;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      advance();
      badRun = false;
      continue;
    }
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') advance();
      continue;
    }
    const l = line;
    const startCol = col;
    const pos = { file, line: l, column: startCol };
    if (isIdentStart(c)) {
      const start = i;
      advance();
      for (;;) {
        while (i < text.length && isIdentPart(text[i])) advance();
        // dotted names such as score.review
        if (text[i] === '.' && i + 1 < text.length && isIdentStart(text[i + 1])) {
          advance();
          continue;
        }
        break;
      }
      const name = text.slice(start, i);
      push(RESERVED.has(name) ? 'keyword' : 'ident', name, NaN, l, startCol);
      badRun = false;
      continue;
    }
    if (isDigit(c)) {
      const w = word();
      const plain = w.replace(/_/g, '');
      const dur = DURATION_RE.exec(w);
      if (NUMBER_RE.test(w)) {
        push('number', w, Number(plain), l, startCol);
      } else if (dur) {
        push('duration', w, Number(dur[1].replace(/_/g, '')) * UNIT_MS[dur[2]], l, startCol);
      } else if (/^[\d_.]+[smhdSMHD][A-Za-z]*$/.test(w)) {
        bag.add(Diagnostics.InvalidDuration, pos, w);
        push('duration', w, NaN, l, startCol);
      } else {
        bag.add(Diagnostics.InvalidNumber, pos, w);
        push('number', w, NaN, l, startCol);
      }
      badRun = false;
      continue;
    }
    if (c === '¥' || c === '￥') {
      advance();
      const w = word();
      const m = MONEY_RE.exec(w);
      if (m) {
        const yuan = Number(m[1].replace(/_/g, ''));
        const fen = m[2] === undefined ? 0 : Number(m[2].padEnd(2, '0'));
        push('money', c + w, yuan * 100 + fen, l, startCol);
      } else {
        bag.add(Diagnostics.InvalidMoney, pos, c + w);
        push('money', c + w, NaN, l, startCol);
      }
      badRun = false;
      continue;
    }
    if (c === '"') {
      advance();
      let out = '';
      let closed = false;
      while (i < text.length && text[i] !== '\n') {
        const ch = text[i];
        if (ch === '"') {
          advance();
          closed = true;
          break;
        }
        if (ch === '\\') {
          const escPos = { file, line, column: col };
          advance();
          const e = text[i];
          if (e === '"' || e === '\\') out += e;
          else if (e === 'n') out += '\n';
          else if (e === 't') out += '\t';
          else if (e === undefined || e === '\n') continue;
          else bag.add(Diagnostics.InvalidEscape, escPos, e);
          advance();
          continue;
        }
        const cp = text.codePointAt(i) ?? 0;
        out += String.fromCodePoint(cp);
        advance();
      }
      if (!closed) bag.add(Diagnostics.UnterminatedString, pos);
      push('string', out, NaN, l, startCol);
      badRun = false;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (PUNCT2.has(two)) {
      advance();
      advance();
      push('punct', two, NaN, l, startCol);
      badRun = false;
      continue;
    }
    if (PUNCT1.has(c)) {
      advance();
      push('punct', c, NaN, l, startCol);
      badRun = false;
      continue;
    }
    // one diagnostic per run of garbage, not one per character
    const cp = String.fromCodePoint(text.codePointAt(i) ?? 0);
    if (!badRun) bag.add(Diagnostics.UnexpectedCharacter, pos, cp);
    badRun = true;
    advance();
  }
  tokens.push({ kind: 'eof', text: '', value: NaN, line, column: col, newlineBefore: true });
  return tokens;
}
