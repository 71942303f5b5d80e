/**
 * The customer notice templates (`GET /v1/notices/templates`): what the provider's SMS or app channel
 * tells a customer when the account is restricted or restored, or an appeal decided, in Chinese and
 * English; the version in use and the placeholders a text may use. Admins edit the texts and save
 * them as a new version (`PUT`, audited), used by every notice from then on; others read them.
 */
import { Fragment, useState, type ReactNode } from 'react';
import { useApi } from '../../api/session-context';
import { useI18n, type Translate } from '../../i18n/i18n';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { formatTime } from '../../ui/format';
import { kindName, PLACEHOLDER_MEANINGS } from './names';
import { changedKinds, placeholdersIn, templatesBody, withText, type TemplateProblem } from './template-draft';
import { NOTICE_LANGS, NOTICE_PLACEHOLDERS, type NoticeLang, type NoticeTemplates, type NoticeTemplatesAnswer, type TemplateVersion } from './types';
import { useChange } from './use-change';

const LANG_NAMES = { 'zh-CN': 'notices.langZh', en: 'notices.langEn' } as const;

/** A problem in words, naming the kind and language. */
function problemText(t: Translate, p: TemplateProblem): string {
  switch (p.what) {
    case 'unchanged':
      return t('notices.unchanged');
    case 'noteLong':
      return t('notices.noteLong');
    case 'empty':
      return t('notices.empty', { kind: kindName(t, p.kind), lang: t(LANG_NAMES[p.lang]) });
    case 'long':
      return t('notices.long', { kind: kindName(t, p.kind), lang: t(LANG_NAMES[p.lang]) });
    case 'placeholder':
      return t('notices.unknownPlaceholder', { kind: kindName(t, p.kind), lang: t(LANG_NAMES[p.lang]), name: `{${p.name}}` });
  }
}

function Placeholders(): ReactNode {
  const { t } = useI18n();
  return (
    <>
      <h3>{t('notices.placeholdersTitle')}</h3>
      <dl className="pairs" data-testid="notice-placeholders">
        {NOTICE_PLACEHOLDERS.map((p) => (
          <Fragment key={p}>
            <dt>
              <code>{`{${p}}`}</code>
            </dt>
            <dd>{t(PLACEHOLDER_MEANINGS[p])}</dd>
          </Fragment>
        ))}
      </dl>
    </>
  );
}

/** One text of one kind, with a warning as soon as it names a placeholder the server would refuse. */
function TemplateText({ kind, lang, value, onChange }: { kind: string; lang: NoticeLang; value: string; onChange: (text: string) => void }): ReactNode {
  const { t } = useI18n();
  const id = `template-${kind}-${lang}`;
  const unknown = placeholdersIn(value).filter((p) => !(NOTICE_PLACEHOLDERS as readonly string[]).includes(p));
  return (
    <div className="field">
      <label htmlFor={id}>{t(LANG_NAMES[lang])}</label>
      <textarea id={id} rows={3} value={value} lang={lang} onChange={(e) => onChange(e.target.value)} aria-invalid={unknown.length > 0 ? true : undefined} aria-describedby={unknown.length > 0 ? `${id}-error` : undefined} />
      {unknown.length === 0 ? null : (
        <span id={`${id}-error`} className="field-error">
          {t('notices.unknownHere', { names: unknown.map((p) => `{${p}}`).join(' ') })}
        </span>
      )}
    </div>
  );
}

