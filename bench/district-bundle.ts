/*
 * The synthetic districts of the benchmarks: generated streaming into a zip (never in memory), with
 * 24-hex-digit ids like many SIS exports, plus the floor every speed target is measured against.
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { IssueCollector } from '../src/rostering/oneroster/issues.js';
import { DEFAULT_LIMITS } from '../src/rostering/oneroster/reader.js';
import { BundleZip } from '../src/rostering/oneroster/zip.js';

/** The size of a synthetic district. */
export interface Scenario {
  name: string;
  users: number;
  classes: number;
  enrollments: number;
  schools: number;
  courses: number;
}

/** The district of the issues' targets, and the large one. */
export const SCENARIOS: Scenario[] = [
  { name: 'district', users: 100_000, classes: 4_000, enrollments: 400_000, schools: 59, courses: 400 },
  { name: 'large', users: 1_000_000, classes: 40_000, enrollments: 5_000_000, schools: 299, courses: 2_000 },
];

/** A re-import's differences: every `every`-th user changed or removed (1 % each with 100). */
export interface Variant {
  changeEvery?: number;
  removeEvery?: number;
}

// Removed users are not teachers (index 0 of each hundred is kept clear of both).
const changed = (v: Variant, i: number) => v.changeEvery !== undefined && i % v.changeEvery === 7;
const removed = (v: Variant, i: number) => v.removeEvery !== undefined && i % v.removeEvery === 50 && i > 10_000;

// Ids shaped like the 24-hex-digit ids Clever and many SIS exports use.
const id = (prefix: string, n: number) => `${prefix}${n.toString(16).padStart(22, '0')}`;
const FIRST = ['Ada', 'Sam', 'Sue', 'Lee', 'Kim', 'Ana', 'Noah', 'Mia', 'Liam', 'Zoe', 'José', 'Émile'];
const LAST = ['Park', 'Nguyen', 'Smith', 'García', 'Okafor', 'Müller', 'Ivanova', 'Chen', 'Haddad', "O'Neil"];
const GRADES = ['KG', '01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'];

function* lines(header: string, count: number, row: (i: number) => string | null): Generator<string> {
  let buf = header + '\n';
  for (let i = 0; i < count; i++) {
    const text = row(i);
    if (text !== null) buf += text + '\n';
    if (buf.length > 1 << 16) {
      yield buf;
      buf = '';
    }
  }
  yield buf;
}

function files(s: Scenario, v: Variant): [string, () => Generator<string>][] {
  const school = (i: number) => id('sc', 1 + (i % s.schools));
  const teachers = Math.max(1, Math.round(s.users * 0.06));
  return [
    [
      'manifest.csv',
      () =>
        lines('propertyName,value', 1, () =>
          [
            'manifest.version,1.0',
            'oneroster.version,1.1',
            'file.orgs,bulk',
            'file.academicSessions,bulk',
            'file.courses,bulk',
            'file.classes,bulk',
            'file.users,bulk',
            'file.enrollments,bulk',
            'file.demographics,absent',
          ]
            .concat(['categories', 'classResources', 'courseResources', 'lineItems', 'resources', 'results'].map((f) => `file.${f},absent`))
            .concat('source.systemName,Bench SIS')
            .join('\n'),
        ),
    ],
    [
      'orgs.csv',
      () =>
        lines('sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId', s.schools + 1, (i) =>
          i === 0 ? `${id('sc', 0)},,,Bench USD,district,NCES-0,` : `${id('sc', i)},,,School ${i},school,NCES-${i},${id('sc', 0)}`,
        ),
    ],
    [
      'academicSessions.csv',
      () =>
        lines('sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear', 3, (i) =>
          i === 0
            ? `${id('as', 0)},,,2024-25,schoolYear,2024-08-01,2025-07-01,,2025`
            : `${id('as', i)},,,Semester ${i},semester,${i === 1 ? '2024-08-01,2025-01-01' : '2025-01-01,2025-07-01'},${id('as', 0)},2025`,
        ),
    ],
    [
      'courses.csv',
      () =>
        lines('sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,subjects,subjectCodes', s.courses, (i) =>
          [id('co', i), '', '', id('as', 0), `Course ${i}`, `C${i}`, GRADES[i % GRADES.length], id('sc', 0), 'Mathematics', 'MATH'].join(','),
        ),
    ],
    [
      'classes.csv',
      () =>
        lines('sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods', s.classes, (i) =>
          [
            id('cl', i),
            '',
            '',
            `Class ${i}`,
            GRADES[i % GRADES.length],
            id('co', i % s.courses),
            `CL-${i}`,
            'scheduled',
            `Room ${i % 40}`,
            school(i),
            `"${id('as', 1)},${id('as', 2)}"`,
            'Mathematics',
            'MATH',
            '1',
          ].join(','),
        ),
    ],
    [
      'users.csv',
      () =>
        lines(
          'sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password',
          s.users,
          (i) => {
            if (removed(v, i)) return null;
            const given = (FIRST[i % FIRST.length] ?? '') + (changed(v, i) ? ' Jr' : '');
            const family = LAST[(i >> 3) % LAST.length] ?? '';
            const last = family.includes("'") ? `"${family}"` : family;
            const role = i < teachers ? 'teacher' : 'student';
            return [
              id('us', i),
              '',
              '',
              'true',
              school(i),
              role,
              `user${i}`,
              `{SIS:${100000 + i}}`,
              given,
              last,
              '',
              `${100000 + i}`,
              `user${i}@bench.example`,
              '',
              '',
              '',
              role === 'student' ? GRADES[i % GRADES.length] : '',
              '',
            ].join(',');
          },
        ),
    ],
    [
      'enrollments.csv',
      () =>
        lines('sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate', s.enrollments, (i) => {
          const cls = i % s.classes;
          const teacherRow = i < s.classes;
          const user = teacherRow ? cls % teachers : teachers + ((i * 7919) % (s.users - teachers));
          if (removed(v, user)) return null;
          return [id('en', i), '', '', id('cl', cls), school(cls), id('us', user), teacherRow ? 'teacher' : 'student', teacherRow ? 'true' : 'false', '2024-08-01', ''].join(',');
        }),
    ],
  ];
}

/** Writes a scenario's bundle to `file`, streaming (never in memory); a variant changes and removes a share of users. */
export async function generate(s: Scenario, file: string, v: Variant = {}): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const [name, gen] of files(s, v)) zip.addReadStream(Readable.from(gen()), name, { mtime: new Date(2024, 7, 1) });
  zip.end();
  await pipeline(zip.outputStream, fs.createWriteStream(file));
}

/** The floor every speed target is measured against: inflate each roster entry and count its lines, nothing else. */
export async function floor(file: string): Promise<{ ms: number; rows: number }> {
  const start = performance.now();
  let rows = 0;
  const zip = await BundleZip.open(file, DEFAULT_LIMITS, new IssueCollector(10));
  if (!zip) throw new Error('bench bundle did not open');
  for (const entry of zip.entries) {
    if (entry.name === 'manifest.csv') continue;
    for await (const chunk of zip.read(entry)) for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) rows++;
    rows--; // the header line
  }
  zip.close();
  return { ms: performance.now() - start, rows };
}

/** Formats a number for the tables. */
export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** Prints a table with the first column left-aligned and the rest right-aligned (except `leftColumns`). */
export function printTable(table: string[][], leftColumns: number[] = [0]): void {
  const widths = table[0]?.map((_, c) => Math.max(...table.map((r) => (r[c] ?? '').length))) ?? [];
  for (const row of table) console.log(row.map((cell, c) => (leftColumns.includes(c) ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  '));
}
