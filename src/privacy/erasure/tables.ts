import { sql, type RawBuilder } from 'kysely';

/*
 * Where a customer's and a person's data lives, table by table: the one list both erasures walk.
 * Every table of the schema is either here, or in PLATFORM_TABLES (holds nothing of any customer), or
 * in KEPT_TABLES (kept on purpose); `tables.test.ts` compares the list with the migrated schema on
 * both dialects, so a table added later without a line here fails the build instead of surviving an
 * erasure. The order is children first: a scope may look at a table later in the list, never an
 * earlier one (its rows would be gone already).
 */

/** A customer being erased. */
export interface CustomerScope {
  customerId: string;
}

/** A person being erased: their account, and what other records know them by. */
export interface PersonScope extends CustomerScope {
  userId: string;
  /** The roster's id of the person, when they came from a roster or an LMS. */
  sourcedId: string | null;
  login: string;
  /** How plan records of the person's enrollments name them ("Given Family"), see planner.stagedName. */
  name: string;
}

type Where<S> = (s: S) => RawBuilder<unknown>;

/** What happens to the rows of one table that know a person, when that person is erased. */
export interface PersonRule {
  /** Rows that are the person's: deleted. */
  delete?: Where<PersonScope>;
  /** Rows someone else owns that name the person (as who did something): the naming columns are cleared. */
  anonymize?: { where: Where<PersonScope>; set: (s: PersonScope) => Record<string, unknown> }[];
  /** Why the table holds nothing of one person (a school, a class, a customer's settings). */
  none?: string;
}

/** One table of a customer's data. */
export interface ErasureTable {
  table: string;
  /**
   * The columns that name a row in the manifest (random ids, numbers, digests: never a value that
   * names a person). Null when every key would (a login in a throttle key, a sourcedId): counted only.
   */
  key: string[] | null;
  /** Key columns holding numbers (sorted by value, not as text). */
  numeric?: string[];
  /** The customer's rows. */
  customer: Where<CustomerScope>;
  person: PersonRule;
  /** Columns that hold or point to one person (checked against the schema by tables.test.ts). */
  personal: string[];
}

/** The label an erased person leaves where someone else's record named them as its actor. */
export const ERASED_PERSON = 'Erased person';

const byCustomer: Where<CustomerScope> = (s) => sql`customer_id = ${s.customerId}`;
const customerUsers = (s: CustomerScope) => sql`(select id from users where customer_id = ${s.customerId})`;
const customerRuns = (s: CustomerScope) => sql`(select id from roster_runs where customer_id = ${s.customerId})`;
const ofCustomerUsers: Where<CustomerScope> = (s) => sql`user_id in ${customerUsers(s)}`;
const ofPerson: Where<PersonScope> = (s) => sql`user_id = ${s.userId}`;
const inCustomerRuns = (s: CustomerScope) => sql`run_id in ${customerRuns(s)}`;
// A person without a roster id has no rows keyed by one: a condition nothing meets.
const bySourcedId = (column: string) => (s: PersonScope) => (s.sourcedId === null ? sql`1 = 0` : sql`${sql.ref(column)} = ${s.sourcedId}`);
// Payloads are JSON.stringify'd objects: `"customerId":"<uuid>"` appears verbatim (uuids hold no LIKE wildcards).
const inPayload = (field: string, id: string) => sql`payload like ${`%"${field}":"${id}"%`}`;

const SCHOOL_DATA = 'schools, classes, courses and terms: no person';
const SETTINGS = "the customer's settings: no person";

