import { Redirect, Routes, useLocation } from '../router.js';
import { BookPage } from './BookPage.js';
import { BookshelfPage } from './BookshelfPage.js';
import { CollectionPage } from './CollectionPage.js';
import { ReaderLayout } from './ReaderLayout.js';
import { ReaderLoginPage } from './ReaderLoginPage.js';
import { QrSignInPage } from './QrSignInPage.js';
import { useSession } from '../session.js';
import { safeNext } from './session.js';

function NotFound() {
  return (
    <div className="page">
      <h1>Page not found</h1>
      <p className="muted">
        Go back to <a href="/reader">your bookshelf</a>.
      </p>
    </div>
  );
}

/** The reader: sign-in when signed out; otherwise the bookshelf, collections and the book view. */
export function ReaderApp() {
  const { user } = useSession();
  const { pathname, search } = useLocation();
  // A login card's QR code signs in whoever is (or is not) signed in on this device.
  if (pathname === '/reader/qr') return <QrSignInPage />;
  if (user === undefined) return <p className="boot">Loading your books…</p>;
  if (user === null) {
    if (pathname === '/reader/login') return <ReaderLoginPage />;
    const here = pathname + (search.size ? `?${search.toString()}` : '');
    return <Redirect to={pathname === '/reader' ? '/reader/login' : `/reader/login?next=${encodeURIComponent(here)}`} />;
  }
  return (
    <Routes
      routes={[
        { path: '/reader/login', render: () => <Redirect to={safeNext(search.get('next'))} /> },
        // The book view fills the screen and has its own bars.
        { path: '/reader/books/:id', render: (p) => <BookPage key={p.id} bookId={p.id ?? ''} /> },
        {
          path: '/reader',
          render: () => (
            <ReaderLayout>
              <BookshelfPage />
            </ReaderLayout>
          ),
        },
        {
          path: '/reader/collections/:id',
          render: (p) => (
            <ReaderLayout>
              <CollectionPage key={p.id} collectionId={p.id ?? ''} />
            </ReaderLayout>
          ),
        },
      ]}
      fallback={
        <ReaderLayout>
          <NotFound />
        </ReaderLayout>
      }
    />
  );
}
