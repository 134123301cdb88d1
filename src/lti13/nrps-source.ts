/*
 * A roster run source over an LMS course's NRPS 2.0 memberships (memberships.ts): the course is one
 * class, its members users and enrollments, applied by the roster engine with the safeguards and
 * report of every other sync.
 *
 * Delta-like: the class, users and enrollments arrive in delta mode, so nothing outside this course
 * is deleted for being absent. Inside it, a member who is gone (status Inactive or Deleted, or
 * missing from a complete pull) has their enrollment in this class marked `tobedeleted`: that ends
 * the enrollment only, through the customer's deletion threshold like any delete. No user is ever
 * deleted by a pull: a person leaving one course is still a student of the school.
 *
 * Who a member is, in order: the remembered LTI link (customer, issuer, sub) to a rostered account;
 * the customer's Match with rule (and Suffix) against rostered accounts, as a launch matches
 * (lis_person_sourcedid for sourcedId and identifier, the email for email); the account an earlier
 * pull made for them. An account found so is enrolled as it is: the pull never rewrites what
 * OneRoster (or an admin) keeps about it. Only a member nobody has yet becomes a new roster user,
 * with a sourcedId of their own: the LIS person sourcedId when the customer matches on sourcedId
 * (so a OneRoster file naming them later finds the same account), else one derived from the issuer
 * and user id. Derived ids start with `lti13:`, which no OneRoster id collides with in practice.
 *
 * What a pull creates is the LMS's (sync_owner 'lms', set by the engine from the run's trigger): a
 * OneRoster bulk file that does not list the class, its people or their enrollments leaves them be;
 * one that lists a person by the same sourcedId takes their account over (ownership.ts). A pull
 * never takes anything from OneRoster: it ends enrollments in its own class only, and an account it
 * finds keeps its owner.
 */
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, User } from '../db/schema.js';
import { LinkRepository, type MatchColumn } from '../lti/link-repository.js';
import type { RunIssue } from '../rostering/runs/run-repository.js';
import type { RunSource, SourceFile, SourceReport } from '../rostering/runs/run-source.js';
import { matchKey, type MatchSettings, type MatchWith } from '../rostering/sync/matching.js';
import { blankUserFields, type ClassRow, type EnrollmentRow, type UserRow } from '../rostering/sync/snapshot.js';
import { ContextRepository, type ContextWithPlatform } from './context-repository.js';
import { launchRole13 } from './launch-service.js';
import { membershipPages, type Member, type MembershipAuth, type MembershipLimits, type MembershipPage } from './memberships.js';
import type { OutboundClient } from '../security/outbound.js';

/** The file name a pull's issues and counts are reported under. */
export const MEMBERSHIPS_FILE = 'memberships';

/** The class sourcedId of an LMS context: derived from the issuer and context id, never a OneRoster id. */
export function contextClassSourcedId(issuer: string, contextId: string): string {
  return `lti13:class:${digest(issuer, contextId)}`;
}

/** The sourcedId a new roster user made from an LMS member gets when the customer does not match on sourcedId. */
export function memberSourcedId(issuer: string, userId: string): string {
  return `lti13:user:${digest(issuer, userId)}`;
}

/** What one pull reads: the context, the customer's matching settings, where the LMS is, and how to authenticate. */
export interface MembershipPull {
  customerId: string;
  context: ContextWithPlatform;
  matching: MatchSettings;
  outbound: Pick<OutboundClient, 'request'>;
  auth: MembershipAuth;
  limits?: MembershipLimits;
}

/** A member the pull enrolled, for remembering their LTI link once the run has applied. */
export interface EnrolledMember {
  userId: string;
  sourcedId: string;
}

// The roster account column each Match with rule compares, as a launch compares it (src/lti/identity.ts).
const MATCH_COLUMN: Record<MatchWith, MatchColumn> = { sourcedId: 'sourced_id', identifier: 'identifier', username: 'login', email: 'email' };
// Accounts a pull may enroll: a launch would open the reader for them (an LMS never enrolls an administrator).
const READER_ROLES = new Set<User['role']>(['teacher', 'student', 'reader']);

type Resolution = { kind: 'account'; sourcedId: string } | { kind: 'new'; sourcedId: string } | { kind: 'skip'; severity: RunIssue['severity']; code: string; message: string };

/**
 * The run source of one pull (see above). After `read`, `enrolled` lists the active members and the
 * sourcedId each was enrolled under.
 */
