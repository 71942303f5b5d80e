/** The language choice (English / 中文), shown before and after sign-in; remembered by the provider. */
import { useId, type ReactNode } from 'react';
import { isLang, LANGS } from '../i18n/detect';
import { useI18n } from '../i18n/i18n';

/** A labelled select of the console's languages, each named in its own language. */
export function LanguageSwitch(): ReactNode {
  const { lang, setLang, t } = useI18n();
  const id = useId();
  return (
    <span className="lang">
      <label htmlFor={id}>{t('header.language')}</label>
      <select
        id={id}
        value={lang}
        onChange={(e) => {
          if (isLang(e.target.value)) setLang(e.target.value);
        }}
      >
        {LANGS.map((l) => (
          <option key={l} value={l} lang={l}>
            {t(l === 'en' ? 'lang.en' : 'lang.zhCN')}
          </option>
        ))}
      </select>
    </span>
  );
}
