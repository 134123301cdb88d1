import { useEffect, useState } from 'react';
import { api } from '../api.js';
import { isEnterpriseAdmin, useUser } from '../session.js';
import type { Customer, School } from '../types.js';

/**
 * The customer a page belongs to, for headings and breadcrumbs. Pages report access problems
 * through their own data, so a failure here only leaves the name out.
 */
export function useCustomer(customerId: string): Customer | null {
  const [customer, setCustomer] = useState<Customer | null>(null);
  useEffect(() => {
    let current = true;
    api
      .get<Customer>(`/api/customers/${encodeURIComponent(customerId)}`)
      .then((c) => current && setCustomer(c))
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [customerId]);
  return customer;
}

/**
 * Breadcrumbs from the top of a customer's pages down to `trail`: enterprise admins start at
 * Customers and the customer, customer staff at Users.
 */
export function useCustomerCrumbs(customerId: string, customer: Customer | null, trail: { to: string; label: string }[] = []): { to: string; label: string }[] {
  const user = useUser();
  const users = { to: `/customers/${customerId}/users`, label: 'Users' };
  const top = isEnterpriseAdmin(user) ? [{ to: '/customers', label: 'Customers' }, ...(customer ? [{ to: `/customers/${customerId}`, label: customer.profile.name }] : [])] : [];
  return [...top, users, ...trail];
}

/** The customer's schools (empty until loaded), for filters and for naming school ids. */
export function useSchools(customerId: string): School[] {
  const [schools, setSchools] = useState<School[]>([]);
  useEffect(() => {
    let current = true;
    api
      .get<School[]>(`/api/customers/${encodeURIComponent(customerId)}/schools`)
      .then((s) => current && setSchools(s))
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [customerId]);
  return schools;
}
