import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import { createSession, newUserRecord, type AccountService, type SignedIn } from '../accounts/account-service.js';
import { SessionRepository } from '../accounts/session-repository.js';
import { UserRepository } from '../accounts/user-repository.js';
import { CollectionRepository } from '../content/collection-repository.js';
import { secretContext } from '../customers/customer-service.js';
import type { Database, User } from '../db/schema.js';
import type { ErrorCode } from '../errors.js';
import { matchKey, type MatchWith } from '../rostering/sync/matching.js';
import type { SecretBox } from '../security/secret-box.js';
import type { Pair } from '../security/oauth1.js';
import { randomToken, tokenDigest } from '../security/tokens.js';
import { addMs, nowIso } from '../time.js';
import { LaunchError, verifyLaunch, type LaunchVerifierDeps, type VerifiedLaunch } from './launch-verifier.js';
import { GroupCommit, type GroupCommitOptions } from './group-commit.js';
import { LinkRepository, type MatchColumn } from './link-repository.js';
import { NonceRepository } from './nonce-repository.js';
import { OutcomeRepository } from './outcome-repository.js';
import { launchRole } from './roles.js';

/** Whether a user may open a book now (the content domain's assignment resolution), asked through `db`. */
export type CanRead = (db: Kysely<Database>, customerId: string, userId: string, bookId: string) => Promise<boolean>;

/** Who is launching from which browser context. */
export interface LaunchClient {
  ip: string;
  userAgent: string;
  /** The launch arrived in an iframe (Sec-Fetch-Dest, else launch_presentation_document_target). */
  framed: boolean;
}

/**
 * A successful launch. Top-level launches get a session at once; a launch inside an LMS iframe
 * gets a single-use ticket instead, because a cookie set in a third-party frame is blocked by
 * SameSite=Lax (and by browsers' third-party cookie rules): the ticket opens Lectern in a window.
 */
export type LaunchOutcome = { kind: 'session'; signedIn: SignedIn; target: string } | { kind: 'ticket'; ticket: string; target: string };

const READER_ROLES = new Set<User['role']>(['teacher', 'student', 'reader']);
const COLUMN: Record<MatchWith, MatchColumn> = { sourcedId: 'sourced_id', identifier: 'identifier', username: 'login', email: 'email' };
// LTI 1.1 parameters each Match with rule reads, first non-empty wins (reference lti.md §6.3).
const SOURCES: Record<MatchWith, string[]> = {
  sourcedId: ['lis_person_sourcedid', 'custom_person_sourcedid'],
  identifier: ['lis_person_sourcedid', 'ext_d2l_orgdefinedid', 'custom_identifier', 'custom_student_number'],
  username: ['ext_user_username', 'ext_d2l_username', 'custom_canvas_user_login_id', 'custom_username'],
  email: ['lis_person_contact_email_primary', 'lis_person_contact_emailprimary'],
};
const TICKET_TTL_MS = 2 * 60_000;
const CLEANUP_EVERY_MS = 10 * 60_000;

interface Consumer {
  customerId: string;
  status: 'active' | 'disabled';
  unmatchedUsers: 'create' | 'refuse';
  matchWith: MatchWith | null;
  suffix: string;
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
    const work = async (trx: Kysely<Database>) => {
      try {
        return { outcome: await this.launchIn(trx, now, pathAndQuery, body, client) };
      } catch (err) {
        if (err instanceof LaunchError) return { refused: err };
        throw err;
      }
    };
    const result = this.commits ? await this.commits.run(work) : await this.db.transaction().execute(work);
    if ('refused' in result) throw result.refused;
    return result.outcome;
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
    const refuse = (code: ErrorCode, log: string) => new LaunchError(code, launch.returnUrl, log);

