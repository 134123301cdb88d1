/*
 * LTI 1.3 launches: the OIDC third-party login (LTI Core 1.3 §4.1, Security Framework 1.0 §5.1.1)
 * and the resource-link launch the platform form-posts back (§5.1.2–5.1.3). Login finds the
 * registration by issuer (and client id), keeps a single-use state and nonce, and sends the browser
 * to the platform's auth endpoint. Launch takes the state, verifies the id_token against it
 * (verifyIdToken), then finds the person exactly as an LTI 1.1 launch does (src/lti/identity.ts):
 * the remembered (customer, issuer, sub) link, then the customer's Match with and Suffix, then the
 * unmatched policy; deleted, disabled and administrator accounts are refused. The target is custom
 * bookid or collectionid, else the shelf. A deep linking request opens the title picker instead
 * (deep-linking.ts).
 *
 * Refusals before the token verified are Lti13Errors without a return URL (an error page only);
 * after, they carry launch_presentation.return_url (Lti13Error or LaunchError), so the person can go
 * back to the course with lti_errormsg.
 */
import type { Kysely } from 'kysely';
import { canRead } from '../content/assignment-repository.js';
import type { Database, User } from '../db/schema.js';
import { resolveLaunchUser, type LtiProfile, type Refuse } from '../lti/identity.js';
import { commitThroughRefusals } from '../lti/group-commit.js';
import { LaunchError } from '../lti/launch-verifier.js';
import { openReader, resolveLaunchTarget, type CanRead, type LaunchClient, type LaunchOutcome } from '../lti/launch-target.js';
import { launchRole } from '../lti/roles.js';
import type { MatchWith } from '../rostering/sync/matching.js';
import { openDeepLink, type DeepLinkOutcome } from './deep-linking.js';
import { Lti13Error } from './errors.js';
import { verifyIdToken, type ResourceLinkLaunch } from './id-token.js';
import { LaunchRepository, type LaunchPlatform } from './launch-repository.js';
import { rememberContext } from './lms-sync.js';
import { LoginStateRepository } from './login-state-repository.js';
import { LoginStates } from './login-states.js';
import { PlatformKeys } from './platform-keys.js';
import { bindScores } from './scores.js';
import type { Lti13ServiceOptions } from './service-options.js';
import type { SyncOnLaunch } from './sync-on-launch.js';
import { assertStorageChecked, storageFrameName, storageKey, storageOrigin, type StorageCheck, type StorageFields, type StoragePut } from './storage-target.js';

/** The parameters of an OIDC login initiation (query of a GET, form of a POST). */
export interface LoginInitiation {
  iss?: string;
  login_hint?: string;
  target_link_uri?: string;
  lti_message_hint?: string;
  client_id?: string;
  lti_deployment_id?: string;
  /** The platform's storage frame (LTI Client Side postMessages), when it offers one. */
  lti_storage_target?: string;
}

const USED_STATE_MESSAGE = 'This LTI sign-in was already used, has expired or was not started here. Please launch Lectern again from your course.';
const CLEANUP_EVERY_MS = 10 * 60_000;
const MAX_PARAM_CHARS = 8192;

