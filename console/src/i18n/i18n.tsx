/**
 * Messages in the analyst's language. Components never hold a string a user reads: they ask `t` for a
 * message by its key, with named values filled into `{placeholders}`.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { detectLang, LANG_STORAGE_KEY, type Lang } from './detect';
import { en, type MessageKey } from './en';
import { zhCN } from './zh-CN';

/** Every catalogue by language. */
export const CATALOGUES: Readonly<Record<Lang, Readonly<Record<MessageKey, string>>>> = { en, 'zh-CN': zhCN };

/** Values filled into a message's `{name}` placeholders. */
export type MessageValues = Readonly<Record<string, string | number>>;

/** The message `key` of `lang` with its placeholders filled; an unknown placeholder stays visible. */
export function translate(lang: Lang, key: MessageKey, values?: MessageValues): string {
  const text = CATALOGUES[lang][key];
  if (values === undefined) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

/** Looks up a message of the current language. */
export type Translate = (key: MessageKey, values?: MessageValues) => string;

interface I18n {
  readonly lang: Lang;
  readonly setLang: (lang: Lang) => void;
  readonly t: Translate;
}

const I18nContext = createContext<I18n | null>(null);

function initialLang(): Lang {
  let saved: string | null = null;
  try {
    saved = localStorage.getItem(LANG_STORAGE_KEY);
  } catch {
    // storage unavailable: follow the browser
  }
  return detectLang(typeof navigator === 'undefined' ? [] : navigator.languages ?? [navigator.language], saved);
}

/** Provides the language (browser's, or the remembered choice) to everything below it. */
export function I18nProvider({ children, lang: fixed }: { children: ReactNode; lang?: Lang }): ReactNode {
  const [lang, setLangState] = useState<Lang>(() => fixed ?? initialLang());
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = translate(lang, 'app.title');
  }, [lang]);
  const setLang = useCallback((l: Lang) => {
    setLangState(l);
    try {
      localStorage.setItem(LANG_STORAGE_KEY, l);
    } catch {
      // not remembered; still switched
    }
  }, []);
  const value = useMemo<I18n>(() => ({ lang, setLang, t: (key, values) => translate(lang, key, values) }), [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

/** The current language, its setter and `t`. */
export function useI18n(): I18n {
  const v = useContext(I18nContext);
  if (v === null) throw new Error('useI18n outside I18nProvider');
  return v;
}
