import type { Role, User } from '../db/schema.js';
import { AppError, notFound } from '../errors.js';

/** Who is acting: a signed-in user (by session or token), or an operator at the CLI. */
export interface Actor {
  userId: string | null;
  role: Role | 'operator';
  customerId: string | null;
  label: string;
}

/** The actor for a signed-in user. */
export function actorOf(user: User): Actor {
  return { userId: user.id, role: user.role, customerId: user.customer_id, label: user.login };
}

/** The actor for the `lectern` CLI, which is trusted like an enterprise admin on this machine. */
export const operatorActor: Actor = { userId: null, role: 'operator', customerId: null, label: 'cli' };

const consoleRoles: ReadonlySet<Actor['role']> = new Set(['enterprise_admin', 'operator', 'customer_admin', 'institute_admin']);

/** True for the roles that use the console (and may mint API tokens): platform, customer and institute admins. */
export function isConsoleRole(actor: Actor): boolean {
  return consoleRoles.has(actor.role);
}

/** API tokens are for console roles: students and teachers get FORBIDDEN. */
export function assertMayUseApiTokens(actor: Actor): void {
  if (!isConsoleRole(actor)) throw new AppError('FORBIDDEN', 'Only administrators can create API tokens.');
}

/** True for those who run the whole platform. */
export function isPlatformAdmin(actor: Actor): boolean {
  return actor.role === 'enterprise_admin' || actor.role === 'operator';
}

/** Only platform admins may create, list or disable customers. */
export function assertPlatformAdmin(actor: Actor): void {
  if (!isPlatformAdmin(actor)) throw new AppError('FORBIDDEN', 'Only enterprise administrators can do that.');
}

/**
 * The tenant wall: platform admins reach every customer; customer and institute admins only their
 * own. Another customer's records answer NOT_FOUND, so their existence is not revealed either.
 */
export function assertCustomerAccess(actor: Actor, customerId: string): void {
  if (isPlatformAdmin(actor)) return;
  if (!consoleRoles.has(actor.role)) throw new AppError('FORBIDDEN', 'The console is for administrators.');
  if (actor.customerId !== customerId) throw notFound('Customer');
}

/**
 * The reader is for anyone who belongs to a customer (students, teachers, LTI readers, staff
 * reading their own assignments); it only ever shows the actor's own books. Returns the customer id
 * every reader query is scoped by.
 */
export function assertReaderAccess(actor: Actor): { customerId: string; userId: string } {
  if (!actor.customerId || !actor.userId) throw new AppError('FORBIDDEN', 'The reader is for the students and teachers of a school.');
  return { customerId: actor.customerId, userId: actor.userId };
}

/** Settings of a customer (profile, rostering, LTI) may be changed by platform and customer admins. */
export function assertCustomerSettingsAccess(actor: Actor, customerId: string): void {
  assertCustomerAccess(actor, customerId);
  if (actor.role === 'institute_admin') throw new AppError('FORBIDDEN', 'Institute administrators cannot change customer settings.');
}

/**
 * What belongs to the whole customer rather than to one school, and why an institute admin (who acts
 * for their own schools only) is refused it: each names every school's people or decides for all of them.
 */
const WHOLE_CUSTOMER = {
  profile: "The customer's profile and settings are for its administrators: they hold the district's contacts and connections.",
  roster:
    "Roster runs are the whole customer's: a roster file is the truth for every school, and its plan and findings name everyone, so only the customer's administrators start, read and decide them.",
  notifications: "Notifications are about the customer's roster feed, which its administrators run.",
  audit: "The customer's audit trail records what the district's staff did about everyone: it is for the customer's administrators.",
} as const;

/** An area of the console that is the whole customer's (see WHOLE_CUSTOMER). */
export type WholeCustomerArea = keyof typeof WHOLE_CUSTOMER;

/** The whole customer's areas (WHOLE_CUSTOMER): platform and customer admins; an institute admin gets FORBIDDEN, saying why. */
export function assertWholeCustomerAccess(actor: Actor, customerId: string, area: WholeCustomerArea): void {
  assertCustomerAccess(actor, customerId);
  if (actor.role === 'institute_admin') throw new AppError('FORBIDDEN', WHOLE_CUSTOMER[area]);
}

/** Kinds of record a request names by id; each belongs to exactly one customer. */
export type RecordKind = 'user' | 'class' | 'run' | 'book' | 'collection';

/**
 * What the actor asks to do with a customer: use its console (people and classes, within an
 * institute admin's schools; titles and collections) or change its settings.
 */
export type Permission = 'customer.console' | 'customer.settings';

/** Which of some ids name records of one kind that belong to a customer, and which of its people and classes are within schools (accounts/access-repository.ts). */
export interface OwnershipLookup {
  ownedBy(customerId: string, kind: RecordKind, ids: readonly string[]): Promise<ReadonlySet<string>>;
  /** The schools (org sourcedIds) an institute admin acts for: their own, and a district's schools. */
  schoolsOf(customerId: string, userId: string): Promise<string[]>;
  /** The ids among `ids` of the customer's people (a role at, or listed in, one of `schools`) or classes (of one of `schools`). */
  withinSchools(customerId: string, kind: ScopedKind, ids: readonly string[], schools: readonly string[]): Promise<ReadonlySet<string>>;
}

/** The kinds of record that belong to a school: people and classes. */
export type ScopedKind = 'user' | 'class';

const KIND_LABEL: Record<RecordKind, string> = { user: 'User', class: 'Class', run: 'Run', book: 'Title', collection: 'Collection' };

/** The customer a request acts on, and every id of a record it names, by kind. */
export type AccessRequest = { customerId: string } & { [K in RecordKind]?: string | readonly string[] };

/**
 * The schools an actor's people and classes are limited to: an institute admin's (an institute
 * admin with none sees no one); undefined for everyone else who passes the tenant wall, who see the
 * whole customer.
 */
export async function schoolsInScope(lookup: OwnershipLookup, actor: Actor, customerId: string): Promise<string[] | undefined> {
  if (actor.role !== 'institute_admin' || !actor.userId) return undefined;
  return lookup.schoolsOf(customerId, actor.userId);
}

/**
 * As immich's requireAccess: the actor holds `permission` on the customer (the tenant wall), and
 * every id the request names is a record of that customer, checked in the database before any of
 * them is loaded or changed. An id of another customer answers NOT_FOUND, exactly as an unknown id,
 * so it reveals nothing; so does, for an institute admin, a person or class outside their schools.
 */
export async function requireAccess(lookup: OwnershipLookup, actor: Actor, permission: Permission, request: AccessRequest): Promise<void> {
  if (permission === 'customer.settings') assertCustomerSettingsAccess(actor, request.customerId);
  else assertCustomerAccess(actor, request.customerId);
  let schools: string[] | undefined | null = null;
  for (const kind of Object.keys(KIND_LABEL) as RecordKind[]) {
    const named = request[kind];
    if (named === undefined) continue;
    const ids = [...new Set(typeof named === 'string' ? [named] : named)];
    const owned = ids.length ? await lookup.ownedBy(request.customerId, kind, ids) : new Set<string>();
    if (ids.some((id) => !owned.has(id))) throw notFound(KIND_LABEL[kind]);
    if ((kind !== 'user' && kind !== 'class') || !ids.length) continue;
    if (schools === null) schools = await schoolsInScope(lookup, actor, request.customerId);
    if (!schools) continue;
    const within = await lookup.withinSchools(request.customerId, kind, ids, schools);
    if (ids.some((id) => !within.has(id))) throw notFound(KIND_LABEL[kind]);
  }
}
