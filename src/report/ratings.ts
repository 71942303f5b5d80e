/**
 * Merchant and terminal risk ratings for the risk report, when a live engine is at hand (the HTTP
 * route): the engine keeps each merchant code's and terminal's rating from its last seven days of
 * traffic (src/features/merchant-profile.ts). These are the ratings as they stand now — at the engine's
 * latest event time, not over the report's period — so they are reported beside the period's
 * figures: the highest rated, and the rating of every entity in the period's top lists.
 */
import { formatShanghai } from '../contract/time.js';
import type { Engine } from '../engine/engine.js';
import { ratingOf } from '../merchants/view.js';
import type { RiskReport } from './risk-report.js';
import type { EntityFigures, TopEntities } from './tally.js';

/** One rated merchant code or terminal. */
export interface RatedEntity {
  readonly id: string;
  /** 0–100. */
  readonly score: number;
  /** A (< 20) … E (≥ 80). */
  readonly grade: string;
  /** what drives the score, largest first. */
  readonly drivers: readonly string[];
  /** payments of the rating's seven days. */
  readonly payments: number;
}

/** The ratings part of the report. */
export interface RatingsSection {
  /** the engine's latest event time the ratings stand at. */
  readonly asOf: string | null;
  readonly merchants: readonly RatedEntity[];
  readonly terminals: readonly RatedEntity[];
}

function rated(engine: Engine, kind: 'merchant' | 'terminal', id: string): RatedEntity {
  const r = ratingOf(engine, kind, id);
  const drivers = [...r.drivers].sort((a, b) => b.points - a.points).filter((d) => d.points > 0).map((d) => d.driver);
  return { id, score: r.score, grade: r.grade, drivers, payments: r.volume.payments };
}

function highest(engine: Engine, kind: 'merchant' | 'terminal', ids: Iterable<string>, n: number): RatedEntity[] {
  const all: RatedEntity[] = [];
  for (const id of ids) {
    const e = rated(engine, kind, id);
    if (e.score > 0) all.push(e);
  }
  return all.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1)).slice(0, n);
}

function withRatings(engine: Engine, kind: 'merchant' | 'terminal', t: TopEntities): TopEntities {
  const add = (e: EntityFigures): EntityFigures => {
    const r = rated(engine, kind, e.id);
    return { ...e, rating: { score: r.score, grade: r.grade } };
  };
  return { ...t, byFraudAmount: t.byFraudAmount.map(add), byFlaggedShare: t.byFlaggedShare.map(add) };
}

/** The report with the engine's current ratings: the `top` highest rated, and a rating on each top-list row. */
export function addRatings(report: RiskReport, engine: Engine, top = 10): RiskReport {
  const profiles = engine.merchantRisk.profiles;
  return {
    ...report,
    merchants: withRatings(engine, 'merchant', report.merchants),
    terminals: withRatings(engine, 'terminal', report.terminals),
    ratings: {
      asOf: Number.isFinite(engine.now) ? formatShanghai(engine.now) : null,
      merchants: highest(engine, 'merchant', profiles.merchants.keys(), top),
      terminals: highest(engine, 'terminal', profiles.terminals.keys(), top),
    },
  };
}
