/*
 * Shapes the API answers with. The customer view is the server's own TypeBox type, so the console
 * and the API cannot drift apart silently; so are the user, class and run views.
 */
import type { CustomerViewT } from '../../src/customers/customer-schema.js';
import type { ClassView, UserView } from '../../src/directory/views.js';
import type { OutcomeCallView, OutcomeStatus } from '../../src/lti/outcome-view.js';
import type { RunView } from '../../src/rostering/runs/run-view.js';
import type { EntityCounts as EntityCountsT } from '../../src/rostering/sync/counts.js';
import type { EntityType as EntityTypeT } from '../../src/rostering/sync/snapshot.js';

export type { CustomerCreateInput, CustomerPatchInput } from '../../src/customers/customer-schema.js';

/** A customer as GET /api/customers/:id shows it (secrets only as "set" flags). */
export type Customer = CustomerViewT;

/** The LTI 1.1 credentials shown once, on Add and on rotation. */
export interface LtiCredentials {
  version: string;
  consumerKey: string;
  sharedSecret: string;
  launchUrl: string;
}

/** POST /api/customers answer: the customer plus its one-time LTI credentials (and, for LTI 1.3, the tool values with a one-time registration URL). */
export type CreatedCustomer = Omit<Customer, 'lti'> & { lti: LtiCredentials & { sharedSecretSet: boolean; tool?: Customer['lti']['tool'] } };

export type Role = 'enterprise_admin' | 'customer_admin' | 'institute_admin' | 'teacher' | 'student' | 'reader';

/** The signed-in user. */
export interface Me {
  id: string;
  login: string;
  email: string;
  givenName: string;
  familyName: string;
  role: Role;
  customerId: string | null;
  mustChangePassword: boolean;
}

/** GET /api/auth/session and POST /api/auth/login. */
export interface SessionInfo {
  user: Me;
  csrfToken: string | null;
}

/** One page of a list. */
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

/** A user of a customer, as the Users tab lists it. */
export type DirectoryUser = UserView;

/** A class of a customer, as the Class tab lists it. */
export type DirectoryClass = ClassView;

/** One audit entry: who changed which fields (never values). */
export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  fields: string[];
}

/** A personal API token (the token itself is shown only when created). */
export interface ApiToken {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

/** The record types a roster run touches, in the order reports list them. */
export type EntityType = EntityTypeT;

/** What one run did (or, for previews and held runs, would do) to one record type. */
export type EntityCounts = EntityCountsT;

/** A roster run, as the upload, status and history endpoints answer. */
export type RosterRun = RunView;
export type RunStatus = RunView['status'];

export type Severity = 'error' | 'warning' | 'info';

/** One finding of a run, addressed by file, line and column. */
export interface RunIssue {
  file: string | null;
  line: number | null;
  column: string | null;
  sourcedId: string | null;
  severity: Severity;
  code: string;
  message: string;
  /** How many rows the finding stands for: a grouped list makes one finding of a code repeated in a file. */
  count: number;
  /** The first lines it was found on (at most 5). */
  lines: number[];
}

export type PlanAction = 'create' | 'update' | 'delete' | 'restore';

/** Changed fields: field name → [old value, new value]. */
export type FieldChanges = Record<string, unknown[]>;

/** One line of a run's plan. */
export interface PlanChange {
  entity: EntityType;
  action: PlanAction;
  sourcedId: string;
  targetId: string | null;
  /** What people call the record ("Ana Lee", "Algebra I - P1", "Ana Lee in Algebra I - P1"); '' when unknown. */
  name: string;
  fields: FieldChanges;
  reason: string;
}

/** A school of the customer, for filters and names. */
export interface School {
  sourcedId: string;
  name: string;
  identifier: string;
}

/** One change a roster run made to a user or class. */
export interface HistoryEntry {
  runId: string;
  at: string;
  trigger: string;
  fileName: string;
  runStatus: string;
  action: PlanAction;
  fields: FieldChanges;
  reason: string;
}

/** GET /api/customers/:id/users/:userId. */
export interface UserDetail extends DirectoryUser {
  middleName: string;
  phone: string | null;
  sms: string;
  enabledUser: boolean | null;
  grades: string[];
  userIds: string[];
  agentSourcedIds: string[];
  passwordSet: boolean;
  mustChangePassword: boolean;
  /** Org sourcedIds the user belongs to (for a manual institute admin: the schools they act for). */
  schoolIds: string[];
  /** For a deleted roster user: the run whose roster left them out (the next sync deletes them again after a restore). */
  missingFromRoster: { runId: string; at: string; fileName: string } | null;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
  match: { rule: string; value: string | null; runId: string | null; at: string | null; fileName: string | null; explanation: string } | null;
  roles: { orgSourcedId: string; orgName: string | null; orgType: string | null; role: string; roleType: string }[];
  enrollments: { sourcedId: string; role: string; status: string; beginDate: string | null; endDate: string | null; classId: string | null; classTitle: string | null; classSourcedId: string }[];
  history: HistoryEntry[];
}

/** A person enrolled in a class. */
export interface ClassMember {
  userId: string;
  givenName: string;
  familyName: string;
  login: string;
  role: string;
  status: string;
  beginDate: string | null;
  endDate: string | null;
}

/** GET /api/customers/:id/classes/:classId. */
export interface ClassDetail extends DirectoryClass {
  courseSourcedId: string | null;
  grades: string[];
  location: string;
  termSourcedIds: string[];
  periods: string[];
  teachers: ClassMember[];
  students: ClassMember[];
  others: ClassMember[];
  history: HistoryEntry[];
}

/** One LTI Basic Outcomes call (a grade report to the LMS), as GET /api/customers/:id/lti/outcomes lists it. */
export type OutcomeCall = OutcomeCallView;
export type { OutcomeStatus };

/** A page of outcome calls with the calls per status (following the search, not the status filter). */
export interface OutcomeCallPage extends Page<OutcomeCall> {
  counts: Record<OutcomeStatus, number>;
}

export type { CustomerStatus, StatusPage as StatusList, StatusSource, StatusState } from '../../src/status/status-view.js';
