import { useTranslation } from 'react-i18next';
import { actsForWholeCustomer, isEnterpriseAdmin, useUser } from '../session.js';
import type { Customer, School } from '../types.js';
import { useResource } from './useResource.js';

/**
 * The customer a page belongs to, for headings and breadcrumbs. Pages report access problems
 * through their own data, so a failure here only leaves the name out. An institute admin is not
 * asked for it (the customer's settings are not theirs): null.
 */
export function useCustomer(customerId: string): Customer | null {
  const user = useUser();
  return useResource<Customer>(actsForWholeCustomer(user) ? `/api/customers/${encodeURIComponent(customerId)}` : null).data;
}

/**
 * Breadcrumbs from the top of a customer's pages down to `trail`: enterprise admins start at
 * Customers and the customer, customer staff at Users.
 */
export function useCustomerCrumbs(customerId: string, customer: Customer | null, trail: { to: string; label: string }[] = []): { to: string; label: string }[] {
  const { t } = useTranslation('ui');
  const user = useUser();
  const users = { to: `/customers/${customerId}/users`, label: t('crumbUsers') };
  const top = isEnterpriseAdmin(user) ? [{ to: '/customers', label: t('crumbCustomers') }, ...(customer ? [{ to: `/customers/${customerId}`, label: customer.profile.name }] : [])] : [];
  return [...top, users, ...trail];
}

/** The customer's schools (empty until loaded), for filters and for naming school ids. */
export function useSchools(customerId: string): School[] {
  return useResource<School[]>(`/api/customers/${encodeURIComponent(customerId)}/schools`).data ?? NO_SCHOOLS;
}

// One empty list, so pages that depend on the schools do not see a new array on every render.
const NO_SCHOOLS: School[] = [];
