import { useTranslation } from 'react-i18next';
import { useCustomerCrumbs } from '../../hooks/useCustomer.js';
import type { Customer } from '../../types.js';
import { contentPaths } from './model.js';

/** Breadcrumbs of the Content area: the customer's crumbs (without Users), Content, then `trail`. */
export function useContentCrumbs(customerId: string, customer: Customer | null, trail: { to: string; label: string }[] = []) {
  const { t } = useTranslation('ui');
  const top = useCustomerCrumbs(customerId, customer).slice(0, -1);
  return [...top, { to: contentPaths(customerId).page, label: t('crumbContent') }, ...trail];
}
