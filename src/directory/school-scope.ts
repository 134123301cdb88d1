import type { Kysely } from 'kysely';
import { AccessRepository } from '../accounts/access-repository.js';
import { schoolsInScope, type Actor, type ScopedKind } from '../accounts/policy.js';
import type { Database } from '../db/schema.js';

/**
 * The schools an actor's people and classes are limited to: an institute admin acts for the
 * schools they were given in the console or hold a roster role at; everyone else who passed the
 * tenant wall sees the whole customer (undefined). A district's schools count as the district's. An
 * institute admin with no school sees no one. (A request's named ids are checked by
 * policy.requireAccess; this is for lists.)
 */
export function schoolScope(db: Kysely<Database>, actor: Actor, customerId: string): Promise<string[] | undefined> {
  return schoolsInScope(new AccessRepository(db), actor, customerId);
}

/**
 * Of records an answer would show (people or classes it lists beside the one asked for: a class's
 * members, a title's assignees), the ids the actor may see: all of them, or an institute admin's
 * schools' ones.
 */
export async function visibleIds(db: Kysely<Database>, actor: Actor, customerId: string, kind: ScopedKind, ids: readonly string[]): Promise<ReadonlySet<string>> {
  const schools = await schoolScope(db, actor, customerId);
  if (!schools) return new Set(ids);
  return new AccessRepository(db).withinSchools(customerId, kind, ids, schools);
}

/** Of `items` an answer would list, those whose record (`idOf`) the actor may see, in order (visibleIds on the list itself). */
export async function visibleOnly<T>(db: Kysely<Database>, actor: Actor, customerId: string, kind: ScopedKind, items: readonly T[], idOf: (item: T) => string): Promise<T[]> {
  const visible = await visibleIds(db, actor, customerId, kind, items.map(idOf));
  return items.filter((item) => visible.has(idOf(item)));
}
