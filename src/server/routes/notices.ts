/**
 * Customer notices (src/notices): `GET /v1/notices/templates` (read) and `PUT /v1/notices/templates`
 * (admin) — each edit a new version, audited as `notice.templates` — and the notice writer, which
 * turns restrictions set and lifted and appeals decided into notices in both languages, delivered as
 * `customer.notice` webhooks and listed in the customer view (`GET /v1/accounts/{id}/customer-view`).
 */
import { NoticeWriter } from '../../notices/writer.js';
import { checkTemplates } from '../../notices/templates.js';
import { SqliteFollowerCursors } from '../../store/sqlite/follower-cursors.js';
import { SqliteNoticeStore } from '../../store/sqlite/notices.js';
import type { ModuleFactory } from '../routes.js';
import { NoticeTemplatesBody } from '../schemas/notices.js';

const LIMITS = { maxBytes: 64 * 1024, maxDepth: 4 };
/** How often the audit log is read for notices due. */
const POLL_MS = 200;

/** The notices module of the embedded server. */
export const noticesModule: ModuleFactory = ({ store, audit }) => {
  const notices = new SqliteNoticeStore(store.database);
  const writer = new NoticeWriter({
    list: (q) => audit.list(q),
    lastSeq: () => audit.head().seq,
    append: (r) => audit.append(r),
    store: notices,
    cursors: new SqliteFollowerCursors(store.database),
  });
  const timer = setInterval(() => {
    try {
      writer.step();
    } catch (e) {
      process.stderr.write(`fengkong serve: the notice writer failed (tried again shortly): ${(e as Error).message}\n`);
    }
  }, POLL_MS);
  timer.unref();
  return {
    close: () => clearInterval(timer),
    routes: [
      {
        method: 'GET',
        path: '/v1/notices/templates',
        permission: 'read',
        summary: 'The customer notice templates in use (zh-CN and English) and their versions',
        handle: () => ({ body: { ...notices.current(), versions: notices.versions() } }),
      },
      {
        method: 'PUT',
        path: '/v1/notices/templates',
        permission: 'admin',
        summary: 'Replaces the customer notice templates: a new version, used by every notice from now on',
        description: '{templates: {<kind>: {"zh-CN", "en"}} for every kind, note?}. Placeholders: {accountId}, {until}, {limit}. Audited as notice.templates.',
        body: LIMITS,
        bodySchema: NoticeTemplatesBody,
        handle: ({ body, principal }) => {
          const o = body as { templates?: unknown; note?: string };
          const templates = checkTemplates(o.templates);
          const made = store.database
            .transaction(() => {
              const before = notices.current().version;
              const v = notices.addVersion(templates, principal.keyId, Date.now(), o.note ?? '');
              audit.append({ actor: principal.keyId, action: 'notice.templates', target: `notices/templates/${v.version}`, before: { version: before }, after: { ...v, templates } });
              return v;
            })
            .immediate();
          return { status: 201, body: { ...made, templates } };
        },
      },
    ],
  };
};
