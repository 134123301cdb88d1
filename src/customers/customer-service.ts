import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import { newUserRecord } from '../accounts/account-service.js';
import { assertCustomerAccess, assertPlatformAdmin, assertWholeCustomerAccess, type Actor } from '../accounts/policy.js';
import { SessionRepository } from '../accounts/session-repository.js';
import { UserRepository } from '../accounts/user-repository.js';
import { AuditService } from '../audit/audit-service.js';
import type { Customer, Database, LtiPlatform, RosteringConfig } from '../db/schema.js';
import { notFound, validationError, type FieldIssue } from '../errors.js';
import { PlatformRepository } from '../lti13/platform-repository.js';
import { ErasureRepository } from '../privacy/erasure/erasure-repository.js';
import { canonicalTimeZone } from '../rostering/schedule.js';
import { feedStatuses } from '../rostering/scheduler-feeds.js';
import { hashPassword, passwordProblem } from '../security/passwords.js';
import type { SecretBox } from '../security/secret-box.js';
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import { STRICT_OUTBOUND, type OutboundPolicy } from '../security/outbound.js';
import { randomToken, tokenDigest } from '../security/tokens.js';
import { nowIso } from '../time.js';
import { assertMatches } from '../validation.js';
import { launchUrl, presentCustomer, registrationUrl, toolValues } from './customer-presenter.js';
import { CustomerRepository, resolveCustomerId, type CustomerListQuery, type CustomerRecord } from './customer-repository.js';
import { checkRostering, checkTimeZone, type RosteringSettings, type StoredSecrets } from './customer-rules.js';
import { CustomerCreateBody, CustomerPatchBody, type CustomerCreateInput, type CustomerPatchInput, type CustomerViewT, type LtiToolViewT, type RosteringInput } from './customer-schema.js';
import { checkPlatforms, usesLti13, type PlatformSettings } from './lti13-rules.js';

/** How long a Dynamic Registration URL's one-time token lives: long enough for an LMS admin to get to it. */
export const REGISTRATION_TOKEN_TTL_MS = 72 * 60 * 60 * 1000;

/** A freshly minted Dynamic Registration URL (its secret is shown now only). */
export interface RegistrationLink {
  registrationUrl: string;
  expiresAt: string;
}

/** The LTI 1.1 credentials an LMS needs; the shared secret is shown only when created or rotated. */
export interface LtiCredentials {
  version: string;
  consumerKey: string;
  sharedSecret: string;
  launchUrl: string;
}

