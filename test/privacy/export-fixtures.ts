/*
 * A district with every kind of data a customer export holds, made through the product's own paths
 * (roster runs, the console's services, a signed LTI 1.1 launch, the reader), and the means to read
 * an export back: its entries, its CSV files, and its roster/ folder as a bundle of its own.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import yauzl from 'yauzl';
import { operatorActor } from '../../src/accounts/policy.js';
import type { AppContext } from '../../src/context.js';
import { zipSource } from '../../src/rostering/runs/zip-source.js';
import { epub3 } from '../helpers/books.js';
import { HEADERS, manifest, table, writeBundle, zipBuffer, writeBytes } from '../helpers/bundles.js';
import { ltiCustomer, postLaunch, signed, type LtiServer } from '../lti/lti-server.js';

/** Passwords of the console people a district gets (the tests sign in with them). */
export const STAFF_PASSWORD = 'Staff-password-4242';

/** A seeded district: its ids, and the values the export must carry (and another customer's must not). */
export interface District {
  tag: string;
  id: string;
  code: string;
  adminEmail: string;
  adminPassword: string;
  lti: { key: string; secret: string };
  users: Record<'teacher' | 'sam' | 'sue' | 'tom' | 'pat' | 'manual' | 'instituteAdmin' | 'disabled' | 'newcomer', string>;
  classes: Record<'algebra' | 'biology' | 'lms', string>;
  book: { id: string; bytes: Buffer };
  collectionId: string;
}

// The 1.2 roster of a district; the two districts of a test differ only in names, e-mails and a metadata value.
function roster(tag: string, withTom: boolean): Record<string, string> {
  const user = (sourcedId: string, given: string, family: string, o: Record<string, string> = {}) => ({
    sourcedId,
    enabledUser: 'true',
    username: `${given.toLowerCase()}.${family.toLowerCase()}`,
    givenName: given,
    familyName: `${family}-${tag}`,
    email: `${given.toLowerCase()}.${tag}@district.example`,
    primaryOrgSourcedId: 'org-s',
    ...o,
  });
  const users = [
    user('u-t', 'Ada', 'Park', { identifier: 'T-1' }),
    user('u-s1', 'Sam', 'One', {
      identifier: 'S-1001',
      userIds: '{SIS:1001}',
      middleName: 'Quincy',
      grades: '09',
      agentSourcedIds: 'u-p',
      phone: '555-0101',
      'metadata.districtStudentNumber': `0042-${tag}`,
    }),
    user('u-s2', 'Sue', 'Two', { identifier: 'S-1002', grades: '09' }),
    ...(withTom ? [user('u-s3', 'Tom', 'Three', { identifier: 'S-1003', grades: '10' })] : []),
    user('u-p', 'Pat', 'Guardian', { enabledUser: 'false' }),
  ];
  const role = (u: string, r: string) => ({ sourcedId: `r-${u}`, userSourcedId: u, roleType: 'primary', role: r, orgSourcedId: 'org-s' });
  const roles = [role('u-t', 'teacher'), role('u-s1', 'student'), role('u-s2', 'student'), ...(withTom ? [role('u-s3', 'student')] : []), role('u-p', 'guardian')];
  const enrollment = (id: string, cls: string, u: string, r: string, o: Record<string, string> = {}) => ({
    sourcedId: id,
    classSourcedId: cls,
    schoolSourcedId: 'org-s',
    userSourcedId: u,
    role: r,
    ...o,
  });
  const enrollments = [
    enrollment('e-1', 'cl-1', 'u-t', 'teacher', { primary: 'true' }),
    enrollment('e-2', 'cl-1', 'u-s1', 'student', { beginDate: '2024-08-01' }),
    enrollment('e-3', 'cl-1', 'u-s2', 'student'),
    ...(withTom ? [enrollment('e-4', 'cl-2', 'u-s3', 'student')] : []),
    enrollment('e-5', 'cl-2', 'u-t', 'teacher'),
  ];
  return {
    'manifest.csv': manifest('1.2', { orgs: 'bulk', academicSessions: 'bulk', courses: 'bulk', classes: 'bulk', users: 'bulk', roles: 'bulk', enrollments: 'bulk' }),
    'orgs.csv': table(HEADERS.orgs, [
      { sourcedId: 'org-d', name: 'Lincoln USD', type: 'district' },
      { sourcedId: 'org-s', name: 'Lincoln High', type: 'school', identifier: 'NCES-1', parentSourcedId: 'org-d' },
    ]),
    'academicSessions.csv': table(HEADERS.academicSessions, [
      { sourcedId: 'as-y', title: '2024-25', type: 'schoolYear', startDate: '2024-08-01', endDate: '2025-07-01', schoolYear: 2025 },
      { sourcedId: 'as-t', title: 'Fall', type: 'term', startDate: '2024-08-01', endDate: '2025-01-01', parentSourcedId: 'as-y', schoolYear: 2025 },
    ]),
    'courses.csv': table(HEADERS.courses, [{ sourcedId: 'c-1', schoolYearSourcedId: 'as-y', title: 'Algebra', courseCode: 'ALG', grades: '09,10', orgSourcedId: 'org-s' }]),
    'classes.csv': table(HEADERS.classes, [
      { sourcedId: 'cl-1', title: 'Algebra P1', grades: '09', courseSourcedId: 'c-1', classCode: 'ALG-1', classType: 'scheduled', schoolSourcedId: 'org-s', termSourcedIds: 'as-t', periods: '1' },
      // A value a spreadsheet would take for a formula: the roster files keep it exactly.
      { sourcedId: 'cl-2', title: 'Biology P2', courseSourcedId: 'c-1', classCode: 'BIO-2', classType: 'scheduled', schoolSourcedId: 'org-s', termSourcedIds: 'as-y,as-t', location: '@Room 19' },
    ]),
    'users.csv': table([...HEADERS.users12, 'metadata.districtStudentNumber'], users),
    'roles.csv': table(HEADERS.roles, roles),
    'enrollments.csv': table(HEADERS.enrollments, enrollments),
  };
}

