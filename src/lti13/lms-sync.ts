/*
 * Class rosters from the LMS (NRPS 2.0): remembering the memberships service of a context at launch,
 * and pulling a context's members as a roster run (nrps-source.ts) on demand: from the Class page
 * (`POST /api/customers/:id/classes/:classId/lms-sync`) or `lectern sync lms`, and after a teacher's
 * launch when the customer asks for it (sync-on-launch.ts). A pull is a run like any sync (same engine,
 * safeguards, history and report), one at a time per customer.
 */
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import { AccessRepository } from '../accounts/access-repository.js';
import { requireAccess, type Actor } from '../accounts/policy.js';
import { CustomerRepository } from '../customers/customer-repository.js';
import type { Database } from '../db/schema.js';
import { AppError, notFound } from '../errors.js';
import { LinkRepository } from '../lti/link-repository.js';
import type { RosterRunService } from '../rostering/runs/run-service.js';
import type { RunView } from '../rostering/runs/run-view.js';
import type { MatchWith } from '../rostering/sync/matching.js';
import type { OutboundClient } from '../security/outbound.js';
import { nowIso } from '../time.js';
import type { PlatformTokens } from './access-token.js';
import { ContextRepository, type ContextWithPlatform } from './context-repository.js';
import { MEMBERSHIPS_SCOPE, type MembershipLimits } from './memberships.js';
import { contextClassSourcedId, membershipSource, type EnrolledMember } from './nrps-source.js';

/** Access tokens for LTI Advantage services: PlatformTokens, or a stand-in with its two methods (tests). */
export type PlatformTokenSource = Pick<PlatformTokens, 'token' | 'forget'>;

/** What a launch knows of its context: stored with rememberContext. */
export interface LaunchContext {
  customerId: string;
  platformId: string;
  contextId: string;
  title: string;
  membershipsUrl: string;
}

/** What the Class page shows of a class's LMS course: null when the class did not come from an LMS. */
export interface LmsContextView {
  contextId: string;
  title: string;
  issuer: string;
  /** The host the members are read from. */
  host: string;
}

/**
 * Remembers (or refreshes) the context of a verified launch that carried the NRPS claim, inside the
 * launch's transaction; returns the context's row id, or null when the claim is unusable (a
 * memberships URL that is not http(s), a context id that is empty or over 255 characters): a launch
 * never fails for it. The class the context stands for is created by its first pull. The URL is
 * called only through the guarded outbound client.
 */
export async function rememberContext(trx: Kysely<Database>, c: LaunchContext): Promise<string | null> {
  if (!c.contextId || c.contextId.length > 255 || c.membershipsUrl.length > 2048 || !URL.canParse(c.membershipsUrl) || !/^https?:$/.test(new URL(c.membershipsUrl).protocol)) return null;
  const contexts = new ContextRepository(trx);
  const title = c.title.slice(0, 256);
  // Most launches come from a course already known, as it was: one read, no write on the launch's path.
  const known = await contexts.findLaunched(c.customerId, c.platformId, c.contextId);
  if (known && known.title === title && known.memberships_url === c.membershipsUrl) return known.id;
  const platform = await contexts.findPlatform(c.customerId, c.platformId);
  if (!platform) throw notFound('Platform');
  return contexts.upsert({
    id: crypto.randomUUID(),
    customer_id: c.customerId,
    platform_id: c.platformId,
    context_id: c.contextId,
    title,
    memberships_url: c.membershipsUrl,
    class_sourced_id: contextClassSourcedId(platform.issuer, c.contextId),
    now: nowIso(),
  });
}

/** What LmsRosterSync needs: the database, the run service, the outbound client and the token source. */
export interface LmsRosterSyncDeps {
  db: Kysely<Database>;
  runs: RosterRunService;
  outbound: Pick<OutboundClient, 'request'>;
  tokens: PlatformTokenSource;
  limits?: MembershipLimits;
}

/** Pulls of LMS course rosters (see the top of this file). */
export class LmsRosterSync {
  constructor(private readonly deps: LmsRosterSyncDeps) {}

  /** The LMS course of a class, or null when the class did not come from one (customer and platform admins). */
  async contextOfClass(actor: Actor, customerId: string, classId: string): Promise<LmsContextView | null> {
    await requireAccess(new AccessRepository(this.deps.db), actor, 'customer.console', { customerId, class: classId });
    const context = await new ContextRepository(this.deps.db).findByClass(customerId, classId);
    return context ? { contextId: context.context_id, title: context.title, issuer: context.issuer, host: new URL(context.memberships_url).host } : null;
  }

