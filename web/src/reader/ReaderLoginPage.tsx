import { useTranslation } from 'react-i18next';
import { SignInForm } from '../components/SignInForm.js';
import { useTitle } from '../components/Layout.js';
import { navigate, useLocation } from '../router.js';
import { LanguageSwitch } from './reading-settings.js';
import { safeNext } from './session.js';

/** Sign in to the reader with the username your school gave you (with its suffix) and password. */
export function ReaderLoginPage() {
  const { t } = useTranslation('auth');
  useTitle(t('pageTitle'));
  const { search } = useLocation();
  return (
    <SignInForm
      title={t('title')}
      lead={t('lead')}
      footer={t('footer')}
      loginLabel={t('username')}
      loginHint={t('usernameHint')}
      missing={t('missing')}
      extra={<LanguageSwitch className="auth-language" />}
      // A password to change first is asked for in the reader itself (ReaderApp), wherever this goes.
      onSignedIn={() => navigate(safeNext(search.get('next')), { replace: true })}
    />
  );
}
