import { Trans, useTranslation } from 'react-i18next';
import { AuthCard } from '../components/AuthCard.js';
import { LanguageSwitch } from '../components/LanguageSwitch.js';
import { PasswordForm } from '../components/PasswordForm.js';
import { useTitle } from '../components/Layout.js';
import { useSession, useUser } from '../session.js';

/** Shown instead of everything else while the user still has a one-time or admin-set password. */
export function ChangePasswordPage() {
  const { t } = useTranslation('login');
  useTitle(t('password:title'));
  const user = useUser();
  const { refresh, signOut } = useSession();
  return (
    <AuthCard
      title={t('password:title')}
      lead={<Trans i18nKey="passwordLead" t={t} values={{ login: user.login }} components={{ 1: <strong /> }} />}
      extra={<LanguageSwitch className="auth-language" />}
    >
      <PasswordForm onChanged={refresh} submitLabel={t('password:submit')} />
      <p className="auth-alt">
        <button type="button" className="link-button" onClick={() => void signOut()}>
          {t('common:signOut')}
        </button>
      </p>
    </AuthCard>
  );
}
