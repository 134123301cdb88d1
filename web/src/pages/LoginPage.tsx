import { SignInForm } from '../components/SignInForm.js';
import { useTitle } from '../components/Layout.js';
import { navigate, useLocation } from '../router.js';
import { homePath } from '../session.js';

/** Sign in with a login name or email and a password. */
export function LoginPage() {
  useTitle('Sign in');
  const { search } = useLocation();
  return (
    <SignInForm
      title="Sign in"
      lead="Manage customers, rosters and reading content."
      footer="Students and teachers: open your books from your school’s LMS or the reader."
      loginLabel="Login or email"
      missing="Enter your login or email and your password."
      // Teachers and students land in the reader (App sends them there from any console path).
      onSignedIn={(user) => {
        const next = search.get('next');
        // Only same-console paths: never bounce a fresh session to another site.
        navigate(next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : homePath(user), { replace: true });
      }}
    />
  );
}