/** The admin's editor over the version in use; remounted when a new version arrives. */
function Editor({ answer, onSaved }: { answer: NoticeTemplatesAnswer; onSaved: (v: TemplateVersion) => void }): ReactNode {
  const { t } = useI18n();
  const [draft, setDraft] = useState<NoticeTemplates>(answer.templates);
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState<TemplateProblem | null>(null);
  const put = useChange<{ templates: NoticeTemplates; note?: string }, TemplateVersion>('PUT', () => '/v1/notices/templates', ['/v1/notices/templates', '/v1/audit']);
  const changed = changedKinds(draft, answer.templates);
  return (
    <form
      className="templates-form"
      aria-labelledby="templates-edit"
      onSubmit={(e) => {
        e.preventDefault();
        const r = templatesBody(draft, answer.templates, note);
        if ('problem' in r) {
          setProblem(r.problem);
          return;
        }
        setProblem(null);
        put.mutateAsync(r.body).then(onSaved, () => undefined);
      }}
    >
      <h3 id="templates-edit">{t('notices.edit')}</h3>
      {Object.keys(answer.templates).map((kind) => (
        <fieldset key={kind} className="template-kind">
          <legend>
            {kindName(t, kind)} <code>{kind}</code>
            {changed.includes(kind) ? <span className="chip">{t('notices.edited')}</span> : null}
          </legend>
          <div className="template-texts">
            {NOTICE_LANGS.map((lang) => (
              <TemplateText key={lang} kind={kind} lang={lang} value={draft[kind]?.[lang] ?? ''} onChange={(text) => setDraft(withText(draft, kind, lang, text))} />
            ))}
          </div>
        </fieldset>
      ))}
      <div className="field">
        <label htmlFor="templates-note">{t('notices.note')}</label>
        <input id="templates-note" className="wide" value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} autoComplete="off" />
      </div>
      <div className="action-buttons">
        <button type="submit" className="btn btn-primary" disabled={put.isPending}>
          {put.isPending ? t('action.sending') : t('notices.save', { version: answer.version + 1 })}
        </button>
        <button
          type="button"
          className="btn"
          disabled={put.isPending || changed.length === 0}
          onClick={() => {
            setDraft(answer.templates);
            setProblem(null);
          }}
        >
          {t('notices.discard')}
        </button>
        <span className="muted">{t('notices.changedCount', { n: changed.length })}</span>
      </div>
      {problem === null ? null : (
        <p className="field-error" role="alert">
          {problemText(t, problem)}
        </p>
      )}
      {put.error === null ? null : <ErrorNotice error={put.error} />}
    </form>
  );
}

/** The templates as text, for keys that may not change them. */
function ReadOnly({ templates }: { templates: NoticeTemplates }): ReactNode {
  const { t } = useI18n();
  return (
    <div className="table-wrap">
      <table className="data" data-testid="templates-table">
        <caption className="sr-only">{t('notices.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('notices.kind')}</th>
            <th scope="col">{t('notices.langZh')}</th>
            <th scope="col">{t('notices.langEn')}</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(templates).map(([kind, texts]) => (
            <tr key={kind}>
              <th scope="row">
                {kindName(t, kind)}
                <br />
                <code className="muted small">{kind}</code>
              </th>
              <td lang="zh-CN">{texts['zh-CN']}</td>
              <td lang="en">{texts.en}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The notice templates panel. */
export function NoticeTemplatesPanel({ admin }: { admin: boolean }): ReactNode {
  const { t } = useI18n();
  const q = useApi<NoticeTemplatesAnswer>('/v1/notices/templates');
  const [saved, setSaved] = useState<number | null>(null);
  const a = q.data;
  const latest = a?.versions.find((v) => v.version === a.version);
  return (
    <section className="panel" aria-labelledby="notice-templates" data-testid="notice-templates">
      <h2 id="notice-templates">{t('notices.title')}</h2>
      <p className="muted">{admin ? t('notices.introAdmin') : t('notices.introRead')}</p>
      {q.isError ? <ErrorNotice error={q.error} /> : null}
      {a === undefined ? (
        q.isError ? null : <p className="muted">{t('common.loading')}</p>
      ) : (
        <>
          <p data-testid="notice-version">
            <strong>{t('notices.version', { version: a.version })}</strong>{' '}
            <span className="muted">
              {a.version === 0 || latest === undefined
                ? t('notices.builtIn')
                : t('notices.versionBy', { who: latest.createdBy, time: formatTime(latest.createdAt) }) + (latest.note === '' ? '' : ` · ${latest.note}`)}
            </span>
          </p>
          <p className="done" role="status">
            {saved === null ? null : t('notices.saved', { version: saved })}
          </p>
          <Placeholders />
          {admin ? <Editor key={a.version} answer={a} onSaved={(v) => setSaved(v.version)} /> : <ReadOnly templates={a.templates} />}
        </>
      )}
    </section>
  );
}