    const user = await this.resolveUser(db, consumer, launch, now.toISOString(), refuse);
    const target = await this.resolveTarget(db, launch, user, refuse);
    await this.bindOutcome(db, launch, user, target, now.toISOString());
    if (client.framed) {
      const ticket = randomToken();
      await new LinkRepository(db).insertTicket({
        id: tokenDigest(ticket),
        customer_id: user.customer_id!,
        user_id: user.id,
        target: target.path,
        expires_at: addMs(now.toISOString(), TICKET_TTL_MS),
      });
      return { kind: 'ticket', ticket, target: target.path };
    }
    // The account is usable (resolveUser) and its customer active (verifyLaunch), in this transaction.
    return { kind: 'session', signedIn: await createSession(new SessionRepository(db), user, client), target: target.path };
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
      unmatchedUsers: row.lti_unmatched_users,
      matchWith: row.match_with,
      suffix: row.suffix,
      sharedSecret: this.secrets.open(row.lti_shared_secret_enc, secretContext(row.id, 'lti_shared_secret')),
    };
  }

  // The remembered link first; then the Match with rule; then the customer's unmatched policy.
  private async resolveUser(db: Kysely<Database>, consumer: Consumer, launch: VerifiedLaunch, now: string, refuse: (code: ErrorCode, log: string) => LaunchError): Promise<User> {
    const links = new LinkRepository(db);
    const p = launch.params;
    const guid = p.get('tool_consumer_instance_guid') ?? '';
    const ltiUserId = p.get('user_id') ?? '';
    const linked = ltiUserId ? await links.findLinkedUser(consumer.customerId, guid, ltiUserId) : undefined;

    if (linked && linked.source !== 'lti') return usable(linked, refuse);
    const found = await this.match(links, consumer, p);
    if (found.kind === 'user') {
      const user = usable(found.user, refuse);
      if (linked) {
        // The roster now has this person: their LTI-only account hands over to the rostered one.
        await links.mergeInto(consumer.customerId, linked.id, user.id, now);
        await links.saveLink(consumer.customerId, guid, ltiUserId, user.id, now);
      } else if (ltiUserId) {
        await links.saveLink(consumer.customerId, guid, ltiUserId, user.id, now);
      }
      return user;
    }
    if (found.kind === 'deleted') throw refuse('LTI_ACCOUNT_REMOVED', `the ${consumer.matchWith} match is deleted from the roster`);
    if (found.kind === 'ambiguous') throw refuse('LTI_AMBIGUOUS_USER', `several accounts match by ${consumer.matchWith}`);
    if (linked) {
      await links.refreshLtiOnlyUser(consumer.customerId, linked.id, { ...ltiProfile(p), updated_at: now });
      return usable({ ...linked, ...ltiProfile(p) }, refuse);
    }
    if (consumer.unmatchedUsers === 'refuse') throw refuse('LTI_UNKNOWN_USER', consumer.matchWith ? `no rostered account matches by ${consumer.matchWith}` : 'the customer has no roster');
    if (!ltiUserId) throw refuse('LTI_INVALID_LAUNCH', 'user_id is needed to create an LTI-only user');
    return this.createLtiOnlyUser(db, consumer.customerId, guid, ltiUserId, p, now);
  }

  private async match(links: LinkRepository, consumer: Consumer, p: Map<string, string>): Promise<{ kind: 'user'; user: User } | { kind: 'none' | 'deleted' | 'ambiguous' }> {
    if (!consumer.matchWith) return { kind: 'none' };
    const value = firstOf(p, SOURCES[consumer.matchWith]);
    const key = value ? matchKey({ sourcedId: value, identifier: value, username: value, email: value }, { matchWith: consumer.matchWith, suffix: consumer.suffix }) : '';
    if (!key) return { kind: 'none' };
    const accounts = await links.rosteredByColumn(consumer.customerId, COLUMN[consumer.matchWith], key);
    const live = accounts.filter((u) => u.status !== 'deleted');
    if (live.length > 1) return { kind: 'ambiguous' };
    if (live[0]) return { kind: 'user', user: live[0] };
    return { kind: accounts.length ? 'deleted' : 'none' };
  }

  // An account of the customer's own, outside the roster: never matched by a sync, never deleted by one.
  private async createLtiOnlyUser(db: Kysely<Database>, customerId: string, guid: string, ltiUserId: string, p: Map<string, string>, now: string): Promise<User> {
    const profile = ltiProfile(p);
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
    if (await links.saveLink(customerId, guid, ltiUserId, user.id, now, true)) return user;
    // A simultaneous first launch of the same person linked their account first: use that one.
    await links.discardLtiOnlyUser(customerId, user.id);
    const winner = await links.findLinkedUser(customerId, guid, ltiUserId);
    if (!winner) throw new Error('LTI user link vanished during a concurrent launch');
    return winner;
  }

  private async resolveTarget(
    db: Kysely<Database>,
    launch: VerifiedLaunch,
    user: User,
    refuse: (code: ErrorCode, log: string) => LaunchError,
  ): Promise<{ path: string; type: 'book' | 'collection' | 'shelf'; id: string }> {
    const bookId = launch.params.get('custom_bookid')?.trim();
    if (bookId) {
      if (!(await this.canRead(db, launch.customerId, user.id, bookId))) throw refuse('LTI_TARGET_UNAVAILABLE', `book ${bookId} is not readable by this user`);
      return { path: `/reader/books/${encodeURIComponent(bookId)}`, type: 'book', id: bookId };
    }
    const collectionId = launch.params.get('custom_collectionid')?.trim();
    if (collectionId) {
      if (!(await new CollectionRepository(db).find(launch.customerId, collectionId))) throw refuse('LTI_TARGET_UNAVAILABLE', `collection ${collectionId} not found`);
      return { path: `/reader/collections/${encodeURIComponent(collectionId)}`, type: 'collection', id: collectionId };
    }
    return { path: '/reader', type: 'shelf', id: '' };
  }

  // Basic Outcomes: the LMS sends a result sourcedid when it wants a grade back for this link.
  private async bindOutcome(db: Kysely<Database>, launch: VerifiedLaunch, user: User, target: { type: 'book' | 'collection' | 'shelf'; id: string }, now: string): Promise<void> {
    const p = launch.params;
    const serviceUrl = p.get('lis_outcome_service_url');
    const sourcedId = p.get('lis_result_sourcedid');
    // The bookshelf has no single progress to report, so only title and collection links are bound.
    if (!serviceUrl || !sourcedId || target.type === 'shelf' || !/^https?:\/\//i.test(serviceUrl)) return;
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

function usable(user: User, refuse: (code: ErrorCode, log: string) => LaunchError): User {
  if (user.status === 'deleted') throw refuse('LTI_ACCOUNT_REMOVED', 'the linked account is deleted');
  if (user.status === 'disabled') throw refuse('ACCOUNT_DISABLED', 'the linked account is disabled');
  // A launch signs people in to the reader only: an LMS profile field must never open an admin console.
  if (!READER_ROLES.has(user.role)) throw refuse('LTI_ADMIN_ACCOUNT', `the matching account is a ${user.role}`);
  return user;
}

function firstOf(p: Map<string, string>, names: string[]): string {
  for (const name of names) {
    const v = p.get(name)?.trim();
    if (v) return v;
  }
  return '';
}

// What an LTI-only account shows of the LMS person; the LMS email stays in metadata (see README).
function ltiProfile(p: Map<string, string>): Pick<User, 'given_name' | 'family_name' | 'role' | 'username' | 'metadata'> {
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