async function importBundle(ctx: AppContext, customerId: string, files: Record<string, string>): Promise<void> {
  const bundle = await writeBundle(files);
  const run = await ctx.runs.create(operatorActor, customerId, { trigger: 'cli', fileName: 'district.zip', sizeBytes: 1, sha256: '', bundlePath: bundle, dryRun: false });
  const done = await ctx.runs.execute(run.runId, customerId, zipSource(bundle));
  assert.ok(done.status === 'succeeded' || done.status === 'succeeded_with_warnings', `roster run ${done.status}`);
}

/**
 * Seeds a district tagged `tag`: a 1.2 roster (then a second run that deletes Tom and his
 * enrollment), console people (a teacher, an institute admin, a disabled student), a class a Sync
 * from LMS made (no course, no term), an uploaded title in a collection, assigned to a class and a
 * person, reading progress and settings, and a signed LTI 1.1 launch that links an LMS identity and
 * binds an outcome service (the progress then queues a grade report); another launch makes an
 * LTI-only person with no family name.
 */
export async function seedDistrict(s: LtiServer, tag: string): Promise<District> {
  const ctx = s.ctx;
  const k = ctx.db.kysely;
  const c = await ltiCustomer(ctx, { profile: { name: `Lincoln ${tag}` }, rostering: { matchWith: 'identifier', suffix: `@${tag}`, syncType: 'zip', syncFrequency: 'manual' } });
  // The second roster run deletes a person: no hold for approval.
  await k.updateTable('rostering_configs').set({ deletion_threshold_percent: 100 }).where('customer_id', '=', c.id).execute();
  const customer = await k.selectFrom('customers').select(['code', 'admin_email']).where('id', '=', c.id).executeTakeFirstOrThrow();
  const admin = await k.selectFrom('users').select('id').where('customer_id', '=', c.id).where('role', '=', 'customer_admin').executeTakeFirstOrThrow();
  await k.updateTable('users').set({ must_change_password: 0 }).where('id', '=', admin.id).execute();
  const adminPassword = 'Lincoln-admin-42';
  await importBundle(ctx, c.id, roster(tag, true));
  await importBundle(ctx, c.id, roster(tag, false));
  const idOf = async (sourcedId: string) => (await k.selectFrom('users').select('id').where('customer_id', '=', c.id).where('sourced_id', '=', sourcedId).executeTakeFirstOrThrow()).id;
  const classOf = async (sourcedId: string) => (await k.selectFrom('classes').select('id').where('customer_id', '=', c.id).where('sourced_id', '=', sourcedId).executeTakeFirstOrThrow()).id;

  const person = async (role: 'teacher' | 'institute_admin' | 'student', given: string, login: string) =>
    (
      await ctx.people.createUser(operatorActor, c.id, {
        role,
        givenName: given,
        familyName: `Staff-${tag}`,
        login: `${login}.${tag}`,
        email: `${login}.${tag}@staff.example`,
        password: STAFF_PASSWORD,
        mustChangePassword: false,
        schoolIds: role === 'student' ? [] : ['org-s'],
      })
    ).user.id;
  const manual = await person('teacher', 'Manny', 'manny');
  const instituteAdmin = await person('institute_admin', 'Ines', 'ines');
  const disabled = await person('student', 'Dora', 'dora');
  await ctx.people.setStatus(operatorActor, c.id, [disabled], 'disabled');

  // A class a Sync from LMS made: no course, no term, no school (as nrps-source.ts writes them).
  const now = new Date().toISOString();
  const lmsClass = crypto.randomUUID();
  await k
    .insertInto('classes')
    .values({
      id: lmsClass,
      customer_id: c.id,
      sourced_id: 'lms-course-7',
      title: 'Reading club (LMS)',
      class_code: 'RC-7',
      class_type: 'scheduled',
      school_sourced_id: '',
      status: 'active',
      created_at: now,
      updated_at: now,
      deleted_at: null,
      course_sourced_id: '',
      grades: '[]',
      location: '',
      term_sourced_ids: '[]',
      subjects: '[]',
      periods: '[]',
      metadata: JSON.stringify({ 'lti.issuer': 'https://lms.example.edu', 'lti.contextId': 'course-7' }),
      created_run_id: null,
      updated_run_id: null,
      sync_owner: 'lms',
    })
    .execute();
  await k
    .insertInto('enrollments')
    .values({
      id: crypto.randomUUID(),
      customer_id: c.id,
      sourced_id: 'lms-enrollment-7',
      class_sourced_id: 'lms-course-7',
      user_sourced_id: 'u-s2',
      school_sourced_id: '',
      role: 'student',
      is_primary: 0,
      begin_date: null,
      end_date: null,
      metadata: '{}',
      status: 'active',
      created_run_id: null,
      updated_run_id: null,
      created_at: now,
      updated_at: now,
      deleted_at: null,
      sync_owner: 'lms',
    })
    .execute();

  const bytes = await epub3({ title: 'Moby-Dick', author: 'Herman Melville' });
  const book = await ctx.content.upload(operatorActor, c.id, Readable.from([bytes]), 'moby-dick.epub');
  const collection = await ctx.content.createCollection(operatorActor, c.id, { name: 'Summer reading', description: `=HYPERLINK("https://evil.example") for ${tag}` });
  await ctx.content.setCollectionBooks(operatorActor, c.id, collection.id, [book.id]);
  await ctx.content.assign(operatorActor, c.id, { bookIds: [book.id], classIds: [await classOf('cl-1')] });
  await ctx.content.assign(operatorActor, c.id, { bookIds: [book.id], userIds: [manual] });

  // Sam launches from the LMS (matched by identifier), opening the title with an outcome service.
  const launch = await postLaunch(
    s,
    signed(
      s,
      { key: c.key, secret: c.secret },
      {
        user_id: 'lms-sam',
        lis_person_sourcedid: 'S-1001',
        lis_person_name_given: 'Sam',
        tool_consumer_instance_guid: 'lms.example.edu',
        custom_bookid: book.id,
        resource_link_id: 'link-moby',
        lis_outcome_service_url: 'https://lms.example.edu/outcomes',
        lis_result_sourcedid: `moby:sam:${tag}`,
      },
    ),
  );
  assert.equal(launch.status, 303, launch.body);
  // Someone the roster does not know, whose LMS sends no family name: an LTI-only account.
  const newcomerLaunch = await postLaunch(s, signed(s, { key: c.key, secret: c.secret }, { user_id: `lms-newcomer-${tag}`, tool_consumer_instance_guid: 'lms.example.edu' }));
  assert.equal(newcomerLaunch.status, 303, newcomerLaunch.body);
  const sam = await idOf('u-s1');
  await ctx.reader.saveProgress(c.id, sam, book.id, { position: 'epubcfi(/6/4!/4/2/1:0)', progress: 0.5 });
  await ctx.reader.saveSettings(operatorActor, c.id, sam, { font: 'dyslexic', fontSize: 120, lineSpacing: 'relaxed', theme: 'standard', language: 'es' });
  const newcomer = (await k.selectFrom('lti_user_links').select('user_id').where('customer_id', '=', c.id).where('lti_user_id', '=', `lms-newcomer-${tag}`).executeTakeFirstOrThrow()).user_id;
  return {
    tag,
    id: c.id,
    code: customer.code,
    adminEmail: customer.admin_email,
    adminPassword,
    lti: { key: c.key, secret: c.secret },
    users: { teacher: await idOf('u-t'), sam, sue: await idOf('u-s2'), tom: await idOf('u-s3'), pat: await idOf('u-p'), manual, instituteAdmin, disabled, newcomer },
    classes: { algebra: await classOf('cl-1'), biology: await classOf('cl-2'), lms: lmsClass },
    book: { id: book.id, bytes },
    collectionId: collection.id,
  };
}

