/**
 * The building blocks of the printed report: its style sheet (A4, grey-scale, print rules) and the
 * small HTML pieces every section uses (key figures, tables, figures with captions).
 */
import { esc } from './svg.js';

/** The report's style sheet: A4 pages, grey-scale, nothing breaking inside a chart or table. */
export const CSS = `
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
html { background: #fff; color: #111; }
body { font: 10.5pt/1.4 "Helvetica Neue", Arial, "PingFang SC", "Noto Sans CJK SC", sans-serif; max-width: 190mm; margin: 0 auto; padding: 8mm 0; }
h1 { font-size: 20pt; margin: 0 0 2mm; }
h2 { font-size: 13.5pt; margin: 7mm 0 2mm; padding-bottom: 1mm; border-bottom: 1.5px solid #111; break-after: avoid; }
h3 { font-size: 11pt; margin: 4mm 0 1mm; break-after: avoid; }
p { margin: 1mm 0 2mm; }
.meta { color: #444; font-size: 9.5pt; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 3mm; font-size: 9pt; }
th, td { padding: 1.2mm 1.6mm; border-bottom: 0.5px solid #bbb; text-align: right; vertical-align: top; }
th { border-bottom: 1px solid #111; font-weight: 600; }
th:first-child, td:first-child { text-align: left; }
td.code { font-family: "SF Mono", Menlo, Consolas, monospace; font-size: 8.5pt; word-break: break-all; }
tbody tr:nth-child(even) td { background: #f4f4f4; }
.kpis { display: grid; grid-template-columns: repeat(4, 1fr); gap: 2mm; margin: 3mm 0; }
.kpi { border: 1px solid #999; padding: 2mm; break-inside: avoid; }
.kpi .v { font-size: 14pt; font-weight: 700; }
.kpi .l { font-size: 8.5pt; color: #333; }
.kpi .c { font-size: 8.5pt; color: #555; }
figure { margin: 2mm 0 4mm; break-inside: avoid; }
figcaption { font-size: 9pt; color: #333; margin-top: 1mm; }
svg.chart { width: 100%; height: auto; display: block; }
svg text { font-family: inherit; fill: #111; }
svg .xl, svg .yl { font-size: 10px; }
svg .lg { font-size: 10.5px; }
svg .grid { stroke: #ddd; stroke-width: 0.7; }
svg .axis { stroke: #111; stroke-width: 1; }
.note { font-size: 8.5pt; color: #444; }
.badge { display: inline-block; border: 1px solid #111; padding: 0 1.5mm; font-size: 9pt; font-weight: 600; }
section { break-inside: auto; }
@media print {
  body { padding: 0; max-width: none; }
  h2 { break-before: auto; }
  figure, table, .kpis { break-inside: avoid; }
  tbody tr:nth-child(even) td { background: none; }
  a { color: inherit; text-decoration: none; }
}
`;

/** One key figure with its label and a line of comparison. */
export function kpi(label: string, value: string, change = ''): string {
  return `<div class="kpi"><div class="l">${esc(label)}</div><div class="v">${esc(value)}</div>${change ? `<div class="c">${esc(change)}</div>` : ''}</div>`;
}

/** A table; the first column in monospace when `codeFirst` (ids, reason codes). */
export function table(head: readonly string[], rows: readonly (readonly string[])[], codeFirst = false): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${r.map((c, i) => `<td${i === 0 && codeFirst ? ' class="code"' : ''}>${esc(c)}</td>`).join('')}</tr>`)
    .join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

/** A chart with its caption, kept on one page. */
export function figure(svg: string, caption: string): string {
  return `<figure>${svg}<figcaption>${esc(caption)}</figcaption></figure>`;
}