/** Adding, editing, listing and disabling customers, with their rostering and LTI settings. */
export class CustomerService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly secrets: SecretBox,
    private readonly publicUrl: string,
    private readonly outbound: OutboundPolicy = STRICT_OUTBOUND,
  ) {}

  // Plain http reaches only what the operator allowed (LECTERN_OUTBOUND_ALLOW), as the outbound client decides.
  private readonly allowsHttp = (hostname: string): boolean => allowsPlainHttp(this.outbound, hostname);

  /**
   * Adds a customer with its administrator account, fresh LTI 1.1 credentials and its LTI 1.3 platform
   * registrations, all or nothing. An LTI 1.3 customer's response carries the tool values with a
   * minted Dynamic Registration URL.
   */
  async create(actor: Actor, input: unknown): Promise<Omit<CustomerViewT, 'lti'> & { lti: LtiCredentials & Omit<CustomerViewT['lti'], keyof LtiCredentials> & { sharedSecretSet: true } }> {
    assertPlatformAdmin(actor);
    assertMatches<CustomerCreateInput>(CustomerCreateBody, input);
    const issues: FieldIssue[] = [];
    if (input.acceptTerms !== true) {
      issues.push({ field: 'acceptTerms', message: 'Accept the Privacy Policy and Terms of Service to add a customer.', code: 'terms_not_accepted' });
    }
    checkTimeZone(input.profile.timeZone, issues);
    const passwordIssue = passwordProblem(input.administrator.password, { login: input.administrator.email, email: input.administrator.email });
    if (passwordIssue) issues.push({ field: 'administrator.password', message: passwordIssue, code: 'weak_password' });
    const settings = checkRostering(input.rostering, { apiSecret: false, sftpPassword: false, sftpPrivateKey: false }, issues);
    const platformSettings = checkPlatforms(input.lti.version, input.lti.platforms ?? [], this.allowsHttp, issues);
    const customers = new CustomerRepository(this.db);
    const users = new UserRepository(this.db);
    await this.checkUnique(customers, users, { code: input.profile.code, clientPartnerId: settings.clientPartnerId, adminEmail: input.administrator.email }, issues);
    await this.checkPlatformsFree(platformSettings, undefined, issues);
    if (issues.length) throw validationError(issues);

    const id = crypto.randomUUID();
    const now = nowIso();
    const sharedSecret = randomToken(24);
    const consumerKey = `${input.profile.code}-${crypto.randomBytes(4).toString('hex')}`;
    const admin = newUserRecord({
      role: 'customer_admin',
      customerId: id,
      login: input.administrator.email,
      email: input.administrator.email,
      givenName: input.administrator.firstName.trim(),
      familyName: input.administrator.lastName.trim(),
      phone: input.administrator.phone ?? '',
      passwordHash: await hashPassword(input.administrator.password),
      // The enterprise admin typed this password: its owner chooses their own at first sign-in.
      mustChangePassword: true,
      source: 'manual',
    });
    const customer: Customer = {
      id,
      code: input.profile.code,
      name: input.profile.name.trim(),
      time_zone: canonicalTimeZone(input.profile.timeZone),
      status: 'active',
      admin_user_id: admin.id,
      admin_first_name: admin.given_name,
      admin_last_name: admin.family_name,
      admin_email: admin.email,
      admin_phone: admin.phone,
      ...addressColumns(input.address),
      lti_version: input.lti.version,
      lti_consumer_key: consumerKey,
      lti_shared_secret_enc: this.secrets.seal(sharedSecret, secretContext(id, 'lti_shared_secret')),
      lti_unmatched_users: input.lti.unmatchedUsers ?? 'create',
      lti_sync_roster_on_launch: input.lti.syncRosterOnLaunch ? 1 : 0,
      terms_accepted_at: now,
      terms_accepted_by: actor.userId,
      created_at: now,
      updated_at: now,
    };
    const rostering = this.rosteringRow(id, settings, null, now);
    const { rows: platforms } = planPlatforms(id, [], platformSettings, now);
    const link = usesLti13(customer.lti_version) ? this.newRegistrationLink(customer.code, now) : null;
    await this.db
      .transaction()
      .execute(async (trx) => {
        await new CustomerRepository(trx).insert(customer, rostering);
        await new UserRepository(trx).insert(admin);
        const platformRepo = new PlatformRepository(trx);
        for (const p of platforms) await platformRepo.insert(p);
        if (link) await platformRepo.replaceRegistrationToken(id, link.tokenHash, now, link.expiresAt);
        await new AuditService(trx).record(actor, { customerId: id, action: 'customer.created', targetType: 'customer', targetId: id, fields: [] });
      })
      .catch((err: unknown) => {
        throw uniqueViolationToValidation(err);
      });
    const view = presentCustomer({ customer, rostering, platforms }, this.publicUrl);
    const tool: LtiToolViewT | null = link ? toolValues(this.publicUrl, link.registrationUrl) : null;
    return { ...view, lti: { ...view.lti, consumerKey, sharedSecret, sharedSecretSet: true, tool } };
  }

  /** One customer as the actor may see it. */
  async get(actor: Actor, id: string): Promise<CustomerViewT> {
    assertWholeCustomerAccess(actor, id, 'profile');
    const record = await this.load(actor, id);
    return presentCustomer(record, this.publicUrl, new Date(), (await feedStatuses(this.db, [id])).get(id));
  }

  /** The platform's customers, with search and paging. */
  async list(actor: Actor, q: CustomerListQuery): Promise<{ items: CustomerViewT[]; total: number }> {
    assertPlatformAdmin(actor);
    const { items, total } = await new CustomerRepository(this.db).listPlatformWide(q);
    const now = new Date();
    const feeds = await feedStatuses(
      this.db,
      items.map((r) => r.customer.id),
    );
    return { items: items.map((r) => presentCustomer(r, this.publicUrl, now, feeds.get(r.customer.id))), total };
  }

  /** Resolves a customer id or code (CLI `--customer`) to its id. */
  resolveId(idOrCode: string): Promise<string> {
    return resolveCustomerId(this.db, idOrCode);
  }

  /** Edits a customer; fields left out keep their values, and secrets left empty are kept. */
  async update(actor: Actor, id: string, input: unknown): Promise<CustomerViewT> {
    assertPlatformAdmin(actor);
    assertMatches<CustomerPatchInput>(CustomerPatchBody, input);
    const current = await this.load(actor, id);
    const view = presentCustomer(current, this.publicUrl);
    const issues: FieldIssue[] = [];
    const profile = { ...view.profile, ...input.profile };
    const administrator = { ...view.administrator, ...input.administrator };
    const address = { ...view.address, ...input.address };
    if (input.profile?.timeZone !== undefined) checkTimeZone(profile.timeZone, issues);
    const rosteringInput: RosteringInput = mergeRostering(view, input.rostering);
    const stored: StoredSecrets = {
      apiSecret: Boolean(current.rostering.api_secret_enc),
      sftpPassword: Boolean(current.rostering.sftp_password_enc),
      sftpPrivateKey: Boolean(current.rostering.sftp_private_key_enc),
      suffix: current.rostering.suffix,
    };
    const settings = checkRostering(rosteringInput, stored, issues);
    const ltiVersion = input.lti?.version ?? current.customer.lti_version;
    const customers = new CustomerRepository(this.db);
    const users = new UserRepository(this.db);
    // Without a list the stored registrations stay as they are, unchecked (editing an address must not
    // fail on an allow-list changed since), except that a move back to 1.1 must remove them.
    const storedPlatforms: PlatformSettings[] = view.lti.platforms.map(({ issuer, clientId, deploymentIds, authLoginUrl, authTokenUrl, jwksUrl }) => ({
      issuer,
      clientId,
      deploymentIds,
      authLoginUrl,
      authTokenUrl,
      jwksUrl,
    }));
    const platformSettings = input.lti?.platforms ? checkPlatforms(ltiVersion, input.lti.platforms, this.allowsHttp, issues) : storedPlatforms;
    if (input.lti?.platforms) await this.checkPlatformsFree(platformSettings, id, issues);
    else if (storedPlatforms.length && !usesLti13(ltiVersion)) checkPlatforms(ltiVersion, storedPlatforms, this.allowsHttp, issues);
    await this.checkUnique(
      customers,
      users,
      {
        code: profile.code !== view.profile.code ? profile.code : undefined,
        clientPartnerId: settings.clientPartnerId,
        adminEmail: administrator.email.toLowerCase() !== view.administrator.email ? administrator.email : undefined,
        exceptId: id,
      },
      issues,
    );
    if (issues.length) throw validationError(issues);

    const now = nowIso();
    const customerPatch = {
      code: profile.code,
      name: profile.name.trim(),
      time_zone: input.profile?.timeZone !== undefined ? canonicalTimeZone(profile.timeZone) : profile.timeZone,
      status: input.status ?? current.customer.status,
      admin_first_name: administrator.firstName.trim(),
      admin_last_name: administrator.lastName.trim(),
      admin_email: administrator.email.toLowerCase(),
      admin_phone: administrator.phone ?? '',
      ...addressColumns(address),
      lti_version: ltiVersion,
      lti_unmatched_users: input.lti?.unmatchedUsers ?? current.customer.lti_unmatched_users,
      lti_sync_roster_on_launch: input.lti?.syncRosterOnLaunch === undefined ? current.customer.lti_sync_roster_on_launch : Number(input.lti.syncRosterOnLaunch),
      updated_at: now,
    };
    const rostering = this.rosteringRow(id, settings, current.rostering, now);
    const plan = planPlatforms(id, current.platforms, platformSettings, now);
    const after: CustomerRecord = { customer: { ...current.customer, ...customerPatch }, rostering, platforms: plan.rows };
    const changed = changedFields(view, presentCustomer(after, this.publicUrl), settings);
    if (!changed.length) return this.get(actor, id);

    await this.db
      .transaction()
      .execute(async (trx) => {
        await new CustomerRepository(trx).update(id, customerPatch, rostering);
        const platformRepo = new PlatformRepository(trx);
        await platformRepo.delete(id, plan.removed);
        for (const p of plan.rows) {
          if (plan.added.has(p.id)) await platformRepo.insert(p);
          else if (plan.changed.has(p.id)) await platformRepo.update(id, p.id, p, now);
        }
        if (current.customer.admin_user_id) {
          await new UserRepository(trx).updateInCustomer(id, current.customer.admin_user_id, {
            given_name: customerPatch.admin_first_name,
            family_name: customerPatch.admin_last_name,
            email: customerPatch.admin_email,
            login: customerPatch.admin_email,
            phone: customerPatch.admin_phone,
            updated_at: now,
          });
        }
        // Disabling ends every session of the customer's people at once, not at their next expiry.
        if (customerPatch.status === 'disabled' && current.customer.status !== 'disabled') {
          await new SessionRepository(trx).deleteSessionsOfCustomer(id);
        }
        // Disabling starts the offboarding period (privacy/erasure); enabling stops it.
        if (customerPatch.status !== current.customer.status) await new ErasureRepository(trx).statusChanged(id, customerPatch.status, now);
        const action = customerPatch.status !== current.customer.status ? `customer.${customerPatch.status === 'disabled' ? 'disabled' : 'enabled'}` : 'customer.updated';
        await new AuditService(trx).record(actor, { customerId: id, action, targetType: 'customer', targetId: id, fields: changed });
      })
      .catch((err: unknown) => {
        throw uniqueViolationToValidation(err);
      });
    return presentCustomer(after, this.publicUrl, new Date(), (await feedStatuses(this.db, [id])).get(id));
  }

  /** Replaces the customer's LTI shared secret; the new one is returned only now. */
  async rotateLtiSecret(actor: Actor, id: string): Promise<LtiCredentials> {
    assertPlatformAdmin(actor);
    const current = await this.load(actor, id);
    const sharedSecret = randomToken(24);
    await this.db.transaction().execute(async (trx) => {
      await new CustomerRepository(trx).update(id, { lti_shared_secret_enc: this.secrets.seal(sharedSecret, secretContext(id, 'lti_shared_secret')), updated_at: nowIso() });
      await new AuditService(trx).record(actor, { customerId: id, action: 'customer.lti_secret_rotated', targetType: 'customer', targetId: id, fields: ['lti.sharedSecret'] });
    });
    return { version: current.customer.lti_version, consumerKey: current.customer.lti_consumer_key, sharedSecret, launchUrl: launchUrl(this.publicUrl) };
  }

  /**
   * Mints a fresh Dynamic Registration URL; earlier unused ones stop working. Its one-time token is
   * stored as a digest and shown only in this answer. For a 1.1 customer it starts a move: the
   * registration that spends it makes the customer 'both' (it keeps its consumer key).
   */
  async mintRegistrationUrl(actor: Actor, id: string): Promise<RegistrationLink> {
    assertPlatformAdmin(actor);
    const current = await this.load(actor, id);
    const now = nowIso();
    const link = this.newRegistrationLink(current.customer.code, now);
    await this.db.transaction().execute(async (trx) => {
      await new PlatformRepository(trx).replaceRegistrationToken(id, link.tokenHash, now, link.expiresAt);
      await new AuditService(trx).record(actor, { customerId: id, action: 'customer.lti13_registration_url_minted', targetType: 'customer', targetId: id, fields: [] });
    });
    return { registrationUrl: link.registrationUrl, expiresAt: link.expiresAt };
  }

  /** The customer's audit trail, newest first. */
  async auditTrail(actor: Actor, id: string, limit: number, offset: number) {
    assertWholeCustomerAccess(actor, id, 'audit');
    await this.load(actor, id);
    const rows = await new AuditService(this.db).listForCustomer(id, limit, offset);
    return rows.map((r) => ({ id: r.id, at: r.at, actor: r.actor_label, action: r.action, targetType: r.target_type, targetId: r.target_id, fields: JSON.parse(r.fields) as string[] }));
  }

  private async load(actor: Actor, id: string): Promise<CustomerRecord> {
    assertCustomerAccess(actor, id);
    const record = await new CustomerRepository(this.db).find(id);
    if (!record) throw notFound('Customer');
    return record;
  }

  private newRegistrationLink(customerCode: string, now: string): RegistrationLink & { tokenHash: string } {
    const token = randomToken(24);
    return { registrationUrl: registrationUrl(this.publicUrl, customerCode, token), tokenHash: tokenDigest(token), expiresAt: new Date(Date.parse(now) + REGISTRATION_TOKEN_TTL_MS).toISOString() };
  }

  // A launch finds its registration by (issuer, client id): one customer may hold each pair.
  private async checkPlatformsFree(platforms: PlatformSettings[], exceptId: string | undefined, issues: FieldIssue[]): Promise<void> {
    const repo = new PlatformRepository(this.db);
    for (const [i, p] of platforms.entries()) {
      const holder = await repo.customerOfPlatformWide(p.issuer, p.clientId);
      if (holder && holder !== exceptId) issues.push({ field: `lti.platforms.${i}.clientId`, message: 'Another customer already registered this client id of this issuer.', code: 'duplicate' });
    }
  }

  private async checkUnique(
    customers: CustomerRepository,
    users: UserRepository,
    values: { code?: string; clientPartnerId?: string | null; adminEmail?: string; exceptId?: string },
    issues: FieldIssue[],
  ): Promise<void> {
    const holder = values.code ? await customers.idByCodePlatformWide(values.code) : undefined;
    if (holder && holder !== values.exceptId) {
      issues.push({ field: 'profile.code', message: 'Another customer already uses this code.', code: 'duplicate' });
    }
    if (values.clientPartnerId && (await customers.clientPartnerIdTakenPlatformWide(values.clientPartnerId, values.exceptId))) {
      issues.push({ field: 'rostering.clientPartnerId', message: 'Another customer already uses this Client Partner ID.', code: 'duplicate' });
    }
    if (values.adminEmail && (await users.findByLoginPlatformWide(values.adminEmail))) {
      issues.push({ field: 'administrator.email', message: 'An account with this email already exists.', code: 'duplicate' });
    }
  }

  private rosteringRow(customerId: string, s: RosteringSettings, current: RosteringConfig | null, now: string): RosteringConfig {
    const seal = (value: string | undefined, field: 'api_secret' | 'sftp_password' | 'sftp_private_key', keep: string | null | undefined): string | null => {
      if (value) return this.secrets.seal(value, secretContext(customerId, field));
      return keep ?? null;
    };
    const usesSftp = s.type === 'oneroster' && s.syncType === 'sftp';
    const usesApi = s.type === 'oneroster' && s.syncType === 'api';
    return {
      customer_id: customerId,
      type: s.type,
      one_roster_version: s.oneRosterVersion,
      sync_type: s.syncType,
      match_with: s.matchWith,
      sync_frequency: s.syncFrequency,
      period: s.period,
      suffix: s.suffix,
      client_partner_id: s.clientPartnerId,
      authorization: s.authorization,
      api_consumer_key: s.apiConsumerKey,
      api_secret_enc: usesApi ? seal(s.apiSecret, 'api_secret', current?.api_secret_enc) : null,
      api_url: s.apiUrl,
      token_url: s.tokenUrl,
      scope: s.scope,
      sftp_host: s.sftpHost,
      sftp_port: s.sftpPort,
      sftp_username: s.sftpUsername,
      sftp_password_enc: usesSftp ? seal(s.sftpPassword, 'sftp_password', current?.sftp_password_enc) : null,
      sftp_private_key_enc: usesSftp ? seal(s.sftpPrivateKey, 'sftp_private_key', current?.sftp_private_key_enc) : null,
      sftp_path: s.sftpPath,
      sftp_file_name: s.sftpFileName,
      sftp_host_key_fingerprint: s.sftpHostKeyFingerprint,
      deletion_threshold_percent: s.deletionThresholdPercent,
      deletion_threshold_min: s.deletionThresholdMin,
      retention_days: s.retentionDays,
      updated_at: now,
    };
  }
}

