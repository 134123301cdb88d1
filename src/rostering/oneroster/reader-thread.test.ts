import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { district11, HEADERS, manifest, table, writeBundle, writeBytes, zipBuffer, type BundleEntry } from '../../../test/helpers/bundles.js';
import { IssueCollector } from './issues.js';
import type { RosterRecord } from './records.js';
import { readBundle, DEFAULT_LIMITS, type BundleReport, type ReadOptions } from './reader.js';
import { ReaderThread } from './reader-thread.js';
import { BundleZip } from './zip.js';

/*
 * The reading thread (inflate and tokenize in a worker, rows checked here) must be invisible: every
 * bundle, broken or not, gives the same report and the same records, in the same order, as reading
 * it on one thread; a worker that fails is a structural issue, never an exception; and no worker
 * outlives its read.
 */

async function both(file: string, options: ReadOptions = {}): Promise<{ inline: Outcome; threaded: Outcome }> {
  const inline = await outcome(file, { ...options, thread: false });
  const threaded = await outcome(file, { ...options, thread: true });
  assert.equal(ReaderThread.live, 0, 'the reading thread ended with its read');
  return { inline, threaded };
}

interface Outcome {
  report: BundleReport;
  records: RosterRecord[];
}

async function outcome(file: string, options: ReadOptions): Promise<Outcome> {
  const records: RosterRecord[] = [];
  const report = await readBundle(file, { ...options, onRecords: (batch) => void records.push(...batch) });
  return { report, records };
}

// ~`rows` users with 2-, 3- and 4-byte characters, quotes and line breaks in cells: many straddle chunk boundaries.
function users(rows: number, extra: (i: number) => Record<string, string> = () => ({})): string {
  const list = [];
  for (let i = 0; i < rows; i++) {
    list.push({
      sourcedId: `u${i}`,
      enabledUser: 'true',
      orgSourcedIds: 'org-s',
      role: i % 10 ? 'student' : 'teacher',
      username: `user${i}`,
      userIds: `{SIS:${i}}`,
      givenName: i % 3 ? `Zoë ${i}` : `"Al" ${i}`,
      familyName: i % 5 ? `Ñandú — 😀 ${'é'.repeat(i % 7)}` : `Two\nlines ${i}`,
      email: `u${i}@x.example`,
      grades: '09',
      ...extra(i),
    });
  }
  return table(HEADERS.users11, list);
}

const enrollments = (rows: number, extra: (i: number) => Record<string, string> = () => ({})) =>
  table(
    HEADERS.enrollments,
    Array.from({ length: rows }, (_, i) => ({ sourcedId: `e${i}`, classSourcedId: 'cl-1', schoolSourcedId: 'org-s', userSourcedId: `u${i % 2000}`, role: 'student', primary: 'false', ...extra(i) })),
  );

