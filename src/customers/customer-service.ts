import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import { newUserRecord } from '../accounts/account-service.js';
import { assertCustomerAccess, assertPlatformAdmin, type Actor } from '../accounts/policy.js';
import { SessionRepository } from '../accounts/session-repository.js';
import { UserRepository } from '../accounts/user-repository.js';
import { AuditService } from '../audit/audit-service.js';
import type { Customer, Database, RosteringConfig } from '../db/schema.js';
import { notFound, validationError, type FieldIssue } from '../errors.js';
import { canonicalTimeZone } from '../rostering/schedule.js';
import { feedStatuses } from '../rostering/scheduler-feeds.js';
import { hashPassword, passwordProblem } from '../security/passwords.js';
import type { SecretBox } from '../security/secret-box.js';
import { randomToken } from '../security/tokens.js';
import { nowIso } from '../time.js';
import { assertMatches } from '../validation.js';
import { launchUrl, presentCustomer } from './customer-presenter.js';
import { CustomerRepository, resolveCustomerId, type CustomerListQuery, type CustomerRecord } from './customer-repository.js';
import { checkRostering, checkTimeZone, type RosteringSettings, type StoredSecrets } from './customer-rules.js';
import { CustomerCreateBody, CustomerPatchBody, type CustomerCreateInput, type CustomerPatchInput, type CustomerViewT, type RosteringInput } from './customer-schema.js';

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
  ) {}

  /** Adds a customer with its administrator account and fresh LTI 1.1 credentials, all or nothing. */
  async create(actor: Actor, input: unknown): Promise<Omit<CustomerViewT, 'lti'> & { lti: LtiCredentials & { sharedSecretSet: true } }> {
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
    const customers = new CustomerRepository(this.db);
    const users = new UserRepository(this.db);
    await this.checkUnique(customers, users, { code: input.profile.code, clientPartnerId: settings.clientPartnerId, adminEmail: input.administrator.email }, issues);
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
      terms_accepted_at: now,
      terms_accepted_by: actor.userId,
      created_at: now,
      updated_at: now,
    };
    const rostering = this.rosteringRow(id, settings, null, now);
    await this.db
      .transaction()
      .execute(async (trx) => {
        await new CustomerRepository(trx).insert(customer, rostering);
        await new UserRepository(trx).insert(admin);
        await new AuditService(trx).record(actor, { customerId: id, action: 'customer.created', targetType: 'customer', targetId: id, fields: [] });
      })
      .catch((err: unknown) => {
        throw uniqueViolationToValidation(err);
      });
    const view = presentCustomer({ customer, rostering }, this.publicUrl);
    return { ...view, lti: { ...view.lti, consumerKey, sharedSecret, sharedSecretSet: true } };
  }

  /** One customer as the actor may see it. */
  async get(actor: Actor, id: string): Promise<CustomerViewT> {
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
    };
    const settings = checkRostering(rosteringInput, stored, issues);
    const customers = new CustomerRepository(this.db);
    const users = new UserRepository(this.db);
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
      lti_unmatched_users: input.lti?.unmatchedUsers ?? current.customer.lti_unmatched_users,
      updated_at: now,
    };
    const rostering = this.rosteringRow(id, settings, current.rostering, now);
    const after: CustomerRecord = { customer: { ...current.customer, ...customerPatch }, rostering };
    const changed = changedFields(view, presentCustomer(after, this.publicUrl), settings);
    if (!changed.length) return this.get(actor, id);

    await this.db
      .transaction()
      .execute(async (trx) => {
        await new CustomerRepository(trx).update(id, customerPatch, rostering);
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

  /** The customer's audit trail, newest first. */
  async auditTrail(actor: Actor, id: string, limit: number, offset: number) {
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
  const changed = Object.keys(b).filter((k) => !ignore.has(k) && a[k] !== b[k]);
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
    const field = /code/.test(message) ? 'profile.code' : /client_partner_id/.test(message) ? 'rostering.clientPartnerId' : /login/.test(message) ? 'administrator.email' : 'profile.code';
    return validationError([{ field, message: 'This value is already in use.', code: 'duplicate' }]);
  }
  return err;
}
