import { useState } from 'react';
import { api } from '../api.js';
import { CustomerForm } from '../customer-form/CustomerForm.js';
import { createBody } from '../customer-form/model.js';
import { LtiSecretDialog } from '../components/LtiSecretDialog.js';
import { PageHeader, useTitle } from '../components/Layout.js';
import { navigate } from '../router.js';
import type { CreatedCustomer } from '../types.js';

const CREATE: { kind: 'create' } = { kind: 'create' };

/** + Add Customer: the form, then the one-time LTI credentials, then the new customer's page. */
export function AddCustomerPage() {
  useTitle('Add customer');
  const [created, setCreated] = useState<CreatedCustomer | null>(null);
  return (
    <div className="page">
      <PageHeader title="Add customer" crumbs={[{ to: '/customers', label: 'Customers' }]} subtitle="Fields marked * are required." />
      <CustomerForm
        mode={CREATE}
        submitLabel="Add"
        onCancel={() => navigate('/customers')}
        onSubmit={async (values) => setCreated(await api.post<CreatedCustomer>('/api/customers', createBody(values)))}
      />
      <LtiSecretDialog
        title={created ? `${created.profile.name} was added` : ''}
        credentials={created?.lti ?? null}
        closeLabel="I have stored the secret — go to the customer"
        onClose={() => created && navigate(`/customers/${created.id}`, { replace: true })}
      />
    </div>
  );
}
