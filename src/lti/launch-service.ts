import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AccountService, SignedIn } from '../accounts/account-service.js';
import { UserRepository } from '../accounts/user-repository.js';
import { secretContext } from '../customers/customer-service.js';
import type { Customer, Database, User } from '../db/schema.js';
import type { MatchWith } from '../rostering/sync/matching.js';
import type { SecretBox } from '../security/secret-box.js';
import type { Pair } from '../security/oauth1.js';
import { tokenDigest } from '../security/tokens.js';
import { nowIso } from '../time.js';
import { LaunchError, verifyLaunch, type LaunchVerifierDeps, type VerifiedLaunch } from './launch-verifier.js';
import { commitThroughRefusals, GroupCommit, type GroupCommitOptions } from './group-commit.js';
import { resolveLaunchUser, type IdentityPolicy, type LtiProfile, type Refuse } from './identity.js';
import { LinkRepository } from './link-repository.js';
import { openReader, resolveLaunchTarget, type CanRead, type LaunchClient, type LaunchOutcome, type ReaderTarget } from './launch-target.js';
import { NonceRepository } from './nonce-repository.js';
import { OutcomeRepository } from './outcome-repository.js';
import { launchRole } from './roles.js';

// LTI 1.1 parameters each Match with rule reads, first non-empty wins (reference lti.md §6.3).
const SOURCES: Record<MatchWith, string[]> = {
  sourcedId: ['lis_person_sourcedid', 'custom_person_sourcedid'],
  identifier: ['lis_person_sourcedid', 'ext_d2l_orgdefinedid', 'custom_identifier', 'custom_student_number'],
  username: ['ext_user_username', 'ext_d2l_username', 'custom_canvas_user_login_id', 'custom_username'],
  email: ['lis_person_contact_email_primary', 'lis_person_contact_emailprimary'],
};
const CLEANUP_EVERY_MS = 10 * 60_000;

interface Consumer extends IdentityPolicy {
  status: 'active' | 'disabled';
  ltiVersion: Customer['lti_version'];
}

/**
 * LTI 1.1 basic launches: verify (launch-verifier), find or create the Lectern user, check the
 * target, remember where to report outcomes, and start a reader session. Every refusal after the
 * signature verified is a LaunchError carrying the LMS return URL, so the person goes back to
 * their course with a message instead of a dead end.
 */
