/** The policy actions the page sends, and how a refusal of one reads. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiError, apiSend } from '../../api/client';
import { useSession } from '../../api/session-context';
import type { Translate } from '../../i18n/i18n';
import { explain } from '../../ui/ErrorNotice';

/** Whether the signed-in key may change policies (the routes need `admin`). */
export function useMayChange(): boolean {
  return useSession().who.permissions.includes('admin');
}

/** A POST whose answer refreshes every cached policy and mode read. */
export function usePolicyAction<B, T = unknown>(path: (b: B) => string, body: (b: B) => unknown) {
  const { key } = useSession();
  const qc = useQueryClient();
  return useMutation<T, ApiError, B>({
    mutationFn: (b) => apiSend<T>('POST', path(b), key, body(b)),
    onSettled: () => qc.invalidateQueries({ predicate: (q) => /^\/v1\/(policies|modes)/.test(String(q.queryKey[0])) }),
  });
}

/** The four-eyes refusal: the server's 409 to the key that proposed the version. */
export function isFourEyesRefusal(e: unknown): boolean {
  return e instanceof ApiError && e.status === 409 && /four-eyes/i.test(e.message);
}

/** A refused action in plain words; the four-eyes rule named as such. */
export function explainAction(t: Translate, e: unknown, version: number): string {
  if (isFourEyesRefusal(e)) return t('rules.fourEyesRefused', { version });
  if (e instanceof ApiError && e.status === 409) return t('rules.conflict');
  return explain(t, e);
}
