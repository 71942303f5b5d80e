/**
 * The Handbook's Chapter 3 protocol (SOURCE.md): the dates of the training week, the delay week
 * and the test week, which test payments are left out, and the published results to compare with.
 */

/** First day of the training week (its labels are all known by the test week). */
export const TRAIN_FROM = '2018-07-25';
/** Day after the training week; the delay week 08-01 … 08-07 follows, labels still arriving. */
export const TRAIN_TO = '2018-08-01';
/** First day of the test week. */
export const TEST_FROM = '2018-08-08';
/** Day after the test week: where the replay ends. */
export const TEST_TO = '2018-08-15';
/** The protocol's four dates: training week, delay week between, test week (`testTo` exclusive). */
export interface Weeks {
  readonly trainFrom: string;
  readonly trainTo: string;
  readonly testFrom: string;
  readonly testTo: string;
}

/** The book's weeks, as above. */
export const CHAPTER_3: Weeks = { trainFrom: TRAIN_FROM, trainTo: TRAIN_TO, testFrom: TEST_FROM, testTo: TEST_TO };

/**
 * The same protocol `days` earlier: weeks to choose features or settings on without looking at the
 * reported test week (which then stays a test). The data starts 2018-04-01, so a card still has
 * months of history at any shift up to about 60 days.
 */
export function weeksBack(days: number): Weeks {
  return { trainFrom: addDays(TRAIN_FROM, -days), trainTo: addDays(TRAIN_TO, -days), testFrom: addDays(TEST_FROM, -days), testTo: addDays(TEST_TO, -days) };
}

/** Where the replay starts: the first day of the data, so every card has its full history. */
export const HISTORY_FROM = '2018-04-01';

/** The published test results (Chapter 3, BaselineModeling). */
export const PUBLISHED: readonly { model: string; auc: number; ap: number; cp100: number }[] = [
  { model: 'Logistic regression', auc: 0.871, ap: 0.606, cp100: 0.291 },
  { model: 'Decision tree, depth 2', auc: 0.763, ap: 0.496, cp100: 0.241 },
  { model: 'Decision tree, unlimited depth', auc: 0.788, ap: 0.309, cp100: 0.243 },
  { model: 'Random forest', auc: 0.867, ap: 0.658, cp100: 0.287 },
  { model: 'XGBoost', auc: 0.862, ap: 0.639, cp100: 0.273 },
];

/** Test-set size the book reports, to check the filter below reproduces it. */
export const BOOK_TEST = { transactions: 58_264, frauds: 385 };

const DAY = 86_400_000;

/** The local date `n` days after `day` (YYYY-MM-DD). */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
}

/**
 * Cards "known compromised" on a test day, the book's way (its get_train_test_set): a card with a
 * fraud in the training week, or on a day of the delay period up to 8 days before the test day
 * (that day's labels arrived by the test day's start). Ground truth is used here only to choose
 * the test set, exactly as the book does — never as a feature.
 */
export class KnownCompromised {
  /** card → first fraud day since the training week began. */
  private readonly firstFraud = new Map<string, string>();

  /** `trainFrom`: the first day of the training week (another with weeksBack). */
  constructor(private readonly trainFrom: string = TRAIN_FROM) {}

  /** Records the truth of a payment on `day`. */
  note(card: string, day: string, fraud: boolean): void {
    if (!fraud || day < this.trainFrom) return;
    const prev = this.firstFraud.get(card);
    if (prev === undefined || day < prev) this.firstFraud.set(card, day);
  }

  /** Whether the card counts as known compromised on test day `day`. */
  known(card: string, day: string, gapDays = 8): boolean {
    const first = this.firstFraud.get(card);
    return first !== undefined && first <= addDays(day, -gapDays);
  }
}
