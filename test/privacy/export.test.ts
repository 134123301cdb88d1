/*
 * The customer data export (issue 16) end to end, on SQLite and PostgreSQL: two customers seeded
 * with look-alike data of every kind (export-fixtures.ts), A's export downloaded over real HTTP and
 * read back file by file; its roster/ folder through the bundle reader (the code of `lectern roster
 * validate`) and imported into a fresh customer; B's data looked for in every byte of A's export;
 * who may download it; the audit entry; `lectern customer export` as an operator runs it; and a
 * failure part-way, which leaves no OUT.zip and cuts the download short.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, it } from 'node:test';
import { operatorActor } from '../../src/accounts/policy.js';
import { readBundle } from '../../src/rostering/oneroster/reader.js';
import { zipSource } from '../../src/rostering/runs/zip-source.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, describeEachDialect } from '../helpers/app.js';
import { ltiCustomer, startLtiServer, type LtiServer } from '../lti/lti-server.js';
import { STAFF_PASSWORD, csvRows, hideTitleFile, readZip, rosterBundle, seedDistrict, type District } from './export-fixtures.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/lectern.js');

interface Download {
  status: number;
  headers: Headers;
  /** The whole body, or null when the connection failed before the body ended. */
  bytes: Buffer | null;
  json: { error?: { code: string } } | null;
}

