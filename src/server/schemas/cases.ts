/**
 * Request schemas of the case routes, worded as src/cases/validate.ts words its refusals (which
 * still runs: blank notes, surrounding spaces and the case's state are its to check).
 */
import { Type } from '@sinclair/typebox';
import { CASE_MAX_PAGE, CASE_STATUSES, RESOLUTIONS, SUBJECT_KINDS } from '../../cases/types.js';
import { ISSUE, MAX_AMOUNT, MAX_ID, MAX_NOTE, TYPOLOGY } from '../../cases/validate.js';
import { intQuery, textQuery } from './pages.js';
import { expected, Nullable, StringEnum } from './schema.js';

const quoted = (values: readonly string[]): string => `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;

/** A note: text that is not blank, up to MAX_NOTE characters. */
const Text = Type.String(expected(`text of 1–${MAX_NOTE} characters`, { minLength: 1, maxLength: MAX_NOTE, pattern: '\\S' }));

/** An id-like string (subject, assignee, ref). */
const Id = (max: number, description?: string) =>
  Type.String(
    expected(`a string of 1–${max} printable characters without surrounding spaces`, {
      minLength: 1,
      maxLength: max,
      pattern: '^[^\\p{Cc}]+$',
      ...(description === undefined ? {} : { description }),
    }),
  );

/** `POST /v1/cases`: a case opened by hand (extra fields are ignored, as they always were). */
export const CaseOpenBody = Type.Object({
  subjectKind: StringEnum(SUBJECT_KINDS, expected(quoted(SUBJECT_KINDS))),
  subjectId: Id(MAX_ID),
  note: Text,
  issue: Type.Optional(
    Type.String(
      expected('an issue like "review", "challenge_failed", "appeal", "analyst" or "detector:<name>"', { pattern: ISSUE.source, default: 'analyst' }),
    ),
  ),
  risk: Type.Optional(Type.Number({ minimum: 0, maximum: 100, default: 50 })),
  amount: Type.Optional(
    Type.Integer(expected(`an integer number of fen from 0 to ${MAX_AMOUNT}`, { minimum: 0, maximum: MAX_AMOUNT, default: 0, description: 'fen at stake' })),
  ),
  ref: Type.Optional(Nullable(Id(256, 'an item with a ref already on the open case is not added twice'))),
});

/** `POST /v1/cases/{id}/assign`: omitted means the caller, null unassigns. */
export const CaseAssignBody = Type.Object({
  assignee: Type.Optional(Nullable(Id(MAX_ID, 'a name or key id; omitted: the caller; null: unassign'))),
});

/** `POST /v1/cases/{id}/notes`. */
export const CaseNoteBody = Type.Object({ text: Text });

/** `POST /v1/cases/{id}/status`: resolving has its own route. */
export const CaseStatusBody = Type.Object({
  status: StringEnum(
    CASE_STATUSES.filter((s) => s !== 'resolved'),
    expected('"open" or "investigating" (resolve a case with POST /v1/cases/{id}/resolve)'),
  ),
  note: Type.Optional(Nullable(Text)),
});

/** `POST /v1/cases/{id}/resolve`. */
export const CaseResolveBody = Type.Object({
  resolution: StringEnum(RESOLUTIONS, expected(quoted(RESOLUTIONS))),
  typology: Type.Optional(
    Nullable(Type.String(expected('a typology like "cashout" or "account_takeover" (lowercase letters, digits, _)', { pattern: TYPOLOGY.source }))),
  ),
  note: Type.Optional(Nullable(Text)),
});

/** `GET /v1/cases`: the queue's filters. */
export const CaseQueueQuery = Type.Object({
  status: Type.Optional(
    StringEnum(['active', 'all', ...CASE_STATUSES], expected('active (default), all, open, investigating or resolved', { default: 'active' })),
  ),
  assignee: textQuery('a name or key id, or none for unassigned cases'),
  subject: Type.Optional(
    Type.String(
      expected('account:<id>, merchant:<id> or terminal:<id>', {
        pattern: `^(${SUBJECT_KINDS.join('|')})(:.*)?$`,
        description: 'account:<id>, merchant:<id>, terminal:<id>, or a kind alone',
      }),
    ),
  ),
  subjectKind: textQuery('the kind of subject (subject= says both at once)'),
  subjectId: textQuery('the id of the subject'),
  issue: textQuery('exact, or a prefix ending in ":" like detector:'),
  after: Type.Optional(Type.String(expected('the `next` of the previous page', { pattern: '^\\d+(\\.\\d+)?_\\d+_\\d+$' }))),
  limit: intQuery(1, CASE_MAX_PAGE, { description: 'page size, default 50' }),
});

/** `GET /v1/cases/{id}`. */
export const CaseViewQuery = Type.Object({
  evidence: textQuery('false leaves the evidence out'),
});
