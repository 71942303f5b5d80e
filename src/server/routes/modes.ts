/**
 * `/v1/modes`: incident modes — prepared emergency overlays (rules and settings in the rule
 * language) compiled on top of the live version and switched on and off with one call each, every
 * switch audited. Decisions made under one name it (`v7+incident:remote-wave`). Analysts read,
 * admins change.
 */
import type { ModuleFactory } from '../routes.js';
import { ModeBody } from '../schemas/policies.js';
import { lifecycleFor } from './policies.js';

const MODE_BODY = { maxBytes: 512 * 1024, maxDepth: 8 };

/** The incident mode routes. */
export const modesModule: ModuleFactory = (parts) => {
  const modes = lifecycleFor(parts).modes;
  return {
    routes: [
      {
        method: 'GET',
        path: '/v1/modes',
        permission: 'read',
        summary: 'Every incident mode with whether it is on, and the policy deciding now',
        handle: () => ({ body: modes.list() }),
      },
      {
        method: 'GET',
        path: '/v1/modes/{name}',
        permission: 'read',
        summary: 'One incident mode',
        handle: ({ params }) => ({ body: { mode: modes.get(params.name) } }),
      },
      {
        method: 'PUT',
        path: '/v1/modes/{name}',
        permission: 'admin',
        summary: 'Create or replace an incident mode; its rules are compiled on the live version first (422 with every diagnostic)',
        description:
          'Body: {description, rules}: rules and settings only, e.g. `setting score.review = 20` or ' +
          '`rule INCIDENT_REMOTE when is_remote outcome challenge`. Its settings override the version\'s. A mode that is on takes effect at once.',
        body: MODE_BODY,
        bodySchema: ModeBody,
        handle: ({ principal, params, body }) => modes.save(params.name, body, principal.keyId),
      },
      {
        method: 'DELETE',
        path: '/v1/modes/{name}',
        permission: 'admin',
        summary: 'Delete an incident mode that is off',
        handle: ({ principal, params }) => modes.delete(params.name, principal.keyId),
      },
      {
        method: 'POST',
        path: '/v1/modes/{name}/on',
        permission: 'admin',
        summary: 'Switch an incident mode on: the live version plus its overlay decides from the next payment',
        handle: ({ principal, params }) => modes.switch(params.name, true, principal.keyId),
      },
      {
        method: 'POST',
        path: '/v1/modes/{name}/off',
        permission: 'admin',
        summary: 'Switch an incident mode off: back to the plain live version',
        handle: ({ principal, params }) => modes.switch(params.name, false, principal.keyId),
      },
    ],
  };
};
