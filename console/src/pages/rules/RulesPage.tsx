/**
 * Rules: the live version's rules, the policy versions with their diffs and four-eyes publication,
 * rule performance over time (GET /v1/rules/performance), incident modes, and (admin keys) a draft editor compiled by the server as you type. Everything through /v1/policies.
 */
import { useState, type ReactNode } from 'react';
import { useI18n } from '../../i18n/i18n';
import { PageTitle } from '../../ui/PageTitle';
import { useMayChange } from './actions';
import { DraftEditor } from './DraftEditor';
import { LiveRules } from './LiveRules';
import { ModesView } from './ModesView';
import { PerformanceView } from './PerformanceView';
import { VersionsView } from './VersionsView';

type View = 'live' | 'performance' | 'versions' | 'modes' | 'draft';

/** The rules page. */
export function RulesPage(): ReactNode {
  const { t } = useI18n();
  const may = useMayChange();
  const [view, setView] = useState<View>('live');
  const [selected, setSelected] = useState<number | null>(null);
  const [saved, setSaved] = useState<number | null>(null);
  const views: View[] = may ? ['live', 'performance', 'versions', 'modes', 'draft'] : ['live', 'performance', 'versions', 'modes'];
  return (
    <section>
      <PageTitle title={t('rules.title')} sub={may ? t('rules.subAdmin') : t('rules.subRead')} />
      <div className="seg" role="group" aria-label={t('rules.views')}>
        {views.map((v) => (
          <button key={v} type="button" className="btn" aria-pressed={view === v} onClick={() => setView(v)}>
            {t(`rules.view.${v}`)}
          </button>
        ))}
      </div>
      {view === 'live' ? <LiveRules /> : null}
      {view === 'performance' ? <PerformanceView /> : null}
      {view === 'versions' ? <VersionsView selected={selected} onSelect={setSelected} focusSelected={saved !== null && saved === selected} /> : null}
      {view === 'modes' ? <ModesView /> : null}
      {view === 'draft' && may ? (
        <DraftEditor
          onSaved={(n) => {
            setSelected(n);
            setSaved(n);
            setView('versions');
          }}
        />
      ) : null}
    </section>
  );
}
