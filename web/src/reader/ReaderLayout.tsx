import { useRef, type ReactNode } from 'react';
import { useRouteFocus } from '../hooks/useRouteFocus.js';
import { Link } from '../router.js';
import { useSession, useUser } from '../session.js';

/** The reader's frame for the shelf and collection pages: brand, who is reading, Sign out. */
export function ReaderLayout({ children }: { children: ReactNode }) {
  const user = useUser();
  const { signOut } = useSession();
  const main = useRef<HTMLElement>(null);
  useRouteFocus(main);
  const name = [user.givenName, user.familyName].filter(Boolean).join(' ') || user.login;
  return (
    <div className="app reader-app">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <Link to="/reader" className="brand">
            <span className="brand-mark" aria-hidden="true">
              L
            </span>
            <span className="brand-name">Lectern</span>
            <span className="brand-sub">Reader</span>
            <span className="visually-hidden">, your bookshelf</span>
          </Link>
          <div className="reader-user">
            <span className="reader-user-name" title={user.login}>
              {name}
            </span>
            <button type="button" className="btn btn-small reader-signout" onClick={() => void signOut()}>
              Sign out
            </button>
          </div>
        </div>
      </header>
      <main ref={main} id="main" className="main reader-main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
