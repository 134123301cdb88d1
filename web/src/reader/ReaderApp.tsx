import { Trans, useTranslation } from 'react-i18next';
import { Redirect, Routes, useLocation } from '../router.js';
import { BookPage } from './BookPage.js';
import { BookshelfPage } from './BookshelfPage.js';
import { CollectionPage } from './CollectionPage.js';
import { ReaderLayout } from './ReaderLayout.js';
import { ReaderLoginPage } from './ReaderLoginPage.js';
import { QrSignInPage } from './QrSignInPage.js';
import { ReaderPasswordPage } from './ReaderPasswordPage.js';
import { useSession } from '../session.js';
import { safeNext } from './session.js';

function NotFound() {
  const { t } = useTranslation();
  return (
    <div className="page">
      <h1>{t('pageNotFound')}</h1>
      <p className="muted">
        <Trans i18nKey="backTo" t={t} components={{ 1: <a href="/reader" /> }} />
      </p>
    </div>
  );
}

/** The reader: sign-in when signed out; otherwise the bookshelf, collections and the book view. */
export function ReaderApp() {
  const { t } = useTranslation();
  const { user } = useSession();
  const { pathname, search } = useLocation();
  // A login card's QR code signs in whoever is (or is not) signed in on this device.
  if (pathname === '/reader/qr') return <QrSignInPage />;
  if (user === undefined) return <p className="boot">{t('loadingBooks')}</p>;
  if (user === null) {
    if (pathname === '/reader/login') return <ReaderLoginPage />;
    const here = pathname + (search.size ? `?${search.toString()}` : '');
    return <Redirect to={pathname === '/reader' ? '/reader/login' : `/reader/login?next=${encodeURIComponent(here)}`} />;
  }
  // Nothing else opens until a password the reader did not choose is replaced (the API refuses the rest).
  if (user.mustChangePassword) return <ReaderPasswordPage />;
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
