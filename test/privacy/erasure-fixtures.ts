/*
 * Customers worth erasing: every kind of record and file Lectern keeps of a customer, each carrying a
 * value no other customer has (names, e-mails, usernames, sourcedIds, addresses, hosts), so a scan of
 * the database and the data folder can tell what is left of whom. Two people of each are marked out:
 * `erased` (the one a person's erasure removes) and `kept` (whose values must stay).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { operatorActor } from '../../src/accounts/policy.js';
import { UserRepository } from '../../src/accounts/user-repository.js';
import type { AppContext } from '../../src/context.js';
import { storeBundleFile } from '../../src/rostering/runs/bundle-store.js';
import { executeStoredRun } from '../../src/cli/commands/import-thread.js';
import { nowIso } from '../../src/time.js';
import { insertLtiLaunchTrail } from '../helpers/lti-fixtures.js';
import { seedCustomer } from '../helpers/app.js';
import { arraySource } from '../helpers/array-source.js';
import { pdf } from '../helpers/books.js';
import { HEADERS, manifest, table, writeBundle } from '../helpers/bundles.js';
import { classRow, enrollmentRow, orgRow, userRow } from '../helpers/roster-rows.js';
import type { AnyRow } from '../../src/rostering/sync/engine.js';

export const PERSON_PASSWORD = 'Roster-Pw-5521-Kestrel';

/** One rostered person and every value that identifies them. */
export interface SeededPerson {
  userId: string;
  sourcedId: string;
  login: string;
  /** Values that name this person and nobody else. */
  values: string[];
}

/** A seeded customer: its ids, its people, what identifies it, and its files. */
export interface SeededCustomer {
  id: string;
  code: string;
  name: string;
  adminEmail: string;
  adminPassword: string;
  tag: string;
  erased: SeededPerson;
  kept: SeededPerson;
  /** Values that identify the customer or its people (kept and erased included); never the code or name, which certificates keep. */
  values: string[];
  /** Values only the held run's plan has (a newcomer): a person's erasure discards that plan, its changes keep the name and sourcedId. */
  heldOnly: string[];
  /** Its files in the data folder: the title, a temporary upload, the preview's kept roster file. */
  files: { content: string[]; bundles: string[] };
  /** Rows seeded, by table, as counted when seeding ended. */
  bookId: string;
  runs: { applied: string; preview: string; held: string };
}

