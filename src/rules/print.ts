/**
 * Prints expressions back to canonical text: fully parenthesised, one spelling per meaning, no
 * positions or comments. Two declarations that print alike compute alike, which is how a new policy
 * version recognises the windows it shares with the live one and keeps their state.
 */
import type { Expr, ListItem } from './ast.js';

function item(i: ListItem): string {
  return i.kind === 'str' ? JSON.stringify(i.value) : String(i.value);
}

/** The canonical text of `e`. */
export function printExpr(e: Expr): string {
  switch (e.kind) {
    case 'num':
      return String(e.value);
    case 'str':
      return JSON.stringify(e.value);
    case 'bool':
      return e.value ? 'true' : 'false';
    case 'name':
      return e.name;
    case 'unary':
      return `(${e.op === 'not' ? 'not ' : '-'}${printExpr(e.operand)})`;
    case 'binary':
      return `(${printExpr(e.left)} ${e.op} ${printExpr(e.right)})`;
    case 'in':
      return `(${printExpr(e.operand)} ${e.negated ? 'not in' : 'in'} [${e.items.map(item).join(', ')}])`;
    case 'call':
      return `${e.fn}(${e.args.map(printExpr).join(', ')})`;
  }
}
