/*
 * Who an LTI launch signs in, the same for LTI 1.1 and LTI 1.3: the remembered (customer, platform,
 * LMS user) link first; then the customer's Match with rule and Suffix against the roster; then the
 * customer's unmatched policy (an LTI-only account, or a refusal). An LTI-only account hands over to
 * the rostered one once the roster has the person. Deleted, disabled and administrator accounts are
 * refused. Each dialect only says where its values come from (LaunchPerson).
 */
import type { Kysely } from 'kysely';
import { newUserRecord } from '../accounts/account-service.js';
import { UserRepository } from '../accounts/user-repository.js';
import type { Database, User } from '../db/schema.js';
import type { ErrorCode } from '../errors.js';
import { matchKey, type MatchWith } from '../rostering/sync/matching.js';
import type { LaunchError } from './launch-verifier.js';
import { LinkRepository, type MatchColumn } from './link-repository.js';

/** Builds the refusal a launch throws (carrying the LMS return URL). */
export type Refuse = (code: ErrorCode, log: string) => LaunchError;

/** What an LTI-only account shows of the LMS person. */
export type LtiProfile = Pick<User, 'given_name' | 'family_name' | 'role' | 'username' | 'metadata'>;

/** The customer's identity settings a launch is resolved with. */
export interface IdentityPolicy {
  customerId: string;
  unmatchedUsers: 'create' | 'refuse';
  matchWith: MatchWith | null;
  suffix: string;
}

/** The launching person as the dialect read them: platform (1.1 instance guid, 1.3 issuer), LMS user id, match value, profile. */
export interface LaunchPerson {
  guid: string;
  /** LTI 1.1 user_id (may be missing) or LTI 1.3 sub. */
  userId: string;
  /** The value the customer's Match with rule reads ('' when the launch has none). */
  matchValue: string;
  profile: LtiProfile;
}

const READER_ROLES = new Set<User['role']>(['teacher', 'student', 'reader']);
const COLUMN: Record<MatchWith, MatchColumn> = { sourcedId: 'sourced_id', identifier: 'identifier', username: 'login', email: 'email' };

/** Finds, links or creates the Lectern user of a launch, or throws the refusal `refuse` builds. */
export async function resolveLaunchUser(db: Kysely<Database>, policy: IdentityPolicy, person: LaunchPerson, now: string, refuse: Refuse): Promise<User> {
  const links = new LinkRepository(db);
  const { customerId } = policy;
  const { guid, userId, profile } = person;
  const linked = userId ? await links.findLinkedUser(customerId, guid, userId) : undefined;

  if (linked && linked.source !== 'lti') return usable(linked, refuse);
  const found = await match(links, policy, person.matchValue);
  if (found.kind === 'user') {
    const user = usable(found.user, refuse);
    // The roster now has this person: their LTI-only account hands over to the rostered one.
    if (linked) await links.mergeInto(customerId, linked.id, user.id, now);
    if (userId) await links.saveLink(customerId, guid, userId, user.id, now);
    return user;
  }
  if (found.kind === 'deleted') throw refuse('LTI_ACCOUNT_REMOVED', `the ${policy.matchWith} match is deleted from the roster`);
  if (found.kind === 'ambiguous') throw refuse('LTI_AMBIGUOUS_USER', `several accounts match by ${policy.matchWith}`);
  if (linked) {
    await links.refreshLtiOnlyUser(customerId, linked.id, { ...profile, updated_at: now });
    return usable({ ...linked, ...profile }, refuse);
  }
  if (policy.unmatchedUsers === 'refuse') throw refuse('LTI_UNKNOWN_USER', policy.matchWith ? `no rostered account matches by ${policy.matchWith}` : 'the customer has no roster');
  if (!userId) throw refuse('LTI_INVALID_LAUNCH', 'user_id is needed to create an LTI-only user');
  return createLtiOnlyUser(db, customerId, guid, userId, profile, now);
}

async function match(links: LinkRepository, policy: IdentityPolicy, value: string): Promise<{ kind: 'user'; user: User } | { kind: 'none' | 'deleted' | 'ambiguous' }> {
  const { matchWith } = policy;
  if (!matchWith) return { kind: 'none' };
  const key = value ? matchKey({ sourcedId: value, identifier: value, username: value, email: value }, { matchWith, suffix: policy.suffix }) : '';
  if (!key) return { kind: 'none' };
  const accounts = await links.rosteredByColumn(policy.customerId, COLUMN[matchWith], key);
  const live = accounts.filter((u) => u.status !== 'deleted');
  if (live.length > 1) return { kind: 'ambiguous' };
  if (live[0]) return { kind: 'user', user: live[0] };
  return { kind: accounts.length ? 'deleted' : 'none' };
}

// An account of the customer's own, outside the roster: never matched by a sync, never deleted by one.
async function createLtiOnlyUser(db: Kysely<Database>, customerId: string, guid: string, userId: string, profile: LtiProfile, now: string): Promise<User> {
  const user = newUserRecord({
    role: profile.role,
    customerId,
    login: '',
    email: '',
    givenName: profile.given_name,
    familyName: profile.family_name,
    phone: '',
    passwordHash: null,
    mustChangePassword: false,
    source: 'lti',
  });
  // A login no roster username can take, so a later sync never finds it "taken" (no password: no sign-in).
  user.login = `lti:${user.id}`;
  Object.assign(user, { username: profile.username, metadata: profile.metadata });
  const links = new LinkRepository(db);
  await new UserRepository(db).insert(user);
  if (await links.saveLink(customerId, guid, userId, user.id, now, true)) return user;
  // A simultaneous first launch of the same person linked their account first: use that one.
  await links.discardLtiOnlyUser(customerId, user.id);
  const winner = await links.findLinkedUser(customerId, guid, userId);
  if (!winner) throw new Error('LTI user link vanished during a concurrent launch');
  return winner;
}

function usable(user: User, refuse: Refuse): User {
  if (user.status === 'deleted') throw refuse('LTI_ACCOUNT_REMOVED', 'the linked account is deleted');
  if (user.status === 'disabled') throw refuse('ACCOUNT_DISABLED', 'the linked account is disabled');
  // A launch signs people in to the reader only: an LMS claim must never open an admin console.
  if (!READER_ROLES.has(user.role)) throw refuse('LTI_ADMIN_ACCOUNT', `the matching account is a ${user.role}`);
  return user;
}
