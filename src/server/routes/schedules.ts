/**
 * The embedded scheduler (src/schedules) and the reports it keeps: every Monday at 09:00
 * Asia/Shanghai the weekly risk report of the week before (Monday to Monday, made on the report
 * worker like `GET /v1/reports/risk`) is made and kept; every day at 08:00 the periodic review queue
 * runs (its rhythm and the report are the live policy's settings `schedules.*`); other modules add
 * theirs through `parts.automation.jobs` (the accounts module's weekly limit proposals). `GET /v1/reports`
 * lists the kept reports and when each job last ran; `GET /v1/reports/{id}` answers one, as JSON or
 * (`?format=html`) the printable page.
 */
import { addRatings } from '../../report/ratings.js';
import { renderRiskReportHtml } from '../../report/html.js';
import { isReportLang } from '../../report/i18n.js';
import type { RiskReport } from '../../report/risk-report.js';
import { runReviewQueue, SCHEDULES_ACTOR } from '../../schedules/review-queue.js';
import { Scheduler, type Job } from '../../schedules/scheduler.js';
import { SqliteFollowerCursors } from '../../store/sqlite/follower-cursors.js';
import { SqliteStoredReports } from '../../store/sqlite/stored-reports.js';
import { ContractError, NotFoundError } from '../../errors.js';
import type { ModuleFactory } from '../routes.js';
import { queuedReport } from './reports.js';
import { intParam } from './audit.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** How often the scheduler looks at the clock. */
const TICK_MS = 30_000;

/** The scheduler's clock and tick, for tests. */
export interface SchedulerOptions {
  readonly now?: () => number;
  readonly tickMs?: number;
}

/** The schedules module of the embedded server. */
export const schedulesModule: ModuleFactory = (parts) => {
  const { engine, store, audit } = parts;
  const reports = new SqliteStoredReports(store.database);
  const now = parts.schedules?.now ?? Date.now;
  const jobs: Job[] = [
    {
      name: 'weekly_report',
      cadence: { every: 'week', weekday: 1, hour: 9 },
      run: async (slot) => {
        if (!engine.currentPolicy.schedules.weeklyReport) return;
        const to = slot - 9 * HOUR; // Monday 00:00 Shanghai
        const from = to - 7 * DAY;
        const report = addRatings(await queuedReport(parts, { kind: 'risk-report', options: { from, to, bucket: 'day' } }), engine, 10);
        store.database
          .transaction(() => {
            reports.add({ kind: 'weekly_risk', slot, from, to, generatedAt: now(), body: report });
            audit.append({ actor: SCHEDULES_ACTOR, action: 'report.keep', target: `reports/weekly_risk/${slot}`, before: null, after: { kind: 'weekly_risk', from, to } });
          })
          .immediate();
      },
    },
    {
      name: 'review_queue',
      cadence: { every: 'day', hour: 8 },
      run: async (slot) => {
        const cases = parts.cases;
        runReviewQueue({ engine, lists: parts.lists, cases, slot, everyDays: engine.currentPolicy.schedules.reviewEveryDays });
      },
    },
  ];
  const scheduler = new Scheduler([...jobs, ...(parts.automation?.jobs ?? [])], new SqliteFollowerCursors(store.database), now);
  const tick = (): void => void scheduler.tick();
  const timer = setInterval(tick, parts.schedules?.tickMs ?? TICK_MS);
  timer.unref();
  setImmediate(tick);
  return {
    close: () => clearInterval(timer),
    routes: [
      {
        method: 'GET',
        path: '/v1/reports',
        permission: 'read',
        summary: 'The reports the scheduler kept (the weekly risk report), newest first, and when each scheduled job last ran',
        handle: ({ query }) => ({ body: { reports: reports.list(intParam(query, 'limit', 1, 500) ?? 50), lastRuns: scheduler.lastRuns() } }),
      },
      {
        method: 'GET',
        path: '/v1/reports/{id}',
        permission: 'read',
        summary: 'One kept report: JSON, or ?format=html for the printable page (&lang=zh-CN in Chinese)',
        handle: ({ params, query }) => {
          const id = Number(params.id);
          if (!Number.isSafeInteger(id) || id < 1) throw new ContractError('id', 'the id of a kept report (GET /v1/reports lists them)');
          const r = reports.get(id);
          if (r === undefined) throw new NotFoundError(`no kept report ${id}`);
          const format = query.get('format') ?? 'json';
          const lang = query.get('lang') ?? 'en';
          if (!isReportLang(lang)) throw new ContractError('lang', 'en or zh-CN (the HTML report\'s language)');
          if (format === 'html') return { text: renderRiskReportHtml(r.body as RiskReport, lang), contentType: 'text/html; charset=utf-8' };
          if (format !== 'json') throw new ContractError('format', 'json or html');
          return { body: r };
        },
      },
    ],
  };
};
