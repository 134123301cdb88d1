import { SignInForm } from '../components/SignInForm.js';
import { useTitle } from '../components/Layout.js';
import { navigate, useLocation } from '../router.js';
import { homePath } from '../session.js';
import type { Me } from '../types.js';

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
