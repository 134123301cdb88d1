import { useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useRouteFocus } from '../hooks/useRouteFocus.js';
import { Link } from '../router.js';
import { useSession, useUser } from '../session.js';
import { LanguageSwitch } from './reading-settings.js';

/** The reader's frame for the shelf and collection pages: brand, who is reading, language, Sign out. */
export function ReaderLayout({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const user = useUser();
  const { signOut } = useSession();
  const main = useRef<HTMLElement>(null);
  useRouteFocus(main);
  const name = [user.givenName, user.familyName].filter(Boolean).join(' ') || user.login;
  return (
    <div className="app reader-app">
      <a href="#main" className="skip-link">
        {t('skipToContent')}
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <Link to="/reader" className="brand">
            <span className="brand-mark" aria-hidden="true">
              L
            </span>
            <span className="brand-name">Lectern</span>
            <span className="brand-sub">{t('brandSub')}</span>
            <span className="visually-hidden">{t('brandHidden')}</span>
          </Link>
          <div className="reader-user">
            <span className="reader-user-name" title={user.login}>
              {name}
            </span>
            <LanguageSwitch className="topbar-language" />
            <button type="button" className="btn btn-small reader-signout" onClick={() => void signOut()}>
              {t('signOut')}
            </button>
          </div>
        </div>
      </header>
      <main ref={main} id="main" className="main reader-main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
