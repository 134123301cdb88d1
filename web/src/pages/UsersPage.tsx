import { useTranslation } from 'react-i18next';
import { PageHeader, useTitle } from '../components/Layout.js';
import { Tabs } from '../components/Tabs.js';
import { useCustomer, useCustomerCrumbs } from '../hooks/useCustomer.js';
import { Link, navigate } from '../router.js';
import { useUser } from '../session.js';
import { ClassesTab } from './users/ClassesTab.js';
import { UsersTab } from './users/UsersTab.js';

/** A customer's people and classes: tabs Users and Class, for enterprise and customer admins. */
export function UsersPage({ customerId, tab }: { customerId: string; tab: 'users' | 'classes' }) {
  const { t } = useTranslation('users');
  const customer = useCustomer(customerId);
  // The page itself is Users: its crumbs stop above it.
  const crumbs = useCustomerCrumbs(customerId, customer).slice(0, -1);
  useTitle(tab === 'users' ? t('usersTitle') : t('classesTitle'));
  // The export is the whole customer's: not for institute admins, who see only their schools.
  const mayUsePrivacy = useUser().role !== 'institute_admin';
  return (
    <div className="page">
      <PageHeader
        crumbs={crumbs.length ? crumbs : undefined}
        title={t('usersTitle')}
        subtitle={customer ? t('subtitleNamed', { name: customer.profile.name }) : t('subtitle')}
        actions={
          <>
            <Link to={`/customers/${customerId}/roster/runs`} className="btn btn-secondary">
              {t('rosterRuns')}
            </Link>
            <Link to={`/customers/${customerId}/lti/outcomes`} className="btn btn-secondary">
              {t('gradeReports')}
            </Link>
            <Link to={`/customers/${customerId}/notifications`} className="btn btn-secondary">
              {t('notifications')}
            </Link>
            {mayUsePrivacy ? (
              <Link to={`/customers/${customerId}/privacy`} className="btn btn-secondary">
                {t('privacyPage:link')}
              </Link>
            ) : null}
            <Link to={`/customers/${customerId}/roster/upload`} className="btn btn-primary">
              {t('uploadRoster')}
            </Link>
          </>
        }
      />
      <Tabs
        label={t('tabsLabel')}
        selected={tab}
        onSelect={(id) => navigate(`/customers/${customerId}/${id}`, { replace: true })}
        tabs={[
          { id: 'users', label: t('usersTitle'), panel: () => <UsersTab customerId={customerId} rostered={customer?.rostering.type === 'oneroster'} /> },
          { id: 'classes', label: t('classTab'), panel: () => <ClassesTab customerId={customerId} /> },
        ]}
      />
    </div>
  );
}
