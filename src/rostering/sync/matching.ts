import type { Role } from '../../db/schema.js';
import type { UserRow } from './snapshot.js';

/** The customer's Match with rule. */
export type MatchWith = 'sourcedId' | 'identifier' | 'username' | 'email';

/** A customer's matching settings. */
export interface MatchSettings {
  matchWith: MatchWith;
  suffix: string;
}

/**
 * A login-name value with the customer's Suffix: lower-cased, and the Suffix appended unless the
 * value already ends with it (so `ada` and `ada@lincoln` both become `ada@lincoln`).
 */
export function withSuffix(value: string, suffix: string): string {
  const v = value.trim().toLowerCase();
  const s = suffix.trim().toLowerCase();
  return !s || v.endsWith(s) ? v : `${v}${s}`;
}

/**
 * The value an incoming user is matched on under the rule. The Suffix belongs to login names, so it
 * applies to username and email; sourcedId and identifier compare exactly as they are. An email
 * that already has a domain is compared as it is: appending `@lincoln` to `jo@lincoln.org` would
 * match nobody (SIS exports that hold only the local part, `jo`, get the Suffix).
 */
export function matchKey(row: Pick<UserRow, 'sourcedId' | 'identifier' | 'username' | 'email'>, m: MatchSettings): string {
  switch (m.matchWith) {
    case 'sourcedId':
      return row.sourcedId;
    case 'identifier':
      return row.identifier.trim();
    case 'username':
      return row.username.trim() ? withSuffix(row.username, m.suffix) : '';
    case 'email': {
      const email = row.email.trim().toLowerCase();
      if (!email) return '';
      return email.includes('@') ? email : withSuffix(email, m.suffix);
    }
  }
}

/** The platform-wide login name of a rostered user: the roster username plus the Suffix. */
export function loginFor(username: string, suffix: string): string {
  return withSuffix(username, suffix);
}

const ADMIN_ROLES = new Set(['administrator', 'siteAdministrator', 'districtAdministrator', 'principal', 'systemAdministrator']);

/**
 * The roles a roster gives (lecternRole's values). A sync may change, re-password or delete only an
 * account that a roster created and that still holds one of them: never an account an admin promoted.
 */
export const ROSTER_ROLES: readonly Role[] = ['institute_admin', 'teacher', 'student', 'reader'];

/** Lectern's role for a OneRoster role: administrators run the customer's console, teachers and students read, others read only. */
export function lecternRole(rosterRole: string): Role {
  if (ADMIN_ROLES.has(rosterRole)) return 'institute_admin';
  if (rosterRole === 'teacher') return 'teacher';
  if (rosterRole === 'student') return 'student';
  return 'reader';
}
