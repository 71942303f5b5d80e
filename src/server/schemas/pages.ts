/**
 * Query parameters several routes share (newest-first pages, time bounds), written once so every
 * page of the API refuses and documents `limit` and `before` the same way.
 */
import { Type, type TInteger, type TOptional, type TString } from '@sinclair/typebox';
import { expected, type Opts } from './schema.js';

/** An optional integer query parameter from `min` to `max`; refused with "an integer from min to max", as `intParam` says. */
export function intQuery(min: number, max: number, o: Opts = {}): TOptional<TInteger> {
  return Type.Optional(Type.Integer({ ...o, minimum: min, maximum: max }));
}

/** `limit` (1 … max) and `before` (a positive seq or id) of a newest-first page. */
export function pageQuery(max: number, defaultLimit = 100): { limit: TOptional<TInteger>; before: TOptional<TInteger> } {
  return {
    limit: intQuery(1, max, { description: `page size, default ${defaultLimit}` }),
    before: intQuery(1, Number.MAX_SAFE_INTEGER, { description: 'the `next` of the previous page' }),
  };
}

/** A free text query parameter (a filter, a cursor); documented, and whatever text it is passes. */
export function textQuery(description: string, o: Opts = {}): TOptional<TString> {
  return Type.Optional(Type.String({ ...o, description }));
}

/** A time bound in a query as the journal reports read it: epoch ms, a timestamp, or a date (report/range.ts). */
export function boundQuery(words: string, description: string): TString {
  return Type.String(expected(words, { description }));
}
