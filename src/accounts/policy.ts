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

/** Kinds of record a request names by id; each belongs to exactly one customer. */
export type RecordKind = 'user' | 'class' | 'run' | 'book' | 'collection';

/** What the actor asks to do with a customer: use its console (people, classes, runs, content) or change its settings. */
export type Permission = 'customer.console' | 'customer.settings';

/** Which of some ids name records of one kind that belong to a customer (accounts/access-repository.ts). */
export interface OwnershipLookup {
  ownedBy(customerId: string, kind: RecordKind, ids: readonly string[]): Promise<ReadonlySet<string>>;
}

const KIND_LABEL: Record<RecordKind, string> = { user: 'User', class: 'Class', run: 'Run', book: 'Title', collection: 'Collection' };

/** The customer a request acts on, and every id of a record it names, by kind. */
export type AccessRequest = { customerId: string } & { [K in RecordKind]?: string | readonly string[] };

/**
 * As immich's requireAccess: the actor holds `permission` on the customer (the tenant wall), and
 * every id the request names is a record of that customer, checked in the database before any of
 * them is loaded or changed. An id of another customer answers NOT_FOUND, exactly as an unknown id,
 * so it reveals nothing.
 */
export async function requireAccess(lookup: OwnershipLookup, actor: Actor, permission: Permission, request: AccessRequest): Promise<void> {
  if (permission === 'customer.settings') assertCustomerSettingsAccess(actor, request.customerId);
  else assertCustomerAccess(actor, request.customerId);
  for (const kind of Object.keys(KIND_LABEL) as RecordKind[]) {
    const named = request[kind];
    if (named === undefined) continue;
    const ids = [...new Set(typeof named === 'string' ? [named] : named)];
    const owned = ids.length ? await lookup.ownedBy(request.customerId, kind, ids) : new Set<string>();
    if (ids.some((id) => !owned.has(id))) throw notFound(KIND_LABEL[kind]);
  }
}
