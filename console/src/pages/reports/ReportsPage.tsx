/**
 * The risk report from `GET /v1/reports/risk` over a range of Asia/Shanghai dates: volumes and
 * outcomes over time, fraud caught and missed, money saved, rule precision, score drift (PSI), the
 * riskiest merchants and terminals and the open cases, each section as the API answers it; and the
 * printable HTML of the same report as a download.
 */
import { useState, type ReactNode } from 'react';
import { useApi, useSession } from '../../api/session-context';
import type { Outcome } from '../../api/types';
import type { MessageKey } from '../../i18n/en';
import { useI18n } from '../../i18n/i18n';
import { Chart } from '../../ui/charts/Chart';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { formatMoney, formatNumber, formatTime } from '../../ui/format';
import { KeptReports } from './KeptReports';
import { ScheduledJobs } from './ScheduledJobs';
import { PageTitle } from '../../ui/PageTitle';
import { RangeForm } from '../../ui/RangeForm';
import { fetchHtml, saveHtml } from './download';
import { useDataNow } from '../../ui/data-now';
import { BUCKETS, defaultRange, rangeProblem, reportFileName, reportPath, type ReportRange } from './range';
import type { EntityFigures, PeriodFigures, RiskReport, TopEntities } from './types';

const OUTCOMES: readonly Outcome[] = ['approve', 'review', 'challenge', 'decline'];

function when(ms: number | null): string {
  return ms === null ? '—' : formatTime(ms);
}

function pct(r: number | null): string {
  return r === null ? '—' : `${(100 * r).toFixed(1)}%`;
}

function Stat({ label, value, note, testId }: { label: string; value: string; note?: string; testId?: string }): ReactNode {
  return (
    <div className="stat" data-testid={testId}>
      <dt>{label}</dt>
      <dd>
        <span className="stat-value">{value}</span>
        {note === undefined ? null : <span className="stat-note">{note}</span>}
      </dd>
    </div>
  );
}

function Download({ range }: { range: ReportRange }): ReactNode {
  const { t } = useI18n();
  const { key } = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <div className="report-download">
      <button
        type="button"
        className="btn"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          setError(null);
          fetchHtml(reportPath(range, 'html'), key).then(
            (html) => {
              saveHtml(html, reportFileName(range));
              setBusy(false);
            },
            (e: unknown) => {
              setError(e);
              setBusy(false);
            },
          );
        }}
      >
        {busy ? t('reports.preparing') : t('reports.download')}
      </button>
      {error === null ? null : <ErrorNotice error={error} />}
    </div>
  );
}

function Headline({ r }: { r: RiskReport }): ReactNode {
  const { t } = useI18n();
  const c = r.totals;
  const p = r.previousTotals;
  return (
    <dl className="stats" data-testid="report-headline">
      <Stat testId="report-payments" label={t('reports.payments')} value={formatNumber(c.payments)} note={t('reports.previousWas', { v: formatNumber(p.payments) })} />
      <Stat label={t('reports.amount')} value={formatMoney(c.amount)} />
      <Stat label={t('reports.alertRate')} value={pct(c.alertRate)} note={t('reports.previousWas', { v: pct(p.alertRate) })} />
      <Stat label={t('reports.declineRate')} value={pct(c.declineRate)} />
      <Stat testId="report-saved" label={t('reports.moneySaved')} value={formatMoney(c.moneySaved)} />
      <Stat label={t('reports.legitDeclined')} value={formatMoney(c.legitimateDeclinedAmount)} />
    </dl>
  );
}

