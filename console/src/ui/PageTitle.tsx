/** A page's heading, with room for what it is about (time range, filters) beside it. */
import type { ReactNode } from 'react';

/** The page's h1 and an optional line under it. */
export function PageTitle({ title, sub }: { title: string; sub?: ReactNode }): ReactNode {
  return (
    <div className="page-title">
      <h1>{title}</h1>
      {sub === undefined ? null : <p className="muted">{sub}</p>}
    </div>
  );
}
