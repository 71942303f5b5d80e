/**
 * `/v1/modes`: incident modes — prepared emergency overlays (rules and settings in the rule
 * language) compiled on top of the live version. A definition is proposed by one admin key and
 * approved by another (four eyes, like a version); an approved mode is switched on and off with one
 * call each (the emergency brake). Every step audited; decisions made under one name it
 * (`v7+incident:remote-wave`). Analysts read, admins change.
 */
import type { Outcome } from '../../policy/live.js';
import type { IncidentMode } from '../../policy/versions.js';
import type { ApiReply, ModuleFactory, Route } from '../routes.js';
import { ModeBody, ModeCheckBody, RejectBody } from '../schemas/policies.js';
import { lifecycleFor, thenReply, type Maybe } from './policies.js';
import { ALERTS_ACTOR } from './alerts.js';

const MODE_BODY = { maxBytes: 512 * 1024, maxDepth: 8 };
const SMALL_BODY = { maxBytes: 16 * 1024, maxDepth: 4 };

/** What the mode routes call: IncidentModes on a data folder, a cluster node's lifecycle otherwise. */
export interface ModeApi {
  list(): Maybe<unknown>;
  get(name: string): Maybe<IncidentMode>;
  propose(name: string, body: unknown, actor: string): Maybe<Outcome>;
  validate(name: string, body: unknown): Maybe<Outcome>;
  approve(name: string, actor: string): Maybe<Outcome>;
  reject(name: string, body: unknown, actor: string): Maybe<Outcome>;
  delete(name: string, actor: string): Maybe<Outcome>;
  switch(name: string, on: boolean, actor: string): Maybe<Outcome>;
}

const out = (o: Maybe<Outcome>): Maybe<ApiReply> => thenReply(o, (v) => v);

/** The incident mode routes. */
export const modesModule: ModuleFactory = (parts) => {
  const modes = lifecycleFor(parts).modes;
  // an alert may switch on a mode whose approved overlay asks for it (docs/automation.md)
  if (parts.automation !== undefined) parts.automation.switchOnAlert = (metric) => modes.switchOnAlert(metric, ALERTS_ACTOR);
  return { routes: modeRoutes(modes) };
};

/** The incident mode routes over either kind of lifecycle. */
export function modeRoutes(modes: ModeApi): Route[] {
  return [
      {
        method: 'GET',
        path: '/v1/modes',
        permission: 'read',
        summary: 'Every incident mode with whether it is on, and the policy deciding now',
        handle: () => thenReply(modes.list(), (b) => ({ body: b })),
      },
      {
        method: 'GET',
        path: '/v1/modes/{name}',
        permission: 'read',
        summary: 'One incident mode',
        handle: ({ params }) => thenReply(modes.get(params.name), (m) => ({ body: { mode: m } })),
      },
      {
        method: 'PUT',
        path: '/v1/modes/{name}',
        permission: 'admin',
        summary: 'Propose a definition for an incident mode (creating it when new); compiled on the live version first (422 with every diagnostic)',
        description:
          'Body: {description, rules}: rules and settings only, e.g. `setting score.review = 20` or ' +
          '`rule INCIDENT_REMOTE when is_remote outcome challenge`. Its settings override the version\'s. ' +
          'Four eyes: the definition is only proposed (the mode\'s `proposal`, replacing a pending one); it decides once another admin key ' +
          'approves it (POST /v1/modes/{name}/approve). A mode that is on keeps deciding with its approved definition meanwhile. ' +
          '201 for a new mode, 200 for a change.',
        body: MODE_BODY,
        bodySchema: ModeBody,
        handle: ({ principal, params, body }) => out(modes.propose(params.name, body, principal.keyId)),
      },
      {
        method: 'POST',
        path: '/v1/modes/{name}/validate',
        permission: 'admin',
        summary: 'Check a definition for an incident mode without proposing it (the checks of PUT, nothing stored or audited)',
        description:
          'Body: {rules, description?}. 200 {ok, name, policy} when it compiles on the live version with the modes on (policy: what it would decide as if on); ' +
          '422 invalid_policy with every diagnostic, pointing into `modes/<name>.fk`, otherwise.',
        body: MODE_BODY,
        bodySchema: ModeCheckBody,
        handle: ({ params, body }) => out(modes.validate(params.name, body)),
      },
      {
        method: 'POST',
        path: '/v1/modes/{name}/approve',
        permission: 'admin',
        summary: 'Approve the proposed definition of an incident mode (another admin key than the proposer\'s)',
        description:
          'The proposal becomes the approved definition; a mode that is on decides with it from the next payment. ' +
          '409 conflict for the proposer\'s own key (four-eyes rule) or when nothing is proposed; 422 when it no longer compiles on the live version.',
        handle: ({ principal, params }) => out(modes.approve(params.name, principal.keyId)),
      },
      {
        method: 'POST',
        path: '/v1/modes/{name}/reject',
        permission: 'admin',
        summary: 'Reject (or withdraw) the proposed definition of an incident mode',
        description: 'Body: a JSON object {reason?} ({} for none). The approved definition, and whether the mode is on, stay as they are. 409 when nothing is proposed.',
        body: SMALL_BODY,
        bodySchema: RejectBody,
        handle: ({ principal, params, body }) => out(modes.reject(params.name, body, principal.keyId)),
      },
      {
        method: 'DELETE',
        path: '/v1/modes/{name}',
        permission: 'admin',
        summary: 'Delete an incident mode that is off',
        handle: ({ principal, params }) => out(modes.delete(params.name, principal.keyId)),
      },
      {
        method: 'POST',
        path: '/v1/modes/{name}/on',
        permission: 'admin',
        summary: 'Switch an incident mode on: the live version plus its approved overlay decides from the next payment',
        description: 'One call by one admin (the emergency brake). 409 conflict when no definition of the mode was ever approved.',
        handle: ({ principal, params }) => out(modes.switch(params.name, true, principal.keyId)),
      },
      {
        method: 'POST',
        path: '/v1/modes/{name}/off',
        permission: 'admin',
        summary: 'Switch an incident mode off: back to the plain live version',
        handle: ({ principal, params }) => out(modes.switch(params.name, false, principal.keyId)),
      },
  ];
}
