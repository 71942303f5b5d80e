/**
 * A chart as a figure: a caption, the drawing (loaded on first use, off the first page's critical
 * script) and a text alternative for screen readers, since a canvas says nothing by itself.
 */
import { lazy, Suspense, type ReactNode } from 'react';
import type { ChartSpec } from './UPlotChart';

const UPlotChart = lazy(() => import('./UPlotChart'));

export type { ChartSpec };

/** The figure; `summary` is read instead of the canvas, and `children` (a table) may follow it. */
export function Chart({ spec, caption, summary, height = 160, children }: {
  spec: ChartSpec;
  caption: string;
  summary: string;
  height?: number;
  children?: ReactNode;
}): ReactNode {
  return (
    <figure className="chart">
      <figcaption>{caption}</figcaption>
      <div role="img" aria-label={summary}>
        <Suspense fallback={<div className="chart-canvas chart-loading" style={{ height }} />}>
          <UPlotChart spec={spec} height={height} />
        </Suspense>
      </div>
      {children}
    </figure>
  );
}
