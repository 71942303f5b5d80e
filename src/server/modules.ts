/**
 * The feature modules a server runs beside the decision hot path. One line per module: adding a
 * feature area to the API is adding it here (see routes.ts for what a module is).
 */
import type { ModuleFactory } from './routes.js';
import { accountsModule } from './routes/accounts.js';
import { alertsModule } from './routes/alerts.js';
import { auditModule } from './routes/audit.js';
import { backtestsModule } from './routes/backtests.js';
import { casesModule } from './routes/cases.js';
import { complaintsModule } from './routes/complaints.js';
import { consoleModule } from './routes/console.js';
import { keysModule } from './routes/keys.js';
import { listsModule } from './routes/lists.js';
import { merchantsModule } from './routes/merchants.js';
import { modesModule } from './routes/modes.js';
import { noticesModule } from './routes/notices.js';
import { policiesModule } from './routes/policies.js';
import { reportsModule } from './routes/reports.js';
import { rulesModule } from './routes/rules.js';
import { schedulesModule } from './routes/schedules.js';
import { shadowModule } from './routes/shadow.js';
import { webhooksModule } from './routes/webhooks.js';

/** Every module, in the order their routes are matched. */
export const MODULES: readonly ModuleFactory[] = [auditModule, listsModule, policiesModule, modesModule, accountsModule, backtestsModule, rulesModule, reportsModule, schedulesModule, alertsModule, casesModule, complaintsModule, merchantsModule, shadowModule, keysModule, noticesModule, webhooksModule, consoleModule];
