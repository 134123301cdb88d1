import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Layout } from './components/Layout.js';
import { AccountPage } from './pages/AccountPage.js';
import { AddCustomerPage } from './pages/AddCustomerPage.js';
import { ChangePasswordPage } from './pages/ChangePasswordPage.js';
import { CustomerPage } from './pages/CustomerPage.js';
import { CustomersPage } from './pages/CustomersPage.js';
import { LoginPage, landingAfterSignIn } from './pages/LoginPage.js';
import { NotFoundPage } from './pages/NotFoundPage.js';
import { UsersPage } from './pages/UsersPage.js';
import { AuditPage } from './pages/audit/AuditPage.js';
import { CollectionPage } from './pages/content/CollectionPage.js';
import { CollectionsPage } from './pages/content/CollectionsPage.js';
import { ContentPage } from './pages/content/ContentPage.js';
import { ErasuresPage } from './pages/erasures/ErasuresPage.js';
import { TitlePage } from './pages/content/TitlePage.js';
import { UploadContentPage } from './pages/content/UploadContentPage.js';
import { OutcomesPage } from './pages/lti/OutcomesPage.js';
import { NotificationsPage } from './pages/notifications/NotificationsPage.js';
import { PrivacyPage } from './pages/privacy/PrivacyPage.js';
import { RunHistoryPage } from './pages/roster/RunHistoryPage.js';
import { RunPage } from './pages/roster/RunPage.js';
import { UploadRosterPage } from './pages/roster/UploadRosterPage.js';
import { StatusPage } from './pages/status/StatusPage.js';
import { ClassPage } from './pages/users/ClassPage.js';
import { UserPage } from './pages/users/UserPage.js';
import { Redirect, Routes, useLocation, type Route } from './router.js';
import { actsForWholeCustomer, homePath, isEnterpriseAdmin, isReaderRole, useSession } from './session.js';
import type { Me } from './types.js';

function routesFor(user: Me, search: URLSearchParams): Route[] {
  const common: Route[] = [
    { path: '/', render: () => <Redirect to={homePath(user)} /> },
    { path: '/login', render: () => <Redirect to={landingAfterSignIn(user, search.get('next'))} /> },
    { path: '/account', render: () => <AccountPage /> },
    { path: '/audit', render: () => <AuditPage /> },
    { path: '/customers/:id/users', render: (p) => <UsersPage key={p.id} customerId={p.id ?? ''} tab="users" /> },
    { path: '/customers/:id/classes', render: (p) => <UsersPage key={p.id} customerId={p.id ?? ''} tab="classes" /> },
    { path: '/customers/:id/users/:userId', render: (p) => <UserPage key={`${p.id}/${p.userId}`} customerId={p.id ?? ''} userId={p.userId ?? ''} /> },
    { path: '/customers/:id/classes/:classId', render: (p) => <ClassPage key={`${p.id}/${p.classId}`} customerId={p.id ?? ''} classId={p.classId ?? ''} /> },
    { path: '/customers/:id/roster/upload', render: (p) => <UploadRosterPage key={p.id} customerId={p.id ?? ''} /> },
    { path: '/customers/:id/roster/runs', render: (p) => <RunHistoryPage key={p.id} customerId={p.id ?? ''} /> },
    { path: '/customers/:id/roster/runs/:runId', render: (p) => <RunPage key={`${p.id}/${p.runId}`} customerId={p.id ?? ''} runId={p.runId ?? ''} /> },
    { path: '/customers/:id/lti/outcomes', render: (p) => <OutcomesPage key={p.id} customerId={p.id ?? ''} /> },
    { path: '/customers/:id/notifications', render: (p) => <NotificationsPage key={p.id} customerId={p.id ?? ''} /> },
    { path: '/customers/:id/content', render: (p) => <ContentPage key={p.id} customerId={p.id ?? ''} /> },
    { path: '/customers/:id/content/upload', render: (p) => <UploadContentPage key={p.id} customerId={p.id ?? ''} /> },
    { path: '/customers/:id/content/:bookId', render: (p) => <TitlePage key={`${p.id}/${p.bookId}`} customerId={p.id ?? ''} bookId={p.bookId ?? ''} /> },
    { path: '/customers/:id/collections', render: (p) => <CollectionsPage key={p.id} customerId={p.id ?? ''} /> },
    { path: '/customers/:id/collections/:collectionId', render: (p) => <CollectionPage key={`${p.id}/${p.collectionId}`} customerId={p.id ?? ''} collectionId={p.collectionId ?? ''} /> },
  ];
  // The export and the customer's certificates are the whole customer's: not an institute admin's page.
  if (actsForWholeCustomer(user)) common.push({ path: '/customers/:id/privacy', render: (p) => <PrivacyPage key={p.id} customerId={p.id ?? ''} /> });
  if (!isEnterpriseAdmin(user)) return common;
  return [
    ...common,
    { path: '/customers', render: () => <CustomersPage /> },
    { path: '/status', render: () => <StatusPage /> },
    { path: '/erasures', render: () => <ErasuresPage /> },
    { path: '/customers/new', render: () => <AddCustomerPage /> },
    { path: '/customers/:id', render: (p) => <CustomerPage key={p.id} id={p.id ?? ''} /> },
  ];
}

/** The console: sign-in when signed out, the forced password change, or the signed-in pages. */
export function App() {
  // Here at the top, a language switch renders every page again in the new language.
  const { t } = useTranslation('ui');
  const { user } = useSession();
  const { pathname, search } = useLocation();
  if (user === undefined) return <p className="boot">{t('loadingLectern')}</p>;
  if (user === null) {
    if (pathname === '/login') return <LoginPage />;
    const here = pathname + (search.size ? `?${search.toString()}` : '');
    return <Redirect to={pathname === '/' ? '/login' : `/login?next=${encodeURIComponent(here)}`} />;
  }
  if (user.mustChangePassword) return <ChangePasswordPage />;
  if (isReaderRole(user)) return <ReaderRedirect />;
  return (
    <Layout>
      <Routes routes={routesFor(user, search)} fallback={<NotFoundPage />} />
    </Layout>
  );
}

// Teachers, students and readers have nothing to do in the console: the reader is their home (its
// own page, so a full navigation, not a console route).
function ReaderRedirect() {
  const { t } = useTranslation('ui');
  useEffect(() => window.location.replace('/reader'), []);
  return <p className="boot">{t('openingReader')}</p>;
}
