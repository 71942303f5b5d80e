/**
 * The API routes the analyst console needs before anything else: `GET /v1/whoami` (which key am
 * I, and what may it do — so the console hides what the key may not do instead of collecting 403s)
 * and `GET /v1/overview` (the last minute of decisions and the state of the queue, polled every 2 s
 * by each open console, hence built from counters kept on the answer path; see overview.ts). The
 * console's files themselves are not an API route: console-static.ts serves them.
 */
import { CaseService } from '../../cases/service.js';
import { buildOverview, type OverviewSources } from '../overview.js';
import type { ModuleFactory } from '../routes.js';
import { Overview } from '../schemas/console.js';
import { whoAmIRoute } from './whoami.js';
import { CASE_FEED_LAG_GAUGE } from './cases.js';

/** The console's API module. */
export const consoleModule: ModuleFactory = (parts) => {
  const cases = parts.cases;
  if (!(cases instanceof CaseService)) throw new Error('internal: the console module needs the server\'s CaseService');
  const sources: OverviewSources = {
    live: parts.metrics.live,
    openCases: () => cases.openByBand(),
    journal: () => ({ lastSeq: parts.service.appliedSeq, pendingEntries: parts.service.journalPending }),
    caseFeedBehind: () => parts.metrics.read(CASE_FEED_LAG_GAUGE),
    eventTime: () => parts.engine.now,
  };
  return {
    routes: [
      whoAmIRoute,
      {
        method: 'GET',
        path: '/v1/overview',
        permission: 'read',
        summary: 'The last minute at a glance: decisions per second, outcome mix, latency, top reason codes, score histogram, open cases by priority, journal and case feed',
        description:
          'Decision figures cover a sliding window of the last 60 s of wall time (the current second included), kept in one-second rings on the answer path; ' +
          'open cases are one grouped count of the queue. Cheap enough to poll every 2 s per open console.',
        responseSchema: Overview,
        handle() {
          return { body: buildOverview(sources, Date.now()) };
        },
      },
    ],
  };
};