describeEachDialect('Customer data export', (dialect) => {
  let s: LtiServer;
  let a: District;
  let b: District;
  let files: Map<string, Buffer>;
  let adminId: string;
  // Each customer's admin (seeded by the customer service), by customer id.
  const adminIds = new Map<string, string>();
  const adminOf = (d: District) => adminIds.get(d.id)!;

  const signIn = async (login: string, password: string) => {
    const res = await fetch(`${s.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login, password }) });
    assert.equal(res.status, 200, `sign-in of ${login}`);
    return res.headers.getSetCookie()[0]!.split(';')[0]!;
  };
  const download = async (customerId: string, cookie: string | null): Promise<Download> => {
    const res = await fetch(`${s.url}/api/customers/${customerId}/export`, { headers: cookie ? { cookie } : {} });
    // A download cut short fails here: the body never ended.
    const bytes = await res.arrayBuffer().then(
      (body) => Buffer.from(body),
      () => null,
    );
    const json = bytes && (res.headers.get('content-type') ?? '').includes('json') ? (JSON.parse(bytes.toString()) as Download['json']) : null;
    return { status: res.status, headers: res.headers, bytes, json };
  };
  // `tty`: on a terminal, as an operator types it (util-linux `script` gives it a pseudo-terminal; its output is stdout and stderr together).
  const lectern = (args: string[], opts: { tty?: boolean } = {}) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const env: NodeJS.ProcessEnv = {};
      for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('LECTERN_') && key !== 'DATABASE_URL') env[key] = value;
      Object.assign(env, { DATABASE_URL: s.ctx.config.databaseUrl, LECTERN_DATA_DIR: s.ctx.config.dataDir, LECTERN_PUBLIC_URL: s.url });
      const command = [process.execPath, BIN, ...args];
      const [file, argv] = opts.tty ? ['script', ['-qec', command.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' '), '/dev/null']] : [command[0]!, command.slice(1)];
      execFile(file, argv, { env, timeout: 120_000 }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
    });

  before(async () => {
    s = await startLtiServer(dialect);
    a = await seedDistrict(s, 'alpha');
    b = await seedDistrict(s, 'bravo');
    // A's admin signs in once: the export holds the address they signed in from.
    await signIn(a.adminEmail, a.adminPassword);
    const k = s.ctx.db.kysely;
    adminId = (await k.selectFrom('users').select('id').where('email', '=', ADMIN_EMAIL).executeTakeFirstOrThrow()).id;
    for (const d of [a, b]) adminIds.set(d.id, (await k.selectFrom('users').select('id').where('customer_id', '=', d.id).where('role', '=', 'customer_admin').executeTakeFirstOrThrow()).id);
    const got = await download(a.id, await signIn(ADMIN_EMAIL, ADMIN_PASSWORD));
    assert.equal(got.status, 200);
    files = await readZip(got.bytes!);
  });
  after(() => s?.close());

  it('holds every kind of data of the customer, each file with what Lectern keeps', async () => {
    const names = [...files.keys()];
    for (const name of [
      'README.md',
      'customer.json',
      'contents.json',
      'roster/manifest.csv',
      'roster/orgs.csv',
      'roster/academicSessions.csv',
      'roster/courses.csv',
      'roster/classes.csv',
      'roster/users.csv',
      'roster/roles.csv',
      'roster/enrollments.csv',
      'outside-roster/users.csv',
      'outside-roster/roles.csv',
      'outside-roster/enrollments.csv',
      'people.csv',
      'sign-in-addresses.csv',
      'reader-settings.csv',
      'titles.csv',
      'collections.csv',
      'assignments.csv',
      'reading-progress.csv',
      'lti-links.csv',
      'lti-grade-links.csv',
      'lti-outcome-calls.csv',
      'roster-runs.csv',
      'roster-changes.csv',
      'audit-log.csv',
      `titles/${a.book.id}.epub`,
    ])
      assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
    // Nothing of the roster was deleted outside people: those files are left out, not written empty.
    assert.ok(!names.includes('outside-roster/orgs.csv') && !names.includes('outside-roster/classes.csv'), names.join(', '));

    const readme = files.get('README.md')!.toString();
    assert.match(readme, /Passwords are never exported/);
    for (const name of names.filter((n) => n.endsWith('.csv') && !n.startsWith('outside-roster/'))) assert.ok(readme.includes(path.basename(name)), `README describes ${name}`);

    // contents.json: every other file with its size, rows and SHA-256, which match the bytes.
    const contents = JSON.parse(files.get('contents.json')!.toString()) as {
      customer: { id: string; code: string };
      exportedBy: string;
      files: { path: string; bytes: number; sha256: string; rows?: number }[];
    };
    assert.deepEqual(contents.customer.id, a.id);
    assert.equal(contents.exportedBy, ADMIN_EMAIL);
    assert.deepEqual(contents.files.map((f) => f.path).sort(), names.filter((n) => n !== 'contents.json').sort());
    for (const f of contents.files) {
      const bytes = files.get(f.path)!;
      assert.equal(f.bytes, bytes.length, f.path);
      assert.equal(f.sha256, crypto.createHash('sha256').update(bytes).digest('hex'), f.path);
      if (f.path.endsWith('.csv') && f.path !== 'roster/manifest.csv') assert.equal(f.rows, csvRows(files, f.path).length, f.path);
    }
    assert.equal((JSON.parse(files.get('customer.json')!.toString()) as { profile: { code: string } }).profile.code, a.code);

    const customerOrg = `lectern-customer-${a.code}`;
    const by = <K extends string>(rows: Record<string, string>[], key: K) => new Map(rows.map((r) => [r[key]!, r]));

    const users = by(csvRows(files, 'roster/users.csv'), 'sourcedId');
    assert.deepEqual([...users.keys()].sort(), ['u-p', 'u-s1', 'u-s2', 'u-t', a.users.manual, a.users.instituteAdmin, a.users.disabled, adminOf(a)].sort());
    assert.deepEqual(
      pick(users.get('u-s1')!, [
        'enabledUser',
        'username',
        'userIds',
        'givenName',
        'familyName',
        'middleName',
        'identifier',
        'email',
        'phone',
        'agentSourcedIds',
        'grades',
        'primaryOrgSourcedId',
        'metadata.districtStudentNumber',
      ]),
      {
        enabledUser: 'true',
        username: 'sam.one',
        userIds: '{SIS:1001}',
        givenName: 'Sam',
        familyName: 'One-alpha',
        middleName: 'Quincy',
        identifier: 'S-1001',
        email: 'sam.alpha@district.example',
        phone: '555-0101',
        agentSourcedIds: 'u-p',
        grades: '09',
        primaryOrgSourcedId: 'org-s',
        'metadata.districtStudentNumber': '0042-alpha',
      },
    );
    assert.equal(users.get('u-p')!.enabledUser, 'false');
    assert.equal(users.get(a.users.disabled)!.enabledUser, 'false');
    assert.deepEqual(pick(users.get(a.users.manual)!, ['username', 'givenName', 'familyName', 'email']), {
      username: 'manny.alpha',
      givenName: 'Manny',
      familyName: 'Staff-alpha',
      email: 'manny.alpha@staff.example',
    });
    assert.ok([...users.values()].every((u) => u.password === '' && u.status === '' && u.dateLastModified === ''));

    const roles = csvRows(files, 'roster/roles.csv').map((r) => `${r.userSourcedId} ${r.roleType} ${r.role} ${r.orgSourcedId}`);
    assert.deepEqual(
      roles.sort(),
      [
        `${a.users.disabled} primary student ${customerOrg}`,
        `${a.users.instituteAdmin} primary siteAdministrator org-s`,
        `${a.users.manual} primary teacher org-s`,
        `${adminOf(a)} primary districtAdministrator ${customerOrg}`,
        'u-p primary guardian org-s',
        'u-s1 primary student org-s',
        'u-s2 primary student org-s',
        'u-t primary teacher org-s',
      ].sort(),
    );

    assert.deepEqual(
      csvRows(files, 'roster/orgs.csv').map((o) => `${o.sourcedId} ${o.type} ${o.name}`),
      [`${customerOrg} district Lincoln alpha`, 'org-d district Lincoln USD', 'org-s school Lincoln High'],
    );
    assert.deepEqual(
      csvRows(files, 'roster/academicSessions.csv').map((t) => t.sourcedId),
      [`lectern-lms-term-${a.code}`, 'as-t', 'as-y'],
    );
    assert.deepEqual(
      csvRows(files, 'roster/courses.csv').map((c) => `${c.sourcedId} ${c.orgSourcedId}`),
      [`lectern-lms-course-${a.code} ${customerOrg}`, 'c-1 org-s'],
    );
    const classes = by(csvRows(files, 'roster/classes.csv'), 'sourcedId');
    assert.deepEqual([...classes.keys()], ['cl-1', 'cl-2', 'lms-course-7']);
    assert.equal(classes.get('cl-2')!.location, '@Room 19', 'roster files keep every value exactly');
    assert.equal(classes.get('cl-2')!.termSourcedIds, 'as-y,as-t');
    assert.deepEqual(pick(classes.get('lms-course-7')!, ['courseSourcedId', 'termSourcedIds', 'schoolSourcedId', 'metadata.lti.issuer']), {
      courseSourcedId: `lectern-lms-course-${a.code}`,
      termSourcedIds: `lectern-lms-term-${a.code}`,
      schoolSourcedId: customerOrg,
      'metadata.lti.issuer': 'https://lms.example.edu',
    });
    assert.deepEqual(
      csvRows(files, 'roster/enrollments.csv').map((e) => `${e.sourcedId} ${e.classSourcedId} ${e.userSourcedId} ${e.role} ${e.schoolSourcedId} ${e.primary} ${e.beginDate}`),
      [
        'e-1 cl-1 u-t teacher org-s true ',
        'e-2 cl-1 u-s1 student org-s false 2024-08-01',
        'e-3 cl-1 u-s2 student org-s false ',
        'e-5 cl-2 u-t teacher org-s false ',
        `lms-enrollment-7 lms-course-7 u-s2 student ${customerOrg} false `,
      ],
    );

    // Outside the bundle: Tom (deleted by the second roster run, with his role and enrollment) and the nameless LMS newcomer.
    const outside = by(csvRows(files, 'outside-roster/users.csv'), 'sourcedId');
    assert.deepEqual([...outside.keys()].sort(), [a.users.newcomer, 'u-s3'].sort());
    assert.equal(outside.get('u-s3')!.status, 'tobedeleted');
    assert.match(outside.get('u-s3')!.dateLastModified!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.deepEqual(pick(outside.get(a.users.newcomer)!, ['status', 'givenName', 'familyName']), { status: 'active', givenName: 'Siân', familyName: '' });
    assert.deepEqual(
      csvRows(files, 'outside-roster/roles.csv').map((r) => `${r.userSourcedId} ${r.status}`),
      ['u-s3 tobedeleted'],
    );
    assert.deepEqual(
      csvRows(files, 'outside-roster/enrollments.csv').map((e) => `${e.sourcedId} ${e.status}`),
      ['e-4 tobedeleted'],
    );

    const people = by(csvRows(files, 'people.csv'), 'userId');
    assert.equal(people.size, 10, [...people.values()].map((p) => p.login).join(', '));
    assert.deepEqual(pick(people.get(a.users.tom)!, ['userSourcedId', 'status', 'source', 'rosterFile']), {
      userSourcedId: 'u-s3',
      status: 'deleted',
      source: 'roster',
      rosterFile: 'outside-roster/users.csv',
    });
    assert.deepEqual(pick(people.get(a.users.manual)!, ['role', 'source', 'passwordSource', 'mustChangePassword', 'rosterFile']), {
      role: 'teacher',
      source: 'manual',
      passwordSource: 'here',
      mustChangePassword: 'false',
      rosterFile: 'roster/users.csv',
    });
    assert.equal(people.get(a.users.newcomer)!.source, 'lti');
    assert.ok(!Object.keys([...people.values()][0]!).some((column) => /hash|digest/i.test(column)));

    assert.deepEqual(
      csvRows(files, 'sign-in-addresses.csv').map((r) => `${r.userId} ${r.ip}`),
      [`${adminOf(a)} 127.0.0.1`],
    );
    assert.deepEqual(pick(csvRows(files, 'reader-settings.csv')[0]!, ['userId', 'userSourcedId', 'font', 'fontSize', 'lineSpacing', 'language']), {
      userId: a.users.sam,
      userSourcedId: 'u-s1',
      font: 'dyslexic',
      fontSize: '120',
      lineSpacing: 'relaxed',
      language: 'es',
    });
    assert.deepEqual(
      csvRows(files, 'titles.csv').map((t) => pick(t, ['titleId', 'title', 'author', 'format', 'file', 'sha256'])),
      [{ titleId: a.book.id, title: 'Moby-Dick', author: 'Herman Melville', format: 'epub', file: `titles/${a.book.id}.epub`, sha256: crypto.createHash('sha256').update(a.book.bytes).digest('hex') }],
    );
    assert.ok(files.get(`titles/${a.book.id}.epub`)!.equals(a.book.bytes), 'the title as uploaded');
    // A cell a spreadsheet would run as a formula is quoted in the files people open.
    assert.deepEqual(pick(csvRows(files, 'collections.csv')[0]!, ['collectionId', 'name', 'description', 'titleIds']), {
      collectionId: a.collectionId,
      name: 'Summer reading',
      description: `'=HYPERLINK("https://evil.example") for alpha`,
      titleIds: a.book.id,
    });
    assert.deepEqual(
      csvRows(files, 'assignments.csv')
        .map((r) => `${r.titleId} ${r.targetType} ${r.targetId} ${r.targetSourcedId}`)
        .sort(),
      [`${a.book.id} class ${a.classes.algebra} cl-1`, `${a.book.id} user ${a.users.manual} ${a.users.manual}`].sort(),
    );
    assert.deepEqual(
      csvRows(files, 'reading-progress.csv').map((p) => `${p.userSourcedId} ${p.titleId} ${p.progress} ${p.position}`),
      [`u-s1 ${a.book.id} 0.5 epubcfi(/6/4!/4/2/1:0)`],
    );
    assert.deepEqual(
      csvRows(files, 'lti-links.csv')
        .map((l) => `${l.lms} ${l.lmsUserId} ${l.userId} ${l.userSourcedId}`)
        .sort(),
      [`lms.example.edu lms-sam ${a.users.sam} u-s1`, `lms.example.edu lms-newcomer-alpha ${a.users.newcomer} ${a.users.newcomer}`].sort(),
    );
    const [grade] = csvRows(files, 'lti-grade-links.csv');
    assert.deepEqual(pick(grade!, ['ltiVersion', 'userSourcedId', 'lms', 'resourceLinkId', 'targetId', 'serviceUrl', 'resultSourcedId', 'consumerKey', 'reportedScore']), {
      ltiVersion: '1.1',
      userSourcedId: 'u-s1',
      lms: 'lms.example.edu',
      resourceLinkId: 'link-moby',
      targetId: a.book.id,
      serviceUrl: 'https://lms.example.edu/outcomes',
      resultSourcedId: 'moby:sam:alpha',
      consumerKey: a.lti.key,
      reportedScore: '0.5',
    });
    assert.deepEqual(
      csvRows(files, 'lti-outcome-calls.csv').map((c) => pick(c, ['gradeLinkId', 'userSourcedId', 'score', 'status'])),
      [{ gradeLinkId: grade!.gradeLinkId!, userSourcedId: 'u-s1', score: '0.5', status: 'queued' }],
    );
    assert.deepEqual(
      csvRows(files, 'roster-runs.csv').map((r) => `${r.trigger} ${r.fileName} ${r.status}`),
      ['cli district.zip succeeded', 'cli district.zip succeeded'],
    );
    assert.deepEqual(
      csvRows(files, 'roster-changes.csv')
        .filter((c) => c.action === 'delete')
        .map((c) => `${c.entity} ${c.sourcedId}`)
        .sort(),
      ['enrollments e-4', 'users u-s3'],
    );
    const audit = csvRows(files, 'audit-log.csv');
    assert.ok(
      audit.some((e) => e.action === 'user.created' && e.targetId === a.users.manual && e.fields!.split(' ').includes('password')),
      JSON.stringify(audit),
    );
    assert.deepEqual(pick(audit.at(-1)!, ['action', 'actorUserId', 'actor', 'targetType', 'targetId']), {
      action: 'customer.export',
      actorUserId: adminId,
      actor: ADMIN_EMAIL,
      targetType: 'customer',
      targetId: a.id,
    });
    // Passwords and secrets are nowhere: not the staff's, not the admin's, not the LTI secret.
    for (const [name, bytes] of files) {
      const text = bytes.toString('latin1');
      for (const secret of [STAFF_PASSWORD, a.adminPassword, a.lti.secret, '$argon2']) assert.ok(!text.includes(secret), `${name} holds a secret`);
    }
  });

  it('roster/ is a OneRoster 1.2 bundle that Lectern’s validator accepts with no error', async () => {
    const report = await readBundle(await rosterBundle(files));
    assert.equal(report.version, '1.2');
    assert.equal(report.valid, true, JSON.stringify(report.issues));
    assert.equal(report.errors, 0);
    // The only finding: the LMS class's stand-in school is the customer's org, a district.
    assert.deepEqual(
      report.issueCounts.map((i) => `${i.severity} ${i.code} ${i.count}`),
      ['warning ref.wrong_type 2'],
    );
    assert.deepEqual(
      report.files.filter((f) => f.mode === 'bulk').map((f) => `${f.name} ${f.rows}`),
      ['orgs.csv 3', 'academicSessions.csv 3', 'courses.csv 2', 'classes.csv 3', 'users.csv 8', 'roles.csv 8', 'enrollments.csv 5'],
    );
  });

  it('roster/ imported into a fresh customer gives the same people, classes and enrollments', async () => {
    const copy = await ltiCustomer(s.ctx, { rostering: { matchWith: 'sourcedId', suffix: '@copy', syncType: 'zip', syncFrequency: 'manual' } });
    const bundle = await rosterBundle(files);
    const run = await s.ctx.runs.create(operatorActor, copy.id, { trigger: 'cli', fileName: 'export-roster.zip', sizeBytes: 1, sha256: '', bundlePath: bundle, dryRun: false });
    const done = await s.ctx.runs.execute(run.runId, copy.id, zipSource(bundle));
    assert.equal(done.status, 'succeeded_with_warnings', JSON.stringify(done));
    const k = s.ctx.db.kysely;
    const people = async (customerId: string, rosterOnly: boolean) =>
      (
        await k
          .selectFrom('users')
          .select(['id', 'sourced_id', 'given_name', 'family_name', 'email', 'identifier', 'role', 'status'])
          .where('customer_id', '=', customerId)
          .where('status', '!=', 'deleted')
          .where('family_name', '!=', '')
          .$if(rosterOnly, (q) => q.where('source', '=', 'roster'))
          .execute()
      )
        // A roster cannot make a customer admin: the source's is an institute admin in the copy.
        .map((u) => `${u.sourced_id ?? u.id} ${u.given_name} ${u.family_name} ${u.email} ${u.identifier} ${u.role === 'customer_admin' ? 'institute_admin' : u.role}`)
        .sort();
    assert.deepEqual(await people(copy.id, true), await people(a.id, false));
    const classes = async (customerId: string) =>
      (await k.selectFrom('classes').select(['sourced_id', 'title', 'class_code', 'class_type']).where('customer_id', '=', customerId).where('status', '=', 'active').execute())
        .map((c) => Object.values(c).join(' '))
        .sort();
    assert.deepEqual(await classes(copy.id), await classes(a.id));
    const enrollments = async (customerId: string) =>
      (
        await k
          .selectFrom('enrollments')
          .select(['sourced_id', 'class_sourced_id', 'user_sourced_id', 'role', 'is_primary', 'begin_date'])
          .where('customer_id', '=', customerId)
          .where('status', '=', 'active')
          .execute()
      )
        .map((e) => Object.values(e).join(' '))
        .sort();
    assert.deepEqual(await enrollments(copy.id), await enrollments(a.id));
  });

  it('holds nothing of another customer with look-alike data (same sourcedIds, titles and LMS ids)', async () => {
    const own = await sentinels(a);
    // What the two share (look-alike data: sourcedIds, names such as the admins' Park) proves nothing either way.
    const marks = (await sentinels(b)).filter((m) => !own.includes(m));
    assert.ok(marks.length >= 30, `B's own values to look for: ${marks.length}`);
    const text = [...files.values()].map((bytes) => bytes.toString('utf8')).join('\n');
    assert.deepEqual(
      marks.filter((m) => text.includes(m)),
      [],
      "another customer's values in the export",
    );
    assert.deepEqual(
      own.filter((m) => !text.includes(m)),
      [],
      "the customer's own values are all there (the search would find them)",
    );
    assert.ok(!files.has(`titles/${b.book.id}.epub`));
  });

  it("answers the enterprise admin and the customer's own admin; refuses another customer's admin, an institute admin, a teacher and anyone signed out", async () => {
    const own = await download(a.id, await signIn(a.adminEmail, a.adminPassword));
    assert.equal(own.status, 200);
    assert.equal(own.headers.get('content-type'), 'application/zip');
    assert.match(own.headers.get('content-disposition') ?? '', new RegExp(`^attachment; filename="lectern-${a.code}-export-\\d{8}T\\d{6}Z\\.zip"$`));
    assert.equal(own.headers.get('cache-control'), 'no-store');
    assert.ok((await readZip(own.bytes!)).has('roster/users.csv'));

    const refused = [
      ['the other customer’s admin', await download(a.id, await signIn(b.adminEmail, b.adminPassword)), 404, 'NOT_FOUND'],
      ['an institute admin of the customer', await download(a.id, await signIn(`ines.${a.tag}`, STAFF_PASSWORD)), 403, 'FORBIDDEN'],
      ['a teacher of the customer', await download(a.id, await signIn(`manny.${a.tag}`, STAFF_PASSWORD)), 403, 'FORBIDDEN'],
      ['anyone signed out', await download(a.id, null), 401, 'AUTH_REQUIRED'],
      ['the admin, for an unknown customer', await download(crypto.randomUUID(), await signIn(a.adminEmail, a.adminPassword)), 404, 'NOT_FOUND'],
    ] as const;
    for (const [who, res, status, code] of refused) {
      assert.equal(res.status, status, who);
      assert.equal(res.json?.error?.code, code, who);
    }
  });

  it('records each export in the audit log: who, which customer, when', async () => {
    const entries = await s.ctx.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'customer.export').orderBy('id').execute();
    // The enterprise admin's export of A, then A's admin's; the refused requests left none.
    assert.deepEqual(
      entries.map((e) => [e.customer_id, e.actor_user_id, e.actor_label, e.target_type, e.target_id, e.fields]),
      [
        [a.id, adminId, ADMIN_EMAIL, 'customer', a.id, '[]'],
        [a.id, adminOf(a), a.adminEmail, 'customer', a.id, '[]'],
      ],
    );
  });

  it('lectern customer export writes OUT.zip (exit 0, --json lists its files, progress on a terminal); unknown customers exit 1, a missing OUT exits 2', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-export-'));
    try {
      const out = path.join(dir, 'alpha.zip');
      const ok = await lectern(['customer', 'export', '--customer', a.code, out, '--json']);
      assert.equal(ok.code, 0, ok.stderr);
      const report = JSON.parse(ok.stdout) as { out: string; bytes: number; customer: { id: string }; files: { path: string; rows?: number }[] };
      assert.equal(report.customer.id, a.id);
      assert.equal(report.bytes, fs.statSync(out).size);
      assert.equal(fs.statSync(out).mode & 0o777, 0o600, 'readable by its owner only');
      const entries = await readZip(fs.readFileSync(out));
      assert.deepEqual(report.files.map((f) => f.path).sort(), [...entries.keys()].filter((n) => n !== 'contents.json').sort());
      assert.equal(report.files.find((f) => f.path === 'roster/users.csv')?.rows, 8);
      assert.deepEqual(fs.readdirSync(dir), ['alpha.zip'], 'no temporary file is left');
      // The operator exports too, and is named so.
      assert.equal(csvRows(entries, 'audit-log.csv').at(-1)!.actor, 'cli');

      // The district checks its roster with the same command it checks a SIS export with.
      const bundle = await rosterBundle(entries);
      const validate = await lectern(['roster', 'validate', bundle]);
      assert.equal(validate.code, 0, validate.stdout + validate.stderr);
      assert.match(validate.stdout, /VALID/);

      const text = await lectern(['customer', 'export', '--customer', a.id, path.join(dir, 'text.zip')]);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, new RegExp(`^Exported Lincoln alpha \\(${a.code}\\) to .*text\\.zip: \\d+ files`, 'm'));
      assert.match(text.stdout, /^roster\/users\.csv +8 +\d+$/m);
      assert.doesNotMatch(text.stderr, /Exporting/, 'no progress bar in a pipe');
      // On a terminal, the progress line counts files and megabytes (the zip's size is known only at its end), and is cleared before the report.
      const tty = await lectern(['customer', 'export', '--customer', a.code, path.join(dir, 'tty.zip')], { tty: true });
      assert.equal(tty.code, 0, tty.stdout);
      assert.match(tty.stdout, /\rExporting \d+ files, \d+\.\d MB written/);
      assert.match(tty.stdout, /\r +\rExported Lincoln alpha/);

      const unknown = await lectern(['customer', 'export', '--customer', 'no-such-customer', path.join(dir, 'x.zip'), '--json']);
      assert.equal(unknown.code, 1);
      assert.equal((JSON.parse(unknown.stdout) as { error: { code: string } }).error.code, 'NOT_FOUND');
      const noOut = await lectern(['customer', 'export', '--customer', a.code]);
      assert.equal(noOut.code, 2);
      assert.match(noOut.stderr, /customer export --customer ID\|CODE OUT\.zip/);
      const noFolder = await lectern(['customer', 'export', '--customer', a.code, path.join(dir, 'missing', 'x.zip')]);
      assert.equal(noFolder.code, 1);
      assert.match(noFolder.stderr, /its folder does not exist/);
      assert.deepEqual(fs.readdirSync(dir).sort(), ['alpha.zip', 'text.zip', 'tty.zip']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a failure part-way leaves no OUT.zip, says why, and cuts the download short instead of ending it', async () => {
    const book = await s.ctx.db.kysely.selectFrom('books').select('file_key').where('id', '=', a.book.id).executeTakeFirstOrThrow();
    const restore = hideTitleFile(s.ctx, a.id, book.file_key);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-export-'));
    try {
      // The title comes after every table: the export fails with most of the zip written.
      const failed = await lectern(['customer', 'export', '--customer', a.code, path.join(dir, 'alpha.zip'), '--json']);
      assert.equal(failed.code, 1, failed.stdout);
      const error = (JSON.parse(failed.stdout) as { error: { code: string; message: string } }).error;
      assert.equal(error.code, 'INTERNAL');
      assert.match(error.message, new RegExp(`The file of the title "Moby-Dick" \\(${a.book.id}\\) is missing`));
      assert.deepEqual(fs.readdirSync(dir), [], 'neither OUT.zip nor its temporary file');

      const cut = await download(a.id, await signIn(ADMIN_EMAIL, ADMIN_PASSWORD));
      assert.equal(cut.status, 200, 'the download had started');
      if (cut.bytes) await assert.rejects(readZip(cut.bytes), 'what arrived is not a complete zip');
    } finally {
      restore();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // The service stays well: the next export is whole.
    const again = await download(a.id, await signIn(ADMIN_EMAIL, ADMIN_PASSWORD));
    assert.ok((await readZip(again.bytes!)).has(`titles/${a.book.id}.epub`));
  });

  // Values only customer `d` has: its ids and code, its people's ids, e-mails, logins and names, its title, collection, class and LTI values.
  async function sentinels(d: District): Promise<string[]> {
    const users = await s.ctx.db.kysely.selectFrom('users').select(['id', 'email', 'family_name', 'login']).where('customer_id', '=', d.id).execute();
    const own = [d.id, d.code, `Lincoln ${d.tag}`, d.book.id, d.collectionId, d.classes.algebra, `moby:sam:${d.tag}`, `lms-newcomer-${d.tag}`, `0042-${d.tag}`];
    return [...own, ...users.flatMap((u) => [u.id, u.email, u.login, u.family_name])].filter((v) => v !== '');
  }
});

function pick(row: Record<string, string>, keys: string[]): Record<string, string | undefined> {
  return Object.fromEntries(keys.map((key) => [key, row[key]]));
}
