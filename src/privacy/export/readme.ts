import { LECTERN_FILES } from './lectern-files.js';
import { OUTSIDE_DIR, ROSTER_DIR, ROSTER_FILES, rosterColumns } from './oneroster-export.js';

/** Who and what an export is of, for its README. */
export interface ReadmeFacts {
  customer: { id: string; code: string; name: string };
  exportedAt: string;
  exportedBy: string;
}

const ROSTER_ABOUT: Record<(typeof ROSTER_FILES)[number], string> = {
  orgs: 'The district, schools and other orgs. Its first row is the customer itself (sourcedId `lectern-customer-<code>`): people without a school hold their role there.',
  academicSessions: 'School years, terms and grading periods.',
  courses: 'Courses.',
  classes: 'Classes, with their course, school and terms.',
  users:
    'Everyone Lectern holds who is not deleted and has a given and a family name: roster people, people added in the console (their sourcedId is their Lectern id), LMS-only people and the administrators. `enabledUser` is false for a disabled account. `password` is always blank.',
  roles:
    "Each person's role at each org. A person whose role Lectern gave (the console, an LMS) gets one here: customer_admin → districtAdministrator, institute_admin → siteAdministrator, teacher, student, at their schools or else at the customer. Readers have no role row. A role's sourcedId is made from the person, org and role (Lectern keeps none).",
  enrollments: 'Who is in which class, as teacher, student, administrator or proctor (active enrollments only).',
};

/** README.md of an export: what each file holds and its columns, written from the same definitions the files are. */
export function exportReadme(f: ReadmeFacts): string {
  const columns = (names: readonly string[]) => names.map((n) => `\`${n}\``).join(', ');
  const lines = [
    `# Lectern data export: ${f.customer.name} (${f.customer.code})`,
    '',
    `Exported ${f.exportedAt} (UTC) by ${f.exportedBy}, from one consistent snapshot of Lectern's database.`,
    "This zip holds every record Lectern keeps of this customer: its roster, its people's accounts, the titles it uploaded, what its people were given and read, what Lectern reported to their LMS, and the audit log.",
    '',
    '**Passwords are never exported**: not a password, not a password hash, not a password a roster sent. The `password` column of the roster files is always blank.',
    '',
    '`contents.json` lists every file of the zip with its size, row count and SHA-256, so you can check that the copy you hold is whole.',
    '`customer.json` is the customer as the console shows it: profile, administrator contact, address, rostering and LTI settings (no secrets).',
    '',
    '## Reading the files',
    '',
    '- CSV files are UTF-8, RFC 4180, with one header row and CRLF line ends. Times are ISO 8601 in UTC.',
    "- People are named by `userId` (Lectern's id; see people.csv) and `userSourcedId` (their sourcedId in the roster files).",
    "- In the CSV files at the top of the zip, a value a spreadsheet would run as a formula (one starting with =, +, -, @) begins with a quote mark ('). The roster files keep every value exactly, for other systems to import: open them in a spreadsheet as text.",
    '',
    `## ${ROSTER_DIR}/: the roster as OneRoster 1.2`,
    '',
    'A OneRoster 1.2 CSV bundle of the live roster, every file in bulk mode: zip the files of this folder (manifest.csv at the top) to import them into another system, or check them with `lectern roster validate`.',
    'A file with nothing to send is left out and declared absent in manifest.csv, as OneRoster requires. Extension columns (`metadata.*`) hold what the roster sent beyond the spec, and what an LMS told Lectern (`metadata.lti`).',
    'Classes that a Sync from LMS made have no course or term in Lectern: when there are some, courses.csv and academicSessions.csv get one stand-in each (`lectern-lms-course-<code>`, `lectern-lms-term-<code>`), and such classes and their enrollments belong to the customer org.',
    '',
    ...ROSTER_FILES.flatMap((file) => [`- **${file}.csv**: ${ROSTER_ABOUT[file]} Columns: ${columns(rosterColumns(file))}, then any \`metadata.*\`.`]),
    '',
    `## ${OUTSIDE_DIR}/: roster records that are not in the bundle`,
    '',
    'The same files and columns as roster/, holding what Lectern still keeps of the roster but cannot be in a live bundle. Each row says why in `status`:',
    '',
    '- `tobedeleted`: deleted in Lectern (by a roster run, or an administrator) and kept until the daily purge removes it after the retention period; `dateLastModified` is when it was deleted.',
    '- `active`: a person with no given or family name (an LMS may send none), which OneRoster cannot hold, and their roles and enrollments.',
    '',
    'A file with no row is left out.',
    '',
    '## The other files',
    '',
    ...LECTERN_FILES.flatMap((file) => [`### ${file.path}`, '', file.about, '', '| Column | Holds |', '| --- | --- |', ...file.columns.map((c) => `| \`${c.name}\` | ${c.about} |`), '']),
    '### titles/',
    '',
    'The file of each title in titles.csv, named `<titleId>.epub` or `<titleId>.pdf`, exactly as uploaded.',
    '',
    '## Not in this export',
    '',
    '- Passwords and password hashes, and roster passwords (kept only as a keyed digest, and sealed until hashed).',
    '- Sign-in sessions, API tokens, QR sign-in tokens and sign-in throttle counters: short-lived security records.',
    "- Secrets: the LTI shared secret, the SFTP and OneRoster API credentials, webhook secrets, Lectern's own keys.",
    '- Roster files kept for runs that still need them (sealed, deleted after the run) and the issue lists of runs (the console shows and downloads them on each run).',
    '- Notification settings and webhook deliveries.',
    '',
  ];
  return lines.join('\n');
}
