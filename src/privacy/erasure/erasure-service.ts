import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { AccessRepository } from '../../accounts/access-repository.js';
import { assertCustomerAccess, assertCustomerSettingsAccess, assertPlatformAdmin, isConsoleRole, isPlatformAdmin, requireAccess, type Actor } from '../../accounts/policy.js';
import { UserRepository } from '../../accounts/user-repository.js';
import type { ContentStore } from '../../content/content-store.js';
import { CustomerRepository } from '../../customers/customer-repository.js';
import type { Db } from '../../db/connection.js';
import { AppError, notFound, validationError } from '../../errors.js';
import type { SecretBox } from '../../security/secret-box.js';
import { nowIso } from '../../time.js';
import { renderCertificate } from './certificate-pdf.js';
import { erase } from './eraser.js';
import { ErasureRepository, type CertificateQuery } from './erasure-repository.js';
import { presentCertificate, type CertificateDetailViewT, type CertificateViewT, type OffboardingViewT } from './erasure-view.js';

const DAY_MS = 86_400_000;

/** Who erases a customer whose offboarding period has passed. */
export const OFFBOARDING_ACTOR: Actor = { userId: null, role: 'operator', customerId: null, label: 'Lectern (offboarding)' };

/** What the erasure service needs of the process. */
export interface ErasureOptions {
  db: Db;
  secrets: SecretBox;
  contentStore: ContentStore;
  /** Days from disabling to erasure for customers without their own period (LECTERN_OFFBOARDING_DAYS). */
  offboardingDays: number;
  /** The roster lease's length (LECTERN_RUN_LEASE_SECONDS): an erasure holds it, as a run does. */
  leaseMs: number;
}

/**
 * Erasure with proof (issue 16): a customer (on request, or by the daily purge once disabled past its
 * offboarding period) or one person, each with a certificate; the certificates, kept after what they
 * name is gone; and the customers' offboarding periods.
 *
 * Who may: a customer's erasure and its period are the enterprise admin's (and the CLI operator's).
 * A person's erasure is open to whoever may manage that person in the console, by the rules the
 * Users tab already applies: the enterprise admin and the customer's admins; an institute admin only
 * for the teachers and students of their own schools. Nobody erases their own account, and the
 * customer's primary administrator (the customer's contact) goes only with the customer. Certificates
 * are read by the enterprise admin (every one), by the customer's admins (their own customer's) and
 * by an institute admin (the ones of the erasures they made: another school's name the staff who
 * erased and the erased person's former id). They hold no personal data of the erased.
 */
export class ErasureService {
  constructor(private readonly opts: ErasureOptions) {}

  private get db() {
    return this.opts.db.kysely;
  }

  /** Erases a customer now: every record and file, one certificate and one audit entry stay. `confirm` must be its code. */
  async eraseCustomer(actor: Actor, customerId: string, input: { confirm: string }): Promise<CertificateDetailViewT> {
    assertPlatformAdmin(actor);
    const record = await new CustomerRepository(this.db).find(customerId);
    if (!record) throw notFound('Customer');
    if (input.confirm.trim() !== record.customer.code) {
      throw validationError([{ field: 'confirm', message: `Type the customer's code, ${record.customer.code}, to confirm.`, code: 'confirmation_mismatch' }]);
    }
    return this.detail(await erase(this.eraserDeps(), { reason: 'request', actor, customer: customerOf(record.customer), person: null }));
  }

  /** Erases one person of a customer everywhere, now. `confirm` must be their login (or user id). */
  async erasePerson(actor: Actor, customerId: string, userId: string, input: { confirm: string }): Promise<CertificateDetailViewT> {
    await requireAccess(new AccessRepository(this.db), actor, 'customer.console', { customerId, user: userId });
    const user = await new UserRepository(this.db).findInCustomer(customerId, userId);
    const record = await new CustomerRepository(this.db).find(customerId);
    if (!user || !record) throw notFound('User');
    if (actor.userId === userId) throw new AppError('FORBIDDEN', 'You cannot erase your own account.');
    if (actor.role === 'institute_admin' && (user.role === 'customer_admin' || user.role === 'institute_admin')) {
      throw new AppError('FORBIDDEN', 'Institute administrators act on teachers and students only.');
    }
    if (record.customer.admin_user_id === userId) {
      throw new AppError('FORBIDDEN', "This is the customer's primary administrator, the customer's contact: that account goes only with the customer.");
    }
    const typed = input.confirm.trim().toLowerCase();
    if (typed !== user.login.toLowerCase() && typed !== user.id) {
      throw validationError([{ field: 'confirm', message: `Type the person's login, ${user.login}, to confirm.`, code: 'confirmation_mismatch' }]);
    }
    const person = { customerId, userId, sourcedId: user.sourced_id, login: user.login, name: `${user.given_name} ${user.family_name}`.trim() };
    return this.detail(await erase(this.eraserDeps(), { reason: 'request', actor, customer: customerOf(record.customer), person }));
  }

