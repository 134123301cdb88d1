import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csv, district11, HEADERS, issueLines, manifest, table, writeBundle } from '../../../test/helpers/bundles.js';
import type { AcceptedRecord, RosterRecord } from './records.js';
import { readBundle } from './reader.js';

async function read(entries: Record<string, string>) {
  const records: RosterRecord[] = [];
  const report = await readBundle(await writeBundle(entries), { onRecords: (batch) => void records.push(...batch) });
  return { report, records, issues: issueLines(report) };
}

const accepted = (records: RosterRecord[], file: string) => records.filter((r): r is AcceptedRecord => r.ok && r.file === file);

describe('readBundle: bundles schools send', () => {
  it('reads a valid 1.1 bulk bundle into typed records, in dependency order', async () => {
    const { report, records, issues } = await read(district11());
    assert.deepEqual(issues, []);
    assert.equal(report.valid, true);
    assert.equal(report.unusable, false);
    assert.equal(report.version, '1.1');
    assert.deepEqual(
      report.files.map((f) => `${f.name} ${f.mode} ${f.rows}`),
      ['orgs.csv bulk 2', 'academicSessions.csv bulk 2', 'courses.csv bulk 1', 'classes.csv bulk 1', 'users.csv bulk 4', 'enrollments.csv bulk 3', 'demographics.csv absent 0'],
    );
    assert.deepEqual([...new Set(records.map((r) => r.file))], ['orgs', 'academicSessions', 'courses', 'classes', 'users', 'enrollments']);
    const student = accepted(records, 'users').find((u) => u.sourcedId === 'u-s1');
    assert.ok(student && student.table === 'users@1.1');
    assert.equal(student.line, 3);
    assert.equal(student.status, 'active');
    assert.deepEqual(student.values.userIds, [{ type: 'SIS', id: '1001' }]);
    assert.deepEqual(student.values.orgSourcedIds, ['org-s']);
    assert.equal(student.values.enabledUser, true);
    assert.equal(student.values.role, 'student');
    assert.deepEqual(student.values.agentSourcedIds, ['u-p']);
    const cls = accepted(records, 'classes')[0];
    assert.ok(cls && cls.table === 'classes');
    assert.deepEqual(cls.values.termSourcedIds, ['as-t']);
    assert.equal(cls.values.location, '');
    const enrollment = accepted(records, 'enrollments').find((e) => e.sourcedId === 'e-2');
    assert.ok(enrollment && enrollment.table === 'enrollments');
    assert.equal(enrollment.values.primary, false);
    assert.equal(enrollment.values.endDate, null);
  });

  it('reads 1.2 bundles with roles and userProfiles, with and without resourceSourcedIds', async () => {
    for (const withResources of [false, true]) {
      const userHeader = withResources ? [...HEADERS.users12.slice(0, 15), 'resourceSourcedIds', ...HEADERS.users12.slice(15)] : [...HEADERS.users12];
      const { report, records, issues } = await read({
        'manifest.csv': manifest('1.2', { orgs: 'bulk', users: 'bulk', roles: 'bulk', userProfiles: 'bulk' }),
        'orgs.csv': table(HEADERS.orgs, [{ sourcedId: 'o1', name: 'School', type: 'school' }]),
        'users.csv': table(userHeader, [
          { sourcedId: 'u1', enabledUser: 'true', username: 'ada', givenName: 'Ada', familyName: 'Park', primaryOrgSourcedId: 'o1', pronouns: 'she/her', resourceSourcedIds: 'r1,r2' },
        ]),
        'userProfiles.csv': table(HEADERS.userProfiles, [{ sourcedId: 'p1', userSourcedId: 'u1', profileType: 'reader', vendorId: 'lectern', credentialType: 'password', username: 'ada' }]),
        'roles.csv': table(HEADERS.roles, [
          { sourcedId: 'r1', userSourcedId: 'u1', roleType: 'primary', role: 'districtAdministrator', orgSourcedId: 'o1', userProfileSourcedId: 'p1' },
          { sourcedId: 'r2', userSourcedId: 'u1', roleType: 'secondary', role: 'ext:coach', orgSourcedId: 'o1' },
        ]),
      });
      assert.deepEqual(issues, []);
      assert.equal(report.valid, true);
      assert.equal(report.version, '1.2');
      const user = accepted(records, 'users')[0];
      assert.ok(user);
      assert.equal(user.table, withResources ? 'users@1.2.0' : 'users@1.2');
      const roles = accepted(records, 'roles');
      assert.deepEqual(
        roles.map((r) => r.table === 'roles' && r.values.role),
        ['districtAdministrator', 'ext:coach'],
      );
      assert.deepEqual([...new Set(records.map((r) => r.file))], ['orgs', 'users', 'userProfiles', 'roles']);
    }
  });

  it('reads the minimal bundle (no manifest) as 1.1 bulk with one warning; absent courses and terms are not checked', async () => {
    const files = district11();
    const { report, issues } = await read({
      'users.csv': files['users.csv'] ?? '',
      'orgs.csv': files['orgs.csv'] ?? '',
      'classes.csv': files['classes.csv'] ?? '',
      'enrollments.csv': files['enrollments.csv'] ?? '',
    });
    assert.equal(report.valid, true);
    assert.equal(report.version, '1.1');
    assert.deepEqual(issues, ['warning manifest.missing -:- -', 'info ref.not_checked classes.csv:- courseSourcedId', 'info ref.not_checked classes.csv:- termSourcedIds']);
    assert.deepEqual(
      report.files.filter((f) => f.mode !== 'absent').map((f) => `${f.name} ${f.mode} ${f.rows}`),
      ['orgs.csv bulk 2', 'classes.csv bulk 1', 'users.csv bulk 4', 'enrollments.csv bulk 3'],
    );
  });

  it('infers 1.2 for a minimal bundle whose users.csv has the 1.2 header', async () => {
    const { report, issues } = await read({
      'orgs.csv': table(HEADERS.orgs, [{ sourcedId: 'o1', name: 'School', type: 'school' }]),
      'users.csv': table(HEADERS.users12, [{ sourcedId: 'u1', enabledUser: 'true', username: 'ada', givenName: 'Ada', familyName: 'Park' }]),
    });
    assert.deepEqual(issues, ['warning manifest.missing -:- -']);
    assert.equal(report.version, '1.2');
  });

  it('reads files inside one top-level folder with a warning, and skips archiver junk', async () => {
    const nested = Object.fromEntries(Object.entries(district11()).map(([name, text]) => [`Roster Export/${name}`, text]));
    const { report, issues } = await read({ ...nested, '__MACOSX/Roster Export/._users.csv': 'junk' });
    assert.equal(report.valid, true);
    assert.deepEqual(issues, ['info zip.ignored_entry -:- -', 'warning zip.top_level_folder -:- -']);
    assert.equal(report.files.find((f) => f.name === 'users.csv')?.rows, 4);
  });

  it('treats a manifest-only zip as no changes', async () => {
    const { report, records, issues } = await read({ 'manifest.csv': manifest('1.1', {}) });
    assert.equal(report.valid, true);
    assert.deepEqual(issues, ['info bundle.no_changes -:- -']);
    assert.ok(report.files.every((f) => f.mode === 'absent'));
    assert.equal(records.length, 0);
  });

  it('tolerates a BOM, CRLF line ends, columns out of order, metadata and unknown columns (with warnings)', async () => {
    const users =
      '\uFEFF' +
      csv(
        [
          [
            'sourcedId',
            'status',
            'dateLastModified',
            'enabledUser',
            'role',
            'orgSourcedIds',
            'username',
            'userIds',
            'givenName',
            'familyName',
            'middleName',
            'identifier',
            'email',
            'sms',
            'phone',
            'agentSourcedIds',
            'grades',
            'password',
            'metadata.house',
            'ext_vendor_id',
          ],
          ['u1', '', '', 'true', 'student', 'org-s', 'sam', '', 'Sam', 'One', '', '', '', '', '', '', '09', '', 'Blue', 'V1'],
        ],
        '\r\n',
      );
    const { report, records, issues } = await read(district11({ 'users.csv': users, 'enrollments.csv': null }));
    assert.equal(report.valid, true);
    assert.deepEqual(issues, ['warning header.unknown_column users.csv:1 ext_vendor_id', 'warning header.out_of_order users.csv:1 -']);
    const user = accepted(records, 'users')[0];
    assert.ok(user);
    assert.deepEqual(user.metadata, { 'metadata.house': 'Blue' });
    assert.equal(user.sourcedId, 'u1');
    assert.equal(user.values.role, 'student');
  });

  it('reports gradebook and resources files as ignored, and 1.2 files in a 1.1 bundle as skipped', async () => {
    const { report, issues } = await read(district11({ 'lineItems.csv': 'sourcedId\nx\n', 'roles.csv': csv([[...HEADERS.roles]]) }));
    assert.equal(report.valid, true);
    assert.deepEqual(issues, ['info file.ignored lineItems.csv:- -', 'warning file.wrong_version roles.csv:- -']);
  });
});

