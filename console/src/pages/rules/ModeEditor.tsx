/**
 * The incident mode editor: name, description and the overlay's rules in the same editor the draft
 * uses, compiled by the server as you type (debounced POST /v1/modes/{name}/validate) with each
 * diagnostic beside it; saving proposes the definition (PUT /v1/modes/{name}) for a second admin key.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { ApiError, apiSend } from '../../api/client';
import { useSession } from '../../api/session-context';
import { useQueryClient } from '@tanstack/react-query';
import { useI18n } from '../../i18n/i18n';
import { CodeEditor } from './CodeEditor';
import { VALIDATE_DEBOUNCE_MS } from './DraftEditor';
import { explainModeAction, MODE_NAME, modeFile } from './modes';
import { useDebounced } from './rules-text';
import type { ModeChecked, PolicyDiagnostic } from './types';

type Check =
  | { readonly state: 'idle' | 'checking' | 'badName' }
  | { readonly state: 'ok'; readonly policy: string }
  | { readonly state: 'invalid'; readonly diagnostics: readonly PolicyDiagnostic[] }
  | { readonly state: 'failed'; readonly error: unknown };

/** Compiles the overlay on the server each time name and rules settle. */
function useModeCheck(name: string, rules: string): Check {
  const { key } = useSession();
  const settled = useDebounced({ name, rules }, VALIDATE_DEBOUNCE_MS);
  const [check, setCheck] = useState<Check>({ state: 'idle' });
  useEffect(() => {
    if (!MODE_NAME.test(settled.name)) {
      setCheck({ state: 'badName' });
      return;
    }
    if (settled.rules.trim() === '') {
      setCheck({ state: 'idle' });
      return;
    }
    const ac = new AbortController();
    setCheck({ state: 'checking' });
    apiSend<ModeChecked>('POST', `/v1/modes/${encodeURIComponent(settled.name)}/validate`, key, { rules: settled.rules }, ac.signal).then(
      (v) => setCheck({ state: 'ok', policy: v.policy }),
      (e: unknown) => {
        if (ac.signal.aborted) return;
        if (e instanceof ApiError && e.code === 'invalid_policy' && Array.isArray(e.details)) {
          setCheck({ state: 'invalid', diagnostics: e.details as PolicyDiagnostic[] });
        } else setCheck({ state: 'failed', error: e });
      },
    );
    return () => ac.abort();
  }, [settled, key]);
  return check;
}

/** Creating a mode (`fixedName` undefined) or proposing a change to one. */
export function ModeEditor({
  fixedName,
  start,
  onDone,
}: {
  fixedName?: string;
  start: { description: string; rules: string };
  onDone: (proposed: string | null) => void;
}): ReactNode {
  const { t } = useI18n();
  const { key } = useSession();
  const qc = useQueryClient();
  const [name, setName] = useState(fixedName ?? '');
  const [description, setDescription] = useState(start.description);
  const [rules, setRules] = useState(start.rules);
  const [busy, setBusy] = useState(false);
  const [refused, setRefused] = useState<unknown>(null);
  const check = useModeCheck(name, rules);
  const diags = check.state === 'invalid' ? check.diagnostics : [];
  const file = modeFile(name === '' ? 'new' : name);
  const ready = MODE_NAME.test(name) && description.trim() !== '' && rules.trim() !== '' && check.state !== 'invalid' && !busy;
  const title = fixedName === undefined ? t('rules.modeEditorNew') : t('rules.modeEditorChange', { name: fixedName });
  return (
    <section aria-labelledby="mode-editor-title" className="mode-editor">
      <h3 id="mode-editor-title">{title}</h3>
      <p className="muted">{t('rules.modeEditorHelp')}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!ready) return;
          setBusy(true);
          setRefused(null);
          apiSend('PUT', `/v1/modes/${encodeURIComponent(name)}`, key, { description: description.trim(), rules })
            .then(
              () => onDone(name),
              (err: unknown) => setRefused(err),
            )
            .finally(() => {
              setBusy(false);
              void qc.invalidateQueries({ predicate: (q) => /^\/v1\/(policies|modes)/.test(String(q.queryKey[0])) });
            });
        }}
      >
        <div className="filters">
          <span className="field">
            <label htmlFor="mode-name">{t('rules.modeNameLabel')}</label>
            <input
              id="mode-name"
              type="text"
              value={name}
              readOnly={fixedName !== undefined}
              required
              pattern="[a-z0-9][a-z0-9_\-]{0,62}"
              aria-invalid={name !== '' && !MODE_NAME.test(name)}
              aria-describedby="mode-name-hint"
              onChange={(e) => setName(e.target.value)}
            />
            <span id="mode-name-hint" className="muted small">{t('rules.modeNameHint')}</span>
          </span>
          <span className="field grow">
            <label htmlFor="mode-description">{t('rules.modeDescriptionLabel')}</label>
            <input id="mode-description" type="text" className="wide" value={description} required onChange={(e) => setDescription(e.target.value)} />
          </span>
          <span role="status" className={`check check-${check.state === 'badName' ? 'idle' : check.state}`} data-testid="mode-check">
            {check.state === 'badName'
              ? t('rules.modeNeedsName')
              : check.state === 'checking' || check.state === 'idle'
                ? t('rules.checking')
                : check.state === 'ok'
                  ? t('rules.modeCompiles', { policy: check.policy })
                  : check.state === 'invalid'
                    ? t('rules.doesNotCompile', { count: check.diagnostics.length })
                    : t('rules.checkFailed')}
          </span>
        </div>
        <CodeEditor id="mode" file={file} text={rules} diags={diags} onChange={setRules} />
        <div className="filters save-row">
          <button type="submit" className="btn btn-primary" disabled={!ready}>
            {t('rules.modePropose')}
          </button>
          <button type="button" className="btn" onClick={() => onDone(null)}>
            {t('rules.modeCancel')}
          </button>
        </div>
        {refused !== null ? <p role="alert" className="notice notice-error">{explainModeAction(t, refused, name)}</p> : null}
      </form>
    </section>
  );
}