export function membershipSource(db: Kysely<Database>, pull: MembershipPull): RunSource & { enrolled: EnrolledMember[] } {
  const source = {
    enrolled: [] as EnrolledMember[],
    async read({ add, onIssue, onProgress }: Parameters<RunSource['read']>[0]): Promise<SourceReport> {
      const counts = { error: 0, warning: 0, info: 0 };
      const report = (issue: Omit<RunIssue, 'file' | 'column'>) => {
        counts[issue.severity]++;
        onIssue({ file: MEMBERSHIPS_FILE, column: null, ...issue });
      };
      const files = {
        classes: { name: MEMBERSHIPS_FILE, entity: 'classes', mode: 'delta', rows: 0, errorRows: 0 },
        users: { name: MEMBERSHIPS_FILE, entity: 'users', mode: 'delta', rows: 0, errorRows: 0 },
        enrollments: { name: MEMBERSHIPS_FILE, entity: 'enrollments', mode: 'delta', rows: 0, errorRows: 0 },
      } satisfies Record<string, SourceFile>;
      const done = (unusable: boolean): SourceReport => ({ version: null, unusable, files: Object.values(files), issueCounts: counts });

      // The whole container first: who left is known only once every page is in, and a broken one applies nothing.
      const members: { member: Member; line: number }[] = [];
      let container: MembershipPage['context'] = null;
      let line = 0;
      const pages = membershipPages(pull.outbound, pull.context.memberships_url, pull.auth, pull.limits);
      let step = await pages.next();
      for (; !step.done; step = await pages.next()) {
        container ??= step.value.context;
        for (const problem of step.value.problems) {
          files.enrollments.rows++;
          files.enrollments.errorRows++;
          report({
            line: line + problem.position + 1,
            sourcedId: null,
            severity: 'error',
            code: 'nrps.bad_member',
            message: `Member ${line + problem.position + 1} ${problem.message}; it was skipped.`,
          });
        }
        for (const member of step.value.members) members.push({ member, line: ++line });
        line += step.value.problems.length;
        onProgress(line, line);
      }
      if (step.value) {
        report({ line: null, sourcedId: null, severity: 'error', code: step.value.code, message: `${step.value.message} Nothing was applied.` });
        return done(true);
      }

      const { context } = pull;
      const classSourcedId = context.class_sourced_id;
      files.classes.rows++;
      await add({ entity: 'classes', row: classRow(context, container, classSourcedId) });

      const resolver = new MemberResolver(db, pull);
      const enrolledIds = new Set<string>();
      const seenUsers = new Set<string>();
      for (const { member, line: at } of members) {
        if (seenUsers.has(member.userId)) {
          report({ line: at, sourcedId: null, severity: 'warning', code: 'nrps.duplicate_member', message: `Member ${at} repeats an LMS user listed earlier; it was skipped.` });
          continue;
        }
        seenUsers.add(member.userId);
        const active = member.status === 'Active';
        const launchRole = launchRole13(member.roles);
        if (active && launchRole !== 'teacher' && launchRole !== 'student') {
          report({
            line: at,
            sourcedId: null,
            severity: 'info',
            code: 'nrps.role_not_rostered',
            message: `Member ${at} is neither a learner nor an instructor of the course; they were not enrolled.`,
          });
          continue;
        }
        const role = launchRole === 'teacher' ? 'teacher' : 'student';
        const found = await resolver.resolve(member);
        if (found.kind === 'skip') {
          if (active) report({ line: at, sourcedId: null, severity: found.severity, code: found.code, message: `Member ${at}: ${found.message}` });
          continue;
        }
        // Someone gone who never had an account here: nothing to end.
        if (!active && found.kind === 'new') continue;
        if (enrolledIds.has(found.sourcedId)) {
          report({
            line: at,
            sourcedId: found.sourcedId,
            severity: 'warning',
            code: 'nrps.duplicate_member',
            message: `Member ${at} is the same Lectern account as a member listed earlier; it was skipped.`,
          });
          continue;
        }
        enrolledIds.add(found.sourcedId);
        if (found.kind === 'new') {
          files.users.rows++;
          await add({ entity: 'users', row: userRow(member, found.sourcedId, role, at, pull) });
        }
        files.enrollments.rows++;
        await add({ entity: 'enrollments', row: enrollmentRow(classSourcedId, found.sourcedId, role, active, at) });
        if (active) source.enrolled.push({ userId: member.userId, sourcedId: found.sourcedId });
      }
      // A complete pull: whoever this class still enrolls and the LMS no longer lists has left it.
      for (const e of await new ContextRepository(db).activeEnrollments(pull.customerId, classSourcedId)) {
        if (enrolledIds.has(e.user_sourced_id)) continue;
        files.enrollments.rows++;
        await add({ entity: 'enrollments', row: { ...enrollmentRow(classSourcedId, e.user_sourced_id, 'student', false, ++line), sourcedId: e.sourced_id } });
      }
      return done(false);
    },
  };
  return source;
}

/** Finds the Lectern account of each member (see the top of this file). */
class MemberResolver {
  private readonly links: LinkRepository;
  private readonly contexts: ContextRepository;

  constructor(
    db: Kysely<Database>,
    private readonly pull: MembershipPull,
  ) {
    this.links = new LinkRepository(db);
    this.contexts = new ContextRepository(db);
  }