describe('readBundle: manifest and files', () => {
  it('follows per-file modes: delta rows need status and dateLastModified, bulk rows should leave them blank', async () => {
    const users = table(HEADERS.users11, [
      { sourcedId: 'u1', status: 'active', dateLastModified: '2024-08-01T10:00:00.000Z', enabledUser: 'true', orgSourcedIds: 'o1', role: 'student', username: 'a', givenName: 'A', familyName: 'B' },
      { sourcedId: 'u2', status: 'tobedeleted', dateLastModified: '2024-08-01T10:00:00Z', enabledUser: 'true', orgSourcedIds: 'o1', role: 'student', username: 'b', givenName: 'A', familyName: 'B' },
      { sourcedId: 'u3', enabledUser: 'true', orgSourcedIds: 'o1', role: 'student', username: 'c', givenName: 'A', familyName: 'B' },
      { sourcedId: 'u4', status: 'inactive', dateLastModified: '2024-08-01', enabledUser: 'true', orgSourcedIds: 'o1', role: 'student', username: 'd', givenName: 'A', familyName: 'B' },
    ]);
    const orgs = table(HEADERS.orgs, [{ sourcedId: 'o1', status: 'active', dateLastModified: '2024-08-01T10:00:00.000Z', name: 'S', type: 'school' }]);
    const { report, records, issues } = await read({ 'manifest.csv': manifest('1.1', { orgs: 'bulk', users: 'delta' }), 'orgs.csv': orgs, 'users.csv': users });
    assert.deepEqual(issues, [
      'info row.lifecycle_in_bulk orgs.csv:2 status [o1]',
      'error row.status_missing_in_delta users.csv:4 status [u3]',
      'warning row.datetime_tolerant users.csv:5 dateLastModified [u4]',
      'warning row.inactive_status users.csv:5 status [u4]',
    ]);
    assert.equal(report.valid, false);
    assert.equal(report.unusable, false);
    assert.deepEqual(
      records.filter((r) => r.file === 'users').map((r) => `${r.sourcedId} ${r.ok} ${r.status}`),
      ['u1 true active', 'u2 true tobedeleted', 'u3 false null', 'u4 true tobedeleted'],
    );
    assert.deepEqual(
      report.files.find((f) => f.name === 'users.csv'),
      { name: 'users.csv', mode: 'delta', rows: 4, rejected: 1 },
    );
  });

  it('is unusable when the manifest declares a file the zip lacks, or a present file has no mode', async () => {
    const files = district11();
    delete files['users.csv'];
    const missing = await read(files);
    assert.equal(missing.report.unusable, true);
    assert.ok(missing.issues.includes('error file.missing users.csv:- -'));
    assert.equal(missing.records.length, 0, 'nothing is delivered once the bundle is known to be unusable');

    const text = manifest('1.1', { orgs: 'bulk', users: 'full' });
    const bad = await read({ 'manifest.csv': text, 'orgs.csv': district11()['orgs.csv'] ?? '', 'users.csv': district11()['users.csv'] ?? '' });
    assert.equal(bad.report.unusable, true);
    assert.ok(bad.issues.includes('warning manifest.bad_value manifest.csv:16 file.users'), bad.issues.join('\n'));
    assert.ok(bad.issues.includes('error manifest.mode users.csv:- -'));
  });

  it('checks manifest keys and values', async () => {
    const text = 'propertyName,value\n"manifest.version","1.0"\noneroster.version,1.2.1\nfiel.demographics,absent\nfile.orgs,Bulk\n';
    const { report, issues } = await read({ 'manifest.csv': text, 'orgs.csv': table(HEADERS.orgs, [{ sourcedId: 'o1', name: 'S', type: 'school' }]) });
    assert.equal(report.version, '1.2');
    assert.equal(report.unusable, false);
    assert.deepEqual(issues, [
      'warning manifest.unknown_key manifest.csv:4 fiel.demographics',
      'warning manifest.bad_value manifest.csv:3 oneroster.version',
      'warning manifest.bad_value manifest.csv:5 file.orgs',
      'warning manifest.missing_key manifest.csv:- file.academicSessions,file.courses,file.classes,file.users,file.userProfiles,file.roles,file.enrollments,file.demographics,file.categories,file.classResources,file.courseResources,file.lineItems,file.resources,file.results,file.userResources,file.scoreScales,file.lineItemScoreScales,file.resultScoreScales,file.lineItemLearningObjectiveIds,file.resultLearningObjectiveIds',
    ]);
    assert.ok(report.issues.find((i) => i.code === 'manifest.unknown_key')?.message.includes('did you mean file.demographics?'));
  });

  it('is unusable with a bad manifest header, an unsupported version or a duplicate key', async () => {
    for (const [text, code] of [
      ['name,value\nmanifest.version,1.0\n', 'manifest.header'],
      ['propertyName,value\noneroster.version,2.0\n', 'manifest.version'],
      ['propertyName,value\noneroster.version,1.1\noneroster.version,1.2\n', 'manifest.duplicate_key'],
    ] as const) {
      const { report } = await read({ 'manifest.csv': text });
      assert.equal(report.unusable, true, text);
      assert.deepEqual(
        report.issueCounts.filter((c) => c.severity === 'error').map((c) => c.code),
        [code],
      );
    }
  });

  it('rejects wrong-case file names with the right name, and skips unknown files with a warning', async () => {
    const files = district11();
    const { report, issues } = await read({ ...files, 'users.csv': '', 'Users.csv': files['users.csv'] ?? '', 'notes.txt': 'hello' });
    assert.equal(report.unusable, true);
    assert.ok(issues.includes('error file.wrong_case Users.csv:- -'));
    assert.ok(issues.includes('warning file.unknown_name notes.txt:- -'));
    assert.match(report.issues.find((i) => i.code === 'file.wrong_case')?.message ?? '', /must be named users\.csv/);
  });
});

