import { SignInForm } from '../components/SignInForm.js';
import { useTitle } from '../components/Layout.js';
import { navigate, useLocation } from '../router.js';
import { safeNext } from './session.js';

/** Sign in to the reader with the username your school gave you (with its suffix) and password. */
export function ReaderLoginPage() {
  useTitle('Sign in to the reader');
  const { search } = useLocation();
  return (
    <SignInForm
      title="Sign in to read"
      lead="Use the username and password from your school."
      footer="Arriving from your course? Open the book from your LMS and you are signed in already."
      loginLabel="Username"
      loginHint="Your username, “@” and your school’s ending, for example jdoe@lincoln"
      missing="Enter your username and your password."
      onSignedIn={(user) => {
        // A one-time password is changed in the console, which then sends the person back here.
        if (user.mustChangePassword) window.location.assign('/account');
        else navigate(safeNext(search.get('next')), { replace: true });
      }}
    />
  );
}
