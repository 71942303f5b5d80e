/**
 * What the engine decides under that does not arrive as an event: an account's restrictions and a
 * merchant's or terminal's controls, set by the risk team's actions (accounts/, merchants/) or by a
 * replay of them at their journal positions. They enter through Engine.applyInput, the one way in
 * besides events, so no module above the engine reaches into its state.
 */
import type { AccountRestriction } from '../features/account-restriction.js';
import type { Control } from './merchant-controls.js';

/** One change of an input; each takes effect from the very next decision. */
export type EngineInput =
  /** The account's restrictions now (null: none); the engine remembers the account from here on. */
  | { readonly kind: 'restrict_account'; readonly accountId: string; readonly restriction: AccountRestriction | null }
  /** Holds the merchant's settlement (replacing a hold in force). */
  | { readonly kind: 'hold_settlement'; readonly merchantId: string; readonly control: Control }
  /** Lifts hold `id` of the merchant (nothing when another hold is in force). */
  | { readonly kind: 'release_settlement'; readonly merchantId: string; readonly id: number }
  /** Suspends the terminal (replacing a suspension in force). */
  | { readonly kind: 'suspend_terminal'; readonly terminalId: string; readonly control: Control }
  /** Lifts suspension `id` of the terminal. */
  | { readonly kind: 'release_terminal'; readonly terminalId: string; readonly id: number }
  /**
   * A rule action's effect is stored (automation/recorder.ts): the account's restriction, or the
   * list entry, now comes from the store alone (engine/rule-actions.ts keeps it until then).
   */
  | {
      readonly kind: 'rule_action_stored';
      /** The account and the payment whose rule restricted it. */
      readonly account?: { readonly id: string; readonly txId: string };
      readonly list?: { readonly name: string; readonly value: string };
    };
