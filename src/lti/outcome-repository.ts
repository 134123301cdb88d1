import { sql, type Insertable, type Kysely, type Selectable, type SqlBool } from 'kysely';
import { containsPattern, matches, ofSchools } from '../accounts/user-repository.js';
import type { Database } from '../db/schema.js';
import { OUTCOME_STATUSES, type OutcomeStatus } from './outcome-view.js';

/** A stored outcome binding (LTI 1.1 Basic Outcomes or LTI 1.3 AGS, by lti_version). */
export type OutcomeBinding = Selectable<Database['lti_outcome_bindings']>;
/** A binding to save (an LTI 1.1 launch leaves the 1.3 columns out). */
export type NewOutcomeBinding = Insertable<Database['lti_outcome_bindings']>;
/** A stored outcome call. */
export type OutcomeCall = Database['lti_outcome_calls'];

/** An outcome call as the admin list shows it. */
export interface OutcomeCallRow extends OutcomeCall {
  user_id: string;
  given_name: string;
  family_name: string;
  target_type: OutcomeBinding['target_type'];
  target_id: string;
  /** The book's title or the collection's name; null once the row is gone (a purged title, a deleted collection). */
  target_title: string | null;
  service_url: string;
  lti_version: OutcomeBinding['lti_version'];
  line_item_url: string | null;
  lineitems_url: string | null;
}

/** Filters and paging for the admin's list of outcome calls. */
export interface OutcomeCallQuery {
  status?: OutcomeStatus;
  /** Contains-match on the student's name or the target's title, case-insensitive. */
  search?: string;
  /** Only calls about students of one of these schools (an institute admin's scope); undefined for no limit. */
  withinSchools?: readonly string[];
  limit: number;
  offset: number;
}

