/**
 * Request schemas of the policy lifecycle, incident mode, shadow and backtest routes, worded as
 * src/policy/input.ts words its refusals. The domain still checks what a schema cannot say (file
 * names, file counts and sizes, blank texts, that the rules compile, the time range).
 */
import { Type } from '@sinclair/typebox';
import { DRAFT_LIMITS } from '../../policy/input.js';
import { SHADOW_MAX_PAGE } from '../../policy/shadow-types.js';
import { POLICY_MAX_PAGE } from '../../policy/versions.js';
import { BOUND_EXPECTED } from '../../report/range.js';
import { BACKTEST_MAX_PAGE } from '../../policy/backtest-store.js';
import { intQuery, pageQuery } from './pages.js';
import { expected, Nullable, StringEnum, TimeValue } from './schema.js';

const VERSION = 'a version number (an integer ≥ 1)';
const text = (max: number, description?: string) =>
  Type.String(expected(`a string of at most ${max} characters`, { maxLength: max, ...(description === undefined ? {} : { description }) }));
const FILE_TEXT = Type.String(expected('the file text as a string'));

/** A draft's files: `{name: text}` or `[{file, text}]`; each name a plain `*.fk` name (checked by the domain). */
const Files = Type.Union(
  [
    Type.Object({}, { additionalProperties: FILE_TEXT, description: '{"10-velocity.fk": "rule …"}' }),
    Type.Array(
      Type.Object(
        { file: Type.String(expected('a file name such as "10-velocity.fk"')), text: FILE_TEXT },
        expected('an object {file, text}'),
      ),
    ),
  ],
  expected('an object {"name.fk": "text", …} or an array [{file, text}, …]', {
    description: `1–${DRAFT_LIMITS.files} files named like 10-velocity.fk, each at most ${DRAFT_LIMITS.fileBytes} bytes`,
  }),
);

/** `POST /v1/policies` and `POST /v1/policies/validate`. */
export const DraftBody = Type.Object(
  {
    parent: Type.Optional(Nullable(Type.Integer(expected(VERSION, { minimum: 1, description: 'default: the live version' })))),
    description: text(DRAFT_LIMITS.description),
    files: Files,
    model: Type.Optional(
      Nullable(
        Type.Object(
          {},
          expected('a model file (the JSON `fengkong train` writes), or null for none', { description: "omitted: the parent's; null: none" }),
        ),
      ),
    ),
  },
  { additionalProperties: false },
);

/** `POST /v1/policies/rollback`. */
export const RollbackBody = Type.Object(
  {
    version: Type.Optional(Nullable(Type.Integer(expected(VERSION, { minimum: 1, description: 'default: the version live before the live one' })))),
    reason: text(4_000),
    warm: Type.Optional(
      Type.Boolean(
        expected('true (default: rebuild new windows from the journal first) or false (swap now, those windows start empty)'),
      ),
    ),
  },
  { additionalProperties: false },
);

/** `POST /v1/policies/{version}/publish`: `{}` for no note. */
export const PublishBody = Type.Object({ note: Type.Optional(Nullable(text(4_000))) }, { additionalProperties: false });

/** `POST /v1/policies/{version}/reject`: `{}` for no reason. */
export const RejectBody = Type.Object({ reason: Type.Optional(Nullable(text(4_000))) }, { additionalProperties: false });

/** `GET /v1/policies` and `GET /v1/policies/publications`. */
export const PolicyPageQuery = Type.Object(pageQuery(POLICY_MAX_PAGE));

/** `PUT /v1/modes/{name}`: rules and settings only. */
export const ModeBody = Type.Object(
  {
    description: text(4_000),
    rules: Type.String({ description: 'rules and settings in the rule language, at most 256 KiB' }),
  },
  { additionalProperties: false },
);

/** `POST /v1/modes/{name}/validate`: the rules to check; the description is optional here. */
export const ModeCheckBody = Type.Object(
  {
    description: Type.Optional(text(4_000)),
    rules: Type.String({ description: 'rules and settings in the rule language, at most 256 KiB' }),
  },
  { additionalProperties: false },
);

/** `GET /v1/policies/{version}/shadow/decisions`. */
export const ShadowDecisionsQuery = Type.Object({
  ...pageQuery(SHADOW_MAX_PAGE),
  changed: Type.Optional(StringEnum(['true', 'false', '1', '0'] as const, expected('true or false', { description: 'true: only decisions whose outcome differs' }))),
  run: intQuery(1, Number.MAX_SAFE_INTEGER, { description: 'an earlier run of the version (default: the latest)' }),
});

const bound = (description: string) => TimeValue(expected(BOUND_EXPECTED, { minimum: 0, description }), 'integer');

/** `POST /v1/policies/{version}/backtests`. */
export const BacktestBody = Type.Object(
  {
    from: bound('start of the range: epoch ms, an ISO 8601 timestamp with offset, or a date YYYY-MM-DD (midnight +08:00)'),
    to: bound('end of the range (exclusive), written as from'),
    warmUpDays: Type.Optional(
      Nullable(
        Type.Number(
          expected('a number of days from 0 to 3650', { minimum: 0, maximum: 3650, description: "history replayed before from; default the version's longest window, at least 30 days" }),
        ),
      ),
    ),
    maxChanged: Type.Optional(
      Nullable(Type.Integer(expected('an integer from 0 to 100000', { minimum: 0, maximum: 100_000, description: 'changed payments listed, default 1000' }))),
    ),
  },
  { additionalProperties: false },
);

/** `GET /v1/policies/{version}/backtests`. */
export const BacktestListQuery = Type.Object(pageQuery(BACKTEST_MAX_PAGE));
