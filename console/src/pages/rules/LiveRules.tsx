/** The live version's rules, read from its files, searchable by name, description, condition or file. */
import { useMemo, useState, type ReactNode } from 'react';
import { useApi } from '../../api/session-context';
import { useI18n } from '../../i18n/i18n';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { rulesOf, searchRules } from './rules-text';
import type { LivePolicy, VersionShown } from './types';

/** The live rules table. */
export function LiveRules(): ReactNode {
  const { t } = useI18n();
  const live = useApi<LivePolicy>('/v1/policies/live', { refetchInterval: 10_000 });
  const n = live.data?.version;
  const shown = useApi<VersionShown>(n === undefined ? '/v1/policies/live' : `/v1/policies/${n}`);
  const [q, setQ] = useState('');
  const rules = useMemo(() => (n === undefined || shown.data?.files === undefined ? [] : rulesOf(shown.data.files)), [n, shown.data]);
  const found = useMemo(() => searchRules(rules, q), [rules, q]);
  if (live.isError) return <ErrorNotice error={live.error} />;
  if (shown.isError) return <ErrorNotice error={shown.error} />;
  if (n === undefined || shown.data?.files === undefined) return <p className="muted">{t('common.loading')}</p>;
  return (
    <section aria-labelledby="live-rules-title">
      <h2 id="live-rules-title">{t('rules.liveTitle', { name: live.data?.name ?? '', version: n })}</h2>
      <p className="muted">{t('rules.liveFrom')}</p>
      <div className="filters">
        <span className="field">
          <label htmlFor="rule-search">{t('rules.search')}</label>
          <input id="rule-search" type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder={t('rules.searchHint')} className="rule-search" />
        </span>
        <span className="muted" role="status">{t('rules.shownOf', { shown: found.length, total: rules.length })}</span>
      </div>
      {found.length === 0 ? (
        <p className="notice">{t('rules.noneMatch')}</p>
      ) : (
        <div className="table-wrap">
          <table className="data rules-table" data-testid="live-rules">
            <caption className="sr-only">{t('rules.liveCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('rules.name')}</th>
                <th scope="col">{t('rules.description')}</th>
                <th scope="col">{t('rules.condition')}</th>
                <th scope="col">{t('rules.outcome')}</th>
                <th scope="col" className="num">{t('rules.score')}</th>
                <th scope="col">{t('rules.file')}</th>
              </tr>
            </thead>
            <tbody>
              {found.map((r) => (
                <tr key={`${r.file}:${r.line}`}>
                  <th scope="row"><code>{r.name}</code></th>
                  <td>{r.description}</td>
                  <td><code className="cond">{r.when}</code></td>
                  <td>{r.outcome ?? <span className="muted">{t('rules.byScore')}</span>}</td>
                  <td className="num">{r.score ?? '—'}</td>
                  <td className="muted nowrap"><code>{r.file}:{r.line}</code></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
