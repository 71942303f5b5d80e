/** A version's diff against its parent as the API answers it: per file, unified hunks, + and − lines coloured. */
import type { ReactNode } from 'react';
import { useI18n } from '../../i18n/i18n';
import { diffLine, hunkHeader } from './rules-text';
import type { PolicyDiff } from './types';

const MARK = { added: '+', removed: '−', context: ' ' } as const;

/** The files a diff changes, each with its hunks. */
export function DiffView({ diff }: { diff: PolicyDiff }): ReactNode {
  const { t } = useI18n();
  if (diff.files.length === 0) return <p className="muted">{t('rules.diffNone')}</p>;
  // the first version has no parent: every line of every file is new, and the files are listed below
  if (diff.parent === null) return <p className="muted">{t('rules.diffFirst')}</p>;
  return (
    <div className="diff" data-testid="policy-diff">
      {diff.files.map((f) => (
        <section key={f.file} className="diff-file" aria-label={t('rules.diffOfFile', { file: f.file })}>
          <h3>
            <code>{f.file}</code> <span className="muted">{t(`rules.fileStatus.${f.status}`)}</span>{' '}
            <span className="diff-add-count">+{f.additions}</span> <span className="diff-del-count">−{f.deletions}</span>
          </h3>
          <pre className="diff-body">
            {f.hunks.map((h, i) => (
              <span key={i}>
                <span className="diff-hunk">{hunkHeader(h)}</span>
                {'\n'}
                {h.lines.map((l, j) => {
                  const d = diffLine(l);
                  return (
                    <span key={j} className={`diff-line diff-${d.kind}`}>
                      <span className="sr-only">{t(`rules.diffLine.${d.kind}`)}</span>
                      <span aria-hidden="true">{MARK[d.kind]}</span>
                      {d.text}
                      {'\n'}
                    </span>
                  );
                })}
              </span>
            ))}
          </pre>
        </section>
      ))}
    </div>
  );
}
