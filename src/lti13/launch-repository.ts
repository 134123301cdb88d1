import type { Kysely } from 'kysely';
import type { Database, LtiPlatform, RosteringConfig } from '../db/schema.js';

/** A platform registration with what a launch needs of its customer: state, unmatched policy and matching settings. */
export interface LaunchPlatform extends LtiPlatform {
  customer_status: 'active' | 'disabled';
  lti_unmatched_users: 'create' | 'refuse';
  match_with: RosteringConfig['match_with'];
  suffix: string;
}

/**
 * Registrations as LTI 1.3 logins and launches find them. A login names only the issuer (and
 * perhaps the client id), so that lookup is platform-wide: (issuer, client id) is unique across
 * customers, and the row found decides the customer for everything after.
 */
export class LaunchRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * The registrations of this issuer (of this client when given), across customers. Without a
   * client id all of them: a hosted LMS (Canvas Cloud) uses one issuer for every school, and the
   * caller then picks by deployment.
   */
  findByIssuerPlatformWide(issuer: string, clientId: string | null): Promise<LaunchPlatform[]> {
    let q = this.select().where('p.issuer', '=', issuer);
    if (clientId !== null) q = q.where('p.client_id', '=', clientId);
    return q.orderBy('p.created_at').orderBy('p.id').execute();
  }

  /** The registration a login state names (the state row is the credential, so platform-wide). */
  findByIdPlatformWide(platformId: string): Promise<LaunchPlatform | undefined> {
    return this.select().where('p.id', '=', platformId).executeTakeFirst();
  }

  private select() {
    return this.db
      .selectFrom('lti_platforms as p')
      .innerJoin('customers as c', 'c.id', 'p.customer_id')
      .innerJoin('rostering_configs as r', 'r.customer_id', 'p.customer_id')
      .selectAll('p')
      .select(['c.status as customer_status', 'c.lti_unmatched_users', 'r.match_with', 'r.suffix']);
  }
}
