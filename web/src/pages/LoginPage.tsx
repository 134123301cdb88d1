import { useTranslation } from 'react-i18next';
import { LanguageSwitch } from '../components/LanguageSwitch.js';
import { SignInForm } from '../components/SignInForm.js';
import { useTitle } from '../components/Layout.js';
import { navigate, useLocation } from '../router.js';
import { homePath } from '../session.js';
import type { Me } from '../types.js';

/** Sign in with a login name or email and a password. */
export function LoginPage() {
  const { t } = useTranslation('login');
  useTitle(t('pageTitle'));
  const { search } = useLocation();
  return (
    <SignInForm
      title={t('title')}
      lead={t('lead')}
      footer={t('footer')}
      loginLabel={t('login')}
      missing={t('missing')}
      extra={<LanguageSwitch className="auth-language" />}
      // Teachers and students land in the reader (App sends them there from any console path).
      onSignedIn={(user) => navigate(landingAfterSignIn(user, search.get('next')), { replace: true })}
    />
  );
}

/**
 * Where a signed-in user goes from the sign-in page: the page they asked for, else their start page.
 * App redirects there too, since the session may update before or after this page navigates.
 */
export function landingAfterSignIn(user: Me, next: string | null): string {
  // Only same-console paths: never bounce a fresh session to another site.
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : homePath(user);
}
