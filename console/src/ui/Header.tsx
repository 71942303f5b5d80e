/** The bar on every signed-in screen: product, language, which key is signed in and its role, sign out. */
import type { ReactNode } from 'react';
import type { WhoAmI } from '../api/types';
import { useI18n } from '../i18n/i18n';
import { LanguageSwitch } from './LanguageSwitch';
import { ROLE_NAMES } from './names';

/** The header; `who` absent before sign-in (then only the product and the language). */
export function Header({ who, onSignOut }: { who?: WhoAmI; onSignOut?: () => void }): ReactNode {
  const { t } = useI18n();
  return (
    <header className="top">
      <span className="brand">{t('app.name')}</span>
      <span className="spacer" />
      <LanguageSwitch />
      {who === undefined ? null : (
        <>
          <span className="who" title={who.keyId}>
            {t('header.signedInAs', { role: t(ROLE_NAMES[who.role]), key: who.name ?? who.keyId })}
          </span>
          <button type="button" className="btn" onClick={onSignOut}>
            {t('header.signOut')}
          </button>
        </>
      )}
    </header>
  );
}
