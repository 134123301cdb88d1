/*
 * The export's own CSV files: what Lectern keeps of a customer beyond the roster. Each is described
 * once, here, with its columns: the writer takes the header from it and README.md is written from it,
 * so the two cannot drift apart. Cells go through csvCell: a value a spreadsheet would run as a
 * formula starts with a quote mark (as in the Users tab's CSV).
 */
import { passwordSourceOf } from '../../directory/directory-service.js';
import type { Cell } from './csv-chunks.js';
import { parseList, type ExportRepository } from './export-repository.js';

/** A column of an export file and what it holds. */
export interface ColumnDoc {
  name: string;
  about: string;
}

/** One CSV file of the export: where it goes, what it holds, and its rows. */
export interface LecternFile {
  path: string;
  about: string;
  columns: readonly ColumnDoc[];
  rows(repo: ExportRepository, customerId: string): AsyncIterable<Record<string, Cell>>;
}

const PERSON: readonly ColumnDoc[] = [
  { name: 'userId', about: "the person's Lectern id (people.csv)" },
  { name: 'userSourcedId', about: 'their sourcedId in roster/users.csv or outside-roster/users.csv' },
];

// What the person columns hold for a row that joined its user.
const person = (userId: string, sourcedId: string | null) => ({ userId, userSourcedId: sourcedId ?? userId });

async function* mapped<R>(rows: AsyncIterable<R>, values: (row: R) => Record<string, Cell>): AsyncGenerator<Record<string, Cell>> {
  for await (const row of rows) yield values(row);
}

