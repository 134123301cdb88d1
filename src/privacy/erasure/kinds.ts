// Shared with the web console, which type-checks without Node's types: keep this module import-light.

/** What a certificate counts, per kind: rows by table, rows made to forget the person (`table.column`), files and secrets. */
export interface ErasureCounts {
  records: Record<string, number>;
  anonymized: Record<string, number>;
  files: { content: number; bundles: number };
  secrets: number;
}

// What each table's rows are, in words; a table not named here shows by its name.
const KINDS: Record<string, string> = {
  users: 'People (accounts)',
  classes: 'Classes',
  enrollments: 'Class enrollments',
  orgs: 'Schools and districts',
  academic_sessions: 'Terms and school years',
  courses: 'Courses',
  user_roles: 'Roles at schools',
  reading_progress: 'Reading progress',
  reader_settings: 'Reading settings',
  books: 'Titles',
  collections: 'Collections',
  collection_books: 'Titles in collections',
  assignments: 'Assignments',
  roster_runs: 'Roster run records',
  roster_run_issues: 'Roster run findings',
  roster_run_changes: 'Plan and change records',
  stage_users: 'Staged people',
  stage_enrollments: 'Staged enrollments',
  stage_user_roles: 'Staged roles',
  stage_orgs: 'Staged schools',
  stage_classes: 'Staged classes',
  stage_courses: 'Staged courses',
  stage_academic_sessions: 'Staged terms',
  pending_passwords: 'Roster passwords waiting to be hashed',
  lti_outcome_bindings: 'LMS grade links',
  lti_outcome_calls: 'Grade reports to the LMS',
  lti_user_links: 'LMS account links',
  lti_launch_tickets: 'LMS launch tickets',
  lti_platforms: 'LTI 1.3 registrations',
  lti13_contexts: 'LMS courses',
  lti13_registration_tokens: 'Registration links',
  lti13_deep_link_requests: 'Title pickers in progress',
  lti13_login_states: 'LMS sign-ins in progress',
  lti_nonces: 'Signed launch nonces',
  sessions: 'Sessions',
  api_tokens: 'API tokens',
  sign_in_tokens: 'Login card sign-in codes',
  login_addresses: 'Known sign-in addresses',
  login_throttle: 'Sign-in attempt counters',
  notification_preferences: 'Notification settings',
  notification_deliveries: 'Webhook delivery log',
  notification_webhooks: 'Webhooks',
  notification_stale_marks: 'Stale feed notices',
  audit_log: 'Audit log entries',
  jobs: 'Queued jobs',
  'graphile_worker._private_jobs': 'Queued jobs (PostgreSQL queue)',
  rostering_configs: 'Rostering settings',
  rest_sync_states: 'Roster API sync state',
  roster_schedules: 'Sync schedules',
  roster_run_leases: 'Roster locks',
  customer_offboarding: 'Offboarding settings',
  erased_sourced_ids: 'Keyed hashes of earlier erasures',
  customers: 'Customer record',
};

/** The words for a counted kind (a table, or `table.column` for records made to forget a person). */
export function kindLabel(kind: string): string {
  if (KINDS[kind]) return KINDS[kind];
  const [table, columns] = kind.split('.');
  const label = KINDS[table ?? ''] ?? kind;
  return columns ? `${label}: ${columns.replaceAll('_', ' ').replace('+', ' and ')} cleared` : label;
}
