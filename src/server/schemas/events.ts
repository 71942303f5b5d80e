/**
 * The event contract and the decision as schemas, for the OpenAPI document only. POST /v1/decisions
 * and /v1/events are validated by the hand-written contract parser (src/contract/), not by these:
 * it normalises as it checks (the `t` of every timestamp, defaults) and is faster than a validator
 * in front of it would be (bench/contract-vs-ajv.ts). These schemas describe what it accepts; the
 * test in test/server/openapi-agreement.test.ts sends the parser bodies that break these schemas
 * one rule at a time and expects its 400 for each, so the two stay in step.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { ACCOUNT_EVENT_KINDS, CHANNELS, KYC_LEVELS } from '../../contract/events.js';
import { MAX_AMOUNT, MAX_ID_LENGTH } from '../../contract/fields.js';
import { OUTCOMES } from '../../rules/policy-types.js';
import { ComponentRef, StringEnum, type Opts } from './schema.js';

const Id = (o: Opts = {}) => Type.String({ ...o, minLength: 1, maxLength: MAX_ID_LENGTH });
const Ts = () =>
  Type.String({
    description: 'ISO 8601 with a UTC offset or Z, e.g. 2026-11-24T21:05:09+08:00',
    examples: ['2026-11-24T21:05:09+08:00'],
  });
const Money = (o: Opts = {}) => Type.Integer({ minimum: 1, maximum: MAX_AMOUNT, description: 'minor units (fen)', ...o });
const Text = () => Type.String({ maxLength: 256 });
const Mcc = () => Type.String({ pattern: '^\\d{4}$' });
const GeoRef = () => ComponentRef<{ lat: number; lon: number }>('Geo');

/** An event: `type` and `ts` required, then its own fields. */
function event<P extends Record<string, TSchema>>(type: string, required: readonly (keyof P & string)[], properties: P) {
  const all: Record<string, TSchema> = { type: Type.Literal(type), ts: Ts() };
  for (const [k, v] of Object.entries(properties)) all[k] = required.includes(k) ? v : Type.Optional(v);
  return Type.Object(all);
}

/** WGS 84 coordinates. */
export const Geo = Type.Object({
  lat: Type.Number({ minimum: -90, maximum: 90 }),
  lon: Type.Number({ minimum: -180, maximum: 180 }),
});

/** A payment to decide: POST /v1/decisions. */
export const Transaction = event('transaction', ['id', 'accountId', 'amount', 'merchantId', 'terminalId'], {
  id: Id({ description: 'the idempotency key' }),
  accountId: Id(),
  amount: Money(),
  currency: Type.String({ pattern: '^[A-Z]{3}$', default: 'CNY' }),
  merchantId: Id(),
  terminalId: Id(),
  mcc: Mcc(),
  acquirerId: Id(),
  geo: GeoRef(),
  deviceId: Id(),
  ip: Id(),
  channel: StringEnum(CHANNELS),
  merchantName: Text(),
  availableCredit: Money({ minimum: 0, description: "the issuer's open-to-buy at authorisation (ISO 8583 field 54), in fen: wins over the engine's own arithmetic of what is owed" }),
});

/** The other events of POST /v1/events, by their `type`. */
export const OTHER_EVENTS = {
  Account: event('account', ['accountId', 'creditLimit'], {
    accountId: Id(),
    creditLimit: Money({ minimum: 0 }),
    home: GeoRef(),
    kyc: StringEnum(KYC_LEVELS),
    openedAt: Ts(),
    // kept only as a keyed HMAC token: never journaled in clear (docs/iso8583.md, "Cards")
    cardNumber: Type.String({ pattern: '^\\d{12,19}$', description: 'card number or payment token (ISO 8583 field 2), 12–19 digits; stored only as a keyed token' }),
  }),
  AccountEvent: event('account_event', ['accountId', 'kind'], {
    accountId: Id(),
    kind: StringEnum(ACCOUNT_EVENT_KINDS),
    deviceId: Id(),
    ip: Id(),
    geo: GeoRef(),
    amount: Money({ description: 'required for kinds repayment and refund; for kind reversal, the amount reversed when less than the payment' }),
    creditLimit: Money({ minimum: 0, description: 'required for kind limit_changed' }),
    txId: Id({ description: 'the payment the event is about (kind challenge_failed: the challenged payment, opens a case; kind reversal, required: the reversed payment; kind refund: the refunded payment)' }),
  }),
  Merchant: event('merchant', ['merchantId', 'acquirerId'], {
    merchantId: Id(),
    acquirerId: Id(),
    name: Text(),
    mcc: Mcc(),
    geo: GeoRef(),
    region: Type.String({ pattern: '^\\d{6}$' }),
  }),
  Terminal: event('terminal', ['terminalId', 'merchantId'], {
    terminalId: Id(),
    merchantId: Id(),
    acquirerId: Id(),
    geo: GeoRef(),
  }),
  Acquirer: event('acquirer', ['acquirerId', 'licensed'], {
    acquirerId: Id(),
    name: Text(),
    licensed: Type.Boolean(),
  }),
  Label: event('label', ['fraud'], {
    txId: Id(),
    accountId: Id(),
    merchantId: Id(),
    terminalId: Id(),
    fraud: Type.Boolean(),
    typology: Text(),
    source: Text(),
  }),
} as const;

/** Any event of POST /v1/events, told apart by `type`. */
export const OtherEvent = Type.Unsafe<unknown>({
  oneOf: Object.keys(OTHER_EVENTS).map((n) => ({ $ref: `#/components/schemas/${n}` })),
  discriminator: { propertyName: 'type' },
});

/** The answer of POST /v1/decisions and GET /v1/decisions/{txId}. */
export const Decision = Type.Object({
  txId: Id(),
  outcome: StringEnum(OUTCOMES),
  score: Type.Number({ minimum: 0, maximum: 100, description: 'higher is riskier; real-valued' }),
  reasons: Type.Array(Type.Object({ code: Type.String() }), { description: 'most important first' }),
  policy: Type.String({ description: 'the policy that decided' }),
  seq: Type.Integer({ description: 'journal sequence number' }),
  latencyUs: Type.Integer({ description: 'microseconds from complete body to decision' }),
});
