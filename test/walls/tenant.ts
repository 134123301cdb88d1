/*
 * One customer with something behind every id a route can address (runs applied, held and
 * previewed, users of every role, classes, orgs, a title with a cover, a collection, assignments,
 * LTI links, outcome bindings and calls, an API token, reading progress), every name tagged so a
 * response that carries any of it is caught; and the snapshot of all its rows that proves an attack
 * changed nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { newUserRecord } from '../../src/accounts/account-service.js';
import { operatorActor } from '../../src/accounts/policy.js';
import { UserRepository } from '../../src/accounts/user-repository.js';
import type { AppContext } from '../../src/context.js';
import type { Role } from '../../src/db/schema.js';
import { liveFingerprint } from '../../src/rostering/sync/engine.js';
import { hashPassword } from '../../src/security/passwords.js';
import { insertLtiLaunchTrail } from '../helpers/lti-fixtures.js';
import { seedCustomer } from '../helpers/app.js';
import { arraySource } from '../helpers/array-source.js';
import { epub3 } from '../helpers/books.js';
import { classRow, enrollmentRow, orgRow, userRow } from '../helpers/roster-rows.js';

export const WALL_PASSWORD = 'Wall-password-42';

/** The kinds of record an id in a request can name, and the ids of one customer's records of each kind. */
export type RecordKind = 'customer' | 'user' | 'class' | 'run' | 'book' | 'collection' | 'token' | 'outcome' | 'org' | 'erasure';

/** A seeded customer: its ids by kind, the logins of its people, and the tag in every name it has. */
export interface Tenant {
  id: string;
  tag: string;
  ids: Record<RecordKind, string>;
  /** Runs by state, for the routes that decide on one. */
  runs: { applied: string; held: string; preview: string };
  logins: Record<'customer_admin' | 'institute_admin' | 'teacher' | 'student' | 'reader', string>;
  userIds: Record<'customer_admin' | 'institute_admin' | 'teacher' | 'student' | 'reader', string>;
  /** An API token of the customer admin. */
  adminToken: string;
  lti: { key: string; secret: string };
}

/** Seeds a customer with one of everything; `tag` (lower case letters and digits) is in every name, email and sourcedId. */
export async function seedTenant(ctx: AppContext, tag: string): Promise<Tenant> {
  const k = ctx.db.kysely;
  const seeded = await seedCustomer(ctx, {
    profile: { name: `School ${tag}`, code: `code-${tag}` },
    administrator: { email: `admin-${tag}@walls.example`, password: WALL_PASSWORD },
    rostering: { suffix: `@${tag}`, clientPartnerId: `cp-${tag}` },
  });
  const id = seeded.id;
  const adminId = seeded.created.administrator.userId!;
  // The walls, not the first sign-in's password change, are under test here.
  await k.updateTable('users').set({ must_change_password: 0 }).where('id', '=', adminId).execute();

  const addUser = async (role: Role, source: 'manual' | 'lti' = 'manual', name = role.replace('_', '-')): Promise<{ login: string; id: string }> => {
    const login = `${name}-${tag}@walls.example`;
    const user = newUserRecord({
      role,
      customerId: id,
      login,
      email: login,
      givenName: `${role} ${tag}`,
      familyName: `Walls ${tag}`,
      phone: '',
      passwordHash: await hashPassword(WALL_PASSWORD),
      mustChangePassword: false,
      source,
    });
    await new UserRepository(k).insert(user);
    return { login, id: user.id };
  };
  const institute = await addUser('institute_admin');
  const teacher = await addUser('teacher');
  const student = await addUser('student');
  const reader = await addUser('reader', 'lti');
  // An erasure certificate: a person erased before the runs below (an erasure ends the customer's held runs and previews).
  const leaver = await addUser('student', 'manual', 'leaver');
  const erasure = (await ctx.erasure.erasePerson(operatorActor, id, leaver.id, { confirm: leaver.id })).id;

  // Orgs, a class, rostered people and enrollments through the real engine: an applied run with an issue.
  const org = `org-${tag}`;
  const roles = (role: 'student' | 'teacher') => [{ orgSourcedId: org, role, roleType: 'primary' as const, beginDate: null, endDate: null }];
  const rows = [
    orgRow(org, { name: `Academy ${tag}` }),
    classRow(`cls-${tag}`, { title: `Algebra ${tag}`, classCode: `alg-${tag}`, schoolSourcedId: org }),
    userRow(`stu-${tag}`, { username: `pupil-${tag}`, identifier: `id-${tag}`, email: `pupil-${tag}@walls.example`, givenName: `Pupil ${tag}`, orgSourcedIds: [org], roles: roles('student') }),
    userRow(`tch-${tag}`, {
      role: 'teacher',
      username: `tutor-${tag}`,
      identifier: `tid-${tag}`,
      email: `tutor-${tag}@walls.example`,
      givenName: `Tutor ${tag}`,
      orgSourcedIds: [org],
      roles: roles('teacher'),
    }),
    enrollmentRow(`enr-${tag}`, `cls-${tag}`, `stu-${tag}`, { schoolSourcedId: org }),
    enrollmentRow(`ent-${tag}`, `cls-${tag}`, `tch-${tag}`, { schoolSourcedId: org, role: 'teacher' }),
  ];
  const issues = [{ file: 'users.csv', line: 3, column: 'email', sourcedId: `stu-${tag}`, severity: 'warning' as const, code: 'walls.tagged', message: `Odd value for ${tag}` }];
  const run = async (dryRun: boolean) => {
    const created = await ctx.runs.create(operatorActor, id, { trigger: 'cli', fileName: `roster-${tag}.zip`, sizeBytes: 1, sha256: '', bundlePath: null, dryRun });
    const done = await ctx.runs.execute(created.runId, id, arraySource(rows, { issues }));
    if (!done.status.startsWith('succeeded')) throw new Error(`seeding ${tag}: run ${done.status}`);
    return created.runId;
  };
  const applied = await run(false);
  const preview = await run(true);
  // A preview keeps its file for `apply`.
  const bundlePath = path.join(ctx.config.dataDir, `walls-${tag}.zip`);
  fs.writeFileSync(bundlePath, 'PK');
  await k.updateTable('roster_runs').set({ bundle_path: bundlePath }).where('id', '=', preview).execute();
  // A run held for approval, as a mass deletion leaves it (with the fingerprint approval checks).
  const held = (await ctx.runs.create(operatorActor, id, { trigger: 'cli', fileName: `held-${tag}.zip`, sizeBytes: 1, sha256: '', bundlePath: null, dryRun: false })).runId;
  await k
    .updateTable('roster_runs')
    .set({ status: 'awaiting_approval', stage: 'awaiting_approval', plan_fingerprint: await liveFingerprint(k, id) })
    .where('id', '=', held)
    .execute();
  const classId = (await k.selectFrom('classes').select('id').where('customer_id', '=', id).executeTakeFirstOrThrow()).id;
  const rosteredStudent = (await k.selectFrom('users').select('id').where('customer_id', '=', id).where('sourced_id', '=', `stu-${tag}`).executeTakeFirstOrThrow()).id;

  // A title with a cover, in a collection, assigned to the student and to the class.
  const bytes = await epub3({ title: `Wall Book ${tag}`, author: `Author ${tag}` });
  const book = await ctx.content.upload(operatorActor, id, Readable.from([bytes]), `wall-${tag}.epub`);
  const collection = await ctx.content.createCollection(operatorActor, id, { name: `Shelf ${tag}`, description: `Reading for ${tag}` });
  await ctx.content.setCollectionBooks(operatorActor, id, collection.id, [book.id]);
  await ctx.content.assign(operatorActor, id, { bookIds: [book.id], userIds: [student.id, reader.id], classIds: [classId] });

  // LTI: a remembered LMS user, an outcome binding for the title; progress then queues an outcome call.
  await insertLtiLaunchTrail(k, {
    customerId: id,
    tag,
    lmsUserId: `lms-${tag}`,
    linkUserId: reader.id,
    bindingUserId: student.id,
    bookId: book.id,
    consumerKey: seeded.created.lti.consumerKey,
    resultSourcedId: `result-${tag}`,
  });
  await ctx.reader.saveProgress(id, student.id, book.id, { position: `epubcfi(/6/2!/4/2/1:0)`, progress: 0.5 });
  const outcome = (await k.selectFrom('lti_outcome_calls').select('id').where('customer_id', '=', id).executeTakeFirstOrThrow()).id;

  const admin = await new UserRepository(k).findInCustomer(id, adminId);
  const token = await ctx.accounts.createToken(admin!, `token-${tag}`, null);

  return {
    id,
    tag,
    ids: { customer: id, user: rosteredStudent, class: classId, run: applied, book: book.id, collection: collection.id, token: token.info.id, outcome, org, erasure },
    runs: { applied, held, preview },
    logins: { customer_admin: seeded.adminEmail, institute_admin: institute.login, teacher: teacher.login, student: student.login, reader: reader.login },
    userIds: { customer_admin: adminId, institute_admin: institute.id, teacher: teacher.id, student: student.id, reader: reader.id },
    adminToken: token.token,
    lti: { key: seeded.created.lti.consumerKey, secret: seeded.created.lti.sharedSecret },
  };
}

