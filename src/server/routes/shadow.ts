/**
 * `/v1/policies/{version}/shadow`: shadow policies — a version that is not live decides every
 * payment again beside the live one, off the answer path, and the two are compared and recorded.
 * Start and stop need `admin`, reads `read` (analyst, admin). The work is ShadowPolicies'
 * (src/policy/shadow-policies.ts); these routes only map HTTP onto it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { versionParam } from '../../policy/input.js';
import { ShadowPolicies } from '../../policy/shadow-policies.js';
import { SHADOW_MAX_PAGE } from '../../policy/shadow-types.js';
import { ContractError } from '../../errors.js';
import { SHADOW_DB_FILE, SqliteShadowStore } from '../../store/sqlite/shadow.js';
import { sqliteWorkerAdapter } from '../../store/sqlite/worker-factory.js';
import type { ModuleFactory } from '../routes.js';
import { intParam, pageParams } from './audit.js';
import { ShadowDecisionsQuery } from '../schemas/policies.js';
import { lifecycleFor } from './policies.js';

function boolParam(q: URLSearchParams, name: string): boolean | undefined {
  const raw = q.get(name);
  if (raw === null) return undefined;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ContractError(name, 'true or false');
}

/** The shadow routes. */
export const shadowModule: ModuleFactory = (parts) => {
  const shadows = new ShadowPolicies({
    lifecycle: lifecycleFor(parts),
    service: parts.service,
    journal: parts.store,
    engine: parts.engine,
    audit: parts.audit,
    openStore: () => new SqliteShadowStore(parts.dataDir),
    storeExists: () => existsSync(join(parts.dataDir, SHADOW_DB_FILE)),
    adapter: sqliteWorkerAdapter(parts.dataDir),
  });
  return {
    close: () => shadows.close(),
    routes: [
      {
        method: 'POST',
        path: '/v1/policies/{version}/shadow',
        permission: 'admin',
        summary: 'Start shadowing a version that is not live: it decides every payment beside the live one, off the answer path, compared and recorded',
        description:
          '202 `warming`: its windows are first rebuilt from the journal, then every committed event is compared. 409 when the version is live, ' +
          'already shadowing, or two shadows run already.',
        handle: ({ principal, params }) => shadows.start(versionParam(params.version), principal.keyId),
      },
      {
        method: 'GET',
        path: '/v1/policies/{version}/shadow',
        permission: 'read',
        summary: 'A shadow\'s status and totals: outcomes live vs shadow, transitions, agreement, reason hits, fraud and money by the labels known',
        description: 'The running shadow of the version, or its last run once stopped (404 when it was never shadowed).',
        handle: async ({ params }) => ({ body: await shadows.status(versionParam(params.version)) }),
      },
      {
        method: 'DELETE',
        path: '/v1/policies/{version}/shadow',
        permission: 'admin',
        summary: 'Stop shadowing a version; its records stay readable',
        handle: ({ principal, params }) => shadows.stop(versionParam(params.version), principal.keyId),
      },
      {
        method: 'GET',
        path: '/v1/policies/{version}/shadow/decisions',
        permission: 'read',
        summary: 'The shadow\'s recorded decisions beside live\'s, newest first (changed=true: only those whose outcome differs; before, limit page)',
        description: '`run` reads an earlier run of the version (default: the latest).',
        querySchema: ShadowDecisionsQuery,
        handle({ params, query }) {
          const page = {
            ...pageParams(query, SHADOW_MAX_PAGE),
            changed: boolParam(query, 'changed'),
            run: intParam(query, 'run', 1, Number.MAX_SAFE_INTEGER),
          };
          return { body: shadows.decisions(versionParam(params.version), page) };
        },
      },
    ],
  };
};
