/**
 * What the analyst console's own routes answer (`GET /v1/whoami`, `GET /v1/overview`), written once
 * as schemas: the OpenAPI document shows them to whoever builds a client (the console is built in
 * parallel against this document), the handlers are typed by them, and a test checks real answers
 * against them, so the three cannot drift. Closed objects (no other fields), so an addition is a
 * deliberate change here.
 */
import { Type, type Static } from '@sinclair/typebox';
import { PRIORITY_BANDS } from '../../cases/types.js';
import { ROLES } from '../../keys/store.js';
import { PERMISSIONS } from '../auth.js';
import { OUTCOMES } from '../../rules/policy-types.js';
import { SCORE_BINS, WINDOW_SECONDS } from '../live-window.js';
import { Nullable, StringEnum } from './schema.js';

const closed = { additionalProperties: false } as const;
const Count = (description?: string) => Type.Integer({ minimum: 0, ...(description === undefined ? {} : { description }) });

/** `GET /v1/whoami`: the calling key as the server sees it. */
export const WhoAmI = Type.Object(
  {
    keyId: Type.String({ pattern: '^key_[0-9a-f]{12}$', description: 'the key\'s id (`key_` + 12 hex digits of its hash), as the audit log names it' }),
    role: StringEnum(ROLES),
    name: Type.Optional(Type.String({ description: 'the label the key was created with, when it has one' })),
    permissions: Type.Array(StringEnum(PERMISSIONS), {
      description: 'every permission the role holds (the server\'s own table): `read` (queues, cases, decisions, overview), `decide`, `admin`, `support`, `appeal`, `docs`, `self`',
    }),
  },
  closed,
);

/** The answer of `GET /v1/whoami`. */
export type WhoAmI = Static<typeof WhoAmI>;

const Outcomes = Type.Object(Object.fromEntries(OUTCOMES.map((o) => [o, Count()])) as Record<(typeof OUTCOMES)[number], ReturnType<typeof Count>>, closed);

/** `GET /v1/overview`: the last minute of decisions and the state of the queue and the journal. */
export const Overview = Type.Object(
  {
    at: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{3})?\\+08:00$', description: 'when the figures were read, Asia/Shanghai time with its offset' }),
    windowSeconds: Type.Literal(WINDOW_SECONDS, { description: 'the sliding window of wall time the decision figures cover' }),
    decisionsPerSecond: Type.Number({
      minimum: 0,
      description: 'decisions in the window / the seconds it covers (59–60 s; less while the server has been up for less than a minute), 3 decimals',
    }),
    outcomes: Outcomes,
    latencyUs: Type.Object(
      {
        p50: Nullable(Type.Integer({ minimum: 0 })),
        p99: Nullable(Type.Integer({ minimum: 0 })),
      },
      { ...closed, description: 'arrival → decision of the window\'s decisions (the decision\'s latencyUs), µs: the upper bound of the histogram bucket the quantile falls in (exact below 32 µs, at most 6.25% above the true value beyond); null without decisions' },
    ),
    topRules: Type.Array(Type.Object({ code: Type.String(), hits: Count('decisions in the window that gave this reason') }, closed), {
      maxItems: 10,
      description: 'the reason codes of the window\'s decisions, most hits first (ties by code)',
    }),
    scoreHistogram: Type.Array(
      Type.Object({ from: Type.Integer(), to: Type.Integer(), count: Count() }, closed),
      { minItems: SCORE_BINS, maxItems: SCORE_BINS, description: 'decisions by score: [from, to), the last bin [90, 100] inclusive' },
    ),
    openCases: Type.Object(
      {
        total: Count('unresolved cases (open or investigating)'),
        byPriority: Type.Array(Type.Object({ band: StringEnum(PRIORITY_BANDS.map((b) => b.band)), count: Count() }, closed), {
          minItems: PRIORITY_BANDS.length,
          maxItems: PRIORITY_BANDS.length,
          description:
            'by priority (risk × fen at stake / 100, as the queue orders): critical ≥ ¥10,000, high ≥ ¥1,000, medium ≥ ¥100, low below; most urgent first, every band listed',
        }),
      },
      closed,
    ),
    journal: Type.Object(
      {
        lastSeq: Count('the seq of the last entry the engine applied'),
        pendingEntries: Count('entries applied and not yet durable'),
      },
      closed,
    ),
    caseFeed: Nullable(
      Type.Object({ behind: Count('journal entries applied and not yet seen by the case feed (intake and detectors)') }, { ...closed, description: 'null when detectors are off (FENGKONG_DETECTORS=off)' }),
    ),
    eventTime: Nullable(
      Type.String({
        pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{3})?\\+08:00$',
        description:
          "the engine's clock: the time of the latest event applied (see docs/server.md, Event time), Asia/Shanghai; where the data is, which for a replayed or backfilled stream may be far from now — the console's reports default to the week up to it. null before the first event",
      }),
    ),
  },
  closed,
);

/** The answer of `GET /v1/overview`. */
export type Overview = Static<typeof Overview>;
