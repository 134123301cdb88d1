import { PageHeader, useTitle } from '../components/Layout.js';
import { PasswordForm } from '../components/PasswordForm.js';
import { roleLabel } from '../labels.js';
import { useUser } from '../session.js';
import { ApiTokens } from './account/ApiTokens.js';
import { EmailPreferences } from './notifications/EmailPreferences.js';

/** Your own account: who you are, your password, your e-mail notifications and your personal API tokens. */
export function AccountPage() {
  useTitle('Account');
  const user = useUser();
  return (
    <div className="page">
      <PageHeader title="Account" subtitle={`${user.email} · ${roleLabel(user.role)}`} />
      <section className="card" aria-labelledby="password-title">
        <header className="card-header">
          <h2 id="password-title">Password</h2>
        </header>
        <PasswordForm onChanged={() => undefined} />
      </section>
      <EmailPreferences />
      <ApiTokens />
    </div>
  );
}
