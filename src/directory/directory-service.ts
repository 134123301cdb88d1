import type { Kysely } from 'kysely';
import { assertCustomerAccess, type Actor } from '../accounts/policy.js';
import { UserRepository, type UserListQuery } from '../accounts/user-repository.js';
import type { ClassRow, Database, User } from '../db/schema.js';
import { ClassRepository, type ClassListQuery } from './class-repository.js';

/** A user as lists show it (DESIGN.md "users list"); never a password or hash. */
export interface UserView {
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
  status: 'active' | 'deleted' | 'disabled';
}

/** A class as lists show it. */
export interface ClassView {
  id: string;
  sourcedId: string;
  title: string;
  classCode: string;
  classType: string;
  schoolSourcedId: string;
  status: string;
}

/** The people and classes of one customer: the Users and Class tabs. */
export class DirectoryService {
  constructor(private readonly db: Kysely<Database>) {}

  /** A page of the customer's users. */
  async listUsers(actor: Actor, customerId: string, q: UserListQuery): Promise<{ items: UserView[]; total: number }> {
    assertCustomerAccess(actor, customerId);
    const { items, total } = await new UserRepository(this.db).listInCustomer(customerId, q);
    return { items: items.map(presentUser), total };
  }

  /** A page of the customer's classes. */
  async listClasses(actor: Actor, customerId: string, q: ClassListQuery): Promise<{ items: ClassView[]; total: number }> {
    assertCustomerAccess(actor, customerId);
    const { items, total } = await new ClassRepository(this.db).listInCustomer(customerId, q);
    return { items: items.map(presentClass), total };
  }
}

/** Shapes a user row for lists. */
export function presentUser(u: User): UserView {
  return {
    id: u.id,
    sourcedId: u.sourced_id,
    username: u.username,
    login: u.login,
    email: u.email,
    identifier: u.identifier,
    givenName: u.given_name,
    familyName: u.family_name,
    role: u.role,
    source: u.source,
    status: u.status,
  };
}

function presentClass(c: ClassRow): ClassView {
  return {
    id: c.id,
    sourcedId: c.sourced_id,
    title: c.title,
    classCode: c.class_code,
    classType: c.class_type,
    schoolSourcedId: c.school_sourced_id,
    status: c.status,
  };
}
