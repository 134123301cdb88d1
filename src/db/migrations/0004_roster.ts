import type { CreateTableBuilder, Kysely } from 'kysely';

/*
 * Roster entities, keyed by (customer_id, sourced_id); references between them are by sourcedId,
 * as in OneRoster, so a bundle can be staged and merged with set-based statements in any order.
 * Soft deletes: status 'deleted' + deleted_at; purge removes rows after the retention period.
 * Each entity type has a stage_* twin holding one run's incoming rows until the run ends.
 */

type Builder = CreateTableBuilder<string, string>;
type Columns = (t: Builder) => Builder;

const orgColumns: Columns = (t) =>
  t
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('identifier', 'text', (c) => c.notNull())
    .addColumn('parent_sourced_id', 'text');

const sessionColumns: Columns = (t) =>
  t
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('start_date', 'text', (c) => c.notNull())
    .addColumn('end_date', 'text', (c) => c.notNull())
    .addColumn('parent_sourced_id', 'text')
    .addColumn('school_year', 'text', (c) => c.notNull());

const courseColumns: Columns = (t) =>
  t
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('course_code', 'text', (c) => c.notNull())
    .addColumn('grades', 'text', (c) => c.notNull())
    .addColumn('org_sourced_id', 'text', (c) => c.notNull())
    .addColumn('school_year_sourced_id', 'text')
    .addColumn('subjects', 'text', (c) => c.notNull());

