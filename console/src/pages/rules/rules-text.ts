/**
 * The Rules page's logic, kept out of the components so it can be tested alone: rules read from a
 * version's `*.fk` files (the API answers the files and only counts in its compile summary, so the
 * page shows each `rule` block as written), diagnostics grouped by the line they mark, a unified-diff
 * line's kind, and a debounced value.
 */
import { useEffect, useState } from 'react';
import type { PolicyDiagnostic, PolicyFile } from './types';

/** One `rule` block of a file, as written. */
export interface RuleText {
  readonly file: string;
  /** 1-based line of `rule NAME`. */
  readonly line: number;
  readonly name: string;
  readonly description: string;
  readonly when: string;
  readonly outcome: string | null;
  readonly score: string | null;
  /** The block's own lines, comments above it excluded. */
  readonly text: string;
}

const RULE = /^rule\s+([A-Za-z_][A-Za-z0-9_]*)\s*$/;

/** The string literal's content: `"a \"b\""` → `a "b"`. */
function unquote(s: string): string {
  const m = /^"((?:[^"\\]|\\.)*)"/.exec(s.trim());
  return m === null ? s.trim() : (m[1] ?? '').replace(/\\(.)/g, '$1');
}

/**
 * Every `rule` block of the files, in file order: the block runs from `rule NAME` to the next line that
 * is neither indented nor blank. Clauses it does not know are kept in `text` only.
 */
export function rulesOf(files: readonly PolicyFile[]): RuleText[] {
  const out: RuleText[] = [];
  for (const f of files) {
    const lines = f.text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const m = RULE.exec(lines[i] ?? '');
      if (m === null) continue;
      const block: string[] = [lines[i] ?? ''];
      const clauses: Record<string, string> = {};
      let last: string | null = null;
      let j = i + 1;
      for (; j < lines.length; j++) {
        const l = lines[j] ?? '';
        if (l.trim() !== '' && !/^\s/.test(l)) break;
        block.push(l);
        const t = l.trim();
        if (t === '' || t.startsWith('#')) continue;
        const c = /^(description|when|outcome|score)\b\s*(.*)$/.exec(t);
        if (c !== null) {
          last = c[1] ?? null;
          if (last !== null) clauses[last] = c[2] ?? '';
        } else if (last === 'when') clauses.when = `${clauses.when ?? ''} ${t}`.trim();
      }
      while (block.length > 1 && (block.at(-1) ?? '').trim() === '') block.pop();
      out.push({
        file: f.file,
        line: i + 1,
        name: m[1] ?? '',
        description: clauses.description === undefined ? '' : unquote(clauses.description),
        when: clauses.when ?? '',
        outcome: clauses.outcome ?? null,
        score: clauses.score ?? null,
        text: block.join('\n'),
      });
      i = j - 1;
    }
  }
  return out;
}

/** The rules whose name, description, condition or file contain every word of `q` (any case). */
export function searchRules(rules: readonly RuleText[], q: string): RuleText[] {
  const words = q.toLowerCase().split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return [...rules];
  return rules.filter((r) => {
    const hay = `${r.name}\n${r.description}\n${r.when}\n${r.outcome ?? ''}\n${r.file}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** The diagnostics of one file by the 1-based line they mark (a line < 1 counts as line 1). */
export function diagnosticsByLine(diags: readonly PolicyDiagnostic[], file: string): Map<number, PolicyDiagnostic[]> {
  const out = new Map<number, PolicyDiagnostic[]>();
  for (const d of diags) {
    if (d.file !== file) continue;
    const line = Math.max(1, Math.trunc(d.line));
    const list = out.get(line);
    if (list === undefined) out.set(line, [d]);
    else list.push(d);
  }
  return out;
}

/** How many diagnostics each file has, for the file picker. */
export function diagnosticCounts(diags: readonly PolicyDiagnostic[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const d of diags) out.set(d.file, (out.get(d.file) ?? 0) + 1);
  return out;
}

/** What a line of a unified-diff hunk is. */
export type DiffLineKind = 'added' | 'removed' | 'context';

/** A hunk line's kind by its first character, and its text without it. */
export function diffLine(line: string): { kind: DiffLineKind; text: string } {
  const c = line.charAt(0);
  const kind: DiffLineKind = c === '+' ? 'added' : c === '-' ? 'removed' : 'context';
  return { kind, text: line.slice(1) };
}

/** The `@@ -a,b +c,d @@` header of a hunk. */
export function hunkHeader(h: { oldStart: number; oldLines: number; newStart: number; newLines: number }): string {
  return `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`;
}

/** `value`, once it has stayed the same for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}
