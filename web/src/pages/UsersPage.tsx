import { useTranslation } from 'react-i18next';
import { PageHeader, useTitle } from '../components/Layout.js';
import { Tabs } from '../components/Tabs.js';
import { useCustomer, useCustomerCrumbs } from '../hooks/useCustomer.js';
import { Link, navigate } from '../router.js';
import { actsForWholeCustomer, useUser } from '../session.js';
import { ClassesTab } from './users/ClassesTab.js';
import { UsersTab } from './users/UsersTab.js';

/**
 * A customer's people and classes: tabs Users and Class, for enterprise, customer and institute
 * admins. Roster runs, notifications, data and privacy and roster uploads are the whole customer's: not offered to an
 * institute admin (grade reports are, limited to their schools' students).
 */
export function UsersPage({ customerId, tab }: { customerId: string; tab: 'users' | 'classes' }) {
  const { t } = useTranslation('users');
  const whole = actsForWholeCustomer(useUser());
  const customer = useCustomer(customerId);
  // The page itself is Users: its crumbs stop above it.
  const crumbs = useCustomerCrumbs(customerId, customer).slice(0, -1);
  useTitle(tab === 'users' ? t('usersTitle') : t('classesTitle'));
  return (
    <div className="page">
      <PageHeader
        crumbs={crumbs.length ? crumbs : undefined}
        title={t('usersTitle')}
        subtitle={customer ? t('subtitleNamed', { name: customer.profile.name }) : t('subtitle')}
        actions={
          <>
            {whole ? (
              <Link to={`/customers/${customerId}/roster/runs`} className="btn btn-secondary">
                {t('rosterRuns')}
              </Link>
            ) : null}
            <Link to={`/customers/${customerId}/lti/outcomes`} className="btn btn-secondary">
              {t('gradeReports')}
            </Link>
            {whole ? (
              <>
                <Link to={`/customers/${customerId}/notifications`} className="btn btn-secondary">
                  {t('notifications')}
                </Link>
                <Link to={`/customers/${customerId}/privacy`} className="btn btn-secondary">
                  {t('privacyPage:link')}
                </Link>
                <Link to={`/customers/${customerId}/roster/upload`} className="btn btn-primary">
                  {t('uploadRoster')}
                </Link>
              </>
            ) : null}
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