describe('readBundle: headers', () => {
  it('is unusable when a required column is missing or doubled, or a file is empty or has no rows', async () => {
    const cases: [string, string, string][] = [
      ['sourcedId,status,dateLastModified,name,identifier,parentSourcedId\no1,,,S,,\n', 'header.missing_required', 'error header.missing_required orgs.csv:1 type'],
      ['sourcedId,status,dateLastModified,name,type,type\no1,,,S,school,school\n', 'header.duplicate', 'error header.duplicate orgs.csv:1 type'],
      ['', 'header.missing', 'error header.missing orgs.csv:1 -'],
      [`${HEADERS.orgs.join(',')}\n`, 'file.no_rows', 'error file.no_rows orgs.csv:2 -'],
    ];
    for (const [orgs, code, line] of cases) {
      const { report, issues } = await read({ 'orgs.csv': orgs });
      assert.equal(report.unusable, true, code);
      assert.ok(issues.includes(line), `${code}: ${issues.join('\n')}`);
    }
  });

  it('warns about missing optional columns, blank header cells and misspelt columns with a hint', async () => {
    const { report, issues } = await read({ 'orgs.csv': 'sourcedId,name,type,dataLastModified,\no1,S,school,,\n' });
    assert.equal(report.valid, true);
    assert.deepEqual(issues, [
      'warning manifest.missing -:- -',
      'warning header.unknown_column orgs.csv:1 dataLastModified',
      'warning header.blank_column orgs.csv:1 #5',
      'warning header.missing_optional orgs.csv:1 status,dateLastModified,identifier,parentSourcedId',
    ]);
    assert.match(report.issues[1]?.message ?? '', /did you mean dateLastModified\?/);
  });

  it('hints at the version when a 1.1 manifest comes with a 1.2 users.csv', async () => {
    const { report } = await read({
      'manifest.csv': manifest('1.1', { users: 'bulk' }),
      'users.csv': table(HEADERS.users12, [{ sourcedId: 'u1', enabledUser: 'true', username: 'a', givenName: 'A', familyName: 'B' }]),
    });
    assert.equal(report.unusable, true);
    assert.match(report.issues.find((i) => i.code === 'header.missing_required')?.message ?? '', /check oneroster\.version/);
  });
});