/** Seeds a customer with one of everything, its values made of `label` and a random part. */
export async function seedErasable(ctx: AppContext, label: string): Promise<SeededCustomer> {
  const t = `${label}${crypto.randomBytes(3).toString('hex')}`;
  const k = ctx.db.kysely;
  const values: string[] = [];
  const mark = <T extends string>(v: T): T => (values.push(v), v);
  const seeded = await seedCustomer(ctx, {
    profile: { name: `Academy ${t}`, code: `code-${t}` },
    administrator: { firstName: mark(`Ottoline${t}`), lastName: mark(`Vexhall${t}`), email: mark(`ov.${t}@district-${t}.example`), phone: '+1 555 0100' },
    address: { line1: mark(`${t} Quarrystone Way`), city: mark(`Brackenford${t}`), postalCode: '68508' },
    lti: {
      version: 'both',
      platforms: [
        {
          issuer: mark(`https://lms13-${t}.example`),
          clientId: mark(`client-${t}`),
          deploymentIds: ['d1'],
          authLoginUrl: `https://lms13-${t}.example/auth`,
          authTokenUrl: `https://lms13-${t}.example/token`,
          jwksUrl: `https://lms13-${t}.example/jwks`,
        },
      ],
    },
    rostering: {
      suffix: `@${t}`,
      clientPartnerId: mark(`CP-${t}`),
      sftp: { host: mark(`sftp-${t}.example`), username: mark(`rosteruser${t}`), password: `sftp-${t}-Secret` },
      deletionThresholdPercent: 10,
      deletionThresholdMin: 1,
    },
  } as never);
  const id = seeded.id;

  // The roster: a school, a class, four students (two marked out), a teacher; passwords from the roster.
  const person = (n: string, role: 'student' | 'teacher' = 'student') => ({
    sourcedId: mark(`src-${n}-${t}`),
    username: mark(`uname${n}${t}`),
    givenName: mark(`Given${n}${t}`),
    familyName: mark(`Family${n}${t}`),
    email: mark(`mail.${n}.${t}@pupils-${t}.example`),
    identifier: mark(`ident-${n}-${t}`),
    role,
  });
  const people = [person('erased'), person('kept'), person('third'), person('fourth'), person('teacher', 'teacher')];
  const org = `org-${t}`;
  const school = [orgRow(org, { name: mark(`Wrenfield High ${t}`) }), classRow(`class-${t}`, { title: mark(`Botany ${t}`), schoolSourcedId: org, classCode: mark(`BOT-${t}`) })];
  const userRows = (list: typeof people) =>
    list.map((p) =>
      userRow(p.sourcedId, {
        username: p.username,
        givenName: p.givenName,
        familyName: p.familyName,
        email: p.email,
        identifier: p.identifier,
        role: p.role,
        password: PERSON_PASSWORD,
        orgSourcedIds: [org],
        roles: [{ orgSourcedId: org, role: p.role, roleType: 'primary', beginDate: null, endDate: null }],
      }),
    );
  const enrollmentRows = (list: typeof people) => list.map((p) => enrollmentRow(`enr-${p.sourcedId}`, `class-${t}`, p.sourcedId, { schoolSourcedId: org, role: p.role }));
  const rows: AnyRow[] = [...school, ...userRows(people), ...enrollmentRows(people)];
  const applied = await runRows(ctx, id, rows, false);
  await ctx.runs.hashPasswords(id);

  // A preview of a stored roster file, which keeps the file for its apply.
  const zip = await writeBundle({
    'manifest.csv': manifest('1.1', { orgs: 'bulk', users: 'bulk' }),
    'orgs.csv': table(HEADERS.orgs, [{ sourcedId: org, name: `Wrenfield High ${t}`, type: 'school' }]),
    'users.csv': table(
      HEADERS.users11,
      people.map((p) => ({
        sourcedId: p.sourcedId,
        enabledUser: 'true',
        orgSourcedIds: org,
        role: p.role,
        username: p.username,
        givenName: p.givenName,
        familyName: p.familyName,
        email: p.email,
        identifier: p.identifier,
      })),
    ),
  });
  const stored = await storeBundleFile(zip, ctx.bundles, ctx.config.maxBundleBytes);
  const previewRun = await ctx.runs.create(operatorActor, id, { trigger: 'cli', fileName: 'preview.zip', sizeBytes: stored.sizeBytes, sha256: stored.sha256, bundlePath: stored.path, dryRun: true });
  const previewed = await executeStoredRun(ctx.runs, ctx.bundles, { runId: previewRun.runId, customerId: id, bundlePath: stored.path, force: false }, () => undefined);
  if (!previewed.status.startsWith('succeeded')) throw new Error(`preview ${previewed.status}: ${previewed.error?.message}`);

  // A run held for approval: most people left the file, and a newcomer waits in the held plan.
  const newcomer = person('held');
  const heldRows: AnyRow[] = [...school, ...userRows([people[0]!, newcomer]), ...enrollmentRows([people[0]!, newcomer])];
  const held = await runRows(ctx, id, heldRows, false, 'awaiting_approval');

  const userId = async (sourcedId: string) => await k.selectFrom('users').select(['id', 'login']).where('customer_id', '=', id).where('sourced_id', '=', sourcedId).executeTakeFirstOrThrow();
  const erasedUser = await userId(people[0]!.sourcedId);
  const keptUser = await userId(people[1]!.sourcedId);

  // A title (its PDF names it in the clear), in a collection, assigned to the class and the two people; their progress and settings.
  const book = await ctx.content.upload(operatorActor, id, Readable.from([pdf({ title: mark(`Herbarium ${t}`), author: mark(`Quillon ${t}`) })]), `herbarium-${t}.pdf`);
  const collection = await ctx.content.createCollection(operatorActor, id, { name: mark(`Shelf ${t}`), description: 'Reading' });
  await ctx.content.setCollectionBooks(operatorActor, id, collection.id, [book.id]);
  const classId = (await k.selectFrom('classes').select('id').where('customer_id', '=', id).executeTakeFirstOrThrow()).id;
  await ctx.content.assign(operatorActor, id, { bookIds: [book.id], userIds: [erasedUser.id, keptUser.id], classIds: [classId] });

  // LTI: each marked person linked to an LMS account, with a grade link; progress then queues a grade report.
  const now = nowIso();
  for (const [who, user] of [
    ['erased', erasedUser],
    ['kept', keptUser],
  ] as const) {
    await insertLtiLaunchTrail(k, {
      customerId: id,
      tag: t,
      lmsUserId: mark(`lmsuser-${who}-${t}`),
      linkUserId: user.id,
      bindingUserId: user.id,
      bookId: book.id,
      consumerKey: seeded.created.lti.consumerKey,
      resultSourcedId: mark(`result-${who}-${t}`),
    });
    await ctx.reader.saveProgress(id, user.id, book.id, { position: 'page=2', progress: 0.5 });
    // The admin disabled and enabled them once: audit entries about them.
    await ctx.people.setStatus(operatorActor, id, [user.id], 'disabled');
    await ctx.people.setStatus(operatorActor, id, [user.id], 'active');
    await k
      .insertInto('reader_settings')
      .values({ user_id: user.id, customer_id: id, font: 'serif', font_size: 120, line_spacing: 'relaxed', theme: 'standard', language: 'es', updated_at: now })
      .execute();
  }
  const platform = (await k.selectFrom('lti_platforms').select('id').where('customer_id', '=', id).executeTakeFirstOrThrow()).id;
  await k
    .insertInto('lti13_contexts')
    .values({
      id: crypto.randomUUID(),
      customer_id: id,
      platform_id: platform,
      context_id: `ctx-${t}`,
      title: mark(`Course ${t}`),
      memberships_url: `https://lms13-${t}.example/nrps`,
      class_sourced_id: `lms-class-${t}`,
      created_at: now,
      updated_at: now,
    })
    .execute();

  // Sign-ins: the marked people's sessions (their browsers named), a login card code, the admin's token, a webhook.
  await (await ctx.loginCards.print(operatorActor, id, { mode: 'qr', userIds: [erasedUser.id, keptUser.id] })).pdf.resume();
  const admin = await new UserRepository(k).findInCustomer(id, seeded.created.administrator.userId!);
  await ctx.accounts.createToken(admin!, mark(`token-${t}`), null);
  await ctx.notifications.saveWebhook(operatorActor, id, { url: mark(`https://hooks-${t}.example/lectern`) });

  // A temporary upload that never finished, in the customer's title folder.
  const temp = path.join(ctx.contentStore.folderOf(id), `.upload-${crypto.randomUUID()}`);
  fs.writeFileSync(temp, mark(`Draft upload ${t}`));

  const contentFiles = fs.readdirSync(ctx.contentStore.folderOf(id)).map((f) => path.join(ctx.contentStore.folderOf(id), f));
  const pick = (p: (typeof people)[number], user: { id: string; login: string }): SeededPerson => ({
    userId: user.id,
    sourcedId: p.sourcedId,
    login: user.login,
    values: [p.sourcedId, p.username, p.givenName, p.familyName, p.email, p.identifier, ...values.filter((v) => v.includes(`-${p === people[0] ? 'erased' : 'kept'}-`))],
  });
  return {
    id,
    code: seeded.code,
    name: `Academy ${t}`,
    adminEmail: seeded.adminEmail,
    adminPassword: seeded.adminPassword,
    tag: t,
    erased: pick(people[0]!, erasedUser),
    kept: pick(people[1]!, keptUser),
    values,
    heldOnly: [newcomer.username, newcomer.email, newcomer.identifier],
    files: { content: contentFiles, bundles: [stored.path] },
    bookId: book.id,
    runs: { applied, preview: previewRun.runId, held },
  };
}

// Runs `rows` through the real engine as a bulk roster; returns the run's id.
async function runRows(ctx: AppContext, customerId: string, rows: AnyRow[], dryRun: boolean, expect = 'succeeded'): Promise<string> {
  const run = await ctx.runs.create(operatorActor, customerId, { trigger: 'cli', fileName: 'roster.zip', sizeBytes: 1, sha256: crypto.randomUUID(), bundlePath: null, dryRun });
  const done = await ctx.runs.execute(run.runId, customerId, arraySource(rows));
  if (!done.status.startsWith(expect)) throw new Error(`roster run ${done.status}: ${done.error?.message ?? done.holdReason}`);
  return run.runId;
}
