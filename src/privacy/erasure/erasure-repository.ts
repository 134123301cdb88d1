import type { Kysely, Selectable } from 'kysely';
import { containsPattern, matches } from '../../accounts/user-repository.js';
import type { CustomerOffboardingTable, Database, ErasureCertificatesTable } from '../../db/schema.js';

export type CertificateRow = Selectable<ErasureCertificatesTable>;

/** Filters of the certificate list. */
export interface CertificateQuery {
  /** Only this customer's certificates; every customer's when absent (enterprise admins). */
  customerId?: string;
  /** Part of a customer's code or name, or a certificate's or person's id. */
  search?: string;
  kind?: 'customer' | 'person';
  /** Only the erasures this actor (by login, as certificates keep it) made: an institute admin's. */
  actorLabel?: string;
  limit: number;
  offset: number;
}

/** Disabled customers and their offboarding settings, for the daily purge. */
export interface DisabledCustomer {
  id: string;
  disabledAt: string | null;
  offboardingDays: number | null;
}

/** Erasure certificates, the keyed hashes of erased sourcedIds, and customers' offboarding settings. */
export class ErasureRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Stores a certificate. */
  async insertCertificate(row: CertificateRow): Promise<void> {
    await this.db.insertInto('erasure_certificates').values(row).execute();
  }

  /** One certificate of a customer (which may be gone). */
  certificate(customerId: string, id: string): Promise<CertificateRow | undefined> {
    return this.db.selectFrom('erasure_certificates').selectAll().where('customer_id', '=', customerId).where('id', '=', id).executeTakeFirst();
  }

  /** A page of certificates, newest first, and how many match. */
  async listCertificates(q: CertificateQuery): Promise<{ items: CertificateRow[]; total: number }> {
    let base = this.db.selectFrom('erasure_certificates');
    if (q.customerId) base = base.where('customer_id', '=', q.customerId);
    if (q.kind) base = base.where('kind', '=', q.kind);
    if (q.actorLabel !== undefined) base = base.where('actor_label', '=', q.actorLabel);
    if (q.search) {
      const pattern = containsPattern(q.search);
      base = base.where((eb) => eb.or(['customer_code', 'customer_name', 'id', 'subject_id'].map((c) => matches(c, pattern))));
    }
    const [items, total] = await Promise.all([
      base.selectAll().orderBy('erased_at', 'desc').orderBy('id').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items, total: Number(total.n) };
  }

  /** Remembers an erased sourcedId by its keyed digest. */
  async rememberErased(customerId: string, digest: string, certificateId: string, at: string): Promise<void> {
    await this.db
      .insertInto('erased_sourced_ids')
      .values({ customer_id: customerId, digest, certificate_id: certificateId, erased_at: at })
      .onConflict((oc) => oc.columns(['customer_id', 'digest']).doNothing())
      .execute();
  }

  /** The digests of the sourcedIds erased from a customer. */
  async erasedDigests(customerId: string): Promise<Set<string>> {
    const rows = await this.db.selectFrom('erased_sourced_ids').select('digest').where('customer_id', '=', customerId).execute();
    return new Set(rows.map((r) => r.digest));
  }

  /** A customer's offboarding row, if any. */
  offboarding(customerId: string): Promise<Selectable<CustomerOffboardingTable> | undefined> {
    return this.db.selectFrom('customer_offboarding').selectAll().where('customer_id', '=', customerId).executeTakeFirst();
  }

  /** Sets a customer's own offboarding period (null: the operator's default). */
  async setOffboardingDays(customerId: string, days: number | null, now: string): Promise<void> {
    await this.db
      .insertInto('customer_offboarding')
      .values({ customer_id: customerId, offboarding_days: days, disabled_at: null, updated_at: now })
      .onConflict((oc) => oc.column('customer_id').doUpdateSet({ offboarding_days: days, updated_at: now }))
      .execute();
  }

  /** Starts (disabled) or stops (active) a customer's offboarding clock. */
  async statusChanged(customerId: string, status: 'active' | 'disabled', now: string): Promise<void> {
    const disabledAt = status === 'disabled' ? now : null;
    await this.db
      .insertInto('customer_offboarding')
      .values({ customer_id: customerId, offboarding_days: null, disabled_at: disabledAt, updated_at: now })
      .onConflict((oc) => oc.column('customer_id').doUpdateSet({ disabled_at: disabledAt, updated_at: now }))
      .execute();
  }

  /** Every disabled customer with its offboarding settings: across customers, for the daily purge. */
  async disabledPlatformWide(): Promise<DisabledCustomer[]> {
    const rows = await this.db
      .selectFrom('customers as c')
      .leftJoin('customer_offboarding as o', 'o.customer_id', 'c.id')
      .select(['c.id', 'o.disabled_at', 'o.offboarding_days'])
      .where('c.status', '=', 'disabled')
      .execute();
    return rows.map((r) => ({ id: r.id, disabledAt: r.disabled_at, offboardingDays: r.offboarding_days }));
  }

  /** Which of these ids name customers that exist: across customers, for sweeping files an erasure left. */
  async existingCustomersPlatformWide(ids: readonly string[]): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const rows = await this.db
      .selectFrom('customers')
      .select('id')
      .where('id', 'in', [...ids])
      .execute();
    return new Set(rows.map((r) => r.id));
  }
}
