import { Trans, useTranslation } from 'react-i18next';
import { AuthCard } from '../components/AuthCard.js';
import { useTitle } from '../components/Layout.js';
import { PasswordForm } from '../components/PasswordForm.js';
import { useSession, useUser } from '../session.js';
import { LanguageSwitch } from './reading-settings.js';

/** A reader with a password they did not choose (one-time, or set by the school) chooses their own first, in their language. */
export function ReaderPasswordPage() {
  const { t } = useTranslation('password');
  useTitle(t('pageTitle'));
  const user = useUser();
  const { refresh, signOut } = useSession();
  return (
    <AuthCard title={t('title')} lead={<Trans i18nKey="lead" t={t} values={{ login: user.login }} components={{ 1: <strong /> }} />} extra={<LanguageSwitch className="auth-language" />}>
      <PasswordForm onChanged={refresh} submitLabel={t('submit')} />
      <p className="auth-alt">
        <button type="button" className="link-button" onClick={() => void signOut()}>
          {t('common:signOut')}
        </button>
      </p>
    </AuthCard>
  );
}
