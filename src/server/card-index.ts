/**
 * The card index: which account a card number (ISO 8583 field 2) belongs to, without ever holding
 * the card number itself. An `account` event may carry `cardNumber`; at the ingest boundary the
 * number is swapped for its keyed HMAC token (`cardToken`) before the event is applied or journaled,
 * so neither the journal nor a snapshot nor a log line holds it in clear. The index maps token →
 * accountId in memory and is rebuilt at start from the journal's `account` entries (their
 * `cardToken`), so it survives restarts with no file of its own. Kept here, at the service layer,
 * and not in the engine: the engine never sees a card.
 */
import { createHmac } from 'node:crypto';
import type { AccountEvent, FkEvent } from '../contract/events.js';

/** Makes the token of a card number; the same number always gives the same token in one data folder. */
export type CardTokenizer = (cardNumber: string) => string;

/** Prefix of a card token: tells a token from an account id of the customer's own in logs and views. */
export const CARD_TOKEN_PREFIX = 'card:';

/**
 * A tokenizer over a keyed HMAC: `keyedToken` is the data folder's `Keyring.token` (HMAC-SHA256 under
 * a key derived from the master key), or null when encryption is off (benches and tests only): then a
 * fixed public key is used, which still keeps the number out of the files but is no secret.
 */
export function cardTokenizer(keyedToken: ((kind: string, value: string) => string) | null): CardTokenizer {
  if (keyedToken !== null) return (pan) => CARD_TOKEN_PREFIX + keyedToken('card', pan);
  return (pan) => CARD_TOKEN_PREFIX + createHmac('sha256', 'fengkong unsealed card tokens').update(pan).digest('hex');
}

/** token → accountId, learnt from `account` events; the last registration of a card wins. */
export class CardIndex {
  private readonly byToken = new Map<string, string>();

  constructor(readonly tokenize: CardTokenizer) {}

  /**
   * The event as it may be applied and stored: `cardNumber` replaced by `cardToken`. Pure: the index
   * learns nothing until `learn` (a batch refused later changes nothing).
   */
  sealEvent<E extends FkEvent>(e: E): E {
    if (e.type !== 'account') return e;
    const a = e as AccountEvent;
    if (a.cardNumber === undefined) return e;
    const { cardNumber, ...rest } = a;
    return { ...rest, cardToken: this.tokenize(cardNumber) } as unknown as E;
  }

  /** Records the cards of events about to be applied (already sealed by sealEvent). */
  learn(events: readonly FkEvent[]): void {
    for (const e of events) {
      if (e.type === 'account' && e.cardToken !== undefined) this.byToken.set(e.cardToken, e.accountId);
    }
  }

  /**
   * Learns from one journaled `account` event (its JSON text), for the rebuild at start; text that is
   * not JSON or carries no token is skipped.
   */
  learnJournaled(eventJson: string): void {
    if (!eventJson.includes('"cardToken"')) return;
    let o: unknown;
    try {
      o = JSON.parse(eventJson);
    } catch {
      return;
    }
    if (typeof o !== 'object' || o === null) return;
    const { cardToken, accountId } = o as { cardToken?: unknown; accountId?: unknown };
    if (typeof cardToken === 'string' && typeof accountId === 'string') this.byToken.set(cardToken, accountId);
  }

  /**
   * The account of a card: the registered one, or — for a card never registered — the token itself,
   * so the payment is decided as an unregistered account's and later payments of the card still group.
   */
  accountOf(cardNumber: string): { accountId: string; known: boolean } {
    const token = this.tokenize(cardNumber);
    const id = this.byToken.get(token);
    return id === undefined ? { accountId: token, known: false } : { accountId: id, known: true };
  }

  /** Cards known. */
  get size(): number {
    return this.byToken.size;
  }
}
