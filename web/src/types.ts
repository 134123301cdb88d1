/*
 * Shapes the API answers with. The customer view is the server's own TypeBox type, so the console
 * and the API cannot drift apart silently; the smaller shapes mirror src/server/routes.
 */
import type { CustomerViewT } from '../../src/customers/customer-schema.js';

export type { CustomerCreateInput, CustomerPatchInput } from '../../src/customers/customer-schema.js';

/** A customer as GET /api/customers/:id shows it (secrets only as "set" flags). */
export type Customer = CustomerViewT;

/** The LTI 1.1 credentials shown once, on Add and on rotation. */
export interface LtiCredentials {
  version: string;
  consumerKey: string;
  sharedSecret: string;
  launchUrl: string;
}

/** POST /api/customers answer: the customer plus its one-time LTI credentials. */
export type CreatedCustomer = Omit<Customer, 'lti'> & { lti: LtiCredentials & { sharedSecretSet: boolean } };

export type Role = 'enterprise_admin' | 'customer_admin' | 'institute_admin' | 'teacher' | 'student' | 'reader';

/** The signed-in user. */
export interface Me {
  id: string;
  login: string;
  email: string;
  givenName: string;
  familyName: string;
  role: Role;
  customerId: string | null;
  mustChangePassword: boolean;
}

/** GET /api/auth/session and POST /api/auth/login. */
export interface SessionInfo {
  user: Me;
  csrfToken: string | null;
}

/** One page of a list. */
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

/** A user of a customer, as the Users tab lists it. */
export interface DirectoryUser {
  id: string;
  sourcedId: string | null;
  username: string;
  login: string;
  email: string;
  identifier: string;
  givenName: string;
  familyName: string;
  role: string;
  source: string;
  status: string;
}

/** A class of a customer, as the Class tab lists it. */
export interface DirectoryClass {
  id: string;
  sourcedId: string;
  title: string;
  classCode: string;
  classType: string;
  schoolSourcedId: string;
  status: string;
}

/** One audit entry: who changed which fields (never values). */
export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  fields: string[];
}

/** A personal API token (the token itself is shown only when created). */
export interface ApiToken {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}
