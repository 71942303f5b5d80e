/**
 * Rule performance over time (`GET /v1/rules/performance`): per rule (reason code) over a chosen range
 * and bucket, its hits, what was answered on them, fraud by the labels known now and precision,
 * sortable by hits or precision; the chosen rule's trend (hits per bucket, precision) as a chart with
 * its table.
 */
import { useDataNow } from '../../ui/data-now';
import { useMemo, useState, type ReactNode } from 'react';
import { useApi } from '../../api/session-context';
import type { Outcome } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { Chart } from '../../ui/charts/Chart';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { formatNumber, formatTime } from '../../ui/format';
import { RangeForm } from '../../ui/RangeForm';
import { axisOf, defaultPerfRange, PERF_BUCKETS, perfPath, perfRangeProblem, sortRows, trendOf, type PerfRange, type PerfReport, type PerfRow, type PerfSort } from './perf';

const OUTCOMES: readonly Outcome[] = ['approve', 'review', 'challenge', 'decline'];

function pct(r: number | null): string {
  return r === null ? '—' : `${(100 * r).toFixed(1)}%`;
}

function SortHeader({ col, sort, onSort }: { col: PerfSort; sort: PerfSort; onSort: (s: PerfSort) => void }): ReactNode {
  const { t } = useI18n();
  const label = t(col === 'hits' ? 'rules.perf.hits' : 'rules.perf.precision');
  return (
    <th scope="col" className="num" aria-sort={sort === col ? 'descending' : 'none'}>
      <button type="button" className="link" onClick={() => onSort(col)} title={t('rules.perf.sortBy', { column: label })}>
        {label}
        {sort === col ? ' ↓' : ''}
      </button>
    </th>
  );
}

function TrendPanel({ row, report }: { row: PerfRow; report: PerfReport }): ReactNode {
  const { t } = useI18n();
  const trend = useMemo(() => trendOf(row, axisOf(report)), [row, report]);
  const spec = useMemo(() => ({ kind: 'trend' as const, labels: trend.labels, values: trend.hits, percents: trend.precision }), [trend]);
  const byStart = useMemo(() => new Map(row.series.map((b) => [b.label, b])), [row]);
  return (
    <section className="panel perf-trend" aria-labelledby="perf-trend-title" data-testid="perf-trend">
      <h3 id="perf-trend-title">{t('rules.perf.trendTitle', { code: row.code })}</h3>
      <Chart
        spec={spec}
        caption={t('rules.perf.trendCaption', { bucket: t(`rules.perf.buckets.${report.bucket}`) })}
        summary={t('rules.perf.trendSummary', { code: row.code, hits: formatNumber(row.hits), buckets: trend.labels.length, precision: pct(row.precision) })}
      />
      <details>
        <summary>{t('rules.perf.byBucket')}</summary>
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">{t('rules.perf.bucketStart')}</th>
                <th scope="col" className="num">{t('rules.perf.hits')}</th>
                <th scope="col" className="num">{t('rules.perf.fraud')}</th>
                <th scope="col" className="num">{t('rules.perf.precision')}</th>
              </tr>
            </thead>
            <tbody>
              {trend.labels.map((l, i) => {
                const b = byStart.get(l);
                return (
                  <tr key={l}>
                    <th scope="row" className="time">{l}</th>
                    <td className="num">{formatNumber(trend.hits[i] ?? 0)}</td>
                    <td className="num">{formatNumber(b?.fraud ?? 0)}</td>
                    <td className="num">{pct(b?.precision ?? null)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}

/** The rule performance view: the week up to where the data is (see dataNow), once the server said where that is. */
export function PerformanceView(): ReactNode {
  const { t } = useI18n();
  const at = useDataNow();
  return at === undefined ? <p className="muted">{t('common.loading')}</p> : <Performance start={at} />;
}

/** Rule performance over a range starting as the week up to `start`. */
function Performance({ start }: { start: number }): ReactNode {
  const { t } = useI18n();
  const [range, setRange] = useState<PerfRange>(() => defaultPerfRange(start));
  const [sort, setSort] = useState<PerfSort>('hits');
  const [chosen, setChosen] = useState<string | null>(null);
  const q = useApi<PerfReport>(perfPath(range), { keepPrevious: true });
  const rows = useMemo(() => sortRows(q.data?.rules ?? [], sort), [q.data, sort]);
  const shown = rows.find((r) => r.code === chosen) ?? rows[0];
  const r = q.data;
  return (
    <section aria-labelledby="perf-title">
      <h2 id="perf-title">{t('rules.perf.title')}</h2>
      <p className="muted">{t('rules.perf.help')}</p>
      <RangeForm
        idPrefix="perf"
        range={range}
        buckets={PERF_BUCKETS}
        bucketLabel={(b) => t(`rules.perf.buckets.${b}`)}
        words={{ form: t('rules.perf.range'), from: t('rules.perf.from'), to: t('rules.perf.to'), bucket: t('rules.perf.bucket'), show: t('rules.perf.show'), badDate: t('rules.perf.badDate'), badOrder: t('rules.perf.badOrder') }}
        check={perfRangeProblem}
        onApply={setRange}
      />
      {q.isError ? <ErrorNotice error={q.error} /> : null}
      {r === undefined ? (
        q.isError ? null : <p className="muted">{t('common.loading')}</p>
      ) : (
        <>
          <p className="muted" data-testid="perf-period" aria-busy={q.isFetching}>
            {t('rules.perf.period', {
              from: r.range.from === null ? '—' : formatTime(r.range.from),
              to: r.range.to === null ? '—' : formatTime(r.range.to),
              payments: formatNumber(r.totals.hits),
              fraud: formatNumber(r.totals.fraud),
            })}
          </p>
          {rows.length === 0 ? (
            <p className="notice">{t('rules.perf.none')}</p>
          ) : (
            <>
              <div className="table-wrap">
                <table className="data" data-testid="rule-performance">
                  <caption className="sr-only">{t('rules.perf.caption')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('rules.perf.rule')}</th>
                      <SortHeader col="hits" sort={sort} onSort={setSort} />
                      {OUTCOMES.map((o) => (
                        <th key={o} scope="col" className="num">{t(`outcome.${o}`)}</th>
                      ))}
                      <th scope="col" className="num">{t('rules.perf.fraud')}</th>
                      <th scope="col" className="num">{t('rules.perf.unlabelled')}</th>
                      <SortHeader col="precision" sort={sort} onSort={setSort} />
                      <th scope="col" className="num">{t('rules.perf.recall')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((x) => (
                      <tr key={x.code} aria-selected={x.code === shown?.code}>
                        <th scope="row">
                          <button type="button" className="link" aria-pressed={x.code === shown?.code} onClick={() => setChosen(x.code)} title={t('rules.perf.trendOf', { code: x.code })}>
                            <code>{x.code}</code>
                          </button>
                        </th>
                        <td className="num">{formatNumber(x.hits)}</td>
                        {OUTCOMES.map((o) => (
                          <td key={o} className="num">{formatNumber(x.outcomes[o])}</td>
                        ))}
                        <td className="num">{formatNumber(x.fraud)}</td>
                        <td className="num">{formatNumber(x.unlabelled)}</td>
                        <td className="num">{pct(x.precision)}</td>
                        <td className="num">{pct(x.recall)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {shown === undefined ? null : <TrendPanel row={shown} report={r} />}
            </>
          )}
        </>
      )}
    </section>
  );
}