/** Every entry of a zip, inflated; fails if the zip is not complete (yauzl reads the central directory first). */
export async function readZip(bytes: Buffer): Promise<Map<string, Buffer>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.fromBuffer(bytes, { lazyEntries: true }, (err, z) => (err ? reject(err) : resolve(z))));
  const entries = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', () => resolve());
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', reject);
        stream.on('end', () => {
          entries.set(entry.fileName, Buffer.concat(chunks));
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
  return entries;
}

/** The rows of a CSV file of the export, by header name. */
export function csvRows(entries: Map<string, Buffer>, name: string): Record<string, string>[] {
  const bytes = entries.get(name);
  assert.ok(bytes, `${name} is in the export (${[...entries.keys()].join(', ')})`);
  return parse(bytes, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
}

/** The export's roster/ folder as a bundle of its own, its files at the zip root (as a district would send it on). */
export async function rosterBundle(entries: Map<string, Buffer>): Promise<string> {
  const files = [...entries].filter(([name]) => name.startsWith('roster/')).map(([name, data]): [string, Buffer] => [name.slice('roster/'.length), data]);
  return writeBytes(await zipBuffer(files));
}

/** Removes a title's stored file (a damaged data folder); returns how to put it back. */
export function hideTitleFile(ctx: AppContext, customerId: string, fileKey: string): () => void {
  const file = ctx.contentStore.pathOf(customerId, fileKey);
  const aside = `${file}.aside`;
  fs.renameSync(file, aside);
  return () => fs.renameSync(aside, file);
}
