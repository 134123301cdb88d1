import { PasswordForm } from '../components/PasswordForm.js';
import { useTitle } from '../components/Layout.js';
import { useSession, useUser } from '../session.js';

/** Shown instead of everything else while the user still has a one-time password. */
export function ChangePasswordPage() {
  useTitle('Choose a new password');
  const user = useUser();
  const { refresh, signOut } = useSession();
  return (
    <div className="auth-page">
      <div className="auth-card">
        <div className="auth-brand">
          <span className="brand-mark" aria-hidden="true">
            L
          </span>
          <span>Lectern</span>
        </div>
        <h1>Choose a new password</h1>
        <p className="auth-lead">
          You signed in as <strong>{user.login}</strong> with a one-time password. Choose your own before you continue.
        </p>
        <PasswordForm onChanged={refresh} submitLabel="Save and continue" />
        <p className="auth-alt">
          <button type="button" className="link-button" onClick={() => void signOut()}>
            Sign out
          </button>
        </p>
      </div>
    </div>
  );
}
