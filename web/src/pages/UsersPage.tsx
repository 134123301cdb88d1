import { useEffect, useState } from 'react';
import { api } from '../api.js';
import { PageHeader, useTitle } from '../components/Layout.js';
import { Tabs } from '../components/Tabs.js';
import { navigate } from '../router.js';
import { isEnterpriseAdmin, useUser } from '../session.js';
import type { Customer } from '../types.js';
import { ClassesTab } from './users/ClassesTab.js';
import { UsersTab } from './users/UsersTab.js';

/** A customer's people and classes: tabs Users and Class, for enterprise and customer admins. */
export function UsersPage({ customerId, tab }: { customerId: string; tab: 'users' | 'classes' }) {
  const user = useUser();
  const [customer, setCustomer] = useState<Customer | null>(null);
  useTitle(tab === 'users' ? 'Users' : 'Classes');
  useEffect(() => {
    let current = true;
    api
      .get<Customer>(`/api/customers/${encodeURIComponent(customerId)}`)
      .then((c) => current && setCustomer(c))
      // The lists below report access problems themselves; the name is only a heading.
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [customerId]);
  const platform = isEnterpriseAdmin(user);
  return (
    <div className="page">
      <PageHeader
        crumbs={platform ? [{ to: '/customers', label: 'Customers' }, ...(customer ? [{ to: `/customers/${customerId}`, label: customer.profile.name }] : [])] : undefined}
        title="Users"
        subtitle={customer ? `${customer.profile.name}: people and classes from rostering, LTI launches and admins.` : 'People and classes from rostering, LTI launches and admins.'}
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