// LIS v2 role vocabularies (LTI Core 1.3 Appendix A) and the LTI 1.1 URNs launchRole reads.
const ROLE_PREFIXES: [RegExp, string][] = [
  [/^http:\/\/purl\.imsglobal\.org\/vocab\/lis\/v2\/membership(?:\/([^#]+))?#(.+)$/i, 'urn:lti:role:ims/lis/'],
  [/^http:\/\/purl\.imsglobal\.org\/vocab\/lis\/v2\/institution\/person(?:\/([^#]+))?#(.+)$/i, 'urn:lti:instrole:ims/lis/'],
  [/^http:\/\/purl\.imsglobal\.org\/vocab\/lis\/v2\/system\/person(?:\/([^#]+))?#(.+)$/i, 'urn:lti:sysrole:ims/lis/'],
];

/** The reader role for an LTI 1.3 roles claim: the LIS v2 URIs read by the LTI 1.1 rules (src/lti/roles.ts). */
export function launchRole13(roles: readonly string[]): User['role'] {
  const urns = roles.map((role) => {
    for (const [pattern, urn] of ROLE_PREFIXES) {
      const m = pattern.exec(role.trim());
      // A sub-role (membership/Instructor#TeachingAssistant) is its principal role's, as in 1.1.
      if (m) return `${urn}${m[1] ?? m[2]}`;
    }
    // Context role short names (Learner, Instructor) are allowed in 1.3 and mean what they do in 1.1.
    return role.trim();
  });
  return launchRole(urns.filter((u) => u && !u.includes(',')).join(','));
}

/** LTI 1.3 login initiation and resource-link launch (see above). */
export class Lti13LaunchService {
  private readonly keys: PlatformKeys;
  private readonly publicOrigin: string;
  private nextCleanupAt = 0;

  private readonly canRead: CanRead;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly opts: Lti13ServiceOptions & {
      /** Whether a user may open a book (default: the content domain's assignment resolution). */
      canRead?: CanRead;
      /** Sync from LMS after a teacher's launch (lti.syncRosterOnLaunch); told after the launch commits. */
      syncOnLaunch?: Pick<SyncOnLaunch, 'afterLaunch'>;
    },
  ) {
    this.canRead = opts.canRead ?? canRead;
    // One cache per process: every registration's JWKS, fetched as its headers allow.
    this.keys = new PlatformKeys({ outbound: opts.outbound });
    this.publicOrigin = new URL(opts.publicUrl).origin;
  }

  /** The launch (redirect) URL registered with platforms. */
  get launchUrl(): string {
    return `${this.publicOrigin}/lti/1.3/launch`;
  }

  /**
   * Handles a login initiation; returns the platform auth URL to send the browser to (302), or with
   * `storage` what the login page must store in the platform's frame first (storage-target.ts).
   * Throws Lti13Error (4xx, no redirect).
   */
  async login(params: LoginInitiation): Promise<{ redirect: string; storage: StoragePut | null }> {
    const now = this.now();
    await this.cleanUp(now);
    // Echoed into the redirect's URL: a form post could otherwise make a Location of 256 KiB.
    const long = Object.entries(params).find(([, value]) => typeof value === 'string' && value.length > MAX_PARAM_CHARS);
    if (long) throw new Lti13Error('LTI13_MALFORMED', `login initiation ${long[0]} is ${long[1]!.length} characters`);
    const iss = params.iss?.trim() ?? '';
    const loginHint = params.login_hint ?? '';
    const target = params.target_link_uri ?? '';
    if (!iss || !loginHint || !target) {
      throw new Lti13Error('LTI13_MALFORMED', `login initiation without ${['iss', 'login_hint', 'target_link_uri'].filter((n) => !params[n as keyof LoginInitiation]).join(', ')}`, {
        message: 'This LTI 1.3 sign-in is missing the issuer, login hint or target link. Please launch Lectern again from your course.',
      });
    }
    const storageTarget = storageFrameName(params.lti_storage_target);
    // Only Lectern's own pages are launch targets: the platform is told nothing else, and nothing else is opened after.
    if (!sameOrigin(target, this.publicOrigin)) {
      throw new Lti13Error('LTI13_CLAIM_INVALID', `target_link_uri ${target} is not on ${this.publicOrigin}`, {
        message: 'This LTI 1.3 link does not point to Lectern. Ask your administrator to check the tool URLs in the LMS.',
      });
    }
    const clientId = params.client_id?.trim() || null;
    const found = await new LaunchRepository(this.db).findByIssuerPlatformWide(iss, clientId);
    if (!found.length) {
      const known = clientId !== null && (await new LaunchRepository(this.db).findByIssuerPlatformWide(iss, null)).length > 0;
      throw known
        ? new Lti13Error('LTI13_WRONG_AUDIENCE', `no registration of ${iss} with client id ${clientId}`, {
            message: 'This LMS client is not registered with Lectern. Ask your administrator to check the client ID of the platform registration.',
          })
        : new Lti13Error('LTI13_WRONG_ISSUER', `no registration for issuer ${iss}`, { message: 'This LMS is not registered with Lectern. Ask your administrator to add it as an LTI 1.3 platform.' });
    }
    const deploymentId = params.lti_deployment_id;
    const candidates = deploymentId ? found.filter((p) => deploymentIds(p).includes(deploymentId)) : found;
    if (!candidates.length) throw new Lti13Error('LTI13_UNKNOWN_DEPLOYMENT', `deployment ${deploymentId} not registered for ${iss}`);
    if (candidates.length > 1) {
      throw new Lti13Error('LTI13_MALFORMED', `issuer ${iss} has ${candidates.length} registrations and the login names no client id`, {
        message: 'This LMS has several registrations in Lectern and did not say which one: ask your administrator to have the LMS send its client ID.',
      });
    }
    const platform = candidates[0]!;
    const { state, nonce } = await new LoginStates(new LoginStateRepository(this.db)).issue(platform.id, target, now, storageTarget);
    const url = new URL(platform.auth_login_url);
    const query: Record<string, string> = {
      scope: 'openid',
      response_type: 'id_token',
      response_mode: 'form_post',
      prompt: 'none',
      client_id: platform.client_id,
      redirect_uri: this.launchUrl,
      login_hint: loginHint,
      state,
      nonce,
    };
    if (params.lti_message_hint !== undefined) query.lti_message_hint = params.lti_message_hint;
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    const storage = storageTarget ? { target: storageTarget, origin: storageOrigin(platform.auth_login_url), key: storageKey(state), value: state, redirect: url.href } : null;
    return { redirect: url.href, storage };
  }

  /**
   * Handles the platform's form post (id_token, state): a session or a ticket into the reader, or the
   * title picker; for a login kept in platform storage, first the check page, whose post (`storage`)
   * then launches. Throws Lti13Error or LaunchError.
   */
  async launch(form: { id_token?: string; state?: string; storage?: StorageFields }, client: LaunchClient): Promise<LaunchOutcome | DeepLinkOutcome | StorageCheck> {
    const now = this.now();
    if (!form.id_token || !form.state) throw new Lti13Error('LTI13_MALFORMED', `form without ${form.id_token ? 'state' : 'id_token'}`);
    // A state serves one post, even a refused one. An ordinary login is read here and taken in the
    // transaction that signs the person in (one commit, not two: PostgreSQL syncs each), or alone by
    // a refusal on the way (spend). A storage login's two posts: see LoginStates.claim.
    const states = new LoginStates(new LoginStateRepository(this.db));
    // The route always passes `storage`; only a marker makes it the check page's post.
    const read = form.storage?.marker !== undefined ? null : await states.read(form.state, now);
    const spend = async (err: Error): Promise<never> => {
      if (read) await states.takeRead(form.state!, now);
      throw err;
    };
    const claim = read ? { kind: 'taken' as const, login: read } : await states.claim(form.state, form.storage?.marker, now);
    if (!claim) {
      throw new Lti13Error('LTI13_NONCE', 'state unknown, used or expired', {
        message: USED_STATE_MESSAGE,
      });
    }
    const login = claim.login;
    const platform = await new LaunchRepository(this.db).findByIdPlatformWide(login.platformId);
    if (!platform) return spend(new Lti13Error('LTI13_WRONG_ISSUER', `platform ${login.platformId} of the state is gone`));
    if (claim.kind === 'check') {
      const origin = storageOrigin(platform.auth_login_url);
      return { kind: 'storage-check', target: login.storageTarget!, origin, key: storageKey(form.state), idToken: form.id_token, state: form.state, marker: claim.marker };
    }
    if (login.storageTarget) assertStorageChecked(form.storage, form.state);
    const verified = await verifyIdToken(form.id_token, {
      registration: { issuer: platform.issuer, clientId: platform.client_id, deploymentIds: deploymentIds(platform) },
      keys: this.keys.forUrl(platform.jwks_url),
      expectedNonce: login.nonce,
      targetLinkOrigin: this.publicOrigin,
      expectedTargetLinkUri: login.targetLinkUri,
      now,
    }).catch(spend);
    const refuse: Refuse = (code, log) => new LaunchError(code, verified.returnUrl, log);
    if (platform.customer_status !== 'active') return spend(refuse('CUSTOMER_DISABLED', `customer ${platform.customer_id} is disabled`));
    const usedMeanwhile = () => new Lti13Error('LTI13_NONCE', 'state used by another post meanwhile', { message: USED_STATE_MESSAGE });
    if (verified.messageType === 'LtiDeepLinkingRequest') {
      if (read && !(await states.takeRead(form.state, now))) throw usedMeanwhile();
      return openDeepLink(this.db, platform, verified, launchRole13(verified.roles), now);
    }
    const launch = verified;
    // A refusal commits, so that the login taken with it stays used.
    const isRefusal = (err: unknown) => err instanceof LaunchError || err instanceof Lti13Error;
    let contextRowId: string | null = null;
    const outcome = await commitThroughRefusals(
      this.db,
      null,
      async (trx) => {
        if (read && !(await new LoginStates(new LoginStateRepository(trx)).takeRead(form.state!, now))) throw usedMeanwhile();
        const iso = now.toISOString();
        const user = await this.resolveUser(trx, platform, launch, iso, refuse);
        // The course, for Sync from LMS (NRPS); an unusable claim is ignored, never a refusal.
        if (launch.context && launch.nrps?.serviceVersions.includes('2.0')) {
          const title = launch.context.title || launch.context.label || launch.context.id;
          contextRowId = await rememberContext(trx, {
            customerId: platform.customer_id,
            platformId: platform.id,
            contextId: launch.context.id,
            title,
            membershipsUrl: launch.nrps.contextMembershipsUrl,
          });
        }
        const target = await resolveLaunchTarget(trx, this.canRead, platform.customer_id, user, { bookId: launch.custom.bookid, collectionId: launch.custom.collectionid }, refuse);
        // Where progress goes as AGS scores (none without the score scope or a line item to use).
        await bindScores(trx, { customerId: platform.customer_id, platformId: platform.id, userId: user.id, target, launch, now: iso });
        return openReader(trx, platform.customer_id, user, client, target, iso);
      },
      isRefusal,
    );
    // Only once the launch stands; afterLaunch returns at once and never throws (sync-on-launch.ts).
    if (contextRowId) this.opts.syncOnLaunch?.afterLaunch({ customerId: platform.customer_id, contextRowId, role: launchRole13(launch.roles) });
    return outcome;
  }

  // The claims of the launching person, resolved by the rules LTI 1.1 shares (src/lti/identity.ts).
  private resolveUser(db: Kysely<Database>, platform: LaunchPlatform, launch: ResourceLinkLaunch, now: string, refuse: Refuse): Promise<User> {
    const matchWith = platform.match_with;
    const policy = { customerId: platform.customer_id, unmatchedUsers: platform.lti_unmatched_users, matchWith, suffix: platform.suffix };
    const person = { guid: launch.issuer, userId: launch.sub, matchValue: matchWith ? matchSource(launch, matchWith) : '', profile: ltiProfile(launch) };
    return resolveLaunchUser(db, policy, person, now, refuse);
  }

  // Unfinished logins go at most every ten minutes, on whichever login comes along.
  private async cleanUp(now: Date): Promise<void> {
    if (now.getTime() < this.nextCleanupAt) return;
    this.nextCleanupAt = now.getTime() + CLEANUP_EVERY_MS;
    await new LoginStateRepository(this.db).deleteExpired(now.toISOString());
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }
}

function deploymentIds(platform: LaunchPlatform): string[] {
  const parsed: unknown = JSON.parse(platform.deployment_ids);
  return Array.isArray(parsed) ? parsed.filter((d): d is string => typeof d === 'string') : [];
}

function sameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}

// The claims each Match with rule reads, first non-empty wins: the LTI 1.3 counterparts of 1.1's parameters.
function matchSource(launch: ResourceLinkLaunch, matchWith: MatchWith): string {
  const ext = launch.claims['https://purl.imsglobal.org/spec/lti/claim/ext'];
  const extUsername = ext && typeof ext === 'object' ? (ext as Record<string, unknown>).user_username : undefined;
  const candidates: Record<MatchWith, unknown[]> = {
    sourcedId: [launch.personSourcedId, launch.custom.person_sourcedid],
    identifier: [launch.personSourcedId, launch.custom.identifier, launch.custom.student_number],
    username: [launch.preferredUsername, extUsername, launch.custom.canvas_user_login_id, launch.custom.username],
    email: [launch.email],
  };
  for (const value of candidates[matchWith]) if (typeof value === 'string' && value.trim()) return value.trim();
  return '';
}

// What an LTI-only account shows of the LMS person; the LMS email stays in metadata (see README).
function ltiProfile(launch: ResourceLinkLaunch): LtiProfile {
  let given = launch.givenName?.trim() ?? '';
  let family = launch.familyName?.trim() ?? '';
  if (!given && !family) {
    const parts = (launch.name ?? '').trim().split(/\s+/).filter(Boolean);
    given = parts.slice(0, -1).join(' ') || (parts[0] ?? '');
    family = parts.length > 1 ? (parts.at(-1) ?? '') : '';
  }
  return {
    given_name: given.slice(0, 100),
    family_name: family.slice(0, 100),
    role: launchRole13(launch.roles),
    username: matchSource(launch, 'username').slice(0, 200),
    metadata: JSON.stringify({ lti: { userId: launch.sub, consumerGuid: launch.issuer, email: launch.email ?? '', sourcedId: launch.personSourcedId ?? '' } }),
  };
}