function Volumes({ r }: { r: RiskReport }): ReactNode {
  const { t } = useI18n();
  const labels = r.series.map((b) => b.label);
  const values = r.series.map((b) => b.payments);
  return (
    <section className="panel" aria-labelledby="report-volumes" data-testid="report-volumes">
      <h2 id="report-volumes">{t('reports.volumes')}</h2>
      <Chart
        spec={{ kind: 'bars', labels, values }}
        caption={t('reports.volumesCaption', { bucket: t(`reports.buckets.${r.bucket}`) })}
        summary={t('reports.volumesSummary', { n: formatNumber(r.totals.payments), buckets: r.series.length })}
      />
      <details>
        <summary>{t('reports.byBucket')}</summary>
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">{t('reports.bucketStart')}</th>
                <th scope="col" className="num">{t('reports.payments')}</th>
                <th scope="col" className="num">{t('reports.amount')}</th>
                {OUTCOMES.map((o) => (
                  <th key={o} scope="col" className="num">{t(`outcome.${o}`)}</th>
                ))}
                <th scope="col" className="num">{t('reports.fraud')}</th>
              </tr>
            </thead>
            <tbody>
              {r.series.map((b) => (
                <tr key={b.start}>
                  <th scope="row" className="time">{b.label}</th>
                  <td className="num">{formatNumber(b.payments)}</td>
                  <td className="num">{formatMoney(b.amount)}</td>
                  {OUTCOMES.map((o) => (
                    <td key={o} className="num">{formatNumber(b.outcomes[o])}</td>
                  ))}
                  <td className="num">{formatNumber(b.fraud.total)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}

function Outcomes({ c, p }: { c: PeriodFigures; p: PeriodFigures }): ReactNode {
  const { t } = useI18n();
  return (
    <section className="panel" aria-labelledby="report-outcomes" data-testid="report-outcomes">
      <h2 id="report-outcomes">{t('reports.outcomes')}</h2>
      <table className="data">
        <thead>
          <tr>
            <th scope="col">{t('reports.outcome')}</th>
            <th scope="col" className="num">{t('reports.payments')}</th>
            <th scope="col" className="num">{t('reports.amount')}</th>
            <th scope="col" className="num">{t('reports.previousPeriod')}</th>
          </tr>
        </thead>
        <tbody>
          {OUTCOMES.map((o) => (
            <tr key={o}>
              <th scope="row">{t(`outcome.${o}`)}</th>
              <td className="num">{formatNumber(c.outcomes[o])}</td>
              <td className="num">{formatMoney(c.amounts[o])}</td>
              <td className="num">{formatNumber(p.outcomes[o])}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Fraud({ c }: { c: PeriodFigures }): ReactNode {
  const { t } = useI18n();
  const rows: [MessageKey, number, number | null][] = [
    ['reports.fraudTotal', c.fraud.total, c.fraud.totalAmount],
    ['reports.fraudCaught', c.fraud.caught, c.fraud.caughtAmount],
    ['reports.fraudMissed', c.fraud.missed, c.fraud.missedAmount],
    ['reports.legitimate', c.legitimate.total, c.legitimate.totalAmount],
    ['reports.unlabelled', c.legitimate.unlabelled, null],
  ];
  return (
    <section className="panel" aria-labelledby="report-fraud" data-testid="report-fraud">
      <h2 id="report-fraud">{t('reports.fraudSection')}</h2>
      <table className="data">
        <thead>
          <tr>
            <th scope="col"><span className="sr-only">{t('reports.what')}</span></th>
            <th scope="col" className="num">{t('reports.payments')}</th>
            <th scope="col" className="num">{t('reports.amount')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([k, n, a]) => (
            <tr key={k}>
              <th scope="row">{t(k)}</th>
              <td className="num">{formatNumber(n)}</td>
              <td className="num">{a === null ? '—' : formatMoney(a)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{t('reports.moneySaved')}</th>
            <td />
            <td className="num">{formatMoney(c.moneySaved)}</td>
          </tr>
          <tr>
            <th scope="row">{t('reports.legitDeclined')}</th>
            <td />
            <td className="num">{formatMoney(c.legitimateDeclinedAmount)}</td>
          </tr>
        </tfoot>
      </table>
      <p className="muted">{t('reports.precisionRecall', { precision: pct(c.precision), recall: pct(c.recall) })}</p>
    </section>
  );
}

function Rules({ r }: { r: RiskReport }): ReactNode {
  const { t } = useI18n();
  return (
    <section className="panel" aria-labelledby="report-rules" data-testid="report-rules">
      <h2 id="report-rules">{t('reports.rules')}</h2>
      {r.rules.length === 0 ? (
        <p className="muted">{t('reports.noRules')}</p>
      ) : (
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">{t('reports.rule')}</th>
                <th scope="col" className="num">{t('reports.hits')}</th>
                <th scope="col" className="num">{t('reports.amount')}</th>
                <th scope="col" className="num">{t('reports.fraud')}</th>
                <th scope="col" className="num">{t('reports.unlabelled')}</th>
                <th scope="col" className="num">{t('reports.precision')}</th>
                <th scope="col" className="num">{t('reports.recall')}</th>
              </tr>
            </thead>
            <tbody>
              {r.rules.map((x) => (
                <tr key={x.code}>
                  <th scope="row"><code>{x.code}</code></th>
                  <td className="num">{formatNumber(x.hits)}</td>
                  <td className="num">{formatMoney(x.amount)}</td>
                  <td className="num">{formatNumber(x.fraud)}</td>
                  <td className="num">{formatNumber(x.unlabelled)}</td>
                  <td className="num">{pct(x.precision)}</td>
                  <td className="num">{pct(x.recall)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Drift({ r }: { r: RiskReport }): ReactNode {
  const { t } = useI18n();
  const s = r.scores;
  const labels = s.bins.map((b) => `${b.from}`);
  return (
    <section className="panel" aria-labelledby="report-drift" data-testid="report-drift">
      <h2 id="report-drift">{t('reports.drift')}</h2>
      <p>
        {s.psi === null
          ? t('reports.psiNone')
          : t('reports.psiIs', { psi: s.psi.toFixed(3), band: s.band === null ? '' : t(`reports.band.${s.band}`) })}
      </p>
      <Chart
        spec={{ kind: 'bars', labels, values: s.current }}
        caption={t('reports.scoresCaption')}
        summary={t('reports.scoresSummary', { n: formatNumber(s.current.reduce((a, b) => a + b, 0)) })}
        height={140}
      >
        <table className="sr-only">
          <caption>{t('reports.scoresCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('reports.scoreRange')}</th>
              <th scope="col">{t('reports.thisPeriod')}</th>
              <th scope="col">{t('reports.previousPeriod')}</th>
            </tr>
          </thead>
          <tbody>
            {s.bins.map((b, i) => (
              <tr key={b.from}>
                <th scope="row">{`${b.from}–${b.to}`}</th>
                <td>{s.current[i]}</td>
                <td>{s.previous[i]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Chart>
    </section>
  );
}

function EntityTable({ rows, testId }: { rows: readonly EntityFigures[]; testId: string }): ReactNode {
  const { t } = useI18n();
  if (rows.length === 0) return <p className="muted">{t('reports.noneRanked')}</p>;
  return (
    <div className="table-wrap">
      <table className="data" data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">{t('reports.id')}</th>
            <th scope="col" className="num">{t('reports.payments')}</th>
            <th scope="col" className="num">{t('reports.flagged')}</th>
            <th scope="col" className="num">{t('reports.flaggedShare')}</th>
            <th scope="col" className="num">{t('reports.fraud')}</th>
            <th scope="col" className="num">{t('reports.fraudAmount')}</th>
            <th scope="col">{t('reports.rating')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((e) => (
            <tr key={e.id}>
              <th scope="row" className="id"><code>{e.id}</code></th>
              <td className="num">{formatNumber(e.payments)}</td>
              <td className="num">{formatNumber(e.flagged)}</td>
              <td className="num">{pct(e.flaggedShare)}</td>
              <td className="num">{formatNumber(e.fraud)}</td>
              <td className="num">{formatMoney(e.fraudAmount)}</td>
              <td>{e.rating === undefined ? '—' : `${e.rating.grade} (${e.rating.score})`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Riskiest({ title, top, id }: { title: MessageKey; top: TopEntities; id: string }): ReactNode {
  const { t } = useI18n();
  return (
    <section className="panel" aria-labelledby={id} data-testid={id}>
      <h2 id={id}>{t(title)}</h2>
      <p className="muted">{t('reports.seen', { n: formatNumber(top.seen) })}</p>
      <h3>{t('reports.byFraudAmount')}</h3>
      <EntityTable rows={top.byFraudAmount} testId={`${id}-fraud`} />
      <h3>{t('reports.byFlaggedShare', { n: top.minPayments })}</h3>
      <EntityTable rows={top.byFlaggedShare} testId={`${id}-share`} />
    </section>
  );
}

function Cases({ r }: { r: RiskReport }): ReactNode {
  const { t } = useI18n();
  const c = r.cases;
  return (
    <section className="panel" aria-labelledby="report-cases" data-testid="report-cases">
      <h2 id="report-cases">{t('reports.cases')}</h2>
      {!c.available ? (
        <p className="muted">{c.note}</p>
      ) : (
        <>
          <p>
            {t('reports.casesOpen', {
              open: formatNumber(c.open),
              total: formatNumber(c.total),
              oldest: c.oldestDays === null ? '—' : formatNumber(c.oldestDays, 1),
              median: c.medianDays === null ? '—' : formatNumber(c.medianDays, 1),
            })}
            {c.openAmount === null ? null : ` ${t('reports.casesAtStake', { amount: formatMoney(c.openAmount) })}`}
          </p>
          <table className="data">
            <thead>
              <tr>
                <th scope="col">{t('reports.age')}</th>
                <th scope="col" className="num">{t('reports.openCases')}</th>
              </tr>
            </thead>
            <tbody>
              {c.byAge.map((a) => (
                <tr key={a.label}>
                  <th scope="row">{a.label}</th>
                  <td className="num">{formatNumber(a.count)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function Report({ range }: { range: ReportRange }): ReactNode {
  const { t } = useI18n();
  const q = useApi<RiskReport>(reportPath(range), { keepPrevious: true });
  const r = q.data;
  if (q.isError) return <ErrorNotice error={q.error} />;
  if (r === undefined) return <p className="muted">{t('reports.making')}</p>;
  return (
    <div className={q.isPlaceholderData ? 'report stale' : 'report'} data-testid="report">
      <p className="muted" data-testid="report-period">
        {t('reports.period', { from: when(r.range.from), to: when(r.range.to), prevFrom: when(r.previous.from), prevTo: when(r.previous.to) })}
      </p>
      <Headline r={r} />
      <Volumes r={r} />
      <div className="grid">
        <Outcomes c={r.totals} p={r.previousTotals} />
        <Fraud c={r.totals} />
      </div>
      <Rules r={r} />
      <div className="grid">
        <Drift r={r} />
        <Cases r={r} />
      </div>
      <Riskiest title="reports.merchants" top={r.merchants} id="report-merchants" />
      <Riskiest title="reports.terminals" top={r.terminals} id="report-terminals" />
      <p className="muted">{t('reports.generated', { at: formatTime(r.generatedAt) })}</p>
    </div>
  );
}

/** The reports page: the week up to where the data is (see dataNow), once the server said where that is. */
export function ReportsPage(): ReactNode {
  const { t } = useI18n();
  const at = useDataNow();
  return at === undefined ? <p className="muted">{t('common.loading')}</p> : <ReportsView start={at} />;
}

/** The range form, the download and the report, from a range starting as the week up to `start`. */
function ReportsView({ start }: { start: number }): ReactNode {
  const { t } = useI18n();
  const [range, setRange] = useState<ReportRange>(() => defaultRange(start));
  return (
    <section>
      <PageTitle title={t('reports.title')} sub={t('reports.sub')} />
      <div className="report-controls">
        <RangeForm
          idPrefix="report"
          range={range}
          buckets={BUCKETS}
          bucketLabel={(b) => t(`reports.buckets.${b}`)}
          words={{ form: t('reports.range'), from: t('reports.from'), to: t('reports.to'), bucket: t('reports.bucket'), show: t('reports.show'), badDate: t('reports.badDate'), badOrder: t('reports.badOrder') }}
          check={rangeProblem}
          onApply={setRange}
        />
        <Download range={range} />
      </div>
      <Report range={range} />
      <KeptReports />
      <ScheduledJobs />
    </section>
  );
}
