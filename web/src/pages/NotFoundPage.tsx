import { useTitle } from '../components/Layout.js';
import { Link } from '../router.js';
import { homePath, useUser } from '../session.js';

/** Any console path that is not a page (or not one this user may open). */
export function NotFoundPage() {
  useTitle('Not found');
  const user = useUser();
  return (
    <div className="page">
      <div className="card empty-state">
        <h1>Page not found</h1>
        <p>The address may be mistyped, or the page is not available to your account.</p>
        <Link to={homePath(user)} className="btn btn-primary">
          Go to your start page
        </Link>
      </div>
    </div>
  );
}
