/**
 * The analyst console's overview (`GET /v1/overview`), put together from what each part of the
 * server already keeps: the decision rings (live-window.ts), one grouped count of the case queue,
 * the group commit's position and the case feed's lag. Nothing here scans decisions or cases, so
 * a console polling every 2 s costs the server almost nothing (bench/overview-cost.ts).
 */
import { formatShanghai } from '../contract/time.js';
import { PRIORITY_BANDS, type PriorityBand } from '../cases/types.js';
import { SCORE_BINS, WINDOW_SECONDS, type LiveWindow } from './live-window.js';
import type { Overview } from './schemas/console.js';

/** How many reason codes the overview lists. */
export const TOP_RULES = 10;

/** Where the overview's figures come from; functions, so each read sees the state of that moment. */
export interface OverviewSources {
  readonly live: LiveWindow;
  /** Unresolved cases per priority band (CaseStore.openByBand). */
  openCases(): Record<PriorityBand, number>;
  /** The journal's position: the last seq applied and the entries not yet durable. */
  journal(): { readonly lastSeq: number; readonly pendingEntries: number };
  /** Journal entries the case feed has not processed yet; null when detectors are off. */
  caseFeedBehind(): number | null;
  /** The engine's clock (epoch ms; -Infinity before the first event). */
  eventTime(): number;
}

/** The overview at `now` (epoch ms). */
export function buildOverview(src: OverviewSources, now: number): Overview {
  const w = src.live.read(now, TOP_RULES);
  const open = src.openCases();
  const byPriority = PRIORITY_BANDS.map((b) => ({ band: b.band, count: open[b.band] }));
  const { lastSeq, pendingEntries } = src.journal();
  const behind = src.caseFeedBehind();
  return {
    at: formatShanghai(now),
    windowSeconds: WINDOW_SECONDS,
    decisionsPerSecond: Math.round((w.decisions / w.seconds) * 1000) / 1000,
    outcomes: w.outcomes,
    latencyUs: w.latencyUs,
    topRules: w.topCodes.map((c) => ({ code: c.code, hits: c.hits })),
    scoreHistogram: w.scoreBins.map((count, i) => ({ from: i * (100 / SCORE_BINS), to: (i + 1) * (100 / SCORE_BINS), count })),
    openCases: { total: byPriority.reduce((a, b) => a + b.count, 0), byPriority },
    journal: { lastSeq, pendingEntries },
    caseFeed: behind === null ? null : { behind },
    eventTime: Number.isFinite(src.eventTime()) ? formatShanghai(src.eventTime()) : null,
  };
}