/** The customer's tables, children first. */
export const ERASURE_TABLES: readonly ErasureTable[] = [
  {
    table: 'jobs',
    key: ['id'],
    customer: (s) => inPayload('customerId', s.customerId),
    person: { delete: (s) => inPayload('userId', s.userId) },
    personal: [],
  },
  { table: 'lti_outcome_calls', key: ['id'], customer: byCustomer, person: { delete: (s) => sql`binding_id in (select id from lti_outcome_bindings where user_id = ${s.userId})` }, personal: [] },
  { table: 'lti_outcome_bindings', key: ['id'], customer: byCustomer, person: { delete: ofPerson }, personal: ['user_id', 'lti_user_id'] },
  {
    table: 'lti13_login_states',
    key: ['state_hash'],
    customer: (s) => sql`platform_id in (select id from lti_platforms where customer_id = ${s.customerId})`,
    person: { none: 'an LMS sign-in in flight: no person yet' },
    personal: [],
  },
  { table: 'lti13_deep_link_requests', key: ['token_hash'], customer: byCustomer, person: { none: "a teacher's title picker, an hour at most: no person is kept" }, personal: [] },
  { table: 'lti13_contexts', key: ['id'], customer: byCustomer, person: { none: 'LMS courses: no person' }, personal: [] },
  { table: 'lti13_registration_tokens', key: ['token_hash'], customer: byCustomer, person: { none: SETTINGS }, personal: [] },
  { table: 'lti_platforms', key: ['id'], customer: byCustomer, person: { none: SETTINGS }, personal: [] },
  { table: 'lti_user_links', key: ['user_id', 'consumer_guid'], customer: byCustomer, person: { delete: ofPerson }, personal: ['user_id', 'lti_user_id'] },
  { table: 'lti_launch_tickets', key: ['id'], customer: byCustomer, person: { delete: ofPerson }, personal: ['user_id'] },
  {
    table: 'lti_nonces',
    key: ['nonce'],
    customer: (s) => sql`consumer_key = (select lti_consumer_key from customers where id = ${s.customerId})`,
    person: { none: 'nonces of signed launches: random values, no person' },
    personal: [],
  },
  {
    table: 'sign_in_tokens',
    key: ['id'],
    customer: byCustomer,
    person: { delete: ofPerson, anonymize: [{ where: (s) => sql`created_by = ${s.userId}`, set: () => ({ created_by: null }) }] },
    personal: ['user_id', 'created_by'],
  },
  { table: 'sessions', key: ['id'], customer: ofCustomerUsers, person: { delete: ofPerson }, personal: ['user_id'] },
  { table: 'api_tokens', key: ['id'], customer: ofCustomerUsers, person: { delete: ofPerson }, personal: ['user_id'] },
  // An address is personal data: the manifest names these rows by their person only.
  { table: 'login_addresses', key: ['user_id'], customer: ofCustomerUsers, person: { delete: ofPerson }, personal: ['user_id'] },
  {
    // Budgets are keyed `user:<id>`, `addr:<id>:<ip>` and `login:<login>` (accounts/throttle.ts): counted only.
    table: 'login_throttle',
    key: null,
    customer: (s) =>
      sql`exists (select 1 from users u where u.customer_id = ${s.customerId}
        and (login_throttle.key = 'user:' || u.id or login_throttle.key like 'addr:' || u.id || ':%' or login_throttle.key = 'login:' || lower(u.login)))`,
    person: { delete: (s) => sql`(key = ${`user:${s.userId}`} or key like ${`addr:${s.userId}:%`} or key = ${`login:${s.login.trim().toLowerCase()}`})` },
    personal: [],
  },
  {
    table: 'notification_preferences',
    key: ['user_id'],
    customer: (s) => sql`(customer_id = ${s.customerId} or user_id in ${customerUsers(s)})`,
    person: { delete: ofPerson },
    personal: ['user_id'],
  },
  { table: 'notification_deliveries', key: ['id'], customer: byCustomer, person: { none: "events about the customer's syncs: no person" }, personal: [] },
  { table: 'notification_webhooks', key: ['customer_id'], customer: byCustomer, person: { none: SETTINGS }, personal: [] },
  { table: 'notification_stale_marks', key: ['customer_id'], customer: byCustomer, person: { none: SETTINGS }, personal: [] },
  { table: 'reading_progress', key: ['user_id', 'book_id'], customer: byCustomer, person: { delete: ofPerson }, personal: ['user_id'] },
  { table: 'reader_settings', key: ['user_id'], customer: byCustomer, person: { delete: ofPerson }, personal: ['user_id'] },
  {
    table: 'assignments',
    key: ['id'],
    customer: byCustomer,
    person: {
      delete: (s) => sql`customer_id = ${s.customerId} and target_type = 'user' and target_id = ${s.userId}`,
      anonymize: [{ where: (s) => sql`customer_id = ${s.customerId} and assigned_by = ${s.userId}`, set: () => ({ assigned_by: null }) }],
    },
    personal: ['target_id', 'assigned_by'],
  },
  {
    table: 'collection_books',
    key: ['collection_id', 'book_id'],
    customer: (s) => sql`collection_id in (select id from collections where customer_id = ${s.customerId})`,
    person: { none: 'titles on shelves: no person' },
    personal: [],
  },
  { table: 'collections', key: ['id'], customer: byCustomer, person: { none: 'shelves of titles: no person' }, personal: [] },
  {
    table: 'books',
    key: ['id'],
    customer: byCustomer,
    person: { anonymize: [{ where: (s) => sql`customer_id = ${s.customerId} and created_by = ${s.userId}`, set: () => ({ created_by: null }) }] },
    personal: ['created_by'],
  },
  { table: 'pending_passwords', key: ['user_id'], customer: byCustomer, person: { delete: ofPerson }, personal: ['user_id'] },
  {
    table: 'roster_run_issues',
    key: ['run_id', 'seq'],
    numeric: ['seq'],
    customer: inCustomerRuns,
    person: { delete: (s) => sql`${inCustomerRuns(s)} and ${bySourcedId('sourced_id')(s)}` },
    personal: [],
  },
  {
    // Changes name a person by sourcedId (their own rows), by enrollment id, or, for an enrollment a
    // preview would have made, by name ("Given Family in Class", planner.stagedName).
    table: 'roster_run_changes',
    key: ['run_id', 'entity', 'action'],
    customer: inCustomerRuns,
    person: {
      delete: (s) => {
        const prefix = `${s.name} in `;
        const ownRows = sql`entity = 'users' and (target_id = ${s.userId} or ${bySourcedId('sourced_id')(s)})`;
        const enrollments = sql`entity = 'enrollments' and (target_id in (select id from enrollments where customer_id = ${s.customerId} and ${bySourcedId('user_sourced_id')(s)})
          or (name != '' and substr(name, 1, ${prefix.length}) = ${prefix}))`;
        return sql`${inCustomerRuns(s)} and ((${ownRows}) or (${enrollments}))`;
      },
    },
    personal: ['target_id'],
  },
  {
    table: 'stage_users',
    key: ['run_id', 'line'],
    numeric: ['line'],
    customer: inCustomerRuns,
    person: { delete: (s) => sql`${inCustomerRuns(s)} and (target_id = ${s.userId} or ${bySourcedId('sourced_id')(s)})` },
    personal: ['target_id'],
  },
  {
    table: 'stage_enrollments',
    key: ['run_id', 'line'],
    numeric: ['line'],
    customer: inCustomerRuns,
    person: { delete: (s) => sql`${inCustomerRuns(s)} and ${bySourcedId('user_sourced_id')(s)}` },
    personal: ['user_sourced_id'],
  },
  {
    table: 'stage_user_roles',
    key: null,
    customer: inCustomerRuns,
    person: { delete: (s) => sql`${inCustomerRuns(s)} and ${bySourcedId('user_sourced_id')(s)}` },
    personal: ['user_sourced_id'],
  },
  ...['stage_orgs', 'stage_academic_sessions', 'stage_courses', 'stage_classes'].map((table): ErasureTable => ({
    table,
    key: ['run_id', 'line'],
    numeric: ['line'],
    customer: inCustomerRuns,
    person: { none: SCHOOL_DATA },
    personal: [],
  })),
  { table: 'roster_run_leases', key: ['customer_id'], customer: byCustomer, person: { none: 'which run holds the roster: no person' }, personal: [] },
  { table: 'rest_sync_states', key: ['customer_id'], customer: byCustomer, person: { none: SETTINGS }, personal: [] },
  { table: 'roster_schedules', key: ['customer_id'], customer: byCustomer, person: { none: SETTINGS }, personal: [] },
  // Keyed by the person's sourcedId only: counted.
  { table: 'user_roles', key: null, customer: byCustomer, person: { delete: (s) => sql`customer_id = ${s.customerId} and ${bySourcedId('user_sourced_id')(s)}` }, personal: ['user_sourced_id'] },
  {
    table: 'enrollments',
    key: ['id'],
    customer: byCustomer,
    person: { delete: (s) => sql`customer_id = ${s.customerId} and ${bySourcedId('user_sourced_id')(s)}` },
    personal: ['user_sourced_id'],
  },
  ...['classes', 'courses', 'academic_sessions', 'orgs'].map((table): ErasureTable => ({ table, key: ['id'], customer: byCustomer, person: { none: SCHOOL_DATA }, personal: [] })),
  {
    table: 'roster_runs',
    key: ['id'],
    customer: byCustomer,
    person: {
      anonymize: [
        { where: (s) => sql`customer_id = ${s.customerId} and actor_user_id = ${s.userId}`, set: () => ({ actor_user_id: null, actor_label: ERASED_PERSON }) },
        { where: (s) => sql`customer_id = ${s.customerId} and decided_by = ${s.login}`, set: () => ({ decided_by: ERASED_PERSON }) },
      ],
    },
    personal: ['actor_user_id', 'actor_label', 'decided_by'],
  },
  {
    table: 'audit_log',
    key: ['id'],
    numeric: ['id'],
    customer: (s) => sql`(customer_id = ${s.customerId} or actor_user_id in ${customerUsers(s)})`,
    person: {
      // Entries about the person: changes to them and, since the access audit, reads of their data.
      delete: (s) => sql`((target_type = 'user' and target_id = ${s.userId}) or subject_user_id = ${s.userId})`,
      anonymize: [{ where: (s) => sql`actor_user_id = ${s.userId}`, set: () => ({ actor_user_id: null, actor_label: ERASED_PERSON }) }],
    },
    personal: ['actor_user_id', 'actor_label', 'target_id', 'subject_user_id'],
  },
  { table: 'erased_sourced_ids', key: ['digest'], customer: byCustomer, person: { none: 'keyed hashes of people erased before: no value of a person' }, personal: [] },
  { table: 'customer_offboarding', key: ['customer_id'], customer: byCustomer, person: { none: SETTINGS }, personal: [] },
  { table: 'users', key: ['id'], customer: byCustomer, person: { delete: (s) => sql`customer_id = ${s.customerId} and id = ${s.userId}` }, personal: ['id'] },
  { table: 'rostering_configs', key: ['customer_id'], customer: byCustomer, person: { none: SETTINGS }, personal: [] },
  // The customer's primary administrator is refused as a person (erase the customer instead).
  // terms_accepted_by names the enterprise admin who added the customer, not one of its people.
  { table: 'customers', key: ['id'], customer: (s) => sql`id = ${s.customerId}`, person: { none: SETTINGS }, personal: ['admin_user_id', 'terms_accepted_by'] },
];

/**
 * PostgreSQL's job queue (graphile-worker, its own schema): jobs of the customer or for the person
 * (a payload names them by id, and a notification e-mail carries its event). Erased where the queue exists.
 */
export const GRAPHILE_JOBS: ErasureTable = {
  table: 'graphile_worker._private_jobs',
  key: ['id'],
  numeric: ['id'],
  customer: (s) => sql`payload->>'customerId' = ${s.customerId}`,
  person: { delete: (s) => sql`payload->>'userId' = ${s.userId}` },
  personal: [],
};

/** Tables that hold nothing of any customer, and why. */
export const PLATFORM_TABLES: Readonly<Record<string, string>> = {
  job_workers: 'heartbeats of job worker processes',
  lti_tool_keys: "the install's own LTI 1.3 signing keys",
  notification_digests: 'which days the enterprise digest went out',
  kysely_migration: 'which migrations ran',
  kysely_migration_lock: 'the migration lock',
};

/** Tables that keep a customer's id on purpose after an erasure, and why. */
export const KEPT_TABLES: Readonly<Record<string, string>> = {
  erasure_certificates: 'the certificates themselves: codes, counts and digests, no personal data; kept after the customer is gone',
};
