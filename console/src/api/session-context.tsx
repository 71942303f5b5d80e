/**
 * The signed-in session as the pages see it, and `useApi`: every read of server state goes through
 * TanStack Query keyed by the API path (query included), so caching, polling and invalidation work the
 * same on every page, and signing out drops the whole cache.
 */
import { createContext, useContext } from 'react';
import { keepPreviousData, useMutation, useQuery, useQueryClient, type UseMutationResult, type UseQueryResult } from '@tanstack/react-query';
import { apiGet, apiPost, type ApiError } from './client';
import type { WhoAmI } from './types';

/** A signed-in key and who the server says it is. */
export interface Session {
  readonly key: string;
  readonly who: WhoAmI;
  readonly signOut: () => void;
}

/** Provided by the app once `GET /v1/whoami` accepted the key. */
export const SessionContext = createContext<Session | null>(null);

/** The current session; only pages shown after sign-in call it. */
export function useSession(): Session {
  const s = useContext(SessionContext);
  if (s === null) throw new Error('useSession outside a signed-in session');
  return s;
}

/** How a page reads a path. */
export interface ApiOptions {
  /** Poll every this many ms while the page is shown. */
  readonly refetchInterval?: number;
  /** Keep the previous answer on screen while a new path (filter, page) loads. */
  readonly keepPrevious?: boolean;
}

/** GETs `path` with the session's key, cached under the path itself. */
export function useApi<T>(path: string, o: ApiOptions = {}): UseQueryResult<T, ApiError> {
  const { key } = useSession();
  return useQuery<T, ApiError>({
    queryKey: [path],
    queryFn: ({ signal }) => apiGet<T>(path, key, signal),
    ...(o.refetchInterval === undefined ? {} : { refetchInterval: o.refetchInterval }),
    ...(o.keepPrevious === true ? { placeholderData: keepPreviousData } : {}),
  });
}

/**
 * An action (POST) with the session's key; once answered (done or refused) every cached read whose path starts with one of
 * `invalidates` is marked stale and refetched, so the page shows the result at once.
 */
export function useAction<B, T = unknown>(path: string, invalidates: readonly string[]): UseMutationResult<T, ApiError, B> {
  const { key } = useSession();
  const client = useQueryClient();
  return useMutation<T, ApiError, B>({
    mutationFn: (body: B) => apiPost<T>(path, key, body),
    // after a refusal too: a conflict means the page is out of date
    onSettled: () =>
      client.invalidateQueries({
        predicate: (q) => typeof q.queryKey[0] === 'string' && invalidates.some((p) => (q.queryKey[0] as string).startsWith(p)),
      }),
  });
}
