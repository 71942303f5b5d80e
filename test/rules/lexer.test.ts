import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenize } from '../../src/rules/lexer.js';
import { DiagnosticBag } from '../../src/rules/diagnostics.js';

function lex(text: string) {
  const bag = new DiagnosticBag();
  const toks = tokenize('t.fk', text, bag);
  return { toks, diags: bag.items };
}

test('tokens carry kind, value and 1-based line/column', () => {
  const { toks, diags } = lex('rule X\n  when amount < ¥49.90 and channel in ["qr"] # c\n');
  assert.deepEqual(diags, []);
  const got = toks.map((t) => [t.kind, t.text, t.line, t.column]);
  assert.deepEqual(got, [
    ['keyword', 'rule', 1, 1],
    ['ident', 'X', 1, 6],
    ['ident', 'when', 2, 3],
    ['ident', 'amount', 2, 8],
    ['punct', '<', 2, 15],
    ['money', '¥49.90', 2, 17],
    ['keyword', 'and', 2, 24],
    ['ident', 'channel', 2, 28],
    ['keyword', 'in', 2, 36],
    ['punct', '[', 2, 39],
    ['string', 'qr', 2, 40],
    ['punct', ']', 2, 44],
    ['eof', '', 3, 1],
  ]);
  assert.equal(toks[5].value, 4990);
  assert.equal(toks[2].newlineBefore, true);
  assert.equal(toks[3].newlineBefore, false);
});

test('numbers, money and durations have their values', () => {
  const { toks, diags } = lex('1_000 0.5 ¥50 ￥1_000.5 90s 10m 2h 30d');
  assert.deepEqual(diags, []);
  assert.deepEqual(
    toks.slice(0, -1).map((t) => [t.kind, t.value]),
    [
      ['number', 1000],
      ['number', 0.5],
      ['money', 5000],
      ['money', 100050],
      ['duration', 90_000],
      ['duration', 600_000],
      ['duration', 7_200_000],
      ['duration', 2_592_000_000],
    ],
  );
});

test('strings unescape and count columns in code points', () => {
  const { toks, diags } = lex('"深圳\\"x\\\\" == "😀" x');
  assert.deepEqual(diags, []);
  assert.equal(toks[0].text, '深圳"x\\');
  assert.equal(toks[1].column, 11);
  assert.equal(toks[2].text, '😀');
  assert.equal(toks[3].column, 18);
});

test('dotted names, two-character operators and reserved words', () => {
  const { toks } = lex('score.review <= >= == != not in true');
  assert.deepEqual(
    toks.slice(0, -1).map((t) => `${t.kind}:${t.text}`),
    ['ident:score.review', 'punct:<=', 'punct:>=', 'punct:==', 'punct:!=', 'keyword:not', 'keyword:in', 'keyword:true'],
  );
});

test('a bad literal still yields a token, so parsing goes on', () => {
  const { toks, diags } = lex('1__0 ¥4.999 10ms 12abc');
  assert.deepEqual(
    diags.map((d) => [d.code, d.column]),
    [
      ['FKR104', 1],
      ['FKR105', 6],
      ['FKR106', 13],
      ['FKR104', 18],
    ],
  );
  assert.equal(toks.length, 5);
  assert.ok(toks.slice(0, 4).every((t) => Number.isNaN(t.value)));
});

test('a run of unexpected characters is reported once; CRLF and BOM are fine', () => {
  const { toks, diags } = lex('\uFEFFa $$$ b\r\nc');
  assert.deepEqual(diags.map((d) => [d.code, d.line, d.column]), [['FKR101', 1, 3]]);
  assert.deepEqual(toks.map((t) => [t.text, t.line, t.column]), [
    ['a', 1, 1],
    ['b', 1, 7],
    ['c', 2, 1],
    ['', 2, 2],
  ]);
});
