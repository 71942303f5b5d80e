/**
 * The incident modes' four-eyes logic as the page needs it, kept out of the components so it can be
 * tested alone: who may approve a pending definition (never its proposer), whether a mode may be
 * switched on (only once a definition was approved), what the editor starts from, and a refusal in
 * plain words.
 */
import { ApiError } from '../../api/client';
import type { Translate } from '../../i18n/i18n';
import { explain } from '../../ui/ErrorNotice';
import { isFourEyesRefusal } from './actions';
import type { IncidentMode, ModeProposal } from './types';

/** The server's rule for mode names (src/policy/input.ts), checked before anything is sent. */
export const MODE_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** What the signed-in key may do about a mode's pending definition. */
export type ModeReview =
  | { readonly kind: 'none' }
  /** This key proposed it: it may withdraw it, not approve it. */
  | { readonly kind: 'own'; readonly proposal: ModeProposal }
  /** Another key proposed it: this one may approve or reject it. */
  | { readonly kind: 'other'; readonly proposal: ModeProposal };

/** The review a key gets for `m`: the proposer never gets an Approve (the server would answer 409). */
export function modeReview(m: IncidentMode, keyId: string): ModeReview {
  const p = m.proposal;
  if (p === null) return { kind: 'none' };
  return p.proposedBy === keyId ? { kind: 'own', proposal: p } : { kind: 'other', proposal: p };
}

/** Whether `m` has an approved definition, so one admin may switch it on. */
export function isApproved(m: IncidentMode): boolean {
  return m.approvedAt !== null;
}

/** What the editor starts from when changing `m`: the pending proposal if any, else the approved definition. */
export function editorStart(m: IncidentMode): { description: string; rules: string } {
  return m.proposal !== null ? { description: m.proposal.description, rules: m.proposal.rules } : { description: m.description, rules: m.rules };
}

/** The file the server's diagnostics name for mode `name`. */
export function modeFile(name: string): string {
  return `modes/${name}.fk`;
}

/** A refused mode action in plain words; the four-eyes rule named as such. */
export function explainModeAction(t: Translate, e: unknown, name: string): string {
  if (isFourEyesRefusal(e)) return t('rules.modeFourEyesRefused', { name });
  if (e instanceof ApiError && e.status === 409) return t('rules.modeConflict');
  return explain(t, e);
}
