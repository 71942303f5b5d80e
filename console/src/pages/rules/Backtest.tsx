/**
 * Backtesting a version over journaled history: a date range, the run launched (POST …/backtests, any
 * key that reads), its state polled until it ends, then charts of its report — outcome mix, hits per
 * reason code and score distribution, live against draft — with the server's short text summary kept
 * beneath them for the exact figures.
 */
import { useState, type ReactNode } from 'react';
import { useMutation } from '@tanstack/react-query';
import { apiSend, type ApiError } from '../../api/client';
import { useApi, useSession } from '../../api/session-context';
import type { Outcome } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Chart } from '../../ui/charts/Chart';
import { TIME_ZONE } from '../../ui/format';
import { RuleActionCounts } from './RuleActionCounts';
import { hitPairs, outcomePairs, pairsSummary, scorePairs, type BacktestReportView, type Pairs } from './backtest-charts';
import type { BacktestShown, BacktestStarted, BacktestState } from './types';

/** How often a running backtest is asked about. */
const POLL_MS = 1000;

/** Whether a backtest in this state has ended. */
export function backtestEnded(s: BacktestState): boolean {
  return s === 'done' || s === 'failed' || s === 'cancelled';
}

/** YYYY-MM-DD in Asia/Shanghai, `days` from `now`. */
export function dayOf(now: number, days: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now + days * 86_400_000);
}

/** One live-vs-draft chart with its legend and text alternative. */
function PairChart({ p, caption, label, testId }: { p: Pairs; caption: string; label: (l: string) => string; testId: string }): ReactNode {
  const { t } = useI18n();
  const live = t('rules.backtestLive');
  const draft = t('rules.backtestDraft');
  return (
    <div className="backtest-chart" data-testid={testId}>
      <Chart spec={{ kind: 'pairs', labels: p.labels.map(label), a: p.live, b: p.draft }} caption={caption} summary={pairsSummary(p, label, live, draft)} height={180}>
        <p className="legend" aria-hidden="true">
          <span className="key key-live" />
          {live}
          <span className="key key-draft" />
          {draft}
        </p>
      </Chart>
    </div>
  );
}

/** The report's charts. */
function Charts({ r }: { r: BacktestReportView }): ReactNode {
  const { t } = useI18n();
  const hits = hitPairs(r);
  const scores = scorePairs(r);
  return (
    <div className="backtest-charts">
      <PairChart p={outcomePairs(r)} caption={t('rules.backtestOutcomes')} label={(o) => t(`outcome.${o as Outcome}`)} testId="backtest-outcomes" />
      {hits.labels.length === 0 ? null : <PairChart p={hits} caption={t('rules.backtestHits')} label={(c) => c} testId="backtest-hits" />}
      {scores === null ? null : <PairChart p={scores} caption={t('rules.backtestScores')} label={(b) => b} testId="backtest-scores" />}
    </div>
  );
}

function Run({ version, id }: { version: number; id: number }): ReactNode {
  const { t } = useI18n();
  const [ended, setEnded] = useState(false);
  const q = useApi<BacktestShown>(`/v1/policies/${version}/backtests/${id}`, ended ? {} : { refetchInterval: POLL_MS });
  const b = q.data?.backtest;
  if (b !== undefined && backtestEnded(b.state) && !ended) setEnded(true);
  if (q.isError) return <ErrorNotice error={q.error} />;
  if (b === undefined) return <p className="muted">{t('common.loading')}</p>;
  return (
    <div className="backtest-run" data-testid="backtest">
      <p role="status">
        {t('rules.backtestState', { id: b.id, state: t(`rules.backtestStateName.${b.state}`) })}
        {b.progress === null ? null : ` · ${Math.round(b.progress.fraction * 100)}%`}
      </p>
      {b.error === null ? null : <p className="field-error">{b.error.message}</p>}
      {q.data?.report == null ? null : <Charts r={q.data.report} />}
      <RuleActionCounts counts={q.data?.report?.ruleActions} of="backtest" />
      {q.data?.text == null ? null : (
        <details>
          <summary>{t('rules.backtestText')}</summary>
          <pre className="file-text backtest-summary">{q.data.text}</pre>
        </details>
      )}
    </div>
  );
}

/** The backtest form and the run it started. */
export function Backtest({ version }: { version: number }): ReactNode {
  const { t } = useI18n();
  const { key } = useSession();
  const [from, setFrom] = useState(() => dayOf(Date.now(), -30));
  const [to, setTo] = useState(() => dayOf(Date.now(), 1));
  const start = useMutation<BacktestStarted, ApiError, void>({
    mutationFn: () => apiSend<BacktestStarted>('POST', `/v1/policies/${version}/backtests`, key, { from, to }),
  });
  return (
    <section aria-labelledby={`backtest-${version}`} className="backtest">
      <h3 id={`backtest-${version}`}>{t('rules.backtestTitle')}</h3>
      <p className="muted small">{t('rules.backtestHelp')}</p>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          start.mutate();
        }}
      >
        <span className="field">
          <label htmlFor={`bt-from-${version}`}>{t('rules.backtestFrom')}</label>
          <input id={`bt-from-${version}`} type="date" value={from} onChange={(e) => setFrom(e.target.value)} required />
        </span>
        <span className="field">
          <label htmlFor={`bt-to-${version}`}>{t('rules.backtestTo')}</label>
          <input id={`bt-to-${version}`} type="date" value={to} onChange={(e) => setTo(e.target.value)} required />
        </span>
        <button type="submit" className="btn" disabled={start.isPending}>{t('rules.backtestRun')}</button>
      </form>
      {start.isError ? <ErrorNotice error={start.error} /> : null}
      {start.data === undefined ? null : <Run key={start.data.backtest.id} version={version} id={start.data.backtest.id} />}
    </section>
  );
}