const enrollmentColumns: Columns = (t) =>
  t
    .addColumn('class_sourced_id', 'text', (c) => c.notNull())
    .addColumn('user_sourced_id', 'text', (c) => c.notNull())
    .addColumn('school_sourced_id', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('is_primary', 'integer', (c) => c.notNull())
    .addColumn('begin_date', 'text')
    .addColumn('end_date', 'text');

const liveColumns: Columns = (t) =>
  t
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('sourced_id', 'text', (c) => c.notNull())
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_run_id', 'text')
    .addColumn('updated_run_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text');

const stageColumns: Columns = (t) =>
  t
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('line', 'integer', (c) => c.notNull())
    .addColumn('sourced_id', 'text', (c) => c.notNull())
    // 'active' or 'tobedeleted' (delta rows); 'error' rows count as present but are not applied.
    .addColumn('row_status', 'text', (c) => c.notNull())
    .addColumn('metadata', 'text', (c) => c.notNull())
    // The plan, filled by the planner: create | update | unchanged | restore | delete | skip.
    .addColumn('action', 'text')
    .addColumn('target_id', 'text')
    .addColumn('reason', 'text');

/** Orgs, academic sessions, courses, roster columns on classes and users, roles, enrollments, runs. */
export async function up(db: Kysely<unknown>): Promise<void> {
  const entities: [string, Columns][] = [
    ['orgs', orgColumns],
    ['academic_sessions', sessionColumns],
    ['courses', courseColumns],
    ['enrollments', enrollmentColumns],
  ];
  for (const [table, columns] of entities) {
    await columns(liveColumns(db.schema.createTable(table) as Builder))
      .addUniqueConstraint(`${table}_customer_sourced_id`, ['customer_id', 'sourced_id'])
      .execute();
    await columns(stageColumns(db.schema.createTable(`stage_${table}`) as Builder)).execute();
    await db.schema.createIndex(`stage_${table}_run`).on(`stage_${table}`).columns(['run_id', 'sourced_id']).execute();
    await db.schema.createIndex(`stage_${table}_target`).on(`stage_${table}`).columns(['run_id', 'target_id']).execute();
  }
  await db.schema.createIndex('enrollments_class').on('enrollments').columns(['customer_id', 'class_sourced_id']).execute();
  await db.schema.createIndex('enrollments_user').on('enrollments').columns(['customer_id', 'user_sourced_id']).execute();

  // Classes and users exist since 0001; they gain their roster columns here.
  for (const [column, type] of [
    ['course_sourced_id', 'text'],
    ['grades', 'text'],
    ['location', 'text'],
    ['term_sourced_ids', 'text'],
    ['subjects', 'text'],
    ['periods', 'text'],
    ['metadata', 'text'],
    ['created_run_id', 'text'],
    ['updated_run_id', 'text'],
  ] as const) {
    await db.schema.alterTable('classes').addColumn(column, type).execute();
  }
  await stageColumns(db.schema.createTable('stage_classes') as Builder)
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('class_code', 'text', (c) => c.notNull())
    .addColumn('class_type', 'text', (c) => c.notNull())
    .addColumn('school_sourced_id', 'text', (c) => c.notNull())
    .addColumn('course_sourced_id', 'text', (c) => c.notNull())
    .addColumn('grades', 'text', (c) => c.notNull())
    .addColumn('location', 'text', (c) => c.notNull())
    .addColumn('term_sourced_ids', 'text', (c) => c.notNull())
    .addColumn('subjects', 'text', (c) => c.notNull())
    .addColumn('periods', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('stage_classes_run').on('stage_classes').columns(['run_id', 'sourced_id']).execute();
  await db.schema.createIndex('stage_classes_target').on('stage_classes').columns(['run_id', 'target_id']).execute();

  for (const [column, type] of [
    ['middle_name', 'text'],
    ['enabled_user', 'integer'],
    ['grades', 'text'],
    ['user_ids', 'text'],
    ['agent_sourced_ids', 'text'],
    ['org_sourced_ids', 'text'],
    ['sms', 'text'],
    ['metadata', 'text'],
    // A keyed digest of the roster password: detects a changed password without storing it.
    ['password_digest', 'text'],
    ['match_rule', 'text'],
    ['match_value', 'text'],
    ['matched_run_id', 'text'],
    ['created_run_id', 'text'],
    ['updated_run_id', 'text'],
  ] as const) {
    await db.schema.alterTable('users').addColumn(column, type).execute();
  }
  await db.schema.createIndex('users_customer_identifier').on('users').columns(['customer_id', 'identifier']).execute();
  await db.schema.createIndex('users_customer_username').on('users').columns(['customer_id', 'username']).execute();
  await stageColumns(db.schema.createTable('stage_users') as Builder)
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('identifier', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('given_name', 'text', (c) => c.notNull())
    .addColumn('family_name', 'text', (c) => c.notNull())
    .addColumn('middle_name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('enabled_user', 'integer', (c) => c.notNull())
    .addColumn('grades', 'text', (c) => c.notNull())
    .addColumn('user_ids', 'text', (c) => c.notNull())
    .addColumn('agent_sourced_ids', 'text', (c) => c.notNull())
    .addColumn('org_sourced_ids', 'text', (c) => c.notNull())
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('sms', 'text', (c) => c.notNull())
    .addColumn('password_digest', 'text')
    // The roster password sealed with the app key, only until it is hashed after the run applies.
    .addColumn('password_sealed', 'text')
    // Matching: the value compared under the customer's Match with rule (Suffix applied), and the outcome.
    .addColumn('match_key', 'text', (c) => c.notNull())
    .addColumn('login', 'text', (c) => c.notNull())
    .addColumn('match_rule', 'text')
    .addColumn('candidates', 'integer')
    .execute();
  await db.schema.createIndex('stage_users_run').on('stage_users').columns(['run_id', 'sourced_id']).execute();
  await db.schema.createIndex('stage_users_target').on('stage_users').columns(['run_id', 'target_id']).execute();
  await db.schema.createIndex('stage_users_login').on('stage_users').columns(['run_id', 'login']).execute();

  // Passwords waiting for their argon2id hash: sealed, so a crash loses nothing and leaks nothing.
  await db.schema
    .createTable('pending_passwords')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('password_sealed', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .execute();

  // A user's role at an org (1.1: users.role + orgSourcedIds; 1.2: roles.csv). Replaced per user on sync.
  await db.schema
    .createTable('user_roles')
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('user_sourced_id', 'text', (c) => c.notNull())
    .addColumn('org_sourced_id', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('role_type', 'text', (c) => c.notNull())
    .addColumn('begin_date', 'text')
    .addColumn('end_date', 'text')
    .addPrimaryKeyConstraint('user_roles_pk', ['customer_id', 'user_sourced_id', 'org_sourced_id', 'role'])
    .execute();
  await db.schema
    .createTable('stage_user_roles')
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('user_sourced_id', 'text', (c) => c.notNull())
    .addColumn('org_sourced_id', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('role_type', 'text', (c) => c.notNull())
    .addColumn('begin_date', 'text')
    .addColumn('end_date', 'text')
    .execute();
  await db.schema.createIndex('stage_user_roles_run').on('stage_user_roles').columns(['run_id', 'user_sourced_id']).execute();

  await db.schema
    .createTable('roster_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('actor_user_id', 'text')
    .addColumn('actor_label', 'text', (c) => c.notNull())
    .addColumn('dry_run', 'integer', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('bundle_path', 'text')
    .addColumn('oneroster_version', 'text')
    .addColumn('modes', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('progress_done', 'integer', (c) => c.notNull())
    .addColumn('progress_total', 'integer', (c) => c.notNull())
    .addColumn('counts', 'text', (c) => c.notNull())
    .addColumn('issue_counts', 'text', (c) => c.notNull())
    .addColumn('hold_reason', 'text', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text', (c) => c.notNull())
    .addColumn('plan_fingerprint', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('roster_runs_customer').on('roster_runs').columns(['customer_id', 'created_at']).execute();

  // One run per customer at a time, across processes: the row is the lock, expiry frees a dead holder's.
  await db.schema
    .createTable('roster_run_leases')
    .addColumn('customer_id', 'text', (c) => c.primaryKey())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('roster_run_issues')
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('file', 'text', (c) => c.notNull())
    .addColumn('line', 'integer')
    .addColumn('col', 'text')
    .addColumn('sourced_id', 'text')
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('roster_run_issues_pk', ['run_id', 'seq'])
    .execute();

  // The plan of a run, row by row, for preview, approval and each record's change history.
  await db.schema
    .createTable('roster_run_changes')
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('sourced_id', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text')
    .addColumn('fields', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('roster_run_changes_run').on('roster_run_changes').columns(['run_id', 'entity', 'action']).execute();
  await db.schema.createIndex('roster_run_changes_target').on('roster_run_changes').column('target_id').execute();
  await db.schema.createIndex('roster_run_changes_sourced').on('roster_run_changes').columns(['run_id', 'entity', 'sourced_id']).execute();
}
