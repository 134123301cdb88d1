/*
 * Benchmark of roster password hashing (`npm run bench:passwords [-- N]`, N users, default 2,000).
 *
 * argon2id is the slow part of a first import with passwords. The target: the roster's passwords
 * are all hashed within the time argon2id itself needs on all cores, and an unchanged re-import
 * hashes none. In one run, on SQLite:
 *   argon2id alone  N hashes, one in flight per core (the ceiling on this machine)
 *   first import    N users with passwords: the run, then the background pool until every one is hashed
 *   re-import       the same roster read again (forced): passwords recognised by their keyed digest
 */
import os from 'node:os';
import { operatorActor } from '../src/accounts/policy.js';
import { loadConfig } from '../src/config.js';
import { createContext } from '../src/context.js';
import { zipSource } from '../src/rostering/runs/zip-source.js';
import { hashPassword } from '../src/security/passwords.js';
import { createTestDatabase } from '../test/helpers/databases.js';
import { HEADERS, table, writeBundle } from '../test/helpers/bundles.js';
import { customerBody } from '../test/helpers/factories.js';
import { fmt, printTable } from './district-bundle.js';

const n = Number(process.argv[2] ?? 2000);
const cores = os.availableParallelism();

async function argon2Alone(): Promise<number> {
  const start = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < n) await hashPassword(`Reader-pass-${next++}`);
  };
  await Promise.all(Array.from({ length: cores }, worker));
  return performance.now() - start;
}

async function main(): Promise<void> {
  const bundle = await writeBundle({
    'orgs.csv': table(HEADERS.orgs, [{ sourcedId: 'org-1', name: 'Bench High', type: 'school' }]),
    'users.csv': table(
      HEADERS.users11,
      Array.from({ length: n }, (_, i) => ({
        sourcedId: `u${i}`,
        enabledUser: 'true',
        orgSourcedIds: 'org-1',
        role: 'student',
        username: `s${i}`,
        givenName: 'S',
        familyName: `${i}`,
        password: `Reader-pass-${i}`,
      })),
    ),
  });
  const db = await createTestDatabase('sqlite');
  const ctx = await createContext(loadConfig({ LECTERN_DATA_DIR: db.dataDir, DATABASE_URL: db.url }));
  try {
    const { id } = await ctx.customers.create(operatorActor, customerBody({ rostering: { suffix: '@bench-passwords' } }));
    const importOnce = async () => {
      const run = await ctx.runs.create(operatorActor, id, { trigger: 'cli', fileName: 'passwords.zip', sizeBytes: 0, sha256: '', bundlePath: bundle, dryRun: false });
      const t0 = performance.now();
      const done = await ctx.runs.execute(run.runId, id, zipSource(bundle));
      const applied = performance.now() - t0;
      const hashed = await ctx.runs.hashPasswords(id);
      return { applied, total: performance.now() - t0, hashed, queued: done.passwords.queued };
    };
    console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} × ${cores}; ${fmt(n)} users with passwords`);
    const alone = await argon2Alone();
    const first = await importOnce();
    const again = await importOnce();
    printTable(
      [
        ['step', 'hashed', 'run s', 'run + hashing s', 'hashes/s', '× argon2id alone'],
        ['argon2id alone', fmt(n), '', fmt(alone / 1000, 2), fmt(n / (alone / 1000)), '1.00'],
        ['first import', fmt(first.hashed), fmt(first.applied / 1000, 2), fmt(first.total / 1000, 2), fmt(first.hashed / (first.total / 1000)), fmt(first.total / alone, 2)],
        ['re-import', fmt(again.hashed), fmt(again.applied / 1000, 2), fmt(again.total / 1000, 2), '', fmt(again.total / alone, 2)],
      ],
      [0],
    );
    if (first.hashed !== n || again.hashed !== 0) throw new Error(`expected ${n} then 0 hashes, got ${first.hashed} then ${again.hashed}`);
  } finally {
    await ctx.close();
    await db.drop();
  }
}

await main();
