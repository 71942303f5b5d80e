/**
 * The language the console opens in: the one the analyst chose before (remembered in localStorage),
 * else the browser's (any Chinese → zh-CN), else English.
 */

/** The console's languages. */
export const LANGS = ['en', 'zh-CN'] as const;

/** One of the console's languages. */
export type Lang = (typeof LANGS)[number];

/** Where the choice is remembered. */
export const LANG_STORAGE_KEY = 'fengkong.lang';

/** Whether a stored or requested value is one of the console's languages. */
export function isLang(v: unknown): v is Lang {
  return typeof v === 'string' && (LANGS as readonly string[]).includes(v);
}

/** The saved choice when valid, else the first browser language we speak: `zh*` → zh-CN, `en*` → en. */
export function detectLang(browser: readonly string[], saved: string | null): Lang {
  if (isLang(saved)) return saved;
  for (const l of browser) {
    const tag = l.toLowerCase();
    if (tag === 'zh' || tag.startsWith('zh-')) return 'zh-CN';
    if (tag === 'en' || tag.startsWith('en-')) return 'en';
  }
  return 'en';
}
