import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

const CARD_COLUMNS = ['u.id', 'u.login', 'u.given_name', 'u.family_name', 'u.role', 'u.status', 'u.password_digest'] as const;

/** The people a login card is printed for, and the names on it; every query names the customer. */
export class CardRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The customer's display name (the heading of every card). */
  async customerName(customerId: string): Promise<{ name: string; timeZone: string } | undefined> {
    return this.db.selectFrom('customers').select(['name', 'time_zone as timeZone']).where('id', '=', customerId).executeTakeFirst();
  }

  /** A class of the customer: its title and its school's name. */
  classHeading(customerId: string, classId: string) {
    return this.db
      .selectFrom('classes as c')
      .leftJoin('orgs as o', (j) => j.onRef('o.customer_id', '=', 'c.customer_id').onRef('o.sourced_id', '=', 'c.school_sourced_id'))
      .select(['c.sourced_id as sourcedId', 'c.school_sourced_id as schoolSourcedId', 'c.title', 'o.name as schoolName'])
      .where('c.customer_id', '=', customerId)
      .where('c.id', '=', classId)
      .executeTakeFirst();
  }

  /** The active students actively enrolled in a class, by name. */
  studentsOf(customerId: string, classSourcedId: string) {
    return this.db
      .selectFrom('enrollments as e')
      .innerJoin('users as u', (j) => j.onRef('u.customer_id', '=', 'e.customer_id').onRef('u.sourced_id', '=', 'e.user_sourced_id'))
      .select(CARD_COLUMNS)
      .where('e.customer_id', '=', customerId)
      .where('e.class_sourced_id', '=', classSourcedId)
      .where('e.status', '=', 'active')
      .where('e.role', '=', 'student')
      .where('u.status', '=', 'active')
      .distinct()
      .orderBy('u.family_name')
      .orderBy('u.given_name')
      .orderBy('u.id')
      .execute();
  }

  /** Users of the customer by id, by name. */
  async usersByIds(customerId: string, ids: readonly string[]) {
    const rows = [];
    // Chunks keep each statement under SQLite's bound-parameter limit.
    for (let i = 0; i < ids.length; i += 500) {
      rows.push(
        ...(await this.db
          .selectFrom('users as u')
          .select(CARD_COLUMNS)
          .where('u.customer_id', '=', customerId)
          .where('u.id', 'in', ids.slice(i, i + 500))
          .execute()),
      );
    }
    return rows.sort((a, b) => a.family_name.localeCompare(b.family_name) || a.given_name.localeCompare(b.given_name) || a.id.localeCompare(b.id));
  }
}

/** A user a card may be printed for, as CardRepository reads it. */
export type CardUser = Awaited<ReturnType<CardRepository['usersByIds']>>[number];