/** Outcome bindings and calls (LTI 1.1 Basic Outcomes, LTI 1.3 AGS scores). Every query names the customer. */
export class OutcomeRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Stores the latest binding of a user's resource link. A new target, result sourcedid or line item
   * forgets the last reported score, so the next progress is reported for the new grade item. A line
   * item the job created is kept while the target stays: a relaunch whose claim has none reuses it.
   */
  async saveBinding(row: NewOutcomeBinding): Promise<void> {
    const sameItem = sql<SqlBool>`lti_outcome_bindings.target_id = excluded.target_id and lti_outcome_bindings.result_sourcedid = excluded.result_sourcedid
      and (excluded.line_item_url is null or excluded.line_item_url = lti_outcome_bindings.line_item_url)`;
    await this.db
      .insertInto('lti_outcome_bindings')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['customer_id', 'user_id', 'consumer_guid', 'resource_link_id']).doUpdateSet({
          reported_score: sql`case when ${sameItem} then lti_outcome_bindings.reported_score else null end`,
          line_item_url: sql`coalesce(excluded.line_item_url, case when lti_outcome_bindings.target_id = excluded.target_id then lti_outcome_bindings.line_item_url end)`,
          target_type: row.target_type,
          target_id: row.target_id,
          service_url: row.service_url,
          result_sourcedid: row.result_sourcedid,
          consumer_key: row.consumer_key,
          lineitems_url: row.lineitems_url ?? null,
          lti_user_id: row.lti_user_id ?? null,
          ags_scopes: row.ags_scopes ?? null,
          updated_at: row.updated_at,
        }),
      )
      .execute();
  }

  /** The user's bindings a change of progress in this book concerns: the book's own, and its collections'. */
  bindingsForBook(customerId: string, userId: string, bookId: string): Promise<OutcomeBinding[]> {
    return this.db
      .selectFrom('lti_outcome_bindings')
      .selectAll()
      .where('customer_id', '=', customerId)
      .where('user_id', '=', userId)
      .where((eb) =>
        eb.or([
          eb.and([eb('target_type', '=', 'book'), eb('target_id', '=', bookId)]),
          eb.and([
            eb('target_type', '=', 'collection'),
            eb(
              'target_id',
              'in',
              eb
                .selectFrom('collection_books as cb')
                .innerJoin('collections as c', 'c.id', 'cb.collection_id')
                .select('cb.collection_id')
                .where('cb.book_id', '=', bookId)
                .where('c.customer_id', '=', customerId),
            ),
          ]),
        ]),
      )
      .execute();
  }

  /** The user's mean progress over a collection's live titles (unopened ones count as 0). */
  async collectionProgress(customerId: string, userId: string, collectionId: string): Promise<number> {
    const row = await this.db
      .selectFrom('collection_books as cb')
      .innerJoin('books as b', (j) => j.onRef('b.id', '=', 'cb.book_id').on('b.customer_id', '=', customerId).on('b.deleted_at', 'is', null))
      .leftJoin('reading_progress as rp', (j) => j.onRef('rp.book_id', '=', 'b.id').on('rp.user_id', '=', userId).on('rp.customer_id', '=', customerId))
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>(eb.fn.coalesce('rp.progress', sql.lit(0))).as('total')])
      .where('cb.collection_id', '=', collectionId)
      .executeTakeFirstOrThrow();
    const n = Number(row.n);
    return n ? Number(row.total ?? 0) / n : 0;
  }

  /** Sets the reported score only if it is still `previous` (compare-and-set); false when another save got there first. */
  async claimScore(customerId: string, bindingId: string, previous: number | null, next: number, now: string): Promise<boolean> {
    const res = await this.db
      .updateTable('lti_outcome_bindings')
      .set({ reported_score: next, updated_at: now })
      .where('customer_id', '=', customerId)
      .where('id', '=', bindingId)
      .where((eb) => (previous === null ? eb('reported_score', 'is', null) : eb('reported_score', '=', previous)))
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** The customer's sealed LTI shared secret (it signs the reports), or undefined when there is no such customer. */
  async sealedSecret(customerId: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('customers').select('lti_shared_secret_enc').where('id', '=', customerId).executeTakeFirst();
    return row?.lti_shared_secret_enc;
  }

  /** The token endpoint of a 1.3 binding's platform registration, or undefined once it is gone. */
  async agsPlatform(customerId: string, platformId: string): Promise<{ id: string; clientId: string; authTokenUrl: string } | undefined> {
    const row = await this.db.selectFrom('lti_platforms').select(['id', 'client_id', 'auth_token_url']).where('customer_id', '=', customerId).where('id', '=', platformId).executeTakeFirst();
    return row && { id: row.id, clientId: row.client_id, authTokenUrl: row.auth_token_url };
  }

  /** The book's title or the collection's name a binding reports on (a line item's label), or undefined once gone. */
  async targetTitle(customerId: string, type: OutcomeBinding['target_type'], id: string): Promise<string | undefined> {
    const row =
      type === 'book'
        ? await this.db.selectFrom('books').select('title as name').where('customer_id', '=', customerId).where('id', '=', id).executeTakeFirst()
        : await this.db.selectFrom('collections').select('name').where('customer_id', '=', customerId).where('id', '=', id).executeTakeFirst();
    return row?.name;
  }

  /**
   * Stores a line item created for a 1.3 binding's resource link on every binding of that link and
   * target still without one: the class's scores then go to the one line item.
   */
  async setLineItem(customerId: string, binding: Pick<OutcomeBinding, 'consumer_guid' | 'resource_link_id' | 'target_id'>, lineItemUrl: string, now: string): Promise<void> {
    await this.db
      .updateTable('lti_outcome_bindings')
      .set({ line_item_url: lineItemUrl, updated_at: now })
      .where('customer_id', '=', customerId)
      .where('consumer_guid', '=', binding.consumer_guid)
      .where('resource_link_id', '=', binding.resource_link_id)
      .where('target_id', '=', binding.target_id)
      .where('line_item_url', 'is', null)
      .execute();
  }

  /** Records a call about to be queued. */
  async insertCall(row: OutcomeCall): Promise<void> {
    await this.db.insertInto('lti_outcome_calls').values(row).execute();
  }

  /** A call with its binding. */
  async findCall(customerId: string, callId: string): Promise<{ call: OutcomeCall; binding: OutcomeBinding } | undefined> {
    const call = await this.db.selectFrom('lti_outcome_calls').selectAll().where('customer_id', '=', customerId).where('id', '=', callId).executeTakeFirst();
    if (!call) return undefined;
    const binding = await this.db.selectFrom('lti_outcome_bindings').selectAll().where('customer_id', '=', customerId).where('id', '=', call.binding_id).executeTakeFirst();
    return binding && { call, binding };
  }

  /** Whether a later call for the same binding exists (ids are time-ordered UUIDv7). */
  async hasNewerCall(customerId: string, bindingId: string, callId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('lti_outcome_calls')
      .select('id')
      .where('customer_id', '=', customerId)
      .where('binding_id', '=', bindingId)
      .where('id', '>', callId)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Records how an attempt went. */
  async updateCall(customerId: string, callId: string, patch: Pick<OutcomeCall, 'status' | 'attempts' | 'last_error' | 'updated_at'>): Promise<void> {
    await this.db.updateTable('lti_outcome_calls').set(patch).where('customer_id', '=', customerId).where('id', '=', callId).execute();
  }

  /**
   * One page of the customer's outcome calls, newest first, with the total and the calls per status.
   * The counts follow the search but not the status filter, so they say what each status would show.
   */
  async listCalls(customerId: string, q: OutcomeCallQuery): Promise<{ items: OutcomeCallRow[]; total: number; counts: Record<OutcomeStatus, number> }> {
    let searched = this.db
      .selectFrom('lti_outcome_calls as c')
      .innerJoin('lti_outcome_bindings as b', (j) => j.onRef('b.id', '=', 'c.binding_id').onRef('b.customer_id', '=', 'c.customer_id'))
      .innerJoin('users as u', (j) => j.onRef('u.id', '=', 'b.user_id').onRef('u.customer_id', '=', 'b.customer_id'))
      // Soft-deleted titles keep their name here: the report was about them, and the admin still knows them by it.
      .leftJoin('books as bk', (j) => j.onRef('bk.id', '=', 'b.target_id').on('b.target_type', '=', 'book').on('bk.customer_id', '=', customerId))
      .leftJoin('collections as col', (j) => j.onRef('col.id', '=', 'b.target_id').on('b.target_type', '=', 'collection').on('col.customer_id', '=', customerId))
      .where('c.customer_id', '=', customerId);
    if (q.withinSchools) searched = searched.where(ofSchools(q.withinSchools, 'u'));
    if (q.search) {
      const pattern = containsPattern(q.search);
      // The full name too, so "Ada Park" finds Ada Park, not only "Ada" or "Park".
      const fullName = sql<SqlBool>`lower(${sql.ref('u.given_name')} || ' ' || ${sql.ref('u.family_name')}) like ${pattern} escape '\\'`;
      searched = searched.where((eb) => eb.or([fullName, matches('bk.title', pattern), matches('col.name', pattern)]));
    }
    const base = q.status ? searched.where('c.status', '=', q.status) : searched;
    const [items, byStatus] = await Promise.all([
      base
        .selectAll('c')
        .select(['b.user_id', 'u.given_name', 'u.family_name', 'b.target_type', 'b.target_id', 'b.service_url', 'b.lti_version', 'b.line_item_url', 'b.lineitems_url'])
        .select((eb) => eb.fn.coalesce('bk.title', 'col.name').as('target_title'))
        .orderBy('c.id', 'desc')
        .limit(q.limit)
        .offset(q.offset)
        .execute(),
      searched
        .select(['c.status', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('c.status')
        .execute(),
    ]);
    const counts = Object.fromEntries(OUTCOME_STATUSES.map((s) => [s, 0])) as Record<OutcomeStatus, number>;
    for (const row of byStatus) counts[row.status] = Number(row.n);
    // The total is one of the counts (or their sum): no second count over the same rows.
    const total = q.status ? counts[q.status] : Object.values(counts).reduce((a, b) => a + b, 0);
    return { items, total, counts };
  }
}
