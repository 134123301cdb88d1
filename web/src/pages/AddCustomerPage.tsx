import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { client, unwrap } from '../api.js';
import { CustomerForm } from '../customer-form/CustomerForm.js';
import { createBody } from '../customer-form/model.js';
import { LtiSecretDialog } from '../components/LtiSecretDialog.js';
import { PageHeader, useTitle } from '../components/Layout.js';
import { navigate } from '../router.js';
import type { CreatedCustomer } from '../types.js';

const CREATE: { kind: 'create' } = { kind: 'create' };

/** + Add Customer: the form, then the one-time LTI credentials, then the new customer's page. */
export function AddCustomerPage() {
  const { t } = useTranslation('customers');
  useTitle(t('addTitle'));
  const [created, setCreated] = useState<CreatedCustomer | null>(null);
  return (
    <div className="page">
      <PageHeader title={t('addTitle')} crumbs={[{ to: '/customers', label: t('title') }]} subtitle={t('requiredNote')} />
      <CustomerForm
        mode={CREATE}
        submitLabel={t('add')}
        onCancel={() => navigate('/customers')}
        onSubmit={async (values) => setCreated(await unwrap(client.POST('/api/customers', { body: createBody(values) })))}
      />
      <LtiSecretDialog
        title={created ? t('added', { name: created.profile.name }) : ''}
        credentials={created?.lti ?? null}
        closeLabel={t('addedClose')}
        onClose={() => created && navigate(`/customers/${created.id}`, { replace: true })}
      />
    </div>
  );
}