  /**
   * Sync from LMS for a class (customer and platform admins): records a queued run at once and pulls
   * in the background; follow it at …/roster/runs/:runId. SYNC_NO_SOURCE when the class has no LMS
   * course, SYNC_IN_PROGRESS while another sync of the customer is queued or running.
   */
  async requestForClass(actor: Actor, customerId: string, classId: string): Promise<RunView> {
    const context = await this.classContext(actor, customerId, classId);
    const run = await this.queue(actor, customerId, context);
    void this.execute(customerId, run.runId, context).catch((err: unknown) => console.error(`${nowIso()} [lms-sync] run=${run.runId} failed to start:`, err));
    return run;
  }

  /** Pulls a class's members now, in this process, and returns the ended run (`lectern sync lms`). */
  async pullClassNow(actor: Actor, customerId: string, classId: string): Promise<RunView> {
    const context = await this.classContext(actor, customerId, classId);
    return this.execute(customerId, (await this.queue(actor, customerId, context)).runId, context);
  }

  /** Pulls a remembered context's members now (its first pull creates its class); `contextRowId` is rememberContext's id. */
  async pullContextNow(actor: Actor, customerId: string, contextRowId: string): Promise<RunView> {
    await requireAccess(new AccessRepository(this.deps.db), actor, 'customer.settings', { customerId });
    const context = await new ContextRepository(this.deps.db).find(customerId, contextRowId);
    if (!context) throw notFound('LMS course');
    return this.execute(customerId, (await this.queue(actor, customerId, context)).runId, context);
  }

  // A sync changes the roster: customer and platform admins, as Sync with OneRoster.
  private async classContext(actor: Actor, customerId: string, classId: string): Promise<ContextWithPlatform> {
    await requireAccess(new AccessRepository(this.deps.db), actor, 'customer.settings', { customerId, class: classId });
    const context = await new ContextRepository(this.deps.db).findByClass(customerId, classId);
    if (!context) throw new AppError('SYNC_NO_SOURCE', 'This class did not come from an LMS course, so there is no LMS roster to pull.');
    return context;
  }

  private async queue(actor: Actor, customerId: string, context: ContextWithPlatform): Promise<RunView> {
    const active = await new ContextRepository(this.deps.db).activeRun(customerId);
    if (active) throw new AppError('SYNC_IN_PROGRESS', `A roster sync of this customer is already ${active.status} (run ${active.id}); wait for it to finish.`);
    const fileName = `${new URL(context.memberships_url).host}: ${context.title || context.context_id}`.slice(0, 255);
    return this.deps.runs.create(actor, customerId, { trigger: 'lms', fileName, sizeBytes: 0, sha256: '', bundlePath: null, dryRun: false });
  }

  // Runs a queued pull to its end; an applied one then links the LMS users to their accounts.
  private async execute(customerId: string, runId: string, context: ContextWithPlatform): Promise<RunView> {
    const { db, runs, tokens } = this.deps;
    const customer = await new CustomerRepository(db).find(customerId);
    if (!customer) return runs.fail(runId, 'NOT_FOUND', 'The customer is gone.');
    const r = customer.rostering;
    const platform = { id: context.platform_id, clientId: context.client_id, authTokenUrl: context.auth_token_url };
    const source = membershipSource(db, {
      customerId,
      context,
      matching: { matchWith: (r.match_with ?? 'sourcedId') as MatchWith, suffix: r.suffix },
      outbound: this.deps.outbound,
      auth: { token: () => tokens.token(platform, [MEMBERSHIPS_SCOPE]), renew: () => tokens.forget(platform.id) },
      limits: this.deps.limits,
    });
    const run = await runs.execute(runId, customerId, source);
    if (run.status === 'succeeded' || run.status === 'succeeded_with_warnings') await linkMembers(db, customerId, context.issuer, source.enrolled);
    return run;
  }
}

/**
 * Remembers (customer, issuer, sub) → account for every member a pull enrolled, so their next launch
 * finds them at once. A member whose launches had made an LTI-only account hands it over to the
 * rostered one (reading progress, assignments, outcome bindings), as a launch that matches does.
 */
async function linkMembers(db: Kysely<Database>, customerId: string, issuer: string, members: EnrolledMember[]): Promise<void> {
  if (!members.length) return;
  const now = nowIso();
  await db.transaction().execute(async (trx) => {
    const links = new LinkRepository(trx);
    const accounts = new Map((await new ContextRepository(trx).accountsBySourcedId(customerId, [...new Set(members.map((m) => m.sourcedId))])).map((a) => [a.sourced_id, a]));
    for (const m of members) {
      const account = accounts.get(m.sourcedId);
      // A row the plan skipped (a protected account, a login clash) made no account to link.
      if (!account || account.status !== 'active') continue;
      const linked = await links.findLinkedUser(customerId, issuer, m.userId);
      if (linked?.id === account.id) continue;
      if (linked?.source === 'lti') await links.mergeInto(customerId, linked.id, account.id, now);
      await links.saveLink(customerId, issuer, m.userId, account.id, now);
    }
  });
}
