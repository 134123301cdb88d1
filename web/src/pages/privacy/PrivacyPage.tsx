import { useTranslation } from 'react-i18next';
import { SectionCard } from '../../components/Facts.js';
import { PageHeader, useTitle } from '../../components/Layout.js';
import { useCustomer, useCustomerCrumbs } from '../../hooks/useCustomer.js';
import { useResource } from '../../hooks/useResource.js';
import { AuditLink } from '../audit/AuditLink.js';
import { ExportCard } from '../customer/ExportCard.js';
import { CertificateList } from '../erasures/ErasuresPage.js';
import type { Offboarding } from '../erasures/model.js';

/**
 * A customer's data and privacy, for its own admins (whose console has no customer page): the
 * export of all its data, the access log, its erasure certificates, and how long its data is kept.
 * What a district's privacy officer asks for, in one place.
 */
export function PrivacyPage({ customerId }: { customerId: string }) {
  const { t } = useTranslation('privacyPage');
  const customer = useCustomer(customerId);
  const crumbs = useCustomerCrumbs(customerId, customer);
  const offboarding = useResource<Offboarding>(`/api/customers/${encodeURIComponent(customerId)}/offboarding`).data;
  useTitle(t('title'));
  return (
    <div className="page">
      <PageHeader crumbs={crumbs} title={t('title')} subtitle={t('subtitle')} />
      {customer ? <ExportCard customer={customer} /> : <p className="loading">{t('loading')}</p>}
      <SectionCard title={t('accessTitle')} action={<AuditLink customerId={customerId}>{t('accessLink')}</AuditLink>}>
        <p>{t('accessBody')}</p>
      </SectionCard>
      <SectionCard title={t('erasuresTitle')}>
        <p>{t('erasuresBody')}</p>
        <CertificateList showCustomer={false} />
      </SectionCard>
      <SectionCard title={t('keepTitle')}>
        <ul>
          <li>{t('keepDeleted')}</li>
          {offboarding ? <li>{t('keepOffboarding', { count: offboarding.offboardingDays ?? offboarding.defaultDays })}</li> : null}
        </ul>
      </SectionCard>
    </div>
  );
}