// Bundles of every kind the reader meets, valid and broken, small and several chunks long.
async function fixtures(): Promise<[string, string, ReadOptions?][]> {
  const big = users(4000);
  const bigBytes = Buffer.from(big);
  const badByte = Buffer.concat([bigBytes.subarray(0, 300_000), Buffer.from([0xff]), bigBytes.subarray(300_000)]);
  const messy = users(3000, (i): Record<string, string> => {
    if (i % 97 === 1) return { sourcedId: `u${i - 1}` };
    if (i % 89 === 2) return { role: 'coach', enabledUser: 'TRUE' };
    if (i % 83 === 3) return { orgSourcedIds: 'nowhere', agentSourcedIds: `u${i + 1},later${i}` };
    if (i % 79 === 4) return { userIds: 'LDAP:12', grades: '9, 10' };
    if (i % 73 === 5) return { givenName: 'Bell\u0007' };
    return {};
  });
  const stored = await zipBuffer({ 'orgs.csv': district11()['orgs.csv'] ?? '', 'users.csv': { data: big, store: true } });
  const deflated = await zipBuffer({ 'orgs.csv': district11()['orgs.csv'] ?? '', 'users.csv': big });
  // Garbage halfway through users.csv's deflate stream: zlib stops there, after some chunks.
  const damaged = Buffer.from(deflated);
  const half = Math.floor((damaged.indexOf('users.csv') + damaged.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]))) / 2);
  damaged.fill(0xff, half, half + 8);
  const lying = Buffer.from(deflated);
  const central = lying.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  lying.writeUInt32LE(200_000, central + 24);
  const files = (overrides: Record<string, string | null>) => district11({ 'users.csv': big, 'enrollments.csv': enrollments(6000), ...overrides });
  const entries = (o: Record<string, BundleEntry>) => writeBundle(o);
  return [
    ['a valid 1.1 district', await entries(district11())],
    ['a district of several chunks per file', await entries(files({}))],
    [
      'rows with errors, warnings and forward references',
      await entries(files({ 'users.csv': messy, 'enrollments.csv': enrollments(5000, (i): Record<string, string> => (i % 61 ? {} : { userSourcedId: 'ghost' })) })),
    ],
    ['a BOM and CRLF line ends', await entries(files({ 'users.csv': `\ufeff${big.replace(/\n(?=u)/g, '\r\n')}` }))],
    [
      'a delta bundle with deletions',
      await entries({
        ...files({}),
        'manifest.csv': manifest('1.1', { orgs: 'bulk', users: 'delta', enrollments: 'bulk' }),
        'users.csv': users(2500, (i) => ({ status: i % 9 ? 'active' : 'tobedeleted', dateLastModified: '2024-08-01T00:00:00.000Z' })),
      }),
    ],
    [
      'no manifest and a 1.2 users.csv',
      await entries({ 'orgs.csv': district11()['orgs.csv'] ?? '', 'users.csv': table(HEADERS.users12, [{ sourcedId: 'u1', enabledUser: 'true', username: 'a', givenName: 'A', familyName: 'B' }]) }),
    ],
    ['an unusable users.csv header, then enrollments', await entries(files({ 'users.csv': `sourcedId,sourcedId\n${'x,y\n'.repeat(50_000)}` }))],
    ['bytes that are not UTF-8 deep in a file', await entries({ ...files({}), 'users.csv': badByte })],
    ['an unterminated quote deep in a file', await entries(files({ 'users.csv': `${big}u-x,,,true,org-s,student,x,,"never closed\n${'u-y,,,true,org-s,student,y,,A,B,,,,,,,,\n'.repeat(3000)}` }))],
    ['a carriage return inside a field', await entries(files({ 'users.csv': `${big}u-x,,,true,org-s,student,x,,"a\rb",,,,,,,,,\n` }))],
    [
      'a record over the length limit deep in a file',
      await entries(files({ 'users.csv': `${big}u-x,,,true,org-s,student,x,,${'x'.repeat(5000)},B,,,,,,,,\n${big.slice(big.indexOf('\n') + 1)}` })),
      { limits: { maxRecordLength: 1000 } },
    ],
    ['a file with no final newline', await entries(files({ 'users.csv': big.trimEnd() }))],
    ['a stored (uncompressed) entry', writeBytes(stored)],
    ['damaged compressed data', writeBytes(damaged)],
    ['an entry that inflates past its declared size', writeBytes(lying)],
    ['a small issue budget', await entries(files({ 'users.csv': messy })), { maxIssueExamples: 3 }],
  ];
}

