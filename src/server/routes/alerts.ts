/**
 * `GET /v1/alerts` (read) and `POST /v1/alerts/{id}/ack` (work_cases): what the alert monitor
 * (src/alerts/monitor.ts) raised from the decisions, against the same hour of past days. Raising and
 * acknowledging are audited (`alert.raise` by `system:alerts`, `alert.ack`), so a raised alert also
 * reaches webhooks as `alert.raised`. The monitor is a consumer of the journal feed the cases module
 * starts; this module hands it over through `parts.feedConsumers`. A health watch looks at the last
 * minute's latency and the journal's and feed's lags every 10 s (src/alerts/operational.ts).
 */
import { AlertMonitor, type RaisedAlert } from '../../alerts/monitor.js';
import { HealthWatch } from '../../alerts/operational.js';
import { SqliteAlertStore } from '../../store/sqlite/alerts.js';
import { InputError } from '../../errors.js';
import type { ModuleFactory } from '../routes.js';
import { AlertAckBody, AlertListQuery } from '../schemas/alerts.js';
import { intParam } from './audit.js';
import { RuleActionFollower } from '../../automation/rule-action-follower.js';
import { SqliteFollowerCursors } from '../../store/sqlite/follower-cursors.js';
import { ACTION_KINDS } from '../../rules/actions.js';
import { formatShanghai } from '../../contract/time.js';

const ACK_LIMITS = { maxBytes: 4 * 1024, maxDepth: 4 };
/** How often the health watch looks at latency and lags. */
const HEALTH_LOOK_MS = 10_000;
/** The actor of what the monitor does, in the audit log. */
export const ALERTS_ACTOR = 'system:alerts';

/** The alerts module of the embedded server. */
export const alertsModule: ModuleFactory = ({ store, audit, metrics, feedConsumers, service, engine, automation }) => {
  const alerts = new SqliteAlertStore(store.database);
  const tx = <T>(fn: () => T): T => store.database.transaction(fn).immediate();
  const raise = (a: RaisedAlert): void => {
    tx(() => {
      const stored = alerts.add(a, Date.now());
      audit.append({ actor: ALERTS_ACTOR, action: 'alert.raise', target: `alerts/${stored.id}`, before: null, after: stored });
    });
    try {
      const on = automation?.switchOnAlert?.(a.metric) ?? [];
      if (on.length > 0) process.stderr.write(`fengkong serve: alert ${a.metric} switched on incident mode ${on.join(', ')}\n`);
    } catch (e) {
      process.stderr.write(`fengkong serve: alert ${a.metric} could not switch on its incident mode: ${(e as Error).message}\n`);
    }
  };
  feedConsumers?.push(new AlertMonitor(raise));
  if (automation !== undefined) automation.raiseAlert = raise;
  // a rule past its cap on automatic actions (engine/rule-actions.ts): once per rule and hour
  const capped = new Set<string>();
  const follower = new RuleActionFollower({
    name: 'rule_actions.caps',
    kinds: ACTION_KINDS,
    capped: true,
    journal: store,
    feed: service,
    cursors: new SqliteFollowerCursors(store.database),
    record: (f) => {
      const hour = Math.floor(f.tx.t / 3_600_000) * 3_600_000;
      const key = `${f.action.rule}@${hour}`;
      // once per rule and hour, across restarts too (a follower reading decisions again finds the alert)
      if (capped.has(key) || alerts.raised('rule_actions_capped', f.action.rule, hour)) return;
      capped.add(key);
      const caps = engine.currentPolicy.actionCaps;
      raise({
        metric: 'rule_actions_capped', subject: f.action.rule, hour, observed: caps.perRulePerHour, expected: 0, bound: caps.perRulePerHour, count: caps.perHour,
        message: `rule ${f.action.rule} of policy ${f.policy} reached the cap on automatic actions in the hour from ${formatShanghai(hour)} (${caps.perRulePerHour} a rule, ${caps.perHour} for all rules): its actions stop until the hour ends (payment ${f.tx.id} would have taken ${f.action.action} on ${f.action.target}); its decisions still apply`,
      });
    },
  });
  const health = new HealthWatch(raise);
  const look = setInterval(() => {
    try {
      const now = Date.now();
      const w = metrics.live.read(now, 0);
      health.check({ latencyP99Us: w.latencyUs.p99, decisions: w.decisions, journalLagS: metrics.read('fengkong_journal_lag_seconds'), feedLagS: metrics.read('fengkong_case_feed_lag_seconds') }, now);
    } catch (e) {
      process.stderr.write(`fengkong serve: the health watch failed: ${(e as Error).message}\n`);
    }
  }, HEALTH_LOOK_MS);
  look.unref();
  metrics.gauge('fengkong_alerts_open', 'Alerts raised and not acknowledged yet.', () => alerts.openCount());
  return {
    routes: [
      {
        method: 'GET',
        path: '/v1/alerts',
        permission: 'read',
        summary: 'Alerts, newest first: a rate or count of an hour beyond the bound set by the same hour of the past days',
        querySchema: AlertListQuery,
        handle: ({ query }) => ({ body: { alerts: alerts.list({ open: query.get('open') === 'true', limit: intParam(query, 'limit', 1, 1000) }) } }),
      },
      {
        method: 'POST',
        path: '/v1/alerts/{id}/ack',
        permission: 'work_cases',
        summary: 'Acknowledges an alert (once), with an optional note',
        body: ACK_LIMITS,
        bodyOptional: true,
        bodySchema: AlertAckBody,
        handle: ({ params, body, principal }) => {
          const id = Number(params.id);
          if (!Number.isSafeInteger(id) || id < 1) throw new InputError('id', 'an alert id: a whole number from 1');
          const note = (body as { note?: string } | undefined)?.note ?? null;
          const acked = tx(() => {
            const before = alerts.get(id);
            const after = alerts.ack(id, principal.keyId, note, Date.now());
            audit.append({ actor: principal.keyId, action: 'alert.ack', target: `alerts/${id}`, before, after });
            return after;
          });
          return { body: acked };
        },
      },
    ],
    close: () => {
      clearInterval(look);
      follower.close();
    },
  };
};