/**
 * What storing `wanted` over `current` does: a registration of the same (issuer, client id) keeps its
 * id, origin and creation time and is changed if its fields differ; others are added (origin
 * 'console') or removed.
 */
function planPlatforms(customerId: string, current: LtiPlatform[], wanted: PlatformSettings[], now: string): { rows: LtiPlatform[]; added: Set<string>; changed: Set<string>; removed: string[] } {
  const byKey = new Map(current.map((p) => [`${p.issuer}\n${p.client_id}`, p]));
  const added = new Set<string>();
  const changed = new Set<string>();
  const rows = wanted.map((w): LtiPlatform => {
    const fields = {
      issuer: w.issuer,
      client_id: w.clientId,
      deployment_ids: JSON.stringify(w.deploymentIds),
      auth_login_url: w.authLoginUrl,
      auth_token_url: w.authTokenUrl,
      jwks_url: w.jwksUrl,
    };
    const old = byKey.get(`${w.issuer}\n${w.clientId}`);
    if (!old) {
      const id = crypto.randomUUID();
      added.add(id);
      return { id, customer_id: customerId, ...fields, origin: 'console', created_at: now, updated_at: now };
    }
    const same = (Object.keys(fields) as (keyof typeof fields)[]).every((k) => old[k] === fields[k]);
    if (same) return old;
    changed.add(old.id);
    return { ...old, ...fields, updated_at: now };
  });
  const kept = new Set(rows.map((r) => r.id));
  return { rows, added, changed, removed: current.filter((p) => !kept.has(p.id)).map((p) => p.id) };
}