describe('readBundle: values', () => {
  const row = (o: Record<string, string>) => ({ sourcedId: 'x', ...o });
  const usersOf = (rows: Record<string, string>[]) =>
    table(
      HEADERS.users11,
      rows.map((r) => ({ enabledUser: 'true', orgSourcedIds: 'org-s', role: 'student', username: 'u', givenName: 'G', familyName: 'F', ...r })),
    );

  it('reports each bad value on its line and column; tolerant readings are warnings', async () => {
    const users = usersOf([
      row({ sourcedId: 'v1' }),
      row({ sourcedId: 'v2', enabledUser: 'TRUE', role: 'Teacher' }),
      row({ sourcedId: 'v3', enabledUser: 'maybe', role: 'coach' }),
      row({ sourcedId: 'v4', userIds: 'LDAP:12', grades: '9, 10' }),
      row({ sourcedId: 'v5', givenName: '', username: '' }),
      row({ sourcedId: 'v 6' }),
      row({ sourcedId: 'v1' }),
      row({ sourcedId: 'v8', orgSourcedIds: 'nowhere', agentSourcedIds: 'v9,ghost' }),
      row({ sourcedId: 'v9', password: 'has "quote' }),
    ]);
    const { report, records, issues } = await read(district11({ 'users.csv': users, 'enrollments.csv': null }));
    assert.deepEqual(issues, [
      'warning row.boolean_tolerant users.csv:3 enabledUser [v2]',
      'warning row.enum_tolerant users.csv:3 role [v2]',
      'error row.boolean users.csv:4 enabledUser [v3]',
      'error row.enum users.csv:4 role [v3]',
      'error row.user_ids users.csv:5 userIds [v4]',
      'warning row.list_format users.csv:5 grades [v4]',
      'warning row.grade users.csv:5 grades [v4]',
      'error row.required users.csv:6 username [v5]',
      'error row.required users.csv:6 givenName [v5]',
      'warning row.guid users.csv:7 sourcedId [v 6]',
      'error row.duplicate_sourced_id users.csv:8 sourcedId [v1]',
      'error ref.unresolved users.csv:9 orgSourcedIds [v8]',
      'warning ref.unresolved_optional users.csv:9 agentSourcedIds [v8]',
    ]);
    assert.equal(report.valid, false);
    assert.deepEqual(
      records.filter((r) => r.file === 'users').map((r) => `${r.sourcedId}:${r.ok}`),
      ['v1:true', 'v2:true', 'v3:false', 'v4:false', 'v5:false', 'v 6:true', 'v1:false', 'v8:false', 'v9:true'],
    );
    const v2 = accepted(records, 'users').find((u) => u.sourcedId === 'v2');
    assert.ok(v2 && v2.table === 'users@1.1');
    assert.equal(v2.values.enabledUser, true);
    assert.equal(v2.values.role, 'teacher');
    assert.equal(report.files.find((f) => f.name === 'users.csv')?.rejected, 5);
  });

  it('checks dates, years, class types, enrollment roles and school references', async () => {
    const { issues } = await read(
      district11({
        'academicSessions.csv': table(HEADERS.academicSessions, [
          { sourcedId: 'as-y', title: 'Y', type: 'schoolYear', startDate: '2024-08-01', endDate: '2025-02-30', schoolYear: '24-25' },
          { sourcedId: 'as-t', title: 'T', type: 'Term', startDate: '8/1/2024', endDate: '2025-01-01', parentSourcedId: 'as-y', schoolYear: '2025' },
        ]),
        'classes.csv': table(HEADERS.classes, [{ sourcedId: 'cl-1', title: 'C', courseSourcedId: 'c-1', classType: 'Scheduled', schoolSourcedId: 'org-d', termSourcedIds: 'as-t,as-x' }]),
        'enrollments.csv': table(HEADERS.enrollments, [
          { sourcedId: 'e-1', classSourcedId: 'cl-1', schoolSourcedId: 'org-s', userSourcedId: 'u-t', role: 'aide', primary: 'yes', beginDate: '2024-13-01' },
          { sourcedId: 'e-2', classSourcedId: 'cl-9', schoolSourcedId: 'org-s', userSourcedId: 'u-9', role: 'student' },
        ]),
      }),
    );
    assert.deepEqual(issues, [
      'error row.date academicSessions.csv:2 endDate [as-y]',
      'error row.year academicSessions.csv:2 schoolYear [as-y]',
      'warning row.enum_tolerant academicSessions.csv:3 type [as-t]',
      'error row.date academicSessions.csv:3 startDate [as-t]',
      'warning row.enum_tolerant classes.csv:2 classType [cl-1]',
      'warning ref.wrong_type classes.csv:2 schoolSourcedId [cl-1]',
      'error ref.unresolved classes.csv:2 termSourcedIds [cl-1]',
      'error row.enum enrollments.csv:2 role [e-1]',
      'warning row.boolean_tolerant enrollments.csv:2 primary [e-1]',
      'error row.date enrollments.csv:2 beginDate [e-1]',
      'error ref.unresolved enrollments.csv:3 classSourcedId [e-2]',
      'error ref.unresolved enrollments.csv:3 userSourcedId [e-2]',
    ]);
  });

  it('reports CSV quirks and wrong cell counts on the physical line, counting newlines inside quotes', async () => {
    const orgs = [HEADERS.orgs.join(','), 'o1,,,"Lincoln\nHigh",school,,', 'o2,,,Big "Apple",school,,', 'o3,,,"Quoted"tail,school,,', 'o4,,,Short,school', '', 'o5,,,Fine,school,,'].join('\n');
    const { records, issues } = await read({ 'orgs.csv': orgs });
    assert.deepEqual(issues, [
      'warning manifest.missing -:- -',
      'warning csv.stray_quote orgs.csv:4 - [o2]',
      'error csv.text_after_quote orgs.csv:5 - [o3]',
      'error row.field_count orgs.csv:6 -',
      'info csv.blank_line orgs.csv:7 -',
    ]);
    assert.deepEqual(
      records.map((r) => `${r.sourcedId}@${r.line}`),
      ['o1@2', 'o2@4', 'o3@5', 'o4@6', 'o5@8'],
    );
    const o1 = accepted(records, 'orgs')[0];
    assert.ok(o1 && o1.table === 'orgs');
    assert.equal(o1.values.name, 'Lincoln\nHigh');
  });

  it('makes a reference to a record the bundle marks tobedeleted a row error, in bulk and in delta files, unless the referring row goes too', async () => {
    const T = '2024-08-01T00:00:00.000Z';
    for (const mode of ['bulk', 'delta'] as const) {
      const gone = { status: 'tobedeleted', dateLastModified: T };
      const kept: Record<string, string> = mode === 'delta' ? { status: 'active', dateLastModified: T } : {};
      const files = district11();
      const { issues } = await read({
        ...files,
        'manifest.csv': manifest('1.1', { orgs: 'bulk', academicSessions: 'bulk', courses: 'bulk', classes: mode, users: mode, enrollments: mode }),
        'classes.csv': table(HEADERS.classes, [
          { sourcedId: 'cl-1', ...gone, title: 'Algebra P1', courseSourcedId: 'c-1', classCode: 'A', classType: 'scheduled', schoolSourcedId: 'org-s', termSourcedIds: 'as-t' },
        ]),
        'users.csv': table(HEADERS.users11, [
          { sourcedId: 'u-t', ...kept, enabledUser: 'true', orgSourcedIds: 'org-s', role: 'teacher', username: 't', givenName: 'A', familyName: 'P' },
          { sourcedId: 'u-s1', ...gone, enabledUser: 'true', orgSourcedIds: 'org-s', role: 'student', username: 's', givenName: 'S', familyName: 'O' },
        ]),
        'enrollments.csv': table(HEADERS.enrollments, [
          { sourcedId: 'e-1', ...kept, classSourcedId: 'cl-1', schoolSourcedId: 'org-s', userSourcedId: 'u-t', role: 'teacher' },
          { sourcedId: 'e-2', ...gone, classSourcedId: 'cl-1', schoolSourcedId: 'org-s', userSourcedId: 'u-s1', role: 'student' },
        ]),
      });
      assert.deepEqual(
        issues.filter((i) => i.includes('ref.to_deleted')),
        ['error ref.to_deleted enrollments.csv:2 classSourcedId [e-1]'],
        mode,
      );
    }
  });

  it('checks self-references at the end of the file and ignores references into delta files', async () => {
    const orgs = table(HEADERS.orgs, [
      { sourcedId: 'o-child', name: 'Child', type: 'school', parentSourcedId: 'o-parent' },
      { sourcedId: 'o-parent', name: 'Parent', type: 'district' },
      { sourcedId: 'o-orphan', name: 'Orphan', type: 'school', parentSourcedId: 'o-none' },
    ]);
    const { issues } = await read({ 'orgs.csv': orgs });
    assert.deepEqual(issues, ['warning manifest.missing -:- -', 'warning ref.unresolved_optional orgs.csv:4 parentSourcedId [o-orphan]']);

    const delta = await read({
      'manifest.csv': manifest('1.1', { orgs: 'delta', enrollments: 'bulk' }),
      'orgs.csv': table(HEADERS.orgs, [{ sourcedId: 'o1', status: 'active', dateLastModified: '2024-08-01T00:00:00.000Z', name: 'S', type: 'school', parentSourcedId: 'o-elsewhere' }]),
      'enrollments.csv': table(HEADERS.enrollments, [{ sourcedId: 'e1', classSourcedId: 'c1', schoolSourcedId: 'o-elsewhere', userSourcedId: 'u1', role: 'student' }]),
    });
    assert.deepEqual(delta.issues, [
      'info ref.not_checked orgs.csv:- parentSourcedId',
      'info ref.not_checked enrollments.csv:- classSourcedId',
      'info ref.not_checked enrollments.csv:- schoolSourcedId',
      'info ref.not_checked enrollments.csv:- userSourcedId',
    ]);
    assert.equal(delta.report.valid, true);
  });

  it('counts every issue but keeps at most maxIssueExamples of each code', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => ({ sourcedId: `o${i}`, name: 'S', type: 'bogus' }));
    const all: string[] = [];
    const report = await readBundle(await writeBundle({ 'orgs.csv': table(HEADERS.orgs, rows) }), { maxIssueExamples: 3, onIssue: (i) => all.push(i.code) });
    assert.deepEqual(report.issueCounts, [
      { code: 'row.enum', severity: 'error', count: 50 },
      { code: 'manifest.missing', severity: 'warning', count: 1 },
    ]);
    assert.equal(report.issues.filter((i) => i.code === 'row.enum').length, 3);
    assert.equal(report.issuesTruncated, true);
    assert.equal(all.length, 51);
    assert.equal(report.errors, 50);
  });
});
