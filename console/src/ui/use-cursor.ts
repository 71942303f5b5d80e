/**
 * Paging with the API's cursors: the cursors of the pages seen so far, so "previous" goes back
 * without the server keeping any state, and a change of filters starts again from the first page.
 */
import { useCallback, useState } from 'react';

/** The cursor of the page shown and the moves between pages. */
export interface Cursor<C> {
  /** undefined on the first page. */
  readonly current: C | undefined;
  /** 1-based page number. */
  readonly page: number;
  readonly next: (cursor: C) => void;
  readonly previous: () => void;
  readonly reset: () => void;
}

/** A stack of cursors: `next` pushes the answer's cursor, `previous` pops it. */
export function useCursor<C>(): Cursor<C> {
  const [stack, setStack] = useState<readonly C[]>([]);
  const next = useCallback((c: C) => setStack((s) => [...s, c]), []);
  const previous = useCallback(() => setStack((s) => s.slice(0, -1)), []);
  const reset = useCallback(() => setStack([]), []);
  return { current: stack.at(-1), page: stack.length + 1, next, previous, reset };
}
