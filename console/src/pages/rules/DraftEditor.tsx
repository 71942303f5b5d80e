/**
 * The draft editor: the live version's files copied into a draft, one file edited at a time in a
 * monospace textarea, every change compiled by the server (debounced POST /v1/policies/validate) with
 * each diagnostic listed beside the editor and its line marked, then saved as a new draft version.
 */
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { ApiError, apiSend } from '../../api/client';
import { useApi, useSession } from '../../api/session-context';
import { useI18n } from '../../i18n/i18n';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { usePolicyAction } from './actions';
import { diagnosticCounts, diagnosticsByLine, useDebounced } from './rules-text';
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

function DiagnosticItem({ d, onGo }: { d: PolicyDiagnostic; onGo: (line: number) => void }): ReactNode {
  const { t } = useI18n();
  return (
    <li className={`diag diag-${d.severity}`}>
      <button type="button" className="link" onClick={() => onGo(d.line)} aria-label={t('rules.goToLine', { line: d.line })}>
        {d.file}:{d.line}:{d.column}
      </button>{' '}
      <code>{d.code}</code> <span className="diag-sev">{t(`rules.severity.${d.severity}`)}</span> {d.message}
    </li>
  );
}

/** The file being edited, its line gutter (diagnostic lines marked) and its diagnostics beside it. */
function FileEditor({
  file,
  text,
  diags,
  onChange,
}: {
  file: string;
  text: string;
  diags: readonly PolicyDiagnostic[];
  onChange: (text: string) => void;
}): ReactNode {
  const { t } = useI18n();
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLPreElement>(null);
  const byLine = useMemo(() => diagnosticsByLine(diags, file), [diags, file]);
  const lines = text.split('\n').length;
  const mine = diags.filter((d) => d.file === file);
  const goTo = (line: number): void => {
    const el = area.current;
    if (el === null) return;
    const parts = el.value.split('\n');
    const start = parts.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    el.focus();
    el.setSelectionRange(start, start + (parts[line - 1]?.length ?? 0));
  };
  return (
    <div className="editor-row">
      <div className="editor">
        <pre className="gutter" ref={gutter} aria-hidden="true">
          {Array.from({ length: lines }, (_, i) => {
            const d = byLine.get(i + 1);
            return (
              <span key={i} className={d === undefined ? undefined : `marked marked-${d.some((x) => x.severity === 'error') ? 'error' : 'warning'}`} title={d?.map((x) => `${x.code} ${x.message}`).join('\n')}>
                {i + 1}
                {'\n'}
              </span>
            );
          })}
        </pre>
        <label className="sr-only" htmlFor="draft-text">{t('rules.fileText', { file })}</label>
        <textarea
          id="draft-text"
          ref={area}
          className="code-area"
          spellCheck={false}
          value={text}
          wrap="off"
          aria-invalid={mine.some((d) => d.severity === 'error')}
          aria-describedby="draft-diagnostics"
          onChange={(e) => onChange(e.target.value)}
          onScroll={(e) => {
            if (gutter.current !== null) gutter.current.scrollTop = e.currentTarget.scrollTop;
          }}
        />
      </div>
      <aside className="diagnostics" id="draft-diagnostics" aria-live="polite" aria-label={t('rules.diagnostics')}>
        <h3>{t('rules.diagnosticsOfFile', { file })}</h3>
        {mine.length === 0 ? <p className="muted">{t('rules.noDiagnostics')}</p> : (
          <ul data-testid="diagnostics">{mine.map((d, i) => <DiagnosticItem key={i} d={d} onGo={goTo} />)}</ul>
        )}
      </aside>
    </div>
  );
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
      <FileEditor
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
