import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/*
 * Column conventions that hold on both SQLite and PostgreSQL:
 * ids are UUID text, timestamps are ISO-8601 UTC text (sortable as text), booleans are 0/1
 * integers and JSON is text. One convention means one set of queries for both dialects.
 */

export type Role = 'enterprise_admin' | 'customer_admin' | 'institute_admin' | 'teacher' | 'student' | 'reader';
export type UserStatus = 'active' | 'disabled' | 'deleted';
export type UserSource = 'manual' | 'roster' | 'lti' | 'bootstrap';

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
  lti_version: string;
  lti_consumer_key: string;
  lti_shared_secret_enc: string;
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
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  window_started_at: string;
  locked_until: string | null;
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

/** The whole database as Kysely sees it. */
export interface Database {
  customers: CustomersTable;
  rostering_configs: RosteringConfigsTable;
  users: UsersTable;
  classes: ClassesTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  login_throttle: LoginThrottleTable;
  jobs: JobsTable;
  job_workers: JobWorkersTable;
  lti_nonces: LtiNoncesTable;
}

export type Customer = Selectable<CustomersTable>;
export type NewCustomer = Insertable<CustomersTable>;
export type CustomerUpdate = Updateable<CustomersTable>;
export type RosteringConfig = Selectable<RosteringConfigsTable>;
export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type ClassRow = Selectable<ClassesTable>;
export type Session = Selectable<SessionsTable>;
export type ApiToken = Selectable<ApiTokensTable>;
export type AuditEntry = Selectable<AuditLogTable>;
export type Job = Selectable<JobsTable>;
