/**
 * Editing the customer notice templates: a draft of every kind's texts, what changed against the
 * version in use, and the body of `PUT /v1/notices/templates` checked as the server checks it
 * (src/notices/templates.ts checkTemplates) — every kind in both languages, 1–1,000 characters, only
 * the known placeholders — so a mistake is named by kind and language before a version is made.
 */
import { MAX_TEMPLATE_LENGTH, NOTICE_LANGS, NOTICE_PLACEHOLDERS, type NoticeLang, type NoticeTemplates } from './types';

/** The longest version note the server takes (src/server/schemas/notices.ts). */
export const MAX_VERSION_NOTE = 500;

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** What keeps a draft from being saved. */
export type TemplateProblem =
  | { readonly what: 'unchanged' }
  | { readonly what: 'noteLong' }
  | { readonly what: 'empty' | 'long'; readonly kind: string; readonly lang: NoticeLang }
  | { readonly what: 'placeholder'; readonly kind: string; readonly lang: NoticeLang; readonly name: string };

/** The `{names}` a text uses, each once, in the order they first appear. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''))];
}

/** `draft` with one kind's text in one language replaced. */
export function withText(draft: NoticeTemplates, kind: string, lang: NoticeLang, text: string): NoticeTemplates {
  const old = draft[kind] ?? { 'zh-CN': '', en: '' };
  return { ...draft, [kind]: { ...old, [lang]: text } };
}

/** The kinds whose text in either language differs from the version in use (surrounding blanks aside), in the draft's order. */
export function changedKinds(draft: NoticeTemplates, current: NoticeTemplates): string[] {
  return Object.keys(draft).filter((k) => NOTICE_LANGS.some((l) => (draft[k]?.[l] ?? '').trim() !== (current[k]?.[l] ?? '').trim()));
}

/**
 * The body of the new version — every kind of the version in use, texts trimmed, the note when one
 * is given — or the first problem, kinds in their order, Chinese before English.
 */
export function templatesBody(draft: NoticeTemplates, current: NoticeTemplates, note: string): { body: { templates: NoticeTemplates; note?: string } } | { problem: TemplateProblem } {
  const templates: Record<string, Record<NoticeLang, string>> = {};
  for (const kind of Object.keys(current)) {
    const texts = { 'zh-CN': '', en: '' };
    for (const lang of NOTICE_LANGS) {
      const text = (draft[kind]?.[lang] ?? current[kind]?.[lang] ?? '').trim();
      if (text === '') return { problem: { what: 'empty', kind, lang } };
      if (text.length > MAX_TEMPLATE_LENGTH) return { problem: { what: 'long', kind, lang } };
      const unknown = placeholdersIn(text).find((p) => !(NOTICE_PLACEHOLDERS as readonly string[]).includes(p));
      if (unknown !== undefined) return { problem: { what: 'placeholder', kind, lang, name: unknown } };
      texts[lang] = text;
    }
    templates[kind] = texts;
  }
  if (changedKinds(templates, current).length === 0) return { problem: { what: 'unchanged' } };
  const n = note.trim();
  if (n.length > MAX_VERSION_NOTE) return { problem: { what: 'noteLong' } };
  return { body: n === '' ? { templates } : { templates, note: n } };
}
