/**
 * `GET /v1/whoami` (which key am I, and what may it do), so a client such as the analyst console
 * hides what its key may not do instead of collecting 403s. Served by the embedded server's console
 * module and by every cluster node.
 */
import { permissionsOf } from '../auth.js';
import type { Route } from '../routes.js';
import { WhoAmI } from '../schemas/console.js';

/** `GET /v1/whoami`: what the calling key is and may do; on the embedded server and every cluster node. */
export const whoAmIRoute: Route = {
  method: 'GET',
  path: '/v1/whoami',
  permission: 'self',
  summary: 'The calling key: its id, role, label and every permission its role holds',
  description: 'For clients that adapt to their key (the analyst console shows only what the key may do).',
  responseSchema: WhoAmI,
  handle({ principal }) {
    const body: WhoAmI = {
      keyId: principal.keyId,
      role: principal.role,
      ...(principal.name === undefined ? {} : { name: principal.name }),
      permissions: permissionsOf(principal.role),
    };
    return { body };
  },
};
