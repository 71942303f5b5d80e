/**
 * The error body every refusal of the API has, as a schema: the OpenAPI document lists it under
 * each operation's 4xx answers, and tests read a refusal against it.
 */
import { Type } from '@sinclair/typebox';
import { API_ERROR_CODES } from '../errors.js';
import { StringEnum } from './schema.js';

/** `{"error":{"code","message","path"?,"expected"?,"details"?}}` (ApiError.toJson). */
export const ErrorBody = Type.Object({
  error: Type.Object({
    code: StringEnum(API_ERROR_CODES, { description: 'stable: match on this, not on the message' }),
    message: Type.String({ description: 'for people; starts with the path when there is one' }),
    path: Type.Optional(Type.String({ description: 'the offending field or parameter, e.g. geo.lat, [3].amount, files["a.fk"], limit' })),
    expected: Type.Optional(Type.String({ description: 'what that field must be' })),
    details: Type.Optional(Type.Unknown({ description: 'machine-readable detail, e.g. every diagnostic of a policy that does not compile' })),
  }),
});
