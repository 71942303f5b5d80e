/**
 * The charts, drawn by uPlot (about 22 KB gzipped, measured against ~167 KB for ECharts' core with the
 * bar chart alone). Loaded lazily, so the first page's script does not carry them. Canvas only: uPlot
 * positions its parts through CSSOM properties, which the console's CSP allows, and its stylesheet
 * is a file, never an injected <style>.
 */
import { useEffect, useRef, type ReactNode } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatTime } from '../format';

/** What to draw. */
export type ChartSpec =
  | { readonly kind: 'bars'; readonly labels: readonly string[]; readonly values: readonly number[] }
  | { readonly kind: 'line'; readonly seconds: readonly number[]; readonly values: readonly number[]; readonly unit: string }
  /** bars of counts per labelled bucket (left axis) with a line of percentages, gaps where null (right axis, 0–100 %). */
  | { readonly kind: 'trend'; readonly labels: readonly string[]; readonly values: readonly number[]; readonly percents: readonly (number | null)[] }
  /** two bars per labelled category side by side: `a` (blue, left) against `b` (orange, right) — a backtest's live vs draft. */
  | { readonly kind: 'pairs'; readonly labels: readonly string[]; readonly a: readonly number[]; readonly b: readonly number[] };

const INK = '#1f2328';
const GRID = '#d0d7de';
const FILL = '#0969da';
const LINE2 = '#bc4c00';
const FONT = '11px system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", sans-serif';

function axis(values?: uPlot.Axis['values']): uPlot.Axis {
  return { stroke: INK, font: FONT, grid: { stroke: GRID, width: 1 }, ticks: { stroke: GRID, width: 1 }, ...(values === undefined ? {} : { values }) };
}

function optionsOf(spec: ChartSpec, width: number, height: number): uPlot.Options {
  if (spec.kind === 'trend') {
    const bars = uPlot.paths.bars?.({ size: [0.7, 48] });
    const n = spec.labels.length;
    return {
      width,
      height,
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: false, range: [-0.5, n - 0.5] }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] }, pct: { range: [0, 100] } },
      axes: [
        // whole buckets only, so grid lines and labels sit on the bars
        { ...axis((_u, splits) => splits.map((i) => (Number.isInteger(i) ? (spec.labels[i] ?? '') : ''))), space: 80, incrs: [1, 2, 3, 4, 6, 12, 24, 48, 96, 168, 336, 720, 1440] },
        axis(),
        { ...axis((_u, splits) => splits.map((v) => `${v}%`)), scale: 'pct', side: 1, grid: { show: false } },
      ],
      series: [
        {},
        { stroke: FILL, fill: FILL, width: 0, ...(bars === undefined ? {} : { paths: bars }), points: { show: false } },
        { scale: 'pct', stroke: LINE2, width: 2, spanGaps: false, points: { show: true, size: 5, stroke: LINE2, fill: LINE2 } },
      ],
    };
  }
  if (spec.kind === 'pairs') {
    const left = uPlot.paths.bars?.({ size: [0.4, 32], align: -1 });
    const right = uPlot.paths.bars?.({ size: [0.4, 32], align: 1 });
    return {
      width,
      height,
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: false, range: [-0.5, spec.labels.length - 0.5] }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.05)] } },
      axes: [{ ...axis((_u, splits) => splits.map((i) => (Number.isInteger(i) ? (spec.labels[i] ?? '') : ''))), incrs: [1, 2, 5, 10] }, axis()],
      series: [
        {},
        { stroke: FILL, fill: FILL, width: 0, ...(left === undefined ? {} : { paths: left }), points: { show: false } },
        { stroke: LINE2, fill: LINE2, width: 0, ...(right === undefined ? {} : { paths: right }), points: { show: false } },
      ],
    };
  }
  if (spec.kind === 'bars') {
    const bars = uPlot.paths.bars?.({ size: [0.8, 64] });
    return {
      width,
      height,
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: false, range: [-0.5, spec.labels.length - 0.5] }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      axes: [axis((_u, splits) => splits.map((i) => (Number.isInteger(i) ? (spec.labels[i] ?? '') : ''))), axis()],
      series: [{}, { stroke: FILL, fill: FILL, width: 0, ...(bars === undefined ? {} : { paths: bars }), points: { show: false } }],
    };
  }
  return {
    width,
    height,
    legend: { show: false },
    cursor: { show: false },
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
    // whole seconds, as the clock of the figures: HH:MM:SS in Asia/Shanghai
    axes: [
      { ...axis((_u, splits) => splits.map((s) => formatTime(s * 1000).slice(11, 19))), incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600], space: 70 },
      axis((_u, splits) => splits.map((v) => `${v} ${spec.unit}`)),
    ],
    series: [{}, { stroke: FILL, width: 2, points: { show: false } }],
  };
}

function dataOf(spec: ChartSpec): uPlot.AlignedData {
  if (spec.kind === 'trend') return [spec.labels.map((_l, i) => i), [...spec.values], [...spec.percents]];
  if (spec.kind === 'pairs') return [spec.labels.map((_l, i) => i), [...spec.a], [...spec.b]];
  return spec.kind === 'bars' ? [spec.labels.map((_l, i) => i), [...spec.values]] : [[...spec.seconds], [...spec.values]];
}

/** One chart filling its container's width. */
export default function UPlotChart({ spec, height }: { spec: ChartSpec; height: number }): ReactNode {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const kind = spec.kind;
  const shape = spec.kind === 'line' ? spec.unit : `${spec.kind}:${spec.labels.join('|')}`;

  // (re)create when the kind of chart or its categories change
  useEffect(() => {
    const el = box.current;
    if (el === null) return;
    const u = new uPlot(optionsOf(spec, Math.max(100, el.clientWidth), height), dataOf(spec), el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(100, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
    // new values of the same shape are applied by the effect below, without rebuilding the chart
  }, [kind, shape, height]);

  useEffect(() => {
    plot.current?.setData(dataOf(spec));
  }, [spec]);

  return <div ref={box} className="chart-canvas" />;
}
