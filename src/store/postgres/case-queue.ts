/**
 * The case queue's query on PostgreSQL (split from cases.ts): the WHERE clause of a CaseQuery, with
 * parameters only (nothing given is spliced into SQL), and the page cursor, the same text as SQLite's
 * (`priority_openedAt_id`), so a console pages either store alike.
 */
import { CASE_MAX_PAGE, type CaseQuery } from '../../cases/types.js';

/** The WHERE clause, its parameters and the page size of `q`. */
export function queueWhere(q: CaseQuery): { sql: string; args: (string | number)[]; limit: number } {
  const where: string[] = [];
  const args: (string | number)[] = [];
  const add = (clause: (p: string) => string, v: string | number): void => {
    args.push(v);
    where.push(clause(`$${args.length}`));
  };
  const status = q.status ?? 'active';
  if (status === 'active') where.push("status <> 'resolved'");
  else if (status !== 'all') add((p) => `status = ${p}`, status);
  if (q.assignee === null) where.push('assignee IS NULL');
  else if (q.assignee !== undefined) add((p) => `assignee = ${p}`, q.assignee);
  if (q.subjectKind !== undefined) add((p) => `subject_kind = ${p}`, q.subjectKind);
  if (q.subjectId !== undefined) add((p) => `subject_id = ${p}`, q.subjectId);
  if (q.issue !== undefined) {
    if (q.issue.endsWith(':')) add((p) => `issue LIKE ${p} ESCAPE '\\'`, q.issue.replace(/[\\%_]/g, (c) => `\\${c}`) + '%');
    else add((p) => `issue = ${p}`, q.issue);
  }
  if (q.after !== undefined) {
    const [pr, o, i] = q.after.split('_').map(Number);
    args.push(pr, o, i);
    const [a, b, c] = [args.length - 2, args.length - 1, args.length];
    where.push(`(priority < $${a} OR (priority = $${a} AND (opened_at > $${b} OR (opened_at = $${b} AND id > $${c}))))`);
  }
  const limit = Math.min(Math.max(1, Math.trunc(q.limit ?? 50)), CASE_MAX_PAGE);
  return { sql: where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '', args, limit };
}

/** The cursor naming a case row's place in the queue. */
export function queueCursor(r: { priority: number; opened_at: string; id: number }): string {
  return `${r.priority}_${r.opened_at}_${r.id}`;
}
