/*
 * Roster bundles for tests, built in code from small CSV strings so every fixture can be read
 * where it is used. Hostile zips (traversal, encryption) are made by patching bytes of a zip yazl
 * wrote, since yazl refuses to write them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yazl from 'yazl';

/** One entry: its text or bytes, or with options (e.g. a unix `mode` for a symlink, `store` for no compression). */
export type BundleEntry = string | Buffer | { data: string | Buffer; mode?: number; store?: boolean };

let dir: string | null = null;
let seq = 0;

/** A fresh temporary path for a test zip (removed when the process exits). */
export function tempZipPath(name = 'bundle'): string {
  if (!dir) {
    const created = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-bundles-'));
    dir = created;
    process.on('exit', () => fs.rmSync(created, { recursive: true, force: true }));
  }
  return path.join(dir, `${name}-${++seq}.zip`);
}

/** Zips `entries` (name → content, in order) in memory. */
export async function zipBuffer(entries: Record<string, BundleEntry> | [string, BundleEntry][]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const list = Array.isArray(entries) ? entries : Object.entries(entries);
  for (const [name, entry] of list) {
    const { data, mode, store } = typeof entry === 'string' || Buffer.isBuffer(entry) ? { data: entry, mode: undefined, store: false } : entry;
    zip.addBuffer(Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8'), name, { compress: !store, ...(mode === undefined ? {} : { mode }), mtime: new Date(2024, 0, 1) });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Writes `entries` as a zip to a temporary file and returns its path. */
export async function writeBundle(entries: Record<string, BundleEntry> | [string, BundleEntry][]): Promise<string> {
  return writeBytes(await zipBuffer(entries));
}

/** Writes raw bytes to a temporary .zip path and returns it. */
export function writeBytes(bytes: Buffer | Uint8Array): string {
  const file = tempZipPath();
  fs.writeFileSync(file, bytes);
  return file;
}

/** Replaces every occurrence of `from` with `to` (same length) in a zip's bytes: names in both headers. */
export function patchBytes(zip: Buffer, from: string, to: string): Buffer {
  if (from.length !== to.length) throw new Error('patchBytes keeps lengths equal');
  const out = Buffer.from(zip);
  const needle = Buffer.from(from, 'latin1');
  for (let at = out.indexOf(needle); at >= 0; at = out.indexOf(needle, at + 1)) out.write(to, at, 'latin1');
  return out;
}

/** Sets general-purpose flag bits on every local and central header (bit 0 = encrypted). */
export function setFlagBits(zip: Buffer, bits: number): Buffer {
  const out = Buffer.from(zip);
  for (let at = 0; at + 4 <= out.length; at++) {
    const sig = out.readUInt32LE(at);
    if (sig === 0x04034b50) out.writeUInt16LE(out.readUInt16LE(at + 6) | bits, at + 6);
    else if (sig === 0x02014b50) out.writeUInt16LE(out.readUInt16LE(at + 8) | bits, at + 8);
  }
  return out;
}

/** CSV text from rows of cells (quoting cells that need it), with LF line ends and a final newline. */
export function csv(rows: (string | number | boolean | null)[][], eol = '\n'): string {
  const cell = (v: string | number | boolean | null) => {
    const s = v === null ? '' : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return rows.map((r) => r.map(cell).join(',')).join(eol) + eol;
}

/** A 1.1 or 1.2 manifest with the given modes (every other file of the version absent). */
export function manifest(version: '1.1' | '1.2', modes: Record<string, 'bulk' | 'delta' | 'absent' | string>): string {
  const files11 = ['academicSessions', 'categories', 'classes', 'classResources', 'courses', 'courseResources', 'demographics', 'enrollments', 'lineItems', 'orgs', 'resources', 'results', 'users'];
  const files12 = [...files11, 'roles', 'userProfiles', 'userResources', 'scoreScales', 'lineItemScoreScales', 'resultScoreScales', 'lineItemLearningObjectiveIds', 'resultLearningObjectiveIds'];
  const files = version === '1.1' ? files11 : files12;
  return csv([['propertyName', 'value'], ['manifest.version', '1.0'], ['oneroster.version', version], ...files.map((f) => [`file.${f}`, modes[f] ?? 'absent']), ['source.systemName', 'Test SIS']]);
}

/** Headers of the roster files, in spec order, for building rows by column name. */
export const HEADERS = {
  orgs: ['sourcedId', 'status', 'dateLastModified', 'name', 'type', 'identifier', 'parentSourcedId'],
  academicSessions: ['sourcedId', 'status', 'dateLastModified', 'title', 'type', 'startDate', 'endDate', 'parentSourcedId', 'schoolYear'],
  courses: ['sourcedId', 'status', 'dateLastModified', 'schoolYearSourcedId', 'title', 'courseCode', 'grades', 'orgSourcedId', 'subjects', 'subjectCodes'],
  classes: [
    'sourcedId',
    'status',
    'dateLastModified',
    'title',
    'grades',
    'courseSourcedId',
    'classCode',
    'classType',
    'location',
    'schoolSourcedId',
    'termSourcedIds',
    'subjects',
    'subjectCodes',
    'periods',
  ],
  users11: [
    'sourcedId',
    'status',
    'dateLastModified',
    'enabledUser',
    'orgSourcedIds',
    'role',
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
  ],
  users12: [
    'sourcedId',
    'status',
    'dateLastModified',
    'enabledUser',
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
    'userMasterIdentifier',
    'preferredGivenName',
    'preferredMiddleName',
    'preferredFamilyName',
    'primaryOrgSourcedId',
    'pronouns',
  ],
  roles: ['sourcedId', 'status', 'dateLastModified', 'userSourcedId', 'roleType', 'role', 'beginDate', 'endDate', 'orgSourcedId', 'userProfileSourcedId'],
  userProfiles: ['sourcedId', 'status', 'dateLastModified', 'userSourcedId', 'profileType', 'vendorId', 'applicationId', 'description', 'credentialType', 'username', 'password'],
  enrollments: ['sourcedId', 'status', 'dateLastModified', 'classSourcedId', 'schoolSourcedId', 'userSourcedId', 'role', 'primary', 'beginDate', 'endDate'],
  demographics: [
    'sourcedId',
    'status',
    'dateLastModified',
    'birthDate',
    'sex',
    'americanIndianOrAlaskaNative',
    'asian',
    'blackOrAfricanAmerican',
    'nativeHawaiianOrOtherPacificIslander',
    'white',
    'demographicRaceTwoOrMoreRaces',
    'hispanicOrLatinoEthnicity',
    'countryOfBirthCode',
    'stateOfBirthAbbreviation',
    'cityOfBirth',
    'publicSchoolResidenceStatus',
  ],
} as const;

/** A CSV file of `header` with one row per object (missing columns blank). */
export function table(header: readonly string[], rows: Record<string, string | number | boolean | null>[]): string {
  return csv([[...header], ...rows.map((r) => header.map((h) => r[h] ?? null))]);
}

/**
 * A small, valid 1.1 district: one district, one school, a school year and a term, a course, a
 * class, a teacher, two students and a parent, three enrollments. Override any file by name (null
 * removes it); the manifest declares every file present bulk unless `manifest.csv` is overridden.
 */
export function district11(overrides: Record<string, string | null> = {}): Record<string, string> {
  const files: Record<string, string> = {
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
    ]),
    'users.csv': table(HEADERS.users11, [
      { sourcedId: 'u-t', enabledUser: 'true', orgSourcedIds: 'org-s', role: 'teacher', username: 'tpark', givenName: 'Ada', familyName: 'Park', email: 'ada@x.example' },
      {
        sourcedId: 'u-s1',
        enabledUser: 'true',
        orgSourcedIds: 'org-s',
        role: 'student',
        username: 'sone',
        userIds: '{SIS:1001}',
        givenName: 'Sam',
        familyName: 'One',
        grades: '09',
        agentSourcedIds: 'u-p',
      },
      { sourcedId: 'u-s2', enabledUser: 'true', orgSourcedIds: 'org-s', role: 'student', username: 'stwo', givenName: 'Sue', familyName: 'Two', grades: '09' },
      { sourcedId: 'u-p', enabledUser: 'false', orgSourcedIds: 'org-s', role: 'parent', username: 'pone', givenName: 'Pat', familyName: 'One' },
    ]),
    'enrollments.csv': table(HEADERS.enrollments, [
      { sourcedId: 'e-1', classSourcedId: 'cl-1', schoolSourcedId: 'org-s', userSourcedId: 'u-t', role: 'teacher', primary: 'true' },
      { sourcedId: 'e-2', classSourcedId: 'cl-1', schoolSourcedId: 'org-s', userSourcedId: 'u-s1', role: 'student', primary: 'false', beginDate: '2024-08-01' },
      { sourcedId: 'e-3', classSourcedId: 'cl-1', schoolSourcedId: 'org-s', userSourcedId: 'u-s2', role: 'student' },
    ]),
  };
  const modes = () => Object.fromEntries(Object.keys(files).map((f) => [f.replace(/\.csv$/, ''), 'bulk']));
  for (const [name, text] of Object.entries(overrides)) {
    if (name === 'manifest.csv') continue;
    if (text === null) delete files[name];
    else files[name] = text;
  }
  if (overrides['manifest.csv'] === null) return files;
  return { 'manifest.csv': overrides['manifest.csv'] ?? manifest('1.1', modes()), ...files };
}

/** Issues as compact strings `severity code file:line column [sourcedId]`, for exact comparisons. */
export function issueLines(report: { issues: { severity: string; code: string; file: string | null; line: number | null; column: string | null; sourcedId: string | null }[] }): string[] {
  return report.issues.map((i) => [i.severity, i.code, `${i.file ?? '-'}:${i.line ?? '-'}`, i.column ?? '-', i.sourcedId === null ? '' : `[${i.sourcedId}]`].join(' ').trimEnd());
}
