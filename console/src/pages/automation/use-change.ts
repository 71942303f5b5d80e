/**
 * A change the automation page sends with the session's key — POST, PUT or DELETE, which the shared
 * `useAction` (POST only) does not cover — after which every cached read whose path starts with one
 * of `invalidates` is read again, done or refused (a refusal may mean the page is out of date).
 */
import { useMutation, useQueryClient, type UseMutationResult } from '@tanstack/react-query';
import { apiSend, type ApiError } from '../../api/client';
import { useSession } from '../../api/session-context';

/** A mutation sending `body(b)` to `path(b)` with `method`. */
export function useChange<B, T = unknown>(
  method: 'POST' | 'PUT' | 'DELETE',
  path: (b: B) => string,
  invalidates: readonly string[],
  body: (b: B) => unknown = (b) => b,
): UseMutationResult<T, ApiError, B> {
  const { key } = useSession();
  const client = useQueryClient();
  return useMutation<T, ApiError, B>({
    mutationFn: (b: B) => apiSend<T>(method, path(b), key, body(b)),
    onSettled: () =>
      client.invalidateQueries({
        predicate: (q) => typeof q.queryKey[0] === 'string' && invalidates.some((p) => (q.queryKey[0] as string).startsWith(p)),
      }),
  });
}