/**
 * Whether the operator lets plain http reach `hostname`: a host named in LECTERN_OUTBOUND_ALLOW, or an
 * address inside one of its ranges. (A name is not resolved here: name it, or use the address.)
 */
function allowsPlainHttp(policy: OutboundPolicy, hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (policy.hosts.includes(host.replace(/\.$/, ''))) return true;
  if (!net.isIP(host)) return false;
  const address = ipaddr.process(host);
  return policy.ranges.some((range) => {
    const [base, bits] = ipaddr.parseCIDR(range);
    return base.kind() === address.kind() && address.match(base, bits);
  });
}

/** The AAD that binds a sealed secret to its customer and column. */
export function secretContext(customerId: string, field: 'lti_shared_secret' | 'api_secret' | 'sftp_password' | 'sftp_private_key'): string {
  return `customer:${customerId}:${field}`;
}

function addressColumns(a: CustomerCreateInput['address']) {
  return {
    address_line1: a.line1.trim(),
    address_line2: (a.line2 ?? '').trim(),
    address_city: a.city.trim(),
    address_region: (a.region ?? '').trim(),
    address_postal_code: (a.postalCode ?? '').trim(),
    address_country: a.country,
  };
}

// The stored settings as input again, with the patch laid over them (SFTP fields one by one).
function mergeRostering(view: CustomerViewT, patch: CustomerPatchInput['rostering']): RosteringInput {
  const r = view.rostering;
  const base: RosteringInput = {
    type: r.type as RosteringInput['type'],
    ...(r.oneRosterVersion ? { oneRosterVersion: r.oneRosterVersion as RosteringInput['oneRosterVersion'] } : {}),
    ...(r.syncType ? { syncType: r.syncType as RosteringInput['syncType'] } : {}),
    ...(r.matchWith ? { matchWith: r.matchWith as RosteringInput['matchWith'] } : {}),
    ...(r.syncFrequency ? { syncFrequency: r.syncFrequency as RosteringInput['syncFrequency'] } : {}),
    ...(r.period ? { period: r.period as RosteringInput['period'] } : {}),
    ...(r.authorization ? { authorization: r.authorization as RosteringInput['authorization'] } : {}),
    suffix: r.suffix,
    clientPartnerId: r.clientPartnerId ?? '',
    consumerKey: r.consumerKey,
    url: r.url,
    tokenUrl: r.tokenUrl,
    scope: r.scope,
    sftp: {
      host: r.sftp.host,
      ...(r.sftp.port !== null ? { port: r.sftp.port } : {}),
      username: r.sftp.username,
      path: r.sftp.path,
      fileName: r.sftp.fileName,
      hostKeyFingerprint: r.sftp.hostKeyFingerprint,
    },
    deletionThresholdPercent: r.deletionThresholdPercent,
    deletionThresholdMin: r.deletionThresholdMin,
    retentionDays: r.retentionDays,
  };
  if (!patch) return base;
  const { sftp, ...rest } = patch;
  return { ...base, ...rest, sftp: { ...base.sftp, ...sftp } } as RosteringInput;
}