type Row = Record<string, unknown>;

/**
 * Every row that belongs to the customer, by table: rows of each table with a customer_id, and rows
 * of tables that hang off the customer's users, runs or collections (sessions, tokens, issues,
 * stages, collection titles). Found from the live schema, so a table added later is included.
 */
export async function tenantRows(ctx: AppContext, customerId: string): Promise<Record<string, Row[]>> {
  const k = ctx.db.kysely;
  const tables = (await k.introspection.getTables()).filter((t) => !t.isView);
  const owned = async (table: string, column: string, ids: string[]) =>
    ids.length
      ? ((await k
          .selectFrom(table as never)
          .selectAll()
          .where(column as never, 'in', ids as never)
          .execute()) as Row[])
      : [];
  const idsOf = async (table: 'users' | 'roster_runs' | 'collections') => (await k.selectFrom(table).select('id').where('customer_id', '=', customerId).execute()).map((r) => r.id);
  const parents: [string, string[]][] = [
    ['customer_id', [customerId]],
    ['user_id', await idsOf('users')],
    ['run_id', await idsOf('roster_runs')],
    ['collection_id', await idsOf('collections')],
  ];
  const out: Record<string, Row[]> = {};
  for (const t of tables) {
    const columns = new Set(t.columns.map((c) => c.name));
    const link = t.name === 'customers' ? (['id', [customerId]] as [string, string[]]) : parents.find(([column]) => columns.has(column));
    if (!link) continue;
    const rows = await owned(t.name, link[0], link[1]);
    if (rows.length)
      out[t.name] = rows
        .map((r) => JSON.stringify(r))
        .sort()
        .map((r) => JSON.parse(r) as Row);
  }
  return out;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What must never appear in an answer to someone outside the customer: its tag (in every name) and every id of its rows. */
export function sentinels(rows: Record<string, Row[]>, tag: string): string[] {
  const found = new Set<string>([tag]);
  for (const list of Object.values(rows)) for (const row of list) for (const v of Object.values(row)) if (typeof v === 'string' && UUID.test(v)) found.add(v.toLowerCase());
  return [...found];
}
