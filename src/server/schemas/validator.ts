/**
 * The request validator of the module routes: every route's body and query schemas compiled once
 * at server start (ajv generates the checking code from our own schemas; nothing a client sends is
 * ever compiled), run before the handler, each refusal the API's 400 with the field path. The same
 * schema objects make the OpenAPI document, so what is documented is what is enforced.
 */
import type { ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ApiError } from '../errors.js';
import type { Route } from '../routes.js';
import { refusalError } from './refusal.js';
import { EXPECTED } from './schema.js';

/**
 * An ajv instance for our schemas, in JSON Schema 2020-12, the dialect of OpenAPI 3.1. Bodies are checked as sent (no coercion, no defaults filled in,
 * nothing removed: the handler gets the body the client sent). Query values are text, so the query
 * instance reads `"20"` as the integer 20 the way the handlers' `Number(…)` does.
 */
export function schemaAjv(coerceText: boolean): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: false, // the first refusal is the one answered; all errors would cost time on junk
    verbose: true, // the refusal words come from the failing schema node (x-expected)
    strict: true,
    allowUnionTypes: true,
    coerceTypes: coerceText,
    useDefaults: false,
    removeAdditional: false,
  });
  ajv.addKeyword({ keyword: EXPECTED, schemaType: 'string' });
  return ajv;
}

/** Checks the body and the query of module route requests against the routes' schemas. */
export class RequestValidator {
  private readonly bodies = new Map<Route, ValidateFunction>();
  private readonly queries = new Map<Route, ValidateFunction>();

  /** Compiles every route's schemas; a route that reads a body without a schema is a bug, refused at start. */
  constructor(routes: readonly Route[]) {
    const bodyAjv = schemaAjv(false);
    const queryAjv = schemaAjv(true);
    for (const r of routes) {
      if (r.body !== undefined && r.bodySchema === undefined) {
        throw new Error(`internal: ${r.method} ${r.path} reads a body but declares no bodySchema`);
      }
      if (r.bodySchema !== undefined) this.bodies.set(r, bodyAjv.compile(r.bodySchema));
      if (r.querySchema !== undefined) this.queries.set(r, queryAjv.compile(r.querySchema));
    }
  }

  /** The refusal of a parsed body, or null when the route's schema accepts it. */
  body(route: Route, value: unknown): ApiError | null {
    const check = this.bodies.get(route);
    if (check === undefined || check(value)) return null;
    return refusalError(check.errors ?? [], value);
  }

  /**
   * The refusal of a query, or null when the route's schema accepts it. A repeated name counts with
   * its first value, as `URLSearchParams.get` reads it in the handlers; unknown names are the
   * schema's business (the route schemas let them pass, as the handlers always did).
   */
  query(route: Route, query: URLSearchParams): ApiError | null {
    const check = this.queries.get(route);
    if (check === undefined) return null;
    const values: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of query) if (!Object.hasOwn(values, k)) values[k] = v;
    if (check(values)) return null;
    return refusalError(check.errors ?? [], values);
  }
}