// Names of the fields an edit changes, for the audit log. Secrets count as changed when replaced.
function changedFields(before: CustomerViewT, after: CustomerViewT, settings: RosteringSettings): string[] {
  const flat = (o: unknown, prefix = ''): Record<string, unknown> =>
    Object.entries(o as Record<string, unknown>).reduce<Record<string, unknown>>((acc, [k, v]) => {
      const key = prefix ? `${prefix}.${k}` : k;
      if (v && typeof v === 'object') Object.assign(acc, flat(v, key));
      else acc[key] = v;
      return acc;
    }, {});
  const a = flat(before);
  const b = flat(after);
  // Derived from the clock and the runs, not settings someone changed.
  const ignore = new Set(['updatedAt', 'rostering.nextRunAt', 'rostering.stale', 'rostering.lastSuccessAt']);
  // The tool values follow the version, and a registration's id and times are bookkeeping; a list's items count as the list.
  const derived = /^lti\.tool\.|^lti\.platforms\.\d+\.(id|origin|createdAt|updatedAt)$/;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  const changed = keys.filter((k) => !ignore.has(k) && !derived.test(k) && a[k] !== b[k]).map((k) => k.replace(/^(lti\.platforms\.\d+\.deploymentIds)\.\d+$/, '$1'));
  if (settings.apiSecret) changed.push('rostering.secretKey');
  if (settings.sftpPassword) changed.push('rostering.sftp.password');
  if (settings.sftpPrivateKey) changed.push('rostering.sftp.privateKey');
  return [...new Set(changed)];
}

// A race between two adds with the same code reaches the UNIQUE constraint: answer it as a field error.
function uniqueViolationToValidation(err: unknown): unknown {
  const message = err instanceof Error ? err.message : '';
  const code = (err as { code?: string }).code;
  if (code === '23505' || /UNIQUE constraint failed/.test(message)) {
    const field = /lti_platforms/.test(message)
      ? 'lti.platforms'
      : /code/.test(message)
        ? 'profile.code'
        : /client_partner_id/.test(message)
          ? 'rostering.clientPartnerId'
          : /login/.test(message)
            ? 'administrator.email'
            : 'profile.code';
    return validationError([{ field, message: 'This value is already in use.', code: 'duplicate' }]);
  }
  return err;
}