  /** A customer's offboarding: when it was disabled, its period, and when it will be erased. */
  async offboarding(actor: Actor, customerId: string): Promise<OffboardingViewT> {
    assertCustomerSettingsAccess(actor, customerId);
    const status = await new CustomerRepository(this.db).findStatus(customerId);
    if (!status) throw notFound('Customer');
    const row = await new ErasureRepository(this.db).offboarding(customerId);
    const days = row?.offboarding_days ?? null;
    const disabledAt = status === 'disabled' ? (row?.disabled_at ?? null) : null;
    const due = disabledAt ? new Date(Date.parse(disabledAt) + (days ?? this.opts.offboardingDays) * DAY_MS).toISOString() : null;
    return { status, disabledAt, offboardingDays: days, defaultDays: this.opts.offboardingDays, eraseAfter: due };
  }

  /** Sets a customer's own offboarding period (null: the operator's default). */
  async setOffboarding(actor: Actor, customerId: string, input: { days: number | null }): Promise<OffboardingViewT> {
    assertPlatformAdmin(actor);
    if (!(await new CustomerRepository(this.db).findStatus(customerId))) throw notFound('Customer');
    await new ErasureRepository(this.db).setOffboardingDays(customerId, input.days, nowIso());
    return this.offboarding(actor, customerId);
  }

  /** Certificates, newest first: every one for the enterprise admin, their own customer's for a customer's admin, their own erasures' for an institute admin. */
  async listCertificates(actor: Actor, q: Omit<CertificateQuery, 'customerId' | 'actorLabel'>): Promise<{ items: CertificateViewT[]; total: number }> {
    if (!isConsoleRole(actor)) throw new AppError('FORBIDDEN', 'Erasure certificates are for administrators.');
    const customerId = isPlatformAdmin(actor) ? undefined : (actor.customerId ?? '');
    const actorLabel = actor.role === 'institute_admin' ? actor.label : undefined;
    const { items, total } = await new ErasureRepository(this.db).listCertificates({ ...q, customerId, actorLabel });
    return { items: items.map(presentCertificate), total };
  }

  /** One certificate with its manifest. */
  async certificate(actor: Actor, customerId: string, id: string): Promise<CertificateDetailViewT> {
    assertCustomerAccess(actor, customerId);
    const row = await new ErasureRepository(this.db).certificate(customerId, id);
    if (!row || (actor.role === 'institute_admin' && row.actor_label !== actor.label)) throw notFound('Certificate');
    return { ...presentCertificate(row), manifest: row.manifest };
  }

  /** One certificate as a PDF. */
  async certificatePdf(actor: Actor, customerId: string, id: string): Promise<Readable> {
    return renderCertificate(await this.certificate(actor, customerId, id));
  }

  /**
   * The daily purge's part: erases every customer disabled longer than its offboarding period. A
   * customer disabled by an older version (no date) starts its period now. A customer whose roster is
   * busy waits for the next day. Returns how many it erased.
   */
  async eraseOffboarded(now: Date = new Date()): Promise<number> {
    const repo = new ErasureRepository(this.db);
    let erased = 0;
    for (const c of await repo.disabledPlatformWide()) {
      if (!c.disabledAt) {
        await repo.statusChanged(c.id, 'disabled', now.toISOString());
        continue;
      }
      if (Date.parse(c.disabledAt) + (c.offboardingDays ?? this.opts.offboardingDays) * DAY_MS > now.getTime()) continue;
      const record = await new CustomerRepository(this.db).find(c.id);
      if (!record || record.customer.status !== 'disabled') continue;
      try {
        await erase(this.eraserDeps(), { reason: 'offboarding', actor: OFFBOARDING_ACTOR, customer: customerOf(record.customer), person: null });
        erased++;
      } catch (err) {
        if (!(err instanceof AppError && err.code === 'SYNC_IN_PROGRESS')) throw err;
      }
    }
    return erased;
  }

  /**
   * Removes the title folders of customers that no longer exist: what an erasure interrupted between
   * its commit and its file deletions left (its roster files are the bundle store's orphans, which
   * the purge removes too). Returns how many folders it removed.
   */
  async sweepLeftovers(): Promise<number> {
    const root = this.opts.contentStore.root;
    let names: string[];
    try {
      names = (await fs.promises.readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch {
      return 0;
    }
    const existing = await new ErasureRepository(this.db).existingCustomersPlatformWide(names);
    let removed = 0;
    for (const name of names) {
      if (existing.has(name)) continue;
      await fs.promises.rm(path.join(root, name), { recursive: true, force: true });
      removed++;
    }
    return removed;
  }

  private eraserDeps() {
    return { db: this.opts.db, secrets: this.opts.secrets, contentStore: this.opts.contentStore, leaseMs: this.opts.leaseMs };
  }

  private detail(row: Parameters<typeof presentCertificate>[0]): CertificateDetailViewT {
    return { ...presentCertificate(row), manifest: row.manifest };
  }
}

function customerOf(c: { id: string; code: string; name: string }) {
  return { id: c.id, code: c.code, name: c.name };
}
