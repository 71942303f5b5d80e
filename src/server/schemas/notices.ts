/** Request schemas of the notice routes. */
import { Type } from '@sinclair/typebox';
import { MAX_TEMPLATE_LENGTH, NOTICE_KINDS } from '../../notices/templates.js';
import { expected } from './schema.js';

const TEXT = Type.String(expected(`a text of 1–${MAX_TEMPLATE_LENGTH} characters, with placeholders among {accountId}, {until}, {limit}`, { minLength: 1, maxLength: MAX_TEMPLATE_LENGTH }));
const TEMPLATE = Type.Object({ 'zh-CN': TEXT, en: TEXT }, { additionalProperties: false });

/** `PUT /v1/notices/templates`: every kind's template in both languages, and why. */
export const NoticeTemplatesBody = Type.Object(
  {
    templates: Type.Object(Object.fromEntries(NOTICE_KINDS.map((k) => [k, TEMPLATE])), { additionalProperties: false }),
    note: Type.Optional(Type.String(expected('why, in 1–500 characters', { minLength: 1, maxLength: 500 }))),
  },
  { additionalProperties: false },
);
