import type { Kysely } from 'kysely';
import type { Customer, CustomerUpdate, Database, LtiPlatform, NewCustomer, RosteringConfig } from '../db/schema.js';
import { PlatformRepository } from '../lti13/platform-repository.js';
import { matches, containsPattern } from '../accounts/user-repository.js';
import { AppError } from '../errors.js';

/** A customer with its rostering settings and LTI 1.3 platform registrations. */
export interface CustomerRecord {
  customer: Customer;
  rostering: RosteringConfig;
  platforms: LtiPlatform[];
}

/** Filters for the platform's customer list. */
export interface CustomerListQuery {
  search?: string;
  status?: 'active' | 'disabled';
  limit: number;
  offset: number;
}

/** Resolves a customer id or code (CLI `--customer`) to its id; NOT_FOUND when neither names one. */
export async function resolveCustomerId(db: Kysely<Database>, idOrCode: string): Promise<string> {
  const repo = new CustomerRepository(db);
  if (await repo.find(idOrCode)) return idOrCode;
  const id = await repo.idByCodePlatformWide(idOrCode);
  if (!id) throw new AppError('NOT_FOUND', `No customer has the id or code "${idOrCode}".`);
  return id;
}

/** Customer queries. The customer is the tenant itself, so every method names one by id or code. */
export class CustomerRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Inserts a customer and its rostering settings. */
  async insert(customer: NewCustomer, rostering: RosteringConfig): Promise<void> {
    await this.db.insertInto('customers').values(customer).execute();
    await this.db.insertInto('rostering_configs').values(rostering).execute();
  }

  /** A customer with its settings by id. */
  async find(id: string): Promise<CustomerRecord | undefined> {
    const customer = await this.db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst();
    if (!customer) return undefined;
    const rostering = await this.db.selectFrom('rostering_configs').selectAll().where('customer_id', '=', id).executeTakeFirstOrThrow();
    return { customer, rostering, platforms: await new PlatformRepository(this.db).listForCustomer(id) };
  }

  /** The id of the customer with this code, if any: across customers, since codes are unique platform-wide (CLI `--customer`, uniqueness). */
  async idByCodePlatformWide(code: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('customers').select('id').where('code', '=', code.toLowerCase()).executeTakeFirst();
    return row?.id;
  }

  /** Whether a customer other than `exceptId` uses this Client Partner ID: across customers, since it must be unique platform-wide. */
  async clientPartnerIdTakenPlatformWide(clientPartnerId: string, exceptId?: string): Promise<boolean> {
    let q = this.db.selectFrom('rostering_configs').select('customer_id').where('client_partner_id', '=', clientPartnerId);
    if (exceptId) q = q.where('customer_id', '!=', exceptId);
    return (await q.executeTakeFirst()) !== undefined;
  }

  /** A customer's status, for sign-in checks. */
  async findStatus(id: string): Promise<Customer['status'] | undefined> {
    const row = await this.db.selectFrom('customers').select('status').where('id', '=', id).executeTakeFirst();
    return row?.status;
  }

  /** Updates a customer and, when given, its rostering settings. */
  async update(id: string, customer: CustomerUpdate, rostering?: Partial<RosteringConfig>): Promise<void> {
    if (Object.keys(customer).length) await this.db.updateTable('customers').set(customer).where('id', '=', id).execute();
    if (rostering) await this.db.updateTable('rostering_configs').set(rostering).where('customer_id', '=', id).execute();
  }

  /** One page of all customers with their settings, and the total that matches (the enterprise admin's list). */
  async listPlatformWide(q: CustomerListQuery): Promise<{ items: CustomerRecord[]; total: number }> {
    let base = this.db.selectFrom('customers').innerJoin('rostering_configs', 'rostering_configs.customer_id', 'customers.id');
    if (q.status) base = base.where('customers.status', '=', q.status);
    if (q.search) {
      const pattern = containsPattern(q.search);
      base = base.where((eb) => eb.or(['customers.name', 'customers.code', 'customers.admin_email', 'rostering_configs.client_partner_id'].map((c) => matches(c, pattern))));
    }
    const [rows, total] = await Promise.all([
      base.selectAll('customers').orderBy('customers.name').orderBy('customers.id').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    const ids = rows.map((r) => r.id);
    const configs = ids.length ? await this.db.selectFrom('rostering_configs').selectAll().where('customer_id', 'in', ids).execute() : [];
    const byId = new Map(configs.map((c) => [c.customer_id, c]));
    const platforms = await new PlatformRepository(this.db).listForCustomers(ids);
    const items = rows.map((customer) => ({ customer, rostering: byId.get(customer.id)!, platforms: platforms.filter((p) => p.customer_id === customer.id) }));
    return { items, total: Number(total.n) };
  }
}