describe('readBundle in a reading thread', () => {
  it('gives the same report and the same records as one thread, for every kind of bundle', async () => {
    for (const [name, file, options] of await fixtures()) {
      const { inline, threaded } = await both(file, options);
      assert.deepEqual(threaded.report, inline.report, name);
      assert.equal(threaded.records.length, inline.records.length, name);
      assert.deepEqual(threaded.records, inline.records, name);
    }
  });

  it('gives the same report for mutated CSV (property)', async () => {
    const base = district11({ 'users.csv': users(300), 'enrollments.csv': enrollments(400) });
    const mutation = fc.record({
      file: fc.constantFrom('users.csv', 'enrollments.csv', 'classes.csv'),
      at: fc.nat(),
      insert: fc.oneof(fc.constantFrom('"', '\r', '\n', ',', '\uFEFF', '""', '\u0000', 'é', '\n\n'), fc.string({ maxLength: 8 })),
      remove: fc.nat(40),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (mutations) => {
        const files: Record<string, string> = { ...base };
        for (const m of mutations) {
          const text = files[m.file] ?? '';
          const at = m.at % (text.length + 1);
          files[m.file] = text.slice(0, at) + m.insert + text.slice(at + m.remove);
        }
        const { inline, threaded } = await both(await writeBundle(files), { limits: { maxRecordLength: 4096 } });
        assert.deepEqual(threaded.report, inline.report);
        assert.deepEqual(threaded.records, inline.records);
      }),
      { numRuns: 12 },
    );
  });

  it('turns a worker that fails, or stops, into a structural issue of the file being read', async () => {
    // Some 80 batches: the worker fails at its tenth, a few batches ahead of the rows read here.
    const file = await writeBundle(district11({ 'users.csv': users(40_000) }));
    const real = ReaderThread.entry;
    try {
      for (const [sabotage, reason] of [
        ['throw new Error("disk on fire")', 'disk on fire'],
        ['process.exit(7)', 'it stopped with exit code 7'],
      ] as const) {
        ReaderThread.entry = sabotaged(real, sabotage);
        const { report, records } = await outcome(file, { thread: true });
        assert.equal(ReaderThread.live, 0);
        assert.equal(report.unusable, true);
        const issue = report.issues.find((i) => i.code === 'file.unreadable');
        assert.deepEqual(issue && { file: issue.file, severity: issue.severity }, { file: 'users.csv', severity: 'error' }, JSON.stringify(report.issues));
        assert.equal(issue?.message, `users.csv could not be read: the reading thread failed (${reason}).`);
        assert.ok((report.files.find((f) => f.name === 'users.csv')?.rows ?? 0) < 40_000, 'it failed partway through users.csv');
        // The files after it are still read (on this thread) for the report, but nothing more is delivered.
        assert.equal(report.files.find((f) => f.name === 'enrollments.csv')?.rows, 3);
        assert.ok(!records.some((r) => r.file === 'enrollments'));
      }
    } finally {
      ReaderThread.entry = real;
    }
  });

  it('ends the worker when reading stops early: an unusable manifest, a failing record sink', async () => {
    const badManifest = await writeBundle({ 'manifest.csv': 'name,value\n', 'users.csv': users(100) });
    assert.equal((await readBundle(badManifest, { thread: true })).unusable, true);
    assert.equal(ReaderThread.live, 0);
    const file = await writeBundle(district11({ 'users.csv': users(4000) }));
    await assert.rejects(
      readBundle(file, {
        thread: true,
        onRecords: (batch) => {
          if (batch[0]?.file === 'users') throw new Error('database down');
        },
      }),
      /database down/,
    );
    assert.equal(ReaderThread.live, 0);
  });

  it('stays a few batches ahead of a slow reader, whatever the file size', async () => {
    const file = await writeBundle({ 'users.csv': users(30_000) });
    const zip = await BundleZip.open(file, DEFAULT_LIMITS, new IssueCollector(10));
    assert.ok(zip);
    const entry = zip.entries[0];
    assert.ok(entry && entry.size > 3_000_000);
    const thread = ReaderThread.start();
    try {
      const steps = thread.steps(zip, entry, { file: 'users.csv', maxRecordLength: DEFAULT_LIMITS.maxRecordLength });
      let records = (await steps.next()).value?.batch?.count ?? 0;
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.ok(thread.queued <= 8, `${thread.queued} batches waiting`);
      for await (const step of steps) records += step.batch?.count ?? 0;
      assert.equal(records, 30_001);
    } finally {
      zip.close();
      await thread.close();
    }
    assert.equal(ReaderThread.live, 0);
  });

  it('is started by default only to validate bundles big enough to pay for its start (some 25 MB inflated)', async () => {
    const during = async (file: string, options: ReadOptions = {}) => {
      let live = 0;
      await readBundle(file, { ...options, onProgress: () => void (live = Math.max(live, ReaderThread.live)) });
      return live;
    };
    assert.equal(await during(await writeBundle(district11())), 0);
    assert.equal(await during(await writeBundle(district11({ 'users.csv': users(8_000) }))), 0);
    // 31 MB of users: the same row under 400,000 ids.
    const row = ',,,true,org-s,student,name,,Given,Family,,,name@x.example,,,,09,';
    const many = `${HEADERS.users11.join(',')}\n${Array.from({ length: 400_000 }, (_, i) => `user-${i.toString(36).padStart(8, '0')}${row}\n`).join('')}`;
    const big = await writeBundle(district11({ 'users.csv': many }));
    assert.equal(await during(big), 1);
    // An import (a record sink) reads on one thread unless it asks for the reading thread.
    assert.equal(await during(big, { onRecords: () => undefined }), 0);
    assert.equal(await during(big, { onRecords: () => undefined, thread: true }), 1);
    assert.equal(ReaderThread.live, 0);
  });
});

// The real worker, made to fail (`code`) as it posts its tenth batch of users.csv.
function sabotaged(real: URL, code: string): URL {
  const tsx = import.meta.resolve('tsx/esm/api');
  const source = [
    `import { parentPort } from 'node:worker_threads';`,
    `import { register } from ${JSON.stringify(tsx)};`,
    `register();`,
    `let file = '';`,
    `let steps = 0;`,
    `parentPort.on('message', (m) => { if (m.type === 'entry') file = m.file; });`,
    `const post = parentPort.postMessage.bind(parentPort);`,
    `parentPort.postMessage = (m) => {`,
    `  if (m.type === 'step' && file === 'users.csv' && ++steps === 10) { ${code}; }`,
    `  post(m);`,
    `};`,
    `await import(${JSON.stringify(real.href)});`,
  ].join('\n');
  return new URL(`data:text/javascript,${encodeURIComponent(source)}`);
}