  async resolve(member: Member): Promise<Resolution> {
    const { customerId, context, matching } = this.pull;
    const linked = await this.links.findLinkedUser(customerId, context.issuer, member.userId);
    // An LTI-only account has no sourcedId to enrol: the member becomes a roster user, and the link moves to them after the run.
    if (linked?.sourced_id && linked.source !== 'lti') return usable(linked);
    const key = matchValue(member, matching);
    if (key) {
      const accounts = await this.links.rosteredByColumn(customerId, MATCH_COLUMN[matching.matchWith], key);
      const live = accounts.filter((u) => u.status !== 'deleted');
      if (live.length > 1) return skip('warning', 'nrps.ambiguous_match', `several accounts match by ${matching.matchWith}; they were not enrolled.`);
      if (live[0]) return usable(live[0]);
      if (accounts.length) return skip('warning', 'nrps.account_deleted', `the account that matches by ${matching.matchWith} was deleted from the roster; they were not enrolled.`);
    }
    // The roster walls: a value an account outside the roster holds is never the pull's to use (the planner would skip the user, leaving the enrollment without one).
    const column = matching.matchWith === 'email' || matching.matchWith === 'identifier' ? matching.matchWith : null;
    if (key && column && (await this.contexts.protectedHolder(customerId, column, key))) {
      return skip(
        'warning',
        'match.protected_account',
        `their ${matching.matchWith} belongs to an account the roster did not create (an administrator, a manual or LTI-only user); they were not enrolled.`,
      );
    }
    const own = this.ownSourcedId(member);
    const [earlier] = await this.contexts.accountsBySourcedId(customerId, [own]);
    if (earlier) return earlier.status === 'deleted' ? skip('warning', 'nrps.account_deleted', 'their account was deleted; they were not enrolled.') : usable(earlier);
    return { kind: 'new', sourcedId: own };
  }

  // The sourcedId a new roster user gets (see the top of this file).
  private ownSourcedId(member: Member): string {
    if (this.pull.matching.matchWith === 'sourcedId' && member.personSourcedId) return member.personSourcedId;
    return memberSourcedId(this.pull.context.issuer, member.userId);
  }
}

// The value a member offers the customer's Match with rule, keyed as the roster keys it ('' when none).
function matchValue(member: Member, m: MatchSettings): string {
  const value = { sourcedId: member.personSourcedId, identifier: member.personSourcedId, username: '', email: member.email }[m.matchWith];
  return value ? matchKey({ sourcedId: value, identifier: value, username: value, email: value }, m) : '';
}

function usable(account: Pick<User, 'sourced_id' | 'status' | 'role'>): Resolution {
  if (account.status === 'deleted') return skip('warning', 'nrps.account_deleted', 'their account was deleted from the roster; they were not enrolled.');
  if (!READER_ROLES.has(account.role)) return skip('warning', 'match.protected_account', 'they match an administrator account, which a course roster never enrolls.');
  return { kind: 'account', sourcedId: account.sourced_id! };
}

function skip(severity: RunIssue['severity'], code: string, message: string): Resolution {
  return { kind: 'skip', severity, code, message };
}

function classRow(context: ContextWithPlatform, container: MembershipPage['context'], sourcedId: string): ClassRow {
  // The container's context is the platform's word now; the launch's title is what it said then.
  const title = container?.title || context.title || container?.label || context.context_id;
  return {
    sourcedId,
    line: 0,
    status: 'active',
    metadata: { 'lti.issuer': context.issuer, 'lti.contextId': context.context_id },
    title: title.slice(0, 256),
    classCode: (container?.label ?? '').slice(0, 256),
    classType: 'scheduled',
    schoolSourcedId: '',
    courseSourcedId: '',
    grades: [],
    location: '',
    termSourcedIds: [],
    subjects: [],
    periods: [],
  };
}

function userRow(member: Member, sourcedId: string, role: 'teacher' | 'student', line: number, pull: MembershipPull): UserRow {
  const [given, family] = names(member);
  return {
    sourcedId,
    line,
    status: 'active',
    metadata: { 'lti.issuer': pull.context.issuer, 'lti.userId': member.userId },
    // A login no person types (they sign in through the LMS), unique per customer and LMS user.
    username: `lms-${digest(pull.customerId, pull.context.issuer, member.userId).slice(0, 20)}`,
    identifier: member.personSourcedId,
    email: member.email,
    givenName: given,
    familyName: family,
    role,
    enabledUser: true,
    ...blankUserFields(),
  };
}

function enrollmentRow(classSourcedId: string, userSourcedId: string, role: 'teacher' | 'student', active: boolean, line: number): EnrollmentRow {
  return {
    sourcedId: `lti13:enrollment:${digest(classSourcedId, userSourcedId)}`,
    line,
    status: active ? 'active' : 'tobedeleted',
    metadata: {},
    classSourcedId,
    userSourcedId,
    schoolSourcedId: '',
    role,
    primary: false,
    beginDate: null,
    endDate: null,
  };
}

// Given and family names; from `name` when the platform sends only that.
function names(member: Member): [string, string] {
  if (member.givenName || member.familyName) return [member.givenName, member.familyName];
  const parts = member.name.split(/\s+/).filter(Boolean);
  return parts.length > 1 ? [parts.slice(0, -1).join(' '), parts.at(-1)!] : [parts[0] ?? '', ''];
}

function digest(...parts: string[]): string {
  return crypto.createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}
