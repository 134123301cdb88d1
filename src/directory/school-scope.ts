import type { Kysely } from 'kysely';
import type { Actor } from '../accounts/policy.js';
import { UserRepository } from '../accounts/user-repository.js';
import type { Database } from '../db/schema.js';
import { notFound } from '../errors.js';
import { DetailRepository } from './detail-repository.js';

/**
 * The schools an actor's people and classes are limited to: an institute admin acts for the
 * schools they were given in the console or hold a roster role at; everyone else who passed the
 * tenant wall sees the whole customer (undefined). A district's schools count as the district's. An
 * institute admin with no school sees no one.
 */
export async function schoolScope(db: Kysely<Database>, actor: Actor, customerId: string): Promise<string[] | undefined> {
  if (actor.role !== 'institute_admin' || !actor.userId) return undefined;
  const own = await new UserRepository(db).schoolsOf(customerId, actor.userId);
  if (!own.length) return own;
  // A district administrator's role is at the district: it covers the district's schools too.
  return [...new Set([...own, ...(await new DetailRepository(db).childOrgIds(customerId, own))])];
}

/**
 * Checks on the loaded records that every named user is within the actor's schools. A user outside
 * them answers NOT_FOUND, as another customer's does, so an institute admin learns nothing of other schools.
 */
export async function assertUsersInScope(db: Kysely<Database>, actor: Actor, customerId: string, userIds: readonly string[]): Promise<void> {
  const schools = await schoolScope(db, actor, customerId);
  if (!schools) return;
  const within = await new UserRepository(db).idsWithinSchools(customerId, userIds, schools);
  if (userIds.some((id) => !within.has(id))) throw notFound('User');
}

/** Checks that a class (by its school) is within the actor's schools; NOT_FOUND otherwise. */
export async function assertSchoolInScope(db: Kysely<Database>, actor: Actor, customerId: string, schoolSourcedId: string, what: string): Promise<void> {
  const schools = await schoolScope(db, actor, customerId);
  if (schools && !schools.includes(schoolSourcedId)) throw notFound(what);
}
