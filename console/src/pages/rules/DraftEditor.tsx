/**
 * The draft editor: the live version's files copied into a draft, one file edited at a time in a
 * monospace textarea, every change compiled by the server (debounced POST /v1/policies/validate) with
 * each diagnostic listed beside the editor and its line marked, then saved as a new draft version.
 */
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, apiSend } from '../../api/client';
import { useApi, useSession } from '../../api/session-context';
import { useI18n } from '../../i18n/i18n';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { usePolicyAction } from './actions';
import { CodeEditor } from './CodeEditor';
import { diagnosticCounts, useDebounced } from './rules-text';
import type { LivePolicy, PolicyDiagnostic, Validated, VersionShown } from './types';

/** How long typing must pause before the draft is compiled. */
export const VALIDATE_DEBOUNCE_MS = 400;

interface Draft {
  readonly parent: number;
  readonly files: Readonly<Record<string, string>>;
}

type Check =
  | { readonly state: 'idle' | 'checking' }
  | { readonly state: 'ok'; readonly warnings: readonly PolicyDiagnostic[]; readonly rules: number | undefined }
  | { readonly state: 'invalid'; readonly diagnostics: readonly PolicyDiagnostic[] }
  | { readonly state: 'failed'; readonly error: unknown };

/** Compiles the draft on the server each time it settles. */
function useValidation(draft: Draft | null, description: string): Check {
  const { key } = useSession();
  const settled = useDebounced(draft, VALIDATE_DEBOUNCE_MS);
  const [check, setCheck] = useState<Check>({ state: 'idle' });
  useEffect(() => {
    if (settled === null) return;
    const ac = new AbortController();
    setCheck({ state: 'checking' });
    apiSend<Validated>('POST', '/v1/policies/validate', key, { parent: settled.parent, description: description.trim() === '' ? '-' : description, files: settled.files }, ac.signal).then(
      (v) => setCheck({ state: 'ok', warnings: v.compile.warnings ?? [], rules: v.compile.rules }),
      (e: unknown) => {
        if (ac.signal.aborted) return;
        if (e instanceof ApiError && e.code === 'invalid_policy' && Array.isArray(e.details)) {
          setCheck({ state: 'invalid', diagnostics: e.details as PolicyDiagnostic[] });
        } else setCheck({ state: 'failed', error: e });
      },
    );
    return () => ac.abort();
    // the description does not change whether the files compile
  }, [settled, key]);
  return check;
}

/** The editor page section: start a draft, edit, see diagnostics, save. */
export function DraftEditor({ onSaved }: { onSaved: (version: number) => void }): ReactNode {
  const { t } = useI18n();
  const live = useApi<LivePolicy>('/v1/policies/live');
  const n = live.data?.version;
  const base = useApi<VersionShown>(n === undefined ? '/v1/policies/live' : `/v1/policies/${n}`);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [file, setFile] = useState<string | null>(null);
  const [description, setDescription] = useState('');
  const check = useValidation(draft, description);
  const save = usePolicyAction<Draft, { version: number }>(() => '/v1/policies', (d) => ({ parent: d.parent, description: description.trim(), files: d.files }));
  const all: readonly PolicyDiagnostic[] = check.state === 'invalid' ? check.diagnostics : check.state === 'ok' ? check.warnings : [];
  const counts = useMemo(() => diagnosticCounts(all), [all]);

  if (live.isError) return <ErrorNotice error={live.error} />;
  if (draft === null) {
    const ready = n !== undefined && base.data?.files !== undefined;
    return (
      <section aria-labelledby="draft-title" className="draft-start">
        <h2 id="draft-title">{t('rules.draftTitle')}</h2>
        <p>{t('rules.draftHelp')}</p>
        <button
          type="button"
          className="btn btn-primary"
          disabled={!ready}
          onClick={() => {
            if (n === undefined || base.data === undefined) return;
            const files = Object.fromEntries(base.data.files.map((f) => [f.file, f.text]));
            setDraft({ parent: n, files });
            setFile(base.data.files[0]?.file ?? null);
          }}
        >
          {t('rules.draftFromLive', { name: live.data?.name ?? '' })}
        </button>
      </section>
    );
  }
  const current = file ?? Object.keys(draft.files)[0] ?? '';
  const saving = save.isPending;
  return (
    <section aria-labelledby="draft-title">
      <h2 id="draft-title">{t('rules.draftEditing', { parent: draft.parent })}</h2>
      <div className="filters">
        <span className="field">
          <label htmlFor="draft-file">{t('rules.file')}</label>
          <select id="draft-file" value={current} onChange={(e) => setFile(e.target.value)}>
            {Object.keys(draft.files).map((f) => (
              <option key={f} value={f}>
                {counts.has(f) ? t('rules.fileWithDiagnostics', { file: f, count: counts.get(f) ?? 0 }) : f}
              </option>
            ))}
          </select>
        </span>
        <span role="status" className={`check check-${check.state}`} data-testid="draft-check">
          {check.state === 'checking' || check.state === 'idle'
            ? t('rules.checking')
            : check.state === 'ok'
              ? t('rules.compiles', { rules: check.rules ?? 0 })
              : check.state === 'invalid'
                ? t('rules.doesNotCompile', { count: check.diagnostics.length })
                : t('rules.checkFailed')}
        </span>
      </div>
      {check.state === 'failed' ? <ErrorNotice error={check.error} /> : null}
      <CodeEditor
        file={current}
        text={draft.files[current] ?? ''}
        diags={all}
        onChange={(text) => setDraft({ ...draft, files: { ...draft.files, [current]: text } })}
      />
      <form
        className="filters save-row"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate(draft, { onSuccess: (v) => onSaved(v.version) });
        }}
      >
        <span className="field grow">
          <label htmlFor="draft-description">{t('rules.draftDescription')}</label>
          <input id="draft-description" type="text" value={description} onChange={(e) => setDescription(e.target.value)} required className="wide" />
        </span>
        <button type="submit" className="btn btn-primary" disabled={saving || check.state === 'invalid' || description.trim() === ''}>
          {t('rules.saveDraft')}
        </button>
        <button type="button" className="btn" onClick={() => { setDraft(null); save.reset(); }}>
          {t('rules.discardDraft')}
        </button>
      </form>
      {save.isError ? <ErrorNotice error={save.error} /> : null}
    </section>
  );
}
