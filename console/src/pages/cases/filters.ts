/**
 * The queue's filters as `GET /v1/cases` takes them (src/server/routes/cases.ts): a state, an issue
 * (exact, or `detector:` for every detector), the cursor of the page, 50 a page.
 */
import { withQuery } from '../../api/client';

/** The states the queue can show; `active` is open and investigating (the server's default). */
export const STATE_FILTERS = ['active', 'open', 'investigating', 'resolved', 'all'] as const;

/** One state filter. */
export type StateFilter = (typeof STATE_FILTERS)[number];

/** The issues to filter by; '' is any issue, `detector:` every detector's findings. */
export const ISSUE_FILTERS = ['', 'review', 'challenge_failed', 'appeal', 'analyst', 'settlement_held', 'detector:'] as const;

/** One issue filter. */
export type IssueFilter = (typeof ISSUE_FILTERS)[number];

/** Cases a page. */
export const CASE_PAGE_SIZE = 50;

/** The API path of one page of the queue. */
export function casesPath(state: StateFilter, issue: IssueFilter, after: string | undefined): string {
  return withQuery('/v1/cases', { status: state, issue, after, limit: CASE_PAGE_SIZE });
}
