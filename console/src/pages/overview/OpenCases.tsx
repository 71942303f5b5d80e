/** Open cases by priority band, most urgent first, with the way to the queue. */
import type { ReactNode } from 'react';
import type { Overview, PriorityBand } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { formatNumber } from '../../ui/format';
import { BAND_NAMES } from '../../ui/names';
import { hrefOf } from '../../ui/route';

const ORDER: readonly PriorityBand[] = ['critical', 'high', 'medium', 'low'];

/** A table of bands and counts; `canOpenQueue` links the queue when the key may read it. */
export function OpenCases({ o, canOpenQueue }: { o: Overview; canOpenQueue: boolean }): ReactNode {
  const { t } = useI18n();
  const count = (band: PriorityBand): number => o.openCases.byPriority.find((b) => b.band === band)?.count ?? 0;
  return (
    <section className="panel" aria-labelledby="open-cases">
      <h2 id="open-cases">{t('overview.openCasesByBand')}</h2>
      <table className="data">
        <thead>
          <tr>
            <th scope="col">{t('overview.band')}</th>
            <th scope="col" className="num">{t('overview.cases')}</th>
          </tr>
        </thead>
        <tbody>
          {ORDER.map((b) => (
            <tr key={b}>
              <th scope="row"><span className={`band band-${b}`}>{t(BAND_NAMES[b])}</span></th>
              <td className="num">{formatNumber(count(b))}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{t('overview.total')}</th>
            <td className="num">{formatNumber(o.openCases.total)}</td>
          </tr>
        </tfoot>
      </table>
      {canOpenQueue ? <p><a href={hrefOf('cases')}>{t('overview.toQueue')}</a></p> : null}
    </section>
  );
}
