import { useTranslation } from 'react-i18next';
import { ConsoleLanguageSwitch, keepsLanguageWithAccount } from '../components/ConsoleLanguageSwitch.js';
import { PageHeader, useTitle } from '../components/Layout.js';
import { PasswordForm } from '../components/PasswordForm.js';
import { roleLabel } from '../labels.js';
import { actsForWholeCustomer, useUser } from '../session.js';
import { ApiTokens } from './account/ApiTokens.js';
import { EmailPreferences } from './notifications/EmailPreferences.js';

/** Your own account: who you are, the console's language, your password, your e-mail notifications (about the roster feed: not an institute admin's) and your personal API tokens. */
export function AccountPage() {
  const { t } = useTranslation('account');
  useTitle(t('title'));
  const user = useUser();
  return (
    <div className="page">
      <PageHeader title={t('title')} subtitle={`${user.email} · ${roleLabel(user.role)}`} />
      <section className="card" aria-labelledby="language-title">
        <header className="card-header">
          <h2 id="language-title">{t('languageTitle')}</h2>
        </header>
        <p className="muted">{t(keepsLanguageWithAccount(user) ? 'frame:languageAccount' : 'frame:languageDevice')}</p>
        <ConsoleLanguageSwitch />
      </section>
      <section className="card" aria-labelledby="password-title">
        <header className="card-header">
          <h2 id="password-title">{t('password')}</h2>
        </header>
        <PasswordForm onChanged={() => undefined} />
      </section>
      {actsForWholeCustomer(user) ? <EmailPreferences /> : null}
      <ApiTokens />
    </div>
  );
}
