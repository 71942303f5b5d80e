/**
 * The feature modules a server runs beside the decision hot path. One line per module: adding a
 * feature area to the API is adding it here (see routes.ts for what a module is).
 */
import type { ModuleFactory } from './routes.js';
import { auditModule } from './routes/audit.js';
import { listsModule } from './routes/lists.js';

/** Every module, in the order their routes are matched. */
export const MODULES: readonly ModuleFactory[] = [auditModule, listsModule];
