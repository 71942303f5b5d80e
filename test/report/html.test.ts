// The printable risk report: well-formed (a minimal parser: every tag closed in order, attributes
// quoted, every '<' and '&' in text a tag or an entity), self-contained, with its charts, tables and
// the report's JSON embedded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { embeddedJson, renderRiskReportHtml } from '../../src/report/html.js';
import { SqliteCaseQueueReader } from '../../src/store/sqlite/case-queue.js';
import { runRiskReport, type RiskReport } from '../../src/report/risk-report.js';
import { barChart, hBarChart, lineChart, ticks } from '../../src/report/svg.js';
import { DAY } from '../engine/world.js';
import { FROM, reportJournal, tempStore, TO } from './fixture.js';

const VOID = new Set(['meta', 'link', 'br', 'hr', 'img', 'input', 'col', 'area', 'base', 'wbr', 'source']);
const RAW = new Set(['script', 'style']);
const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:="[^"<]*")?)*)\s*(\/?)>/y;
const ENTITY = /&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);/y;

interface Element {
  readonly name: string;
  readonly attrs: string;
  readonly start: number;
  end: number;
  readonly children: Element[];
}

/** Parses `html` strictly enough for generated markup; throws with the offset of the first fault. */
function parse(html: string): Element {
  const root: Element = { name: '#root', attrs: '', start: 0, end: html.length, children: [] };
  const stack: Element[] = [root];
  let i = 0;
  if (html.startsWith('<!DOCTYPE html>')) i = '<!DOCTYPE html>'.length;
  while (i < html.length) {
    const c = html[i];
    if (c === '&') {
      ENTITY.lastIndex = i;
      if (!ENTITY.test(html)) throw new Error(`bare & at ${i}: ${html.slice(i, i + 20)}`);
      i = ENTITY.lastIndex;
      continue;
    }
    if (c !== '<') {
      i++;
      continue;
    }
    TAG.lastIndex = i;
    const m = TAG.exec(html);
    if (m === null) throw new Error(`not a tag at ${i}: ${html.slice(i, i + 40)}`);
    const [, close, rawName, attrs, self] = m;
    const name = rawName.toLowerCase();
    if (close) {
      const top = stack.pop()!;
      if (top.name !== name) throw new Error(`</${name}> at ${i} closes <${top.name}> opened at ${top.start}`);
      top.end = TAG.lastIndex;
      i = TAG.lastIndex;
      continue;
    }
    const el: Element = { name, attrs, start: i, end: -1, children: [] };
    stack[stack.length - 1].children.push(el);
    i = TAG.lastIndex;
    if (self || VOID.has(name)) {
      el.end = i;
      continue;
    }
    if (RAW.has(name)) {
      const endTag = html.indexOf(`</${name}>`, i);
      if (endTag < 0) throw new Error(`<${name}> at ${el.start} never closed`);
      el.end = endTag + name.length + 3;
      i = el.end;
      continue;
    }
    stack.push(el);
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1].name}> at ${stack[stack.length - 1].start}`);
  return root;
}

function all(el: Element, name: string, out: Element[] = []): Element[] {
  for (const c of el.children) {
    if (c.name === name) out.push(c);
    all(c, name, out);
  }
  return out;
}

function report(): RiskReport {
  const { store, cleanup } = tempStore(reportJournal());
  try {
    return runRiskReport({ journal: store, from: FROM, to: TO, now: FROM + 30 * DAY, minPayments: 1 });
  } finally {
    cleanup();
  }
}

test('html: well-formed, self-contained, printable, with charts, tables and the JSON', () => {
  const r = report();
  const html = renderRiskReportHtml(r);
  const doc = parse(html);
  assert.equal(doc.children.length, 1);
  assert.equal(doc.children[0].name, 'html');
  const svgs = all(doc, 'svg');
  // payments, flagged by outcome, rates, fraud caught/missed, money, scores, rule precision
  assert.equal(svgs.length, 7);
  for (const s of svgs) {
    assert.match(s.attrs, /viewBox="0 0 \d+ \d+"/);
    assert.equal(s.children[0].name, 'title');
  }
  assert.ok(all(doc, 'rect').length > 20);
  assert.ok(all(doc, 'path').length >= 2, 'the rate lines');
  // sections and tables
  const ids = all(doc, 'section').map((s) => /id="([^"]+)"/.exec(s.attrs)?.[1]);
  assert.deepEqual(ids, ['summary', 'volumes', 'fraud', 'outcomes', 'scores', 'rules', 'merchants', 'terminals', 'cases', 'notes']);
  assert.ok(all(doc, 'table').length >= 7);
  assert.match(html, /MEDIUM_AMOUNT/);
  assert.match(html, /¥1,000\.00/); // money saved
  assert.match(html, /PSI \d\.\d{4} — a significant shift/);
  // self-contained and print-friendly: no external resource, no script to run, A4 and a print block
  const scripts = all(doc, 'script');
  assert.equal(scripts.length, 1);
  assert.match(scripts[0].attrs, /type="application\/json"/);
  assert.doesNotMatch(html, /<link|<img|src=|@import|url\(http/);
  assert.doesNotMatch(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, ''), /https?:\/\//);
  assert.match(html, /@page \{ size: A4/);
  assert.match(html, /@media print/);
  // the JSON block is the report
  const block = /<script type="application\/json" id="fengkong-report">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(block);
  assert.deepEqual(JSON.parse(block[1]), r);
});

test('html: text from the journal is escaped, the JSON cannot close its script', () => {
  const r = report();
  const nasty = '</script><b>&"\'';
  const tampered: RiskReport = {
    ...r,
    rules: [{ ...r.rules[0], code: nasty }],
    merchants: { ...r.merchants, byFraudAmount: [{ ...r.merchants.byFraudAmount[0], id: nasty }] },
  };
  const html = renderRiskReportHtml(tampered);
  parse(html);
  assert.equal(html.split('</script>').length, 2);
  assert.deepEqual(JSON.parse(embeddedJson(tampered)), tampered);
  assert.match(html, /&lt;\/script&gt;&lt;b&gt;&amp;&quot;&#39;/);
});

test('html: a report without payments, without cases, still renders', () => {
  const { store, cleanup } = tempStore(reportJournal());
  try {
    const r = runRiskReport({ journal: store, from: FROM + 100 * DAY, to: FROM + 101 * DAY, now: FROM });
    assert.equal(r.totals.payments, 0);
    assert.equal(r.scores.psi, null);
    const html = renderRiskReportHtml(r);
    parse(html);
    assert.match(html, /No PSI/);
    assert.match(html, /Not available: no case queue given/);
  } finally {
    cleanup();
  }
});

test('svg: round ticks, stacked and grouped bars, lines with gaps, horizontal bars', () => {
  assert.deepEqual(ticks(37), [0, 10, 20, 30, 40]);
  assert.deepEqual(ticks(0.5), [0, 0.1, 0.2, 0.3, 0.4, 0.5]);
  assert.deepEqual(ticks(0), [0, 1]);
  const stacked = barChart({ id: 'a', title: 'a', labels: ['x', 'y'], series: [{ name: 's1', values: [1, 2] }, { name: 's2', values: [3, 0] }] });
  parse(stacked);
  assert.equal((stacked.match(/<rect x=/g) ?? []).length, 3 + 2); // 3 bars (a zero is not drawn) + 2 legend keys
  const grouped = barChart({ id: 'b', title: 'b', labels: ['x'], stacked: false, log: true, format: String, series: [{ name: 's1', values: [0.5] }, { name: 's2', values: [0.001] }] });
  parse(grouped);
  assert.match(grouped, /0\.001/);
  const line = lineChart({ id: 'c', title: 'c', labels: ['x', 'y', 'z'], series: [{ name: 'r', values: [0.1, null, 0.3] }] });
  parse(line);
  assert.equal((line.match(/M/g) ?? []).length >= 2, true); // the gap starts a new subpath
  const h = hBarChart({ id: 'd', title: 'd', rows: [{ label: 'R1', value: 0.5 }, { label: 'R2', value: null }], max: 1 });
  parse(h);
  assert.match(h, /n\/a/);
});

test('html: open cases by age and the ratings section, when present', () => {
  const { store, cleanup } = tempStore(reportJournal());
  try {
    const now = FROM + 30 * DAY;
    store.database.exec('CREATE TABLE cases (id INTEGER PRIMARY KEY, status TEXT, opened_at INTEGER, issue TEXT, subject_kind TEXT, amount INTEGER)');
    store.database.prepare("INSERT INTO cases (status, opened_at, issue, subject_kind, amount) VALUES ('open', ?, 'review', 'account', 12345)").run(now - 2 * DAY);
    const r = runRiskReport({ journal: store, cases: new SqliteCaseQueueReader(store.database), from: FROM, to: TO, now });
    const withRatings: RiskReport = {
      ...r,
      ratings: { asOf: '2026-11-11T00:00:00+08:00', merchants: [{ id: 'M2', score: 72.5, grade: 'D', drivers: ['code_jumping'], payments: 3 }], terminals: [] },
      merchants: { ...r.merchants, byFraudAmount: r.merchants.byFraudAmount.map((e) => ({ ...e, rating: { score: 72.5, grade: 'D' } })) },
    };
    const html = renderRiskReportHtml(withRatings);
    const missing = new Set<string>();
    renderRiskReportHtml(withRatings, 'zh-CN', missing);
    assert.deepEqual([...missing], [], 'the cases and ratings sections in Chinese too');
    const doc = parse(html);
    assert.equal(all(doc, 'svg').length, 8); // the seven charts and open cases by age
    assert.match(html, /1 open of 1; median age 2\.0 days, oldest 2\.0 days; ¥123\.45 at stake/);
    assert.match(html, /issue: review/);
    assert.match(html, /<section id="ratings">/);
    assert.match(html, /D 72\.5/);
    assert.match(html, /rating now/);
  } finally {
    cleanup();
  }
});

test('html in Chinese: every phrase of the report has a translation, the page says lang="zh-CN", and is as well-formed as the English one', () => {
  const r = report();
  const missing = new Set<string>();
  const zh = renderRiskReportHtml(r, 'zh-CN', missing);
  assert.deepEqual([...missing], [], 'phrases without a Chinese translation');
  assert.match(zh, /<html lang="zh-CN">/);
  assert.match(zh, /<h1>风险评估报告<\/h1>/);
  for (const heading of ['概览', '结果与金额', '规则精确率', '风险最高的商户', '未结案件', '阅读说明']) assert.ok(zh.includes(heading), heading);
  for (const english of ['<h2>Summary</h2>', 'Riskiest merchants', 'How to read this']) assert.ok(!zh.includes(english), english);
  const doc = parse(zh);
  assert.equal(doc.children[0].name, 'html');
  assert.equal(all(doc, 'svg').length, all(parse(renderRiskReportHtml(r)), 'svg').length, 'the same charts');
  // the machine-readable JSON is the same in both languages
  assert.ok(zh.includes(embeddedJson(r)));
});
