/**
 * The queue's filters as `GET /v1/cases` takes them (src/server/routes/cases.ts): a state, an issue
 * (exact, or `detector:` for every detector), a subject (`kind:id`, a kind alone, or a bare id), an
 * assignee (a name, or `none` for unassigned), the cursor of the page, 50 a page. The filters live in
 * the address (`#/cases?state=open&subject=account:acc-1`) so a filtered queue can be linked.
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

/** Every filter of the queue; '' is no filter. */
export interface CaseFilters {
  readonly state: StateFilter;
  readonly issue: IssueFilter;
  /** `account:acc-1`, `merchant`, or a bare id (any kind). */
  readonly subject: string;
  /** A name or key id, or `none` for unassigned cases. */
  readonly assignee: string;
}

/** No filter: the active queue. */
export const NO_FILTERS: CaseFilters = { state: 'active', issue: '', subject: '', assignee: '' };

const SUBJECT = /^(account|merchant|terminal)(:.*)?$/;

/** The API path of one page of the queue. */
export function casesPath(f: CaseFilters, after: string | undefined): string {
  const subject = f.subject.trim();
  const assignee = f.assignee.trim();
  const kindAndId = SUBJECT.test(subject);
  return withQuery('/v1/cases', {
    status: f.state,
    issue: f.issue,
    subject: kindAndId ? subject : '',
    subjectId: kindAndId ? '' : subject,
    assignee,
    after,
    limit: CASE_PAGE_SIZE,
  });
}

/** The filters a hash names (`#/cases?state=open&issue=review`); anything unknown is no filter. */
export function filtersOfHash(hash: string): CaseFilters {
  const i = hash.indexOf('?');
  if (i < 0) return NO_FILTERS;
  const q = new URLSearchParams(hash.slice(i + 1));
  return {
    state: STATE_FILTERS.find((s) => s === q.get('state')) ?? 'active',
    issue: ISSUE_FILTERS.find((s) => s === q.get('issue')) ?? '',
    subject: q.get('subject') ?? '',
    assignee: q.get('assignee') ?? '',
  };
}

/** The hash of the queue with these filters; the defaults are left out (`#/cases` when none). */
export function hashOfFilters(f: CaseFilters): string {
  const q = new URLSearchParams();
  if (f.state !== 'active') q.set('state', f.state);
  if (f.issue !== '') q.set('issue', f.issue);
  if (f.subject.trim() !== '') q.set('subject', f.subject.trim());
  if (f.assignee.trim() !== '') q.set('assignee', f.assignee.trim());
  const s = q.toString();
  return s === '' ? '#/cases' : `#/cases?${s}`;
}
