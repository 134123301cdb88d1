import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/*
 * Column conventions that hold on both SQLite and PostgreSQL:
 * ids are UUID text, timestamps are ISO-8601 UTC text (sortable as text), booleans are 0/1
 * integers and JSON is text. One convention means one set of queries for both dialects.
 */

export type Role = 'enterprise_admin' | 'customer_admin' | 'institute_admin' | 'teacher' | 'student' | 'reader';
export type UserStatus = 'active' | 'disabled' | 'deleted';
export type UserSource = 'manual' | 'roster' | 'lti' | 'bootstrap';
/** Which sync keeps a roster class, user or enrollment (migration 0019): a OneRoster bulk file deletes only its own. */
export type SyncOwner = 'oneroster' | 'lms';

/** The LTI versions a customer launches with. */
export type LtiVersion = '1.1' | '1.3' | 'both';

export interface CustomersTable {
  id: string;
  code: string;
  name: string;
  time_zone: string;
  status: 'active' | 'disabled';
  admin_user_id: string | null;
  admin_first_name: string;
  admin_last_name: string;
  admin_email: string;
  admin_phone: string;
  address_line1: string;
  address_line2: string;
  address_city: string;
  address_region: string;
  address_postal_code: string;
  address_country: string;
  /** '1.1' (consumer key and secret), '1.3' (platform registrations), or 'both' while a customer moves from 1.1. */
  lti_version: LtiVersion;
  lti_consumer_key: string;
  lti_shared_secret_enc: string;
  /** What an LTI launch by someone no Match with rule finds does: make an LTI-only user, or refuse. */
  lti_unmatched_users: 'create' | 'refuse';
  /** 1: a teacher's LTI 1.3 launch queues a pull of the course's members (NRPS), at most hourly (migration 0020). */
  lti_sync_roster_on_launch: Generated<number>;
  terms_accepted_at: string;
  terms_accepted_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface RosteringConfigsTable {
  customer_id: string;
  type: 'none' | 'oneroster';
  one_roster_version: string | null;
  sync_type: 'api' | 'sftp' | 'zip' | null;
  match_with: 'sourcedId' | 'identifier' | 'username' | 'email' | null;
  sync_frequency: 'auto' | 'manual' | null;
  period: string | null;
  suffix: string;
  client_partner_id: string | null;
  authorization: string | null;
  api_consumer_key: string;
  api_secret_enc: string | null;
  api_url: string;
  token_url: string;
  scope: string;
  sftp_host: string;
  sftp_port: number | null;
  sftp_username: string;
  sftp_password_enc: string | null;
  sftp_private_key_enc: string | null;
  sftp_path: string;
  sftp_file_name: string;
  sftp_host_key_fingerprint: string;
  deletion_threshold_percent: number;
  deletion_threshold_min: number;
  retention_days: number;
  updated_at: string;
}

export interface UsersTable {
  id: string;
  customer_id: string | null;
  role: Role;
  login: string;
  email: string;
  given_name: string;
  family_name: string;
  phone: string;
  password_hash: string | null;
  must_change_password: number;
  status: UserStatus;
  source: UserSource;
  sourced_id: string | null;
  identifier: string;
  username: string;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  middle_name: string | null;
  enabled_user: number | null;
  grades: string | null;
  user_ids: string | null;
  agent_sourced_ids: string | null;
  org_sourced_ids: string | null;
  sms: string | null;
  metadata: string | null;
  password_digest: string | null;
  match_rule: string | null;
  match_value: string | null;
  matched_run_id: string | null;
  created_run_id: string | null;
  updated_run_id: string | null;
  /** Which kind of sync keeps the account: a OneRoster bulk file deletes only its own (migration 0019). */
  sync_owner: Generated<SyncOwner>;
  /** When an admin last set the password in the console; null when the password in force is the roster's (or the user's own). */
  password_set_here_at: Generated<string | null>;
}

export interface ClassesTable {
  id: string;
  customer_id: string;
  sourced_id: string;
  title: string;
  class_code: string;
  class_type: string;
  school_sourced_id: string;
  status: 'active' | 'deleted';
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  course_sourced_id: string | null;
  grades: string | null;
  location: string | null;
  term_sourced_ids: string | null;
  subjects: string | null;
  periods: string | null;
  metadata: string | null;
  created_run_id: string | null;
  updated_run_id: string | null;
  sync_owner: Generated<SyncOwner>;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
  ip: string;
  user_agent: string;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  customer_id: string | null;
  actor_user_id: string | null;
  actor_label: string;
  action: string;
  target_type: string;
  target_id: string;
  fields: string;
  at: string;
  /** `write`: a change; `read`: someone's data was shown or downloaded (migration 0028). */
  kind: Generated<AuditKind>;
  /** The person the entry is about, when it is about one (filters "who saw or changed this person"). */
  subject_user_id: string | null;
}

/** Whether an audit entry records a change or a read of personal data. */
export type AuditKind = 'write' | 'read';

export interface LoginThrottleTable {
  key: string;
  /** Attempts claimed in the window and not given back (a right password gives its claim back). */
  failures: number;
  window_started_at: string;
}

/** An address an account signed in from successfully: its sign-ins there have a budget of their own. */
export interface LoginAddressesTable {
  user_id: string;
  ip: string;
  last_success_at: string;
}

export interface JobsTable {
  id: string;
  name: string;
  payload: string;
  serial_key: string | null;
  job_key: string | null;
  run_at: string;
  attempts: number;
  max_attempts: number;
  status: 'queued' | 'running' | 'failed';
  locked_by: string | null;
  locked_at: string | null;
  last_error: string;
  created_at: string;
  updated_at: string;
}

export interface JobWorkersTable {
  worker_id: string;
  engine: string;
  host: string;
  started_at: string;
  last_seen_at: string;
}

export interface LtiNoncesTable {
  consumer_key: string;
  nonce: string;
  expires_at: string;
}

/** A QR sign-in token printed on a login card: single use, expiring (migration 0022). */
export interface SignInTokensTable {
  /** SHA-256 of the token in the card's QR code. */
  id: string;
  customer_id: string;
  user_id: string;
  /** The admin who printed the card (null for the CLI operator). */
  created_by: string | null;
  created_at: string;
  expires_at: string;
}

/** An LMS user (per consumer instance) remembered as a Lectern user after the first launch. */
export interface LtiUserLinksTable {
  customer_id: string;
  /** tool_consumer_instance_guid, '' when the LMS sends none. */
  consumer_guid: string;
  lti_user_id: string;
  user_id: string;
  created_at: string;
  last_launch_at: string;
}

/** A single-use ticket that opens a launch made inside an LMS iframe in a top-level window. */
export interface LtiLaunchTicketsTable {
  /** SHA-256 of the ticket in the URL. */
  id: string;
  customer_id: string;
  user_id: string;
  /** The reader path the launch goes to. */
  target: string;
  expires_at: string;
}

/** Where to report a user's progress for one LMS resource link (LTI 1.1 Basic Outcomes or LTI 1.3 AGS scores). */
export interface LtiOutcomeBindingsTable {
  id: string;
  customer_id: string;
  user_id: string;
  consumer_guid: string;
  resource_link_id: string;
  target_type: 'book' | 'collection';
  target_id: string;
  service_url: string;
  result_sourcedid: string;
  consumer_key: string;
  /** The last score queued for the LMS, null before the first. */
  reported_score: number | null;
  created_at: string;
  updated_at: string;
  /** '1.1': Basic Outcomes (service_url, result_sourcedid, consumer_key); '1.3': AGS scores (the columns below; see migration 0016). */
  lti_version: Generated<'1.1' | '1.3'>;
  platform_id: string | null;
  /** The AGS line item; null until created in lineitems_url. */
  line_item_url: string | null;
  lineitems_url: string | null;
  /** The person's `sub` at the platform. */
  lti_user_id: string | null;
  /** The AGS claim's scopes, a JSON array. */
  ags_scopes: string | null;
}

/** One replaceResult report and how sending it went. */
export interface LtiOutcomeCallsTable {
  id: string;
  customer_id: string;
  binding_id: string;
  score: number;
  status: 'queued' | 'succeeded' | 'retrying' | 'failed' | 'superseded';
  attempts: number;
  last_error: string;
  created_at: string;
  updated_at: string;
}

/** An LMS registered with a customer for LTI 1.3 (see migration 0014). */
export interface LtiPlatformsTable {
  id: string;
  customer_id: string;
  /** An identifier (the `iss` of its tokens), never fetched. */
  issuer: string;
  client_id: string;
  /** A JSON array of the deployment ids the platform may launch from. */
  deployment_ids: string;
  auth_login_url: string;
  auth_token_url: string;
  jwks_url: string;
  /** Entered in the console (or CLI, or API), or made by Dynamic Registration. */
  origin: 'console' | 'dynamic';
  created_at: string;
  updated_at: string;
}

/** The lifecycle of a tool key: published, then signing, then listed until its tokens expire. */
export type ToolKeyState = 'next' | 'current' | 'retired';

/** The tool's RS256 keys, one set for the whole install. */
export interface LtiToolKeysTable {
  kid: string;
  /** The public JWK as JSON text (kty, n, e, kid, alg, use). */
  public_jwk: string;
  /** The private JWK, sealed with the SecretBox; never returned. */
  private_key_sealed: string;
  state: ToolKeyState;
  created_at: string;
  /** When it became 'current' (began signing). */
  activated_at: string | null;
  /** When it stopped signing; it stays listed until every token it signed has expired. */
  retired_at: string | null;
}

/** An OIDC login in flight: single-use, short-lived. */
export interface Lti13LoginStatesTable {
  /** SHA-256 (hex) of the `state` sent to the platform. */
  state_hash: string;
  nonce: string;
  platform_id: string;
  target_link_uri: string;
  expires_at: string;
  /** The platform's storage frame (`lti_storage_target`) when the state is kept there; null: an ordinary login. */
  storage_target: string | null;
  /** SHA-256 of the one-time marker the storage check page must send back; null until the platform's post sets it. */
  storage_marker_hash: string | null;
}

/** The one-time secret of a customer's Dynamic Registration URL. */
export interface Lti13RegistrationTokensTable {
  /** SHA-256 (hex) of the token. */
  token_hash: string;
  customer_id: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

/** An LTI 1.3 deep linking request waiting for the teacher's choice: single-use, an hour at most. */
export interface Lti13DeepLinkRequestsTable {
  /** SHA-256 (hex) of the picker's token. */
  token_hash: string;
  customer_id: string;
  platform_id: string;
  deployment_id: string;
  /** deep_link_return_url: where the response is posted. */
  return_url: string;
  /** The request's opaque `data`, echoed in the response; null when it had none. */
  data: string | null;
  accept_multiple: number;
  /** JSON array of content item types. */
  accept_types: string;
  accept_lineitem: number;
  created_at: string;
  expires_at: string;
}

/** An LMS course (LTI 1.3 context) that launched Lectern, with its NRPS memberships URL (migration 0017). */
export interface Lti13ContextsTable {
  id: string;
  customer_id: string;
  platform_id: string;
  context_id: string;
  title: string;
  memberships_url: string;
  /** The sourcedId of the class a pull of its members makes (derived from issuer and context id). */
  class_sourced_id: string;
  created_at: string;
  updated_at: string;
}

/** Columns every roster entity table shares. */
interface RosterEntityColumns {
  id: string;
  customer_id: string;
  sourced_id: string;
  metadata: string;
  status: 'active' | 'deleted';
  created_run_id: string | null;
  updated_run_id: string | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

/** Columns every staging table shares: one incoming row of one run. */
interface StageColumns {
  run_id: string;
  line: number;
  sourced_id: string;
  row_status: 'active' | 'tobedeleted' | 'error';
  metadata: string;
  action: PlanAction | null;
  target_id: string | null;
  reason: string | null;
}

/** What a run does with one record. */
export type PlanAction = 'create' | 'update' | 'unchanged' | 'restore' | 'delete' | 'skip';

export interface OrgFields {
  name: string;
  type: string;
  identifier: string;
  parent_sourced_id: string | null;
}

export interface AcademicSessionFields {
  title: string;
  type: string;
  start_date: string;
  end_date: string;
  parent_sourced_id: string | null;
  school_year: string;
}

export interface CourseFields {
  title: string;
  course_code: string;
  grades: string;
  org_sourced_id: string;
  school_year_sourced_id: string | null;
  subjects: string;
}

export interface EnrollmentFields {
  class_sourced_id: string;
  user_sourced_id: string;
  school_sourced_id: string;
  role: string;
  is_primary: number;
  begin_date: string | null;
  end_date: string | null;
}

export interface StageClassFields {
  title: string;
  class_code: string;
  class_type: string;
  school_sourced_id: string;
  course_sourced_id: string;
  grades: string;
  location: string;
  term_sourced_ids: string;
  subjects: string;
  periods: string;
}

export interface StageUserFields {
  username: string;
  identifier: string;
  email: string;
  given_name: string;
  family_name: string;
  middle_name: string;
  role: string;
  enabled_user: number;
  grades: string;
  user_ids: string;
  agent_sourced_ids: string;
  org_sourced_ids: string;
  phone: string;
  sms: string;
  password_digest: string | null;
  password_sealed: string | null;
  match_key: string;
  login: string;
  match_rule: string | null;
  candidates: number | null;
}

export interface UserRoleFields {
  user_sourced_id: string;
  org_sourced_id: string;
  role: string;
  role_type: string;
  begin_date: string | null;
  end_date: string | null;
}

export interface RosterRunsTable {
  id: string;
  customer_id: string;
  /** `lms`: a pull of an LMS course's members (NRPS 2.0, src/lti13/nrps-source.ts). */
  trigger: 'upload' | 'cli' | 'sftp' | 'api' | 'schedule' | 'lms';
  actor_user_id: string | null;
  actor_label: string;
  dry_run: number;
  file_name: string;
  size_bytes: number;
  sha256: string;
  bundle_path: string | null;
  oneroster_version: string | null;
  modes: string;
  status: 'queued' | 'running' | 'succeeded' | 'succeeded_with_warnings' | 'failed' | 'awaiting_approval' | 'discarded';
  stage: string;
  progress_done: number;
  progress_total: number;
  counts: string;
  issue_counts: string;
  hold_reason: string;
  error_code: string | null;
  error_message: string;
  plan_fingerprint: string | null;
  decided_by: string | null;
  decided_at: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** Roster passwords this run queued for hashing. */
  passwords_queued: number;
}

export interface RosterRunIssuesTable {
  run_id: string;
  seq: number;
  file: string;
  line: number | null;
  col: string | null;
  sourced_id: string | null;
  severity: 'error' | 'warning' | 'info';
  code: string;
  message: string;
}

export interface RosterRunChangesTable {
  run_id: string;
  entity: string;
  action: 'create' | 'update' | 'delete' | 'restore';
  sourced_id: string;
  target_id: string | null;
  fields: string;
  reason: string;
  /** The record's name when the change was copied from a stage about to be cleared (migration 0025); '' otherwise. */
  name: Generated<string>;
}

/** The whole database as Kysely sees it. */
/** An uploaded title; the file and cover live in the content store under their keys. */
export interface BooksTable {
  id: string;
  customer_id: string;
  title: string;
  author: string;
  format: 'epub' | 'pdf';
  file_key: string;
  size_bytes: number;
  sha256: string;
  cover_key: string | null;
  cover_type: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

export interface CollectionsTable {
  id: string;
  customer_id: string;
  name: string;
  description: string;
  created_at: string;
  updated_at: string;
}

export interface AssignmentsTable {
  id: string;
  customer_id: string;
  book_id: string;
  target_type: 'user' | 'class';
  target_id: string;
  assigned_by: string | null;
  created_at: string;
}

export interface ReadingProgressTable {
  customer_id: string;
  user_id: string;
  book_id: string;
  /** Reader-specific location: an EPUB CFI or a PDF page number. */
  position: string;
  /** 0.0–1.0 */
  progress: number;
  updated_at: string;
}

/** A reader's own reading settings (migration 0026); no row means the defaults. */
export interface ReaderSettingsTable {
  user_id: string;
  customer_id: string;
  font: 'book' | 'serif' | 'sans' | 'dyslexic';
  /** Percent of the book's text size: 80–200. */
  font_size: number;
  line_spacing: 'normal' | 'relaxed' | 'loose';
  theme: 'standard' | 'high-contrast';
  /** A language tag the reader chose (`es`), or null to follow the browser. */
  language: string | null;
  updated_at: string;
}

/** What a customer's OneRoster REST pulls remember: start times of the last pull and last full pull. */
export interface RestSyncStatesTable {
  customer_id: string;
  last_pull_at: string;
  last_full_at: string;
  last_run_id: string;
  updated_at: string;
}

/** The Auto scheduler's claim on a customer's next slot (see migration 0008). */
export interface RosterSchedulesTable {
  customer_id: string;
  /** The slot the customer is next due at (ISO-8601 UTC); claimed by a compare-and-set UPDATE. */
  next_run_at: string;
  /** `period@timeZone` the slot was computed from. */
  basis: string;
  /** The last slot a scheduler claimed (and queued a pull for). */
  last_claimed_at: string | null;
  updated_at: string;
}

export interface Database {
  customers: CustomersTable;
  rostering_configs: RosteringConfigsTable;
  users: UsersTable;
  classes: ClassesTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  login_throttle: LoginThrottleTable;
  login_addresses: LoginAddressesTable;
  jobs: JobsTable;
  job_workers: JobWorkersTable;
  lti_nonces: LtiNoncesTable;
  lti_user_links: LtiUserLinksTable;
  lti_launch_tickets: LtiLaunchTicketsTable;
  sign_in_tokens: SignInTokensTable;
  lti_outcome_bindings: LtiOutcomeBindingsTable;
  lti_outcome_calls: LtiOutcomeCallsTable;
  lti_platforms: LtiPlatformsTable;
  lti_tool_keys: LtiToolKeysTable;
  lti13_login_states: Lti13LoginStatesTable;
  lti13_registration_tokens: Lti13RegistrationTokensTable;
  lti13_deep_link_requests: Lti13DeepLinkRequestsTable;
  // launch_sync_queued_at (migration 0020): when a teacher's launch last queued a pull; only sync-on-launch.ts reads it.
  lti13_contexts: Lti13ContextsTable & { launch_sync_queued_at: Generated<string | null> };
  orgs: RosterEntityColumns & OrgFields;
  academic_sessions: RosterEntityColumns & AcademicSessionFields;
  courses: RosterEntityColumns & CourseFields;
  enrollments: RosterEntityColumns & EnrollmentFields & { sync_owner: Generated<SyncOwner> };
  stage_orgs: StageColumns & OrgFields;
  stage_academic_sessions: StageColumns & AcademicSessionFields;
  stage_courses: StageColumns & CourseFields;
  stage_enrollments: StageColumns & EnrollmentFields;
  stage_classes: StageColumns & StageClassFields;
  stage_users: StageColumns & StageUserFields;
  user_roles: UserRoleFields & { customer_id: string };
  stage_user_roles: UserRoleFields & { run_id: string };
  roster_runs: RosterRunsTable;
  roster_run_issues: RosterRunIssuesTable;
  roster_run_changes: RosterRunChangesTable;
  roster_run_leases: { customer_id: string; run_id: string; expires_at: string };
  pending_passwords: { user_id: string; customer_id: string; password_sealed: string; run_id: string };
  books: BooksTable;
  collections: CollectionsTable;
  collection_books: { collection_id: string; book_id: string; position: number };
  assignments: AssignmentsTable;
  reading_progress: ReadingProgressTable;
  reader_settings: ReaderSettingsTable;
  rest_sync_states: RestSyncStatesTable;
  roster_schedules: RosterSchedulesTable;
  notification_preferences: NotificationPreferencesTable;
  notification_webhooks: NotificationWebhooksTable;
  notification_deliveries: NotificationDeliveriesTable;
  notification_stale_marks: { customer_id: string; last_success_at: string; notified_at: string };
  notification_digests: { day: string; sent_at: string };
  erasure_certificates: ErasureCertificatesTable;
  erased_sourced_ids: ErasedSourcedIdsTable;
  customer_offboarding: CustomerOffboardingTable;
}

export type Customer = Selectable<CustomersTable>;
export type NewCustomer = Insertable<CustomersTable>;
export type CustomerUpdate = Updateable<CustomersTable>;
export type RosteringConfig = Selectable<RosteringConfigsTable>;
export type LtiPlatform = Selectable<LtiPlatformsTable>;
export type LtiToolKey = Selectable<LtiToolKeysTable>;
export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type ClassRow = Selectable<ClassesTable>;
export type Session = Selectable<SessionsTable>;
export type ApiToken = Selectable<ApiTokensTable>;
export type AuditEntry = Selectable<AuditLogTable>;
export type Job = Selectable<JobsTable>;
export type RosterRun = Selectable<RosterRunsTable>;
export type Lti13Context = Selectable<Lti13ContextsTable>;

/** Which e-mails a console user wants (migration 0024); no row means the defaults (everything on). */
export interface NotificationPreferencesTable {
  user_id: string;
  customer_id: string | null;
  run_failed: number;
  run_held: number;
  feed_stale: number;
  daily_digest: number;
  updated_at: string;
}

/** A customer's webhook: where events are posted, and the sealed secret that signs them. */
export interface NotificationWebhooksTable {
  customer_id: string;
  url: string;
  secret_sealed: string;
  created_at: string;
  updated_at: string;
}

/** One webhook delivery: the event's exact body and how its latest attempt went. */
export interface NotificationDeliveriesTable {
  id: string;
  customer_id: string;
  event_id: string;
  event_type: string;
  url: string;
  body: string;
  status: 'pending' | 'retrying' | 'succeeded' | 'failed';
  attempt: number;
  status_code: number | null;
  duration_ms: number | null;
  error: string;
  next_retry_at: string | null;
  created_at: string;
  updated_at: string;
}

/** The lasting record of one erasure (migration 0027): no foreign keys, no personal data; kept after what it names is gone. */
export interface ErasureCertificatesTable {
  id: string;
  kind: 'customer' | 'person';
  customer_id: string;
  customer_code: string;
  customer_name: string;
  /** The erased person's user id (a random uuid); null for a customer. */
  subject_id: string | null;
  /** `request` (an admin or the CLI) or `offboarding` (the daily purge, past the customer's period). */
  reason: 'request' | 'offboarding';
  actor_label: string;
  erased_at: string;
  /** JSON: records and files erased, per kind. */
  counts: string;
  /** The canonical JSON of what was erased (see src/privacy/erasure/manifest.ts). */
  manifest: string;
  manifest_sha256: string;
}

/** A keyed hash (HMAC) of an erased person's sourcedId, per customer: a later roster bringing it back says so. */
export interface ErasedSourcedIdsTable {
  customer_id: string;
  digest: string;
  certificate_id: string;
  erased_at: string;
}

/** When a customer was disabled, and its own offboarding period (null: LECTERN_OFFBOARDING_DAYS). */
export interface CustomerOffboardingTable {
  customer_id: string;
  offboarding_days: number | null;
  disabled_at: string | null;
  updated_at: string;
}
