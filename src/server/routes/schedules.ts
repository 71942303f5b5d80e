/**
 * The embedded scheduler (src/schedules) and the reports it keeps: every Monday at 09:00
 * Asia/Shanghai the weekly risk report of the week before (Monday to Monday, made on the report
 * worker like `GET /v1/reports/risk`) is made and kept; every night at 07:00 accounts idle for a week
 * are re-rated, and at 08:00 the periodic review queue runs (whether each does anything is the live
 * policy's settings `schedules.*`); other modules add theirs through `parts.automation.jobs` (the
 * accounts module's weekly limit proposals, the lists module's nightly expiry). A schedule file
 * (`serve --schedule-file`) moves any job or turns it off. `GET /v1/reports` lists the kept reports,
 * each job's time and when it last ran; `GET /v1/reports/{id}` answers one, as JSON or
 * (`?format=html`) the printable page.
 */
import { addRatings } from '../../report/ratings.js';
import { renderRiskReportHtml } from '../../report/html.js';
import { isReportLang } from '../../report/i18n.js';
import type { RiskReport } from '../../report/risk-report.js';
import { rerateIdle } from '../../schedules/rerate-idle.js';
import { runReviewQueue, SCHEDULES_ACTOR } from '../../schedules/review-queue.js';
import { cadenceText, DEFAULT_CADENCES, type CadenceOrOff } from '../../schedules/schedule-file.js';
import { Scheduler, type Job } from '../../schedules/scheduler.js';
import { SqliteFollowerCursors } from '../../store/sqlite/follower-cursors.js';
import { SqliteStoredReports } from '../../store/sqlite/stored-reports.js';
import { ContractError, NotFoundError } from '../../errors.js';
import type { ModuleFactory } from '../routes.js';
import { queuedReport } from './reports.js';
import { intParam } from './audit.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Asia/Shanghai: UTC+8 all year. */
const SHANGHAI = 8 * HOUR;
/** How often the scheduler looks at the clock. */
const TICK_MS = 30_000;

/** The scheduler's clock and tick (tests), and the times a schedule file sets. */
export interface SchedulerOptions {
  readonly now?: () => number;
  readonly tickMs?: number;
  /** Job name → its time or 'off' (schedules/schedule-file.ts); jobs left out keep DEFAULT_CADENCES. */
  readonly cadences?: Readonly<Record<string, CadenceOrOff>>;
}

const JOB_ORDER = Object.keys(DEFAULT_CADENCES);

/**
 * The jobs as the schedule file sets them, in the order a tick runs them (the night's re-rating
 * before the morning's review queue and limit proposals); a job set 'off' is left out.
 */
export function scheduled(jobs: readonly Job[], cadences: Readonly<Record<string, CadenceOrOff>> = {}): Job[] {
  const out: Job[] = [];
  for (const j of jobs) {
    const c = cadences[j.name];
    if (c === 'off') continue;
    out.push(c === undefined ? j : { ...j, cadence: c });
  }
  const rank = (j: Job): number => (JOB_ORDER.includes(j.name) ? JOB_ORDER.indexOf(j.name) : JOB_ORDER.length);
  return out.sort((a, b) => rank(a) - rank(b));
}

/** The schedules module of the embedded server. */
export const schedulesModule: ModuleFactory = (parts) => {
  const { engine, store, audit } = parts;
  const reports = new SqliteStoredReports(store.database);
  const now = parts.schedules?.now ?? Date.now;
  const jobs: Job[] = [
    {
      name: 'weekly_report',
      cadence: DEFAULT_CADENCES.weekly_report,
      run: async (slot) => {
        if (!engine.currentPolicy.schedules.weeklyReport) return;
        const to = Math.floor((slot + SHANGHAI) / DAY) * DAY - SHANGHAI; // the run's day, 00:00 Shanghai
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
      name: 'rerate_idle',
      cadence: DEFAULT_CADENCES.rerate_idle,
      run: async (slot) => {
        const days = engine.currentPolicy.schedules.rerateIdleDays;
        const r = await rerateIdle(engine, days);
        if (r.rerated > 0) audit.append({ actor: SCHEDULES_ACTOR, action: 'accounts.rerate', target: `accounts/rerate/${slot}`, before: null, after: { idleDays: days, asOf: engine.now, ...r } });
      },
    },
    {
      name: 'review_queue',
      cadence: DEFAULT_CADENCES.review_queue,
      run: async (slot) => {
        const cases = parts.cases;
        runReviewQueue({ engine, lists: parts.lists, cases, slot, everyDays: engine.currentPolicy.schedules.reviewEveryDays });
      },
    },
  ];
  const all = scheduled([...jobs, ...(parts.automation?.jobs ?? [])], parts.schedules?.cadences);
  const scheduler = new Scheduler(all, new SqliteFollowerCursors(store.database), now);
  const times = Object.fromEntries(all.map((j) => [j.name, cadenceText(j.cadence)]));
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
        summary: 'The reports the scheduler kept (the weekly risk report), newest first; each scheduled job\'s time (Asia/Shanghai) and when it last ran',
        handle: ({ query }) => ({ body: { reports: reports.list(intParam(query, 'limit', 1, 500) ?? 50), schedule: times, lastRuns: scheduler.lastRuns() } }),
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