/** The export's CSV files besides the roster, in the order they are written. */
export const LECTERN_FILES: readonly LecternFile[] = [
  {
    path: 'people.csv',
    about: 'Every account of the customer, whatever its state: roster people, people added in the console, LMS-only people and the administrators. One row per account; no password or password hash.',
    columns: [
      { name: 'userId', about: "Lectern's id of the account (what the other files call userId)" },
      { name: 'userSourcedId', about: 'its sourcedId in the roster files (the Lectern id when the roster never gave one)' },
      { name: 'rosterFile', about: 'where its OneRoster row is: roster/users.csv, or outside-roster/users.csv (deleted, or no given or family name)' },
      { name: 'login', about: 'what the person signs in with' },
      { name: 'email', about: 'e-mail address' },
      { name: 'givenName', about: 'given name' },
      { name: 'familyName', about: 'family name' },
      { name: 'role', about: 'customer_admin, institute_admin, teacher, student or reader' },
      { name: 'source', about: 'how the account was made: roster, manual (the console), lti (an LMS launch), bootstrap' },
      { name: 'status', about: 'active, disabled (cannot sign in) or deleted (kept until the purge)' },
      { name: 'passwordSource', about: 'where the password in force came from: here (set in Lectern), roster, or none; never the password' },
      { name: 'mustChangePassword', about: 'true when the person must choose a new password at the next sign-in' },
      { name: 'matchedBy', about: 'how a roster or LMS record was linked to the account (sourcedId, email, identifier, username, created)' },
      { name: 'createdAt', about: 'when the account was made (UTC)' },
      { name: 'updatedAt', about: 'when it last changed (UTC)' },
      { name: 'deletedAt', about: 'when it was deleted (UTC), or blank' },
    ],
    rows: (repo, id) =>
      mapped(repo.accounts(id), (u) => ({
        userId: u.id,
        userSourcedId: u.sourced_id ?? u.id,
        rosterFile: u.status !== 'deleted' && u.given_name !== '' && u.family_name !== '' ? 'roster/users.csv' : 'outside-roster/users.csv',
        login: u.login,
        email: u.email,
        givenName: u.given_name,
        familyName: u.family_name,
        role: u.role,
        source: u.source,
        status: u.status,
        passwordSource: passwordSourceOf(u),
        mustChangePassword: u.must_change_password ? 'true' : 'false',
        matchedBy: u.match_rule,
        createdAt: u.created_at,
        updatedAt: u.updated_at,
        deletedAt: u.deleted_at,
      })),
  },
  {
    path: 'sign-in-addresses.csv',
    about: 'The network addresses each person signed in from in the last 30 days (kept so that guessing at their password from elsewhere does not lock them out).',
    columns: [...PERSON, { name: 'ip', about: 'IP address' }, { name: 'lastSignInAt', about: 'the last successful sign-in from it (UTC)' }],
    rows: (repo, id) => mapped(repo.signInAddresses(id), (a) => ({ ...person(a.user_id, a.sourced_id), ip: a.ip, lastSignInAt: a.last_success_at })),
  },
  {
    path: 'reader-settings.csv',
    about: "Each reader's own reading settings (people who never changed them have no row).",
    columns: [
      ...PERSON,
      { name: 'font', about: 'book, serif, sans or dyslexic (OpenDyslexic)' },
      { name: 'fontSize', about: "percent of the book's text size" },
      { name: 'lineSpacing', about: 'normal, relaxed or loose' },
      { name: 'theme', about: 'standard or high-contrast' },
      { name: 'language', about: 'the language chosen for the reader, or blank to follow the browser' },
      { name: 'updatedAt', about: 'when they last changed (UTC)' },
    ],
    rows: (repo, id) =>
      mapped(repo.readerSettings(id), (s) => ({
        ...person(s.user_id, s.sourced_id),
        font: s.font,
        fontSize: s.font_size,
        lineSpacing: s.line_spacing,
        theme: s.theme,
        language: s.language,
        updatedAt: s.updated_at,
      })),
  },
  {
    path: 'titles.csv',
    about: 'The titles the customer uploaded, deleted ones too while Lectern keeps them; each file is in titles/.',
    columns: [
      { name: 'titleId', about: "Lectern's id of the title" },
      { name: 'title', about: 'title' },
      { name: 'author', about: 'author' },
      { name: 'format', about: 'epub or pdf' },
      { name: 'file', about: 'the file in this zip: titles/<titleId>.<format>' },
      { name: 'sizeBytes', about: 'size of the file' },
      { name: 'sha256', about: 'SHA-256 of the file as uploaded' },
      { name: 'uploadedBy', about: 'userId of who uploaded it' },
      { name: 'uploadedAt', about: 'when (UTC)' },
      { name: 'updatedAt', about: 'when its title or author last changed (UTC)' },
      { name: 'deletedAt', about: 'when it was deleted (UTC), or blank' },
    ],
    rows: (repo, id) =>
      mapped(repo.titles(id), (b) => ({
        titleId: b.id,
        title: b.title,
        author: b.author,
        format: b.format,
        file: titleFile(b.id, b.format),
        sizeBytes: b.size_bytes,
        sha256: b.sha256,
        uploadedBy: b.created_by,
        uploadedAt: b.created_at,
        updatedAt: b.updated_at,
        deletedAt: b.deleted_at,
      })),
  },
  {
    path: 'collections.csv',
    about: "The customer's collections of titles.",
    columns: [
      { name: 'collectionId', about: "Lectern's id of the collection" },
      { name: 'name', about: 'name' },
      { name: 'description', about: 'description' },
      { name: 'titleIds', about: 'the titles in it, in order, separated by spaces (titles.csv)' },
      { name: 'createdAt', about: 'when it was made (UTC)' },
      { name: 'updatedAt', about: 'when it last changed (UTC)' },
    ],
    rows: (repo, id) => collections(repo, id),
  },
  {
    path: 'assignments.csv',
    about: 'Which titles were given to which people and classes (a class gives the title to whoever is enrolled in it).',
    columns: [
      { name: 'assignmentId', about: "Lectern's id of the assignment" },
      { name: 'titleId', about: 'the title (titles.csv)' },
      { name: 'title', about: 'its title' },
      { name: 'targetType', about: 'user or class' },
      { name: 'targetId', about: "Lectern's id of the person or class" },
      { name: 'targetSourcedId', about: 'their sourcedId in the roster files' },
      { name: 'assignedBy', about: 'userId of who assigned it' },
      { name: 'assignedAt', about: 'when (UTC)' },
    ],
    rows: (repo, id) =>
      mapped(repo.assignments(id), (a) => ({
        assignmentId: a.id,
        titleId: a.book_id,
        title: a.title,
        targetType: a.target_type,
        targetId: a.target_id,
        targetSourcedId: a.target_type === 'user' ? (a.user_sourced_id ?? a.target_id) : a.class_sourced_id,
        assignedBy: a.assigned_by,
        assignedAt: a.created_at,
      })),
  },
  {
    path: 'reading-progress.csv',
    about: 'How far each person has read in each title.',
    columns: [
      ...PERSON,
      { name: 'titleId', about: 'the title (titles.csv)' },
      { name: 'title', about: 'its title' },
      { name: 'progress', about: 'share read, from 0 to 1' },
      { name: 'position', about: 'where the reader is: an EPUB CFI or a PDF page number' },
      { name: 'updatedAt', about: 'when they last read (UTC)' },
    ],
    rows: (repo, id) =>
      mapped(repo.readingProgress(id), (p) => ({ ...person(p.user_id, p.sourced_id), titleId: p.book_id, title: p.title, progress: p.progress, position: p.position, updatedAt: p.updated_at })),
  },
  {
    path: 'lti-links.csv',
    about: 'The LMS identities Lectern remembers: after a first launch (or a Sync from LMS) an LMS user is this person.',
    columns: [
      { name: 'lms', about: 'the LMS: its tool_consumer_instance_guid (LTI 1.1) or issuer (LTI 1.3); blank when an LTI 1.1 LMS sends no GUID' },
      { name: 'lmsUserId', about: "the person's user id at that LMS" },
      ...PERSON,
      { name: 'linkedAt', about: 'when the identity was first remembered (UTC)' },
      { name: 'lastLaunchAt', about: 'the last launch from the LMS (UTC)' },
    ],
    rows: (repo, id) =>
      mapped(repo.ltiLinks(id), (l) => ({ lms: l.consumer_guid, lmsUserId: l.lti_user_id, ...person(l.user_id, l.sourced_id), linkedAt: l.created_at, lastLaunchAt: l.last_launch_at })),
  },
  {
    path: 'lti-grade-links.csv',
    about: "Where a person's reading progress is reported to an LMS gradebook: LTI 1.1 Basic Outcomes and LTI 1.3 Assignment and Grade Services (AGS).",
    columns: [
      { name: 'gradeLinkId', about: "Lectern's id of the link (lti-outcome-calls.csv)" },
      { name: 'ltiVersion', about: '1.1 or 1.3' },
      ...PERSON,
      { name: 'lms', about: 'the LMS (LTI 1.1: instance GUID; LTI 1.3: the platform and deployment)' },
      { name: 'resourceLinkId', about: 'the LMS resource link launched' },
      { name: 'targetType', about: 'book or collection' },
      { name: 'targetId', about: 'the title or collection' },
      { name: 'serviceUrl', about: 'LTI 1.1: the outcome service URL' },
      { name: 'resultSourcedId', about: "LTI 1.1: the LMS's lis_result_sourcedid for the person" },
      { name: 'consumerKey', about: 'LTI 1.1: the consumer key that signed the launch' },
      { name: 'lmsUserId', about: "LTI 1.3: the person's sub at the platform" },
      { name: 'lineItemUrl', about: 'LTI 1.3: the AGS line item' },
      { name: 'lineItemsUrl', about: 'LTI 1.3: the AGS line items container' },
      { name: 'reportedScore', about: 'the last score queued for the LMS, 0 to 1' },
      { name: 'createdAt', about: 'when the launch made the link (UTC)' },
      { name: 'updatedAt', about: 'when it last changed (UTC)' },
    ],
    rows: (repo, id) =>
      mapped(repo.gradeLinks(id), (b) => ({
        gradeLinkId: b.id,
        ltiVersion: b.lti_version,
        ...person(b.user_id, b.sourced_id),
        lms: b.consumer_guid,
        resourceLinkId: b.resource_link_id,
        targetType: b.target_type,
        targetId: b.target_id,
        serviceUrl: b.service_url,
        resultSourcedId: b.result_sourcedid,
        consumerKey: b.consumer_key,
        lmsUserId: b.lti_user_id,
        lineItemUrl: b.line_item_url,
        lineItemsUrl: b.lineitems_url,
        reportedScore: b.reported_score,
        createdAt: b.created_at,
        updatedAt: b.updated_at,
      })),
  },
  {
    path: 'lti-outcome-calls.csv',
    about: 'Every score Lectern reported (or is to report) to an LMS, and how sending it went.',
    columns: [
      { name: 'callId', about: "Lectern's id of the report" },
      { name: 'gradeLinkId', about: 'where it goes (lti-grade-links.csv)' },
      { name: 'ltiVersion', about: '1.1 (Basic Outcomes) or 1.3 (AGS)' },
      ...PERSON,
      { name: 'targetType', about: 'book or collection' },
      { name: 'targetId', about: 'the title or collection' },
      { name: 'score', about: 'the score sent, 0 to 1' },
      { name: 'status', about: 'queued, succeeded, retrying, failed or superseded (a newer score replaced it before it was sent)' },
      { name: 'attempts', about: 'tries so far' },
      { name: 'lastError', about: "the LMS's last refusal, if any" },
      { name: 'createdAt', about: 'when the score was queued (UTC)' },
      { name: 'updatedAt', about: 'the last try (UTC)' },
    ],
    rows: (repo, id) =>
      mapped(repo.outcomeCalls(id), (c) => ({
        callId: c.id,
        gradeLinkId: c.binding_id,
        ltiVersion: c.lti_version,
        ...person(c.user_id, c.sourced_id),
        targetType: c.target_type,
        targetId: c.target_id,
        score: c.score,
        status: c.status,
        attempts: c.attempts,
        lastError: c.last_error,
        createdAt: c.created_at,
        updatedAt: c.updated_at,
      })),
  },
  {
    path: 'roster-runs.csv',
    about: 'Every roster sync of the customer: what arrived, from where, and how it went.',
    columns: [
      { name: 'runId', about: "Lectern's id of the run" },
      { name: 'createdAt', about: 'when it was started (UTC)' },
      { name: 'trigger', about: 'upload, cli, sftp, api, schedule or lms' },
      { name: 'actor', about: 'who started it (a login, cli, or the scheduler)' },
      { name: 'fileName', about: 'the roster file' },
      { name: 'sizeBytes', about: 'its size' },
      { name: 'sha256', about: 'its SHA-256' },
      { name: 'preview', about: 'true for a preview, which changes nothing' },
      { name: 'status', about: 'how it ended' },
      { name: 'counts', about: 'records created, updated, unchanged and deleted per type (JSON)' },
      { name: 'errorCode', about: 'why it failed, if it did' },
      { name: 'errorMessage', about: 'the failure in words' },
      { name: 'startedAt', about: 'when it started working (UTC)' },
      { name: 'finishedAt', about: 'when it ended (UTC)' },
    ],
    rows: (repo, id) =>
      mapped(repo.rosterRuns(id), (r) => ({
        runId: r.id,
        createdAt: r.created_at,
        trigger: r.trigger,
        actor: r.actor_label,
        fileName: r.file_name,
        sizeBytes: r.size_bytes,
        sha256: r.sha256,
        preview: r.dry_run ? 'true' : 'false',
        status: r.status,
        counts: r.counts,
        errorCode: r.error_code,
        errorMessage: r.error_message,
        startedAt: r.started_at,
        finishedAt: r.finished_at,
      })),
  },
  {
    path: 'roster-changes.csv',
    about: 'What each roster run changed in a record: updates with the old and new values of each field, restores and deletes (records a run created are the rows of the roster files with that run).',
    columns: [
      { name: 'runId', about: 'the run (roster-runs.csv)' },
      { name: 'entity', about: 'orgs, academicSessions, courses, classes, users or enrollments' },
      { name: 'action', about: 'update, restore, delete, or create (a preview that was never applied)' },
      { name: 'sourcedId', about: 'the record' },
      { name: 'recordId', about: "Lectern's id of the record" },
      { name: 'name', about: 'its name, when the run could not apply it' },
      { name: 'fields', about: 'the changed fields, each with its old and new value (JSON)' },
      { name: 'reason', about: 'why a record was deleted or skipped' },
    ],
    rows: (repo, id) =>
      mapped(repo.rosterChanges(id), (c) => ({
        runId: c.run_id,
        entity: c.entity,
        action: c.action,
        sourcedId: c.sourced_id,
        recordId: c.target_id,
        name: c.name,
        fields: c.fields,
        reason: c.reason,
      })),
  },
  {
    path: 'audit-log.csv',
    about: "Who did what to the customer's records and when, oldest first, this export included (customer.export). It names the fields changed, never their values.",
    columns: [
      { name: 'entryId', about: 'the entry' },
      { name: 'at', about: 'when (UTC)' },
      { name: 'actorUserId', about: 'the userId of who did it (blank for the command line or the system)' },
      { name: 'actor', about: 'their login, cli, or the system' },
      { name: 'action', about: 'what was done, such as user.created or customer.export' },
      { name: 'targetType', about: 'the kind of record' },
      { name: 'targetId', about: 'its id' },
      { name: 'fields', about: 'the names of the fields changed, separated by spaces' },
    ],
    rows: (repo, id) =>
      mapped(repo.auditLog(id), (e) => ({
        entryId: e.id,
        at: e.at,
        actorUserId: e.actor_user_id,
        actor: e.actor_label,
        action: e.action,
        targetType: e.target_type,
        targetId: e.target_id,
        fields: parseList(e.fields).join(' '),
      })),
  },
];

/** Where a title's file is in the zip. */
export function titleFile(id: string, format: string): string {
  return `titles/${id}.${format}`;
}

// One row per collection: its titles come as one row each, in order, and are joined here.
async function* collections(repo: ExportRepository, customerId: string): AsyncGenerator<Record<string, Cell>> {
  let current: { id: string; values: Record<string, Cell>; titles: string[] } | undefined;
  for await (const row of repo.collectionTitles(customerId)) {
    if (current?.id !== row.id) {
      if (current) yield { ...current.values, titleIds: current.titles.join(' ') };
      current = { id: row.id, values: { collectionId: row.id, name: row.name, description: row.description, createdAt: row.created_at, updatedAt: row.updated_at }, titles: [] };
    }
    if (row.book_id) current.titles.push(row.book_id);
  }
  if (current) yield { ...current.values, titleIds: current.titles.join(' ') };
}
