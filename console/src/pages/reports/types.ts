/** `GET /v1/reports/risk` as the page reads it (src/report/risk-report.ts, tally.ts, cases.ts, ratings.ts). */
import type { Outcome } from '../../api/types';

export type OutcomeCounts = Readonly<Record<Outcome, number>>;

export interface PeriodFigures {
  readonly payments: number;
  readonly amount: number;
  readonly outcomes: OutcomeCounts;
  readonly amounts: OutcomeCounts;
  readonly alertRate: number | null;
  readonly declineRate: number | null;
  readonly meanScore: number | null;
  readonly fraud: { readonly total: number; readonly totalAmount: number; readonly caught: number; readonly caughtAmount: number; readonly missed: number; readonly missedAmount: number };
  readonly legitimate: { readonly total: number; readonly totalAmount: number; readonly unlabelled: number };
  readonly moneySaved: number;
  readonly legitimateDeclinedAmount: number;
  readonly precision: number | null;
  readonly recall: number | null;
}

export interface EntityFigures {
  readonly id: string;
  readonly payments: number;
  readonly amount: number;
  readonly flagged: number;
  readonly flaggedAmount: number;
  readonly flaggedShare: number;
  readonly declined: number;
  readonly fraud: number;
  readonly fraudAmount: number;
  readonly rating?: { readonly score: number; readonly grade: string };
}

export interface TopEntities {
  readonly seen: number;
  readonly byFraudAmount: readonly EntityFigures[];
  readonly byFlaggedShare: readonly EntityFigures[];
  readonly minPayments: number;
}

export type CasesSection =
  | { readonly available: false; readonly note: string }
  | {
      readonly available: true;
      readonly asOf: number;
      readonly total: number;
      readonly open: number;
      readonly byState: Readonly<Record<string, number>>;
      readonly byAge: readonly { readonly label: string; readonly count: number }[];
      readonly oldestDays: number | null;
      readonly medianDays: number | null;
      readonly byIssue: Readonly<Record<string, number>> | null;
      readonly bySubject: Readonly<Record<string, number>> | null;
      readonly openAmount: number | null;
    };

export interface RiskReport {
  readonly generatedAt: number;
  readonly range: { readonly from: number | null; readonly to: number | null };
  readonly previous: { readonly from: number | null; readonly to: number | null };
  readonly bucket: 'hour' | 'day' | 'week';
  readonly totals: PeriodFigures;
  readonly previousTotals: PeriodFigures;
  readonly series: readonly (PeriodFigures & { readonly start: number; readonly label: string })[];
  readonly scores: {
    readonly bins: readonly { readonly from: number; readonly to: number }[];
    readonly current: readonly number[];
    readonly previous: readonly number[];
    readonly psi: number | null;
    readonly band: 'stable' | 'moderate' | 'significant' | null;
  };
  readonly rules: readonly {
    readonly code: string;
    readonly hits: number;
    readonly amount: number;
    readonly fraud: number;
    readonly fraudStopped: number;
    readonly unlabelled: number;
    readonly precision: number | null;
    readonly recall: number | null;
  }[];
  readonly merchants: TopEntities;
  readonly terminals: TopEntities;
  readonly cases: CasesSection;
}
