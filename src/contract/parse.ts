/**
 * The single entry of every event into the engine: from JSON text or an already-parsed value to a
 * validated, typed event. Invalid input throws a ContractError naming the field; nothing is stored.
 */
import { ContractError, ErrorCode } from '../errors.js';
import { EVENT_TYPES, type FkEvent } from './events.js';
import { asObject, type Raw } from './fields.js';
import {
  parseAccount,
  parseAccountActivity,
  parseAcquirer,
  parseLabel,
  parseMerchant,
  parseTerminal,
  parseTransaction,
} from './schemas.js';

const SCHEMAS: Record<FkEvent['type'], (o: Raw) => FkEvent> = {
  transaction: parseTransaction,
  account: parseAccount,
  account_event: parseAccountActivity,
  merchant: parseMerchant,
  terminal: parseTerminal,
  acquirer: parseAcquirer,
  label: parseLabel,
};

/** Validates one parsed JSON value as an event of the contract. */
export function parseEvent(value: unknown): FkEvent {
  const o = asObject(value, '');
  const type = o.type;
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(SCHEMAS, type)) {
    throw new ContractError('type', `one of ${EVENT_TYPES.join(', ')}`);
  }
  return SCHEMAS[type as FkEvent['type']](o);
}

/** Parses one line of JSON text (a JSONL line or a request body) into a validated event. */
export function parseEventText(line: string): FkEvent {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    throw new ContractError('', `valid JSON (${(e as Error).message})`, ErrorCode.InvalidJson);
  }
  return parseEvent(value);
}
