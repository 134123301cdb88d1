import { sql, type Kysely } from 'kysely';
import type { AuditKind, Database } from '../db/schema.js';

// The one entry an erasure leaves names no person and outlives the audit retention, as its certificate does.
const KEPT_ACTIONS = ['customer.erased', 'user.erased'];

/** What the Audit page filters by; every filter is optional and they combine with AND. */
export interface AuditFilter {
  /** Platform-wide reads only: one customer's entries. */
  customerId?: string;
  /** The actor's login as recorded, or their user id. */
  actor?: string;
  /** An action (`user.viewed`), or everything under a prefix (`user` matches `user.viewed` and `user.updated`). */
  action?: string;
  /** The person an entry is about: their user id, or their login while they have an account. */
  person?: string;
  kind?: AuditKind;
  /** ISO-8601 UTC instants: from (inclusive) and to (exclusive). */
  from?: string;
  to?: string;
}

/** An audit entry with what the page shows beside it: the customer's code and name, and the person's name now. */
export interface AuditRow {
  id: number;
  at: string;
  kind: AuditKind;
  customer_id: string | null;
  customer_code: string | null;
  customer_name: string | null;
  actor_user_id: string | null;
  actor_label: string;
  action: string;
  target_type: string;
  target_id: string;
  fields: string;
  subject_user_id: string | null;
  subject_login: string | null;
  subject_given_name: string | null;
  subject_family_name: string | null;
  /** A class target's title, while the class exists. */
  target_title: string | null;
}

// Rows a streamed read takes per query, and a purge deletes per statement (a short write lock each).
const BATCH = 1000;
const PURGE_BATCH = 5000;

/**
 * The audit log's queries. A customer's reads take its id and filter by it; the enterprise admin's
 * (and the CLI's) say PlatformWide. Entries hold ids and field names only: names come from the
 * live users table, so an erased person's entries show an id and nothing else.
 */
export class AuditRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** A page of one customer's entries, newest first (by time, then id), with the number matching. */
  pageInCustomer(customerId: string, f: AuditFilter, limit: number, offset: number): Promise<{ rows: AuditRow[]; total: number }> {
    return this.page({ customerId }, f, limit, offset);
  }

  /** A page of every customer's (and the platform's own) entries, newest first. */
  pagePlatformWide(f: AuditFilter, limit: number, offset: number): Promise<{ rows: AuditRow[]; total: number }> {
    return this.page('platform-wide', f, limit, offset);
  }

  /** Every entry of one customer matching `f`, newest first, a batch at a time. */
  streamInCustomer(customerId: string, f: AuditFilter): AsyncGenerator<AuditRow> {
    return this.stream({ customerId }, f);
  }

  /** Every entry matching `f`, newest first, a batch at a time. */
  streamPlatformWide(f: AuditFilter): AsyncGenerator<AuditRow> {
    return this.stream('platform-wide', f);
  }

  /** Deletes entries older than `cutoff` (ISO), in short batches, but never an erasure's own record; returns how many. */
  async purgeOlderThanPlatformWide(cutoff: string): Promise<number> {
    let removed = 0;
    for (;;) {
      const res = await this.db
        .deleteFrom('audit_log')
        .where('id', 'in', (eb) => eb.selectFrom('audit_log').select('id').where('at', '<', cutoff).where('action', 'not in', KEPT_ACTIONS).orderBy('id').limit(PURGE_BATCH))
        .executeTakeFirst();
      const n = Number(res.numDeletedRows);
      removed += n;
      if (n < PURGE_BATCH) return removed;
    }
  }

  private async page(scope: Scope, f: AuditFilter, limit: number, offset: number): Promise<{ rows: AuditRow[]; total: number }> {
    const { n } = await this.filtered(scope, f)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const rows = await this.withNames(this.filtered(scope, f)).orderBy('a.at', 'desc').orderBy('a.id', 'desc').limit(limit).offset(offset).execute();
    return { rows, total: Number(n) };
  }

  // Keyset paging by (at, id), so a long log streams in constant memory and time per batch.
  private async *stream(scope: Scope, f: AuditFilter): AsyncGenerator<AuditRow> {
    let below: { at: string; id: number } | undefined;
    for (;;) {
      let q = this.withNames(this.filtered(scope, f));
      if (below) {
        const { at, id } = below;
        q = q.where((eb) => eb.or([eb('a.at', '<', at), eb.and([eb('a.at', '=', at), eb('a.id', '<', id)])]));
      }
      const rows = await q.orderBy('a.at', 'desc').orderBy('a.id', 'desc').limit(BATCH).execute();
      yield* rows;
      if (rows.length < BATCH) return;
      const last = rows[rows.length - 1]!;
      below = { at: last.at, id: last.id };
    }
  }

  private filtered(scope: Scope, f: AuditFilter) {
    let q = this.db.selectFrom('audit_log as a');
    const customerId = scope === 'platform-wide' ? f.customerId : scope.customerId;
    if (customerId !== undefined) q = q.where('a.customer_id', '=', customerId);
    if (f.kind) q = q.where('a.kind', '=', f.kind);
    if (f.from) q = q.where('a.at', '>=', f.from);
    if (f.to) q = q.where('a.at', '<', f.to);
    if (f.actor) {
      const actor = f.actor;
      q = q.where((eb) => eb.or([eb('a.actor_label', '=', actor), eb('a.actor_user_id', '=', actor)]));
    }
    if (f.action) {
      // A prefix by comparison, not LIKE: action names hold `_`, which LIKE reads as a wildcard.
      const prefix = `${f.action}.`;
      q = q.where((eb) => eb.or([eb('a.action', '=', f.action!), eb(sql<string>`substr(${sql.ref('a.action')}, 1, ${sql.lit(prefix.length)})`, '=', prefix)]));
    }
    if (f.person) {
      const person = f.person;
      // A login names someone only within the scope: another customer's login matches nothing here, as an unknown one does.
      q = q.where((eb) =>
        eb.or([
          eb('a.subject_user_id', '=', person),
          eb('a.subject_user_id', 'in', (sub) => {
            const byLogin = sub.selectFrom('users').select('users.id').where('users.login', '=', person);
            return customerId !== undefined ? byLogin.where('users.customer_id', '=', customerId) : byLogin;
          }),
        ]),
      );
    }
    return q;
  }

  private withNames(q: ReturnType<AuditRepository['filtered']>) {
    return q
      .leftJoin('customers as c', 'c.id', 'a.customer_id')
      .leftJoin('users as u', 'u.id', 'a.subject_user_id')
      .leftJoin('classes as k', (join) => join.onRef('k.id', '=', 'a.target_id').on('a.target_type', '=', 'class'))
      .select([
        'a.id',
        'a.at',
        'a.kind',
        'a.customer_id',
        'c.code as customer_code',
        'c.name as customer_name',
        'a.actor_user_id',
        'a.actor_label',
        'a.action',
        'a.target_type',
        'a.target_id',
        'a.fields',
        'a.subject_user_id',
        'u.login as subject_login',
        'u.given_name as subject_given_name',
        'u.family_name as subject_family_name',
        'k.title as target_title',
      ]);
  }
}

type Scope = { customerId: string } | 'platform-wide';
