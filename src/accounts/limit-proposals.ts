/**
 * Credit rating that acts, with a person in the loop: a weekly job proposes lower limits for the
 * accounts the credit rating grades D or E — 70 % of the limit in force for D, 50 % for E — and
 * never proposes a raise; an admin approves them (one by one or all at once), each becoming an
 * ordinary `lower_limit` action taken by that admin, or rejects them. A week's proposal replaces an
 * older one still pending for the same account.
 */
import { gradeOf } from '../features/credit-rating.js';
import type { AccountView } from '../features/account-state.js';

/** The share of the limit in force each risky grade is proposed to keep. */
export const PROPOSED_SHARE: Readonly<Record<string, number>> = { D: 0.7, E: 0.5 };

/** What becomes of a proposal. */
export type ProposalState = 'pending' | 'approved' | 'rejected' | 'superseded';

/** A proposal as stored and listed. */
export interface LimitProposal {
  readonly id: number;
  readonly accountId: string;
  readonly grade: string;
  /** The limit in force when proposed (fen). */
  readonly currentLimit: number;
  /** The limit proposed (fen), always below currentLimit. */
  readonly proposedLimit: number;
  /** The job's slot that made it (epoch ms). */
  readonly slot: number;
  readonly createdAt: number;
  readonly state: ProposalState;
  readonly decidedBy: string | null;
  readonly decidedAt: number | null;
  readonly note: string | null;
}

/**
 * The proposal for one account, or null: graded D or E, a known limit, and a proposed limit below
 * the one in force (`limitInForce`: the registered limit, or the lowered one while it holds).
 */
export function proposalFor(a: AccountView, limitInForce: number): { grade: string; currentLimit: number; proposedLimit: number } | null {
  const grade = gradeOf(a.ratingScore);
  const share = PROPOSED_SHARE[grade];
  if (share === undefined || !(limitInForce > 0)) return null;
  const proposedLimit = Math.floor((limitInForce * share) / 100) * 100; // whole yuan
  if (proposedLimit >= limitInForce) return null;
  return { grade, currentLimit: limitInForce, proposedLimit };
}
