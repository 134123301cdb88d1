import { PageHeader, useTitle } from '../components/Layout.js';
import { Tabs } from '../components/Tabs.js';
import { useCustomer, useCustomerCrumbs } from '../hooks/useCustomer.js';
import { Link, navigate } from '../router.js';
import { ClassesTab } from './users/ClassesTab.js';
import { UsersTab } from './users/UsersTab.js';

/** A customer's people and classes: tabs Users and Class, for enterprise and customer admins. */
export function UsersPage({ customerId, tab }: { customerId: string; tab: 'users' | 'classes' }) {
  const customer = useCustomer(customerId);
  // The page itself is Users: its crumbs stop above it.
  const crumbs = useCustomerCrumbs(customerId, customer).slice(0, -1);
  useTitle(tab === 'users' ? 'Users' : 'Classes');
  return (
    <div className="page">
      <PageHeader
        crumbs={crumbs.length ? crumbs : undefined}
        title="Users"
        subtitle={customer ? `${customer.profile.name}: people and classes from rostering, LTI launches and admins.` : 'People and classes from rostering, LTI launches and admins.'}
        actions={
          <>
            <Link to={`/customers/${customerId}/roster/runs`} className="btn btn-secondary">
              Roster runs
            </Link>
            <Link to={`/customers/${customerId}/lti/outcomes`} className="btn btn-secondary">
              Grade reports
            </Link>
            <Link to={`/customers/${customerId}/notifications`} className="btn btn-secondary">
              Notifications
            </Link>
            <Link to={`/customers/${customerId}/roster/upload`} className="btn btn-primary">
              Upload Roster File
            </Link>
          </>
        }
      />
      <Tabs
        label="Users and classes"
        selected={tab}
        onSelect={(id) => navigate(`/customers/${customerId}/${id}`, { replace: true })}
        tabs={[
          { id: 'users', label: 'Users', panel: () => <UsersTab customerId={customerId} rostered={customer?.rostering.type === 'oneroster'} /> },
          { id: 'classes', label: 'Class', panel: () => <ClassesTab customerId={customerId} /> },
        ]}
      />
    </div>
  );
}
