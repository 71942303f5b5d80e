import { useApi } from '../api/session-context';
import type { Overview } from '../api/types';

/**
 * The moment the data is at: the engine's clock (the latest event's time) when it is behind the wall
 * clock — a replayed world, a backfill, a quiet test server — else now. Reports and rule performance
 * default to the week up to it, so a risk team opening them on last month's data sees last month's
 * week instead of an empty one.
 */
export function dataNow(eventTime: string | null | undefined, now: number): number {
  const t = eventTime == null ? NaN : Date.parse(eventTime);
  return Number.isFinite(t) ? Math.min(now, t) : now;
}

/** dataNow from the overview (asked once); undefined while it is being asked, now if it cannot be read. */
export function useDataNow(): number | undefined {
  const q = useApi<Overview>('/v1/overview');
  if (q.isPending) return undefined;
  return dataNow(q.data?.eventTime, Date.now());
}
