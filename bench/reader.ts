/*
 * Benchmark of the OneRoster bundle reader (`npm run bench:reader [-- --district-only]`).
 *
 * Generates synthetic bundles into a temporary folder (streamed through yazl, never held in
 * memory), then for each one measures, each in a fresh child process so peak RSS is its own:
 *   floor     inflate every roster entry and count its lines (no decoding, no CSV parsing)
 *   validate  readBundle() as `lectern roster validate` runs it (no record sink)
 *   records   readBundle() with a sink that receives every typed record (what a sync does)
 * and prints wall time, rows/s and peak RSS, with each time's ratio to the floor.
 * `--district-only` skips the large bundle; `--keep DIR` keeps the generated bundles in DIR.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import yazl from 'yazl';
import { IssueCollector } from '../src/rostering/oneroster/issues.js';
import { readBundle, DEFAULT_LIMITS } from '../src/rostering/oneroster/reader.js';
import { BundleZip } from '../src/rostering/oneroster/zip.js';

interface Scenario {
  name: string;
  users: number;
  classes: number;
  enrollments: number;
  schools: number;
  courses: number;
}

const SCENARIOS: Scenario[] = [
  { name: 'district', users: 100_000, classes: 4_000, enrollments: 400_000, schools: 59, courses: 400 },
  { name: 'large', users: 1_000_000, classes: 40_000, enrollments: 5_000_000, schools: 299, courses: 2_000 },
];

type Mode = 'floor' | 'validate' | 'records';

interface Measurement {
  ms: number;
  rows: number;
  maxRssMb: number;
  valid?: boolean;
  issues?: number;
}

// Ids shaped like the 24-hex-digit ids Clever and many SIS exports use.
const id = (prefix: string, n: number) => `${prefix}${n.toString(16).padStart(22, '0')}`;
const FIRST = ['Ada', 'Sam', 'Sue', 'Lee', 'Kim', 'Ana', 'Noah', 'Mia', 'Liam', 'Zoe', 'José', 'Émile'];
const LAST = ['Park', 'Nguyen', 'Smith', 'García', 'Okafor', 'Müller', 'Ivanova', 'Chen', 'Haddad', "O'Neil"];
const GRADES = ['KG', '01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'];

function* lines(header: string, count: number, row: (i: number) => string): Generator<string> {
  let buf = header + '\n';
  for (let i = 0; i < count; i++) {
    buf += row(i) + '\n';
    if (buf.length > 1 << 16) {
      yield buf;
      buf = '';
    }
  }
  yield buf;
}

function files(s: Scenario): [string, () => Generator<string>][] {
  const school = (i: number) => id('sc', 1 + (i % s.schools));
  const teachers = Math.max(1, Math.round(s.users * 0.06));
  return [
    [
      'manifest.csv',
      () =>
        lines('propertyName,value', 1, () =>
          ['manifest.version,1.0', 'oneroster.version,1.1', 'file.orgs,bulk', 'file.academicSessions,bulk', 'file.courses,bulk', 'file.classes,bulk', 'file.users,bulk', 'file.enrollments,bulk', 'file.demographics,absent']
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
          [id('cl', i), '', '', `Class ${i}`, GRADES[i % GRADES.length], id('co', i % s.courses), `CL-${i}`, 'scheduled', `Room ${i % 40}`, school(i), `"${id('as', 1)},${id('as', 2)}"`, 'Mathematics', 'MATH', '1'].join(','),
        ),
    ],
    [
      'users.csv',
      () =>
        lines('sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password', s.users, (i) => {
          const given = FIRST[i % FIRST.length] ?? '';
          const family = LAST[(i >> 3) % LAST.length] ?? '';
          const last = family.includes("'") ? `"${family}"` : family;
          const role = i < teachers ? 'teacher' : 'student';
          return [id('us', i), '', '', 'true', school(i), role, `user${i}`, `{SIS:${100000 + i}}`, given, last, '', `${100000 + i}`, `user${i}@bench.example`, '', '', '', role === 'student' ? GRADES[i % GRADES.length] : '', ''].join(',');
        }),
    ],
    [
      'enrollments.csv',
      () =>
        lines('sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate', s.enrollments, (i) => {
          const cls = i % s.classes;
          const teacherRow = i < s.classes;
          const user = teacherRow ? cls % teachers : teachers + ((i * 7919) % (s.users - teachers));
          return [id('en', i), '', '', id('cl', cls), school(cls), id('us', user), teacherRow ? 'teacher' : 'student', teacherRow ? 'true' : 'false', '2024-08-01', ''].join(',');
        }),
    ],
  ];
}

async function generate(s: Scenario, file: string): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const [name, gen] of files(s)) zip.addReadStream(Readable.from(gen()), name, { mtime: new Date(2024, 7, 1) });
  zip.end();
  await pipeline(zip.outputStream, fs.createWriteStream(file));
}

// One measurement, run in this (child) process.
async function measure(mode: Mode, file: string): Promise<Measurement> {
  const start = performance.now();
  let rows = 0;
  let extra: Partial<Measurement> = {};
  if (mode === 'floor') {
    const zip = await BundleZip.open(file, DEFAULT_LIMITS, new IssueCollector(10));
    if (!zip) throw new Error('bench bundle did not open');
    for (const entry of zip.entries) {
      if (entry.name === 'manifest.csv') continue;
      for await (const chunk of zip.read(entry)) for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) rows++;
      rows--; // the header line
    }
    zip.close();
  } else {
    let records = 0;
    const report = await readBundle(file, mode === 'records' ? { onRecords: (batch) => void (records += batch.length) } : {});
    rows = report.files.reduce((sum, f) => sum + f.rows, 0);
    if (mode === 'records' && records !== rows) throw new Error(`sink saw ${records} of ${rows} rows`);
    extra = { valid: report.valid, issues: report.errors + report.warnings };
  }
  const ms = performance.now() - start;
  return { ms, rows, maxRssMb: process.resourceUsage().maxRSS / 1024, ...extra };
}

function runChild(mode: Mode, file: string): Measurement {
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', mode, file], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`${mode} child failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as Measurement;
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const result = await measure(args[1] as Mode, args[2] ?? '');
    process.stdout.write(JSON.stringify(result) + '\n');
    return;
  }
  const scenarios = args.includes('--district-only') ? SCENARIOS.slice(0, 1) : SCENARIOS;
  // --keep DIR leaves the generated bundles there (for profiling a child: --child validate DIR/district.zip).
  const keep = args.includes('--keep') ? args[args.indexOf('--keep') + 1] : undefined;
  const dir = keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-bench-'));
  fs.mkdirSync(dir, { recursive: true });
  console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}`);
  const table: string[][] = [['bundle', 'zip MB', 'inflated MB', 'mode', 'rows', 'wall s', 'rows/s', 'peak RSS MB', '× floor', 'valid']];
  try {
    for (const s of scenarios) {
      const file = path.join(dir, `${s.name}.zip`);
      const t0 = performance.now();
      await generate(s, file);
      const zipMb = fs.statSync(file).size / 1024 ** 2;
      console.error(`generated ${s.name} (${fmt(zipMb, 1)} MB) in ${fmt((performance.now() - t0) / 1000, 1)} s`);
      const zip = await BundleZip.open(file, DEFAULT_LIMITS, new IssueCollector(10));
      const inflatedMb = (zip?.entries.reduce((sum, e) => sum + e.size, 0) ?? 0) / 1024 ** 2;
      zip?.close();
      const floor = runChild('floor', file);
      for (const [mode, m] of [['floor', floor], ['validate', runChild('validate', file)], ['records', runChild('records', file)]] as const) {
        table.push([
          s.name,
          fmt(zipMb, 1),
          fmt(inflatedMb, 1),
          mode,
          fmt(m.rows),
          fmt(m.ms / 1000, 2),
          fmt(m.rows / (m.ms / 1000)),
          fmt(m.maxRssMb),
          fmt(m.ms / floor.ms, 2),
          m.valid === undefined ? '' : String(m.valid),
        ]);
      }
    }
  } finally {
    if (!keep) fs.rmSync(dir, { recursive: true, force: true });
  }
  const widths = table[0]?.map((_, c) => Math.max(...table.map((r) => (r[c] ?? '').length))) ?? [];
  for (const row of table) console.log(row.map((cell, c) => (c < 1 || c === 3 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  '));
}

await main();