export class LaunchService {
  private nextCleanupAt = 0;
  private readonly commits: GroupCommit<Database> | null;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly secrets: SecretBox,
    private readonly accounts: AccountService,
    private readonly canRead: CanRead,
    private readonly opts: {
      publicUrl: string;
      windowSeconds?: number;
      now?: () => Date;
      /** SQLite: launches arriving together share one commit (one fsync); PostgreSQL needs none of it. */
      groupCommit?: GroupCommitOptions;
    },
  ) {
    this.commits = opts.groupCommit ? new GroupCommit(db, opts.groupCommit) : null;
  }

  /**
   * Handles one launch: the request's path and query and its form body as ordered pairs. All its
   * writes (nonce, link, LTI-only user, outcome binding, session) commit together, once (on SQLite
   * with the other launches of the moment); a refusal commits too, so its nonce stays used.
   */
  async launch(pathAndQuery: string, body: Pair[], client: LaunchClient): Promise<LaunchOutcome> {
    const now = this.opts.now?.() ?? new Date();
    await this.cleanUp(now);
    return commitThroughRefusals(
      this.db,
      this.commits,
      (trx) => this.launchIn(trx, now, pathAndQuery, body, client),
      (err) => err instanceof LaunchError,
    );
  }

  private async launchIn(db: Kysely<Database>, now: Date, pathAndQuery: string, body: Pair[], client: LaunchClient): Promise<LaunchOutcome> {
    const found: { consumer: Consumer | null } = { consumer: null };
    const deps: LaunchVerifierDeps = {
      publicUrl: this.opts.publicUrl,
      windowSeconds: this.opts.windowSeconds,
      now: () => now,
      findConsumer: async (key) => {
        const consumer = await this.findConsumer(db, key);
        found.consumer = consumer;
        return consumer && { customerId: consumer.customerId, sharedSecret: consumer.sharedSecret, active: consumer.status === 'active' };
      },
      claimNonce: (key, nonce, expiresAt, at) => new NonceRepository(db).claim(key, nonce, expiresAt, at),
    };
    const launch = await verifyLaunch(deps, pathAndQuery, body);
    const consumer = found.consumer!;
    const refuse: Refuse = (code, log) => new LaunchError(code, launch.returnUrl, log);
    // A customer moved to 1.3 keeps its consumer key on record (it may move back to 'both'), but the
    // key no longer signs anyone in: a copy left in an old LMS link, or leaked, must not outlive the move.
    if (consumer.ltiVersion === '1.3') throw refuse('LTI_VERSION_RETIRED', `customer ${consumer.customerId} uses LTI 1.3 only`);

    const user = await this.resolveUser(db, consumer, launch, now.toISOString(), refuse);
    const target = await resolveLaunchTarget(db, this.canRead, launch.customerId, user, { bookId: launch.params.get('custom_bookid'), collectionId: launch.params.get('custom_collectionid') }, refuse);
    await this.bindOutcome(db, launch, user, target, now.toISOString());
    // The account is usable (resolveUser) and its customer active (verifyLaunch), in this transaction.
    return openReader(db, launch.customerId, user, client, target, now.toISOString());
  }

  /** Exchanges a launch ticket (single use, two minutes) for a session; null when unknown, used or expired. */
  async redeemTicket(ticket: string, client: Omit<LaunchClient, 'framed'>): Promise<{ signedIn: SignedIn; target: string } | null> {
    const row = await new LinkRepository(this.db).takeTicketPlatformWide(tokenDigest(ticket), nowIso());
    if (!row) return null;
    const user = await new UserRepository(this.db).findInCustomer(row.customer_id, row.user_id);
    if (!user) return null;
    return { signedIn: await this.accounts.startSession(user, client), target: row.target };
  }

  private async findConsumer(db: Kysely<Database>, consumerKey: string): Promise<(Consumer & { sharedSecret: string }) | null> {
    const row = await new LinkRepository(db).findConsumerPlatformWide(consumerKey);
    if (!row) return null;
    return {
      customerId: row.id,
      status: row.status,
      ltiVersion: row.lti_version,
      unmatchedUsers: row.lti_unmatched_users,
      matchWith: row.match_with,
      suffix: row.suffix,
      sharedSecret: this.secrets.open(row.lti_shared_secret_enc, secretContext(row.id, 'lti_shared_secret')),
    };
  }

  // The 1.1 parameters of the launching person, resolved by the rules LTI 1.3 shares (identity.ts).
  private resolveUser(db: Kysely<Database>, consumer: Consumer, launch: VerifiedLaunch, now: string, refuse: Refuse): Promise<User> {
    const p = launch.params;
    const matchValue = consumer.matchWith ? firstOf(p, SOURCES[consumer.matchWith]) : '';
    const person = { guid: p.get('tool_consumer_instance_guid') ?? '', userId: p.get('user_id') ?? '', matchValue, profile: ltiProfile(p) };
    return resolveLaunchUser(db, consumer, person, now, refuse);
  }

  // Basic Outcomes: the LMS sends a result sourcedid when it wants a grade back for this link.
  private async bindOutcome(db: Kysely<Database>, launch: VerifiedLaunch, user: User, target: ReaderTarget, now: string): Promise<void> {
    const p = launch.params;
    const serviceUrl = p.get('lis_outcome_service_url');
    const sourcedId = p.get('lis_result_sourcedid');
    // The bookshelf has no single progress to report, so only title and collection links are bound.
    if (!serviceUrl || !sourcedId || !target || !/^https?:\/\//i.test(serviceUrl)) return;
    await new OutcomeRepository(db).saveBinding({
      id: crypto.randomUUID(),
      customer_id: launch.customerId,
      user_id: user.id,
      consumer_guid: p.get('tool_consumer_instance_guid') ?? '',
      resource_link_id: p.get('resource_link_id') ?? '',
      target_type: target.type,
      target_id: target.id,
      service_url: serviceUrl,
      result_sourcedid: sourcedId,
      consumer_key: launch.consumerKey,
      reported_score: null,
      created_at: now,
      updated_at: now,
    });
  }

  // Expired nonces and tickets go at most every ten minutes, on whichever launch comes along.
  private async cleanUp(now: Date): Promise<void> {
    if (now.getTime() < this.nextCleanupAt) return;
    this.nextCleanupAt = now.getTime() + CLEANUP_EVERY_MS;
    await new NonceRepository(this.db).deleteExpired(now.toISOString());
    await new LinkRepository(this.db).deleteExpiredTickets(now.toISOString());
  }
}

function firstOf(p: Map<string, string>, names: string[]): string {
  for (const name of names) {
    const v = p.get(name)?.trim();
    if (v) return v;
  }
  return '';
}

// What an LTI-only account shows of the LMS person; the LMS email stays in metadata (see README).
function ltiProfile(p: Map<string, string>): LtiProfile {
  let given = p.get('lis_person_name_given')?.trim() ?? '';
  let family = p.get('lis_person_name_family')?.trim() ?? '';
  if (!given && !family) [given = '', family = ''] = splitName(p.get('lis_person_name_full') ?? '');
  const email = firstOf(p, SOURCES.email);
  return {
    given_name: given.slice(0, 100),
    family_name: family.slice(0, 100),
    role: launchRole(p.get('roles')),
    username: firstOf(p, SOURCES.username).slice(0, 200),
    metadata: JSON.stringify({ lti: { userId: p.get('user_id') ?? '', consumerGuid: p.get('tool_consumer_instance_guid') ?? '', email, sourcedId: p.get('lis_person_sourcedid') ?? '' } }),
  };
}

function splitName(full: string): [string, string] {
  const parts = full.trim().split(/\s+/).filter(Boolean);
  return [parts.slice(0, -1).join(' ') || (parts[0] ?? ''), parts.length > 1 ? (parts.at(-1) ?? '') : ''];
}
