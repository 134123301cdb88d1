import { AuthCard } from '../components/AuthCard.js';
import { PasswordForm } from '../components/PasswordForm.js';
import { useTitle } from '../components/Layout.js';
import { useSession, useUser } from '../session.js';

/** Shown instead of everything else while the user still has a one-time or admin-set password. */
export function ChangePasswordPage() {
  useTitle('Choose a new password');
  const user = useUser();
  const { refresh, signOut } = useSession();
  return (
    <AuthCard
      title="Choose a new password"
      lead={
        <>
          You signed in as <strong>{user.login}</strong> with a password you did not choose yourself (a one-time password, or one an administrator typed). Choose your own before you continue.
        </>
      }
    >
      <PasswordForm onChanged={refresh} submitLabel="Save and continue" />
      <p className="auth-alt">
        <button type="button" className="link-button" onClick={() => void signOut()}>
          Sign out
        </button>
      </p>
    </AuthCard>
  );
}
