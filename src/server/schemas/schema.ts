/**
 * The building blocks every request schema is written with (TypeBox, so each schema is one value
 * that is at once the validator's input, the OpenAPI document's text and a TypeScript type). The
 * `x-expected` annotation carries the words a refusal uses for a field — the same words the domain
 * validators use — so a client reads one wording whichever check refused it first.
 */
import { Type, type SchemaOptions, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';

/**
 * The annotation naming what a field expects, for refusals (`reason: expected …`). An OpenAPI
 * extension keyword (`x-`), so the document that shows it stays valid OpenAPI 3.1.
 */
export const EXPECTED = 'x-expected';

/** Options of a schema with the refusal wording beside the usual annotations. */
export type Opts = SchemaOptions & { readonly [EXPECTED]?: string };

/** Adds the refusal wording to options, so call sites stay one line. */
export function expected(words: string, o: Opts = {}): Opts {
  return { ...o, [EXPECTED]: words };
}

/**
 * A string from a fixed set as a plain JSON Schema `enum` (TypeBox's unions would be `anyOf` of
 * consts): one `enum` error to report, and the document lists the values where clients look.
 */
export function StringEnum<T extends string>(values: readonly T[], o: Opts = {}): TUnsafe<T> {
  return Type.Unsafe<T>({ ...o, type: 'string', enum: [...values] });
}

/** JSON type names as JSON Schema spells them. */
type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array';

/**
 * `schema` or null, as one `type: [t, "null"]` rather than an `anyOf`: the domain validators treat
 * null like an absent optional field, and a refusal then names the field's own check, not a union.
 */
export function Nullable<T extends TSchema>(schema: T): TUnsafe<Static<T> | null> {
  const t = (schema as { type?: JsonType | JsonType[] }).type;
  if (t === undefined) throw new Error('internal: Nullable needs a schema with a type');
  const types = Array.isArray(t) ? t : [t];
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [...types, 'null'] });
}

/**
 * A time given as epoch milliseconds or as an ISO 8601 text (what the domain's time readers
 * accept); the schema checks the JSON type, the domain the instant. Expiries take any number
 * (floored), report bounds whole milliseconds only: `number` says which.
 */
export function TimeValue(o: Opts = {}, number: 'number' | 'integer' = 'number'): TUnsafe<number | string> {
  return Type.Unsafe<number | string>({ ...o, type: [number, 'string'] });
}

/** A reference into the OpenAPI document's components, for schemas shared by several operations. */
export function ComponentRef<T>(name: string): TUnsafe<T> {
  return Type.Unsafe<T>({ $ref: `#/components/schemas/${name}` });
}
