/**
 * A monospace editor for rule-language text with the server's diagnostics: a line gutter marking the
 * lines that have one, and the list beside it, each entry jumping to its line. Shared by the draft
 * editor (a version's files) and the incident mode editor (one overlay).
 */
import { useMemo, useRef, type ReactNode } from 'react';
import { useI18n } from '../../i18n/i18n';
import { diagnosticsByLine } from './rules-text';
import type { PolicyDiagnostic } from './types';

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

/**
 * The file being edited, its line gutter (diagnostic lines marked) and its diagnostics beside it:
 * one editor for a version's draft and an incident mode's overlay, so both read their diagnostics alike.
 * `id` prefixes the element ids (several editors may share a page).
 */
export function CodeEditor({
  file,
  text,
  diags,
  onChange,
  id = 'draft',
}: {
  id?: string;
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
        <label className="sr-only" htmlFor={`${id}-text`}>{t('rules.fileText', { file })}</label>
        <textarea
          id={`${id}-text`}
          ref={area}
          className="code-area"
          spellCheck={false}
          value={text}
          wrap="off"
          aria-invalid={mine.some((d) => d.severity === 'error')}
          aria-describedby={`${id}-diagnostics`}
          onChange={(e) => onChange(e.target.value)}
          onScroll={(e) => {
            if (gutter.current !== null) gutter.current.scrollTop = e.currentTarget.scrollTop;
          }}
        />
      </div>
      <aside className="diagnostics" id={`${id}-diagnostics`} aria-live="polite" aria-label={t('rules.diagnostics')}>
        <h3>{t('rules.diagnosticsOfFile', { file })}</h3>
        {mine.length === 0 ? <p className="muted">{t('rules.noDiagnostics')}</p> : (
          <ul data-testid="diagnostics">{mine.map((d, i) => <DiagnosticItem key={i} d={d} onGo={goTo} />)}</ul>
        )}
      </aside>
    </div>
  );
}

