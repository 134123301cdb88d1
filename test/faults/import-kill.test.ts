import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, it, mock } from 'node:test';
import { operatorActor } from '../../src/accounts/policy.js';
import { importBundle } from '../../src/cli/commands/roster-import.js';
import { rearmFailpoints } from '../../src/failpoints.js';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp } from '../helpers/app.js';
import { HEADERS, district11, table, writeBundle } from '../helpers/bundles.js';

/*
 * Fault trials: a real `lectern roster import` is killed (SIGKILL, by its own failpoint) at a random
 * point of reading (a row), planning (an SQL statement), applying (a statement of the apply
 * transaction) or just after the apply committed. After each kill: the roster is the previous one,
 * or wholly the new one when the kill came after the commit; the run record says which (failed
 * INTERRUPTED "nothing was applied" naming what it was doing, or succeeded with the plan's counts)
 * once its lease has lapsed and failInterrupted has run; nothing is left in the stage; and importing
 * the file again succeeds with the expected roster.
 *
 * `npm test` runs FAULT_TRIALS (default 4) per dialect, one per phase; `npm run test:faults` runs 20
 * (FAULT_TRIALS=50 for a report). FAULT_SEED replays a series; the table of a series is printed.
 */
const TRIALS = Number(process.env.FAULT_TRIALS ?? 4);
const SEED = Number(process.env.FAULT_SEED ?? Math.floor(Math.random() * 2 ** 31));
const PHASES = [
  { phase: 'read', point: 'read.row', stage: /while reading the roster/ },
  { phase: 'plan', point: 'plan.step', stage: /while planning the changes/ },
  { phase: 'apply', point: 'apply.step', stage: /while applying the changes, which were rolled back/ },
  { phase: 'committed', point: 'apply.committed', stage: null },
] as const;

// mulberry32: a small seeded generator, so a failing series can be replayed with FAULT_SEED.
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
}

const CLASSES = 6;
const student = (i: number, o: Record<string, string> = {}) => ({
  sourcedId: `s${i}`,
  enabledUser: 'true',
  orgSourcedIds: 'org-s',
  role: 'student',
  username: `student${i}`,
  givenName: `Given${i}`,
  familyName: `Family${i}`,
  grades: '09',
  ...o,
});
const teacher = (i: number) => ({ sourcedId: `t${i}`, enabledUser: 'true', orgSourcedIds: 'org-s', role: 'teacher', username: `teacher${i}`, givenName: `Teacher${i}`, familyName: 'Staff' });

/**
 * The district before (A: 6 teachers, 120 students, 6 classes) and after (B: 5 students gone, 10
 * renamed, 10 new of whom 3 bring a password): creates, updates, deletes and queued passwords, all
 * under the deletion threshold so B applies.
 */
function district(version: 'A' | 'B'): Record<string, string> {
  const ids = version === 'A' ? range(0, 120) : [...range(0, 115), ...range(120, 130)];
  const students = ids.map((i) => student(i, version === 'B' && i < 10 ? { givenName: `Renamed${i}` } : i >= 120 && i < 123 ? { password: `Kid-${i}-pass-Zq8` } : {}));
  const teachers = range(0, CLASSES).map(teacher);
  const classes = range(0, CLASSES).map((c) => ({
    sourcedId: `cl-${c}`,
    title: `Class ${c}`,
    grades: '09',
    courseSourcedId: 'c-1',
    classCode: `C${c}`,
    classType: 'scheduled',
    schoolSourcedId: 'org-s',
    termSourcedIds: 'as-t',
    periods: '1',
  }));
  const enrollments = [
    ...teachers.map((p, c) => ({ sourcedId: `e-${p.sourcedId}`, classSourcedId: `cl-${c}`, schoolSourcedId: 'org-s', userSourcedId: p.sourcedId, role: 'teacher' })),
    ...ids.map((i) => ({ sourcedId: `e-s${i}`, classSourcedId: `cl-${i % CLASSES}`, schoolSourcedId: 'org-s', userSourcedId: `s${i}`, role: 'student' })),
  ];
  return district11({
    'classes.csv': table(HEADERS.classes, classes),
    'users.csv': table(HEADERS.users11, [...teachers, ...students]),
    'enrollments.csv': table(HEADERS.enrollments, enrollments),
  });
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

interface Trial {
  phase: string;
  at: number;
  outcome: 'previous roster, run failed INTERRUPTED' | 'new roster, run succeeded';
  ms: number;
}

describeEachDialect('fault trials: SIGKILL a roster import', (dialect) => {
  let t: TestApp;
  let files: { A: string; B: string };
  // What B does to A, measured once in this process: failpoint passes per point, the run's counts, the roster after.
  let passes: Record<string, number>;
  let expected: { counts: unknown; roster: Awaited<ReturnType<typeof snapshot>> };
  const trials: Trial[] = [];
  let customers = 0;

  const snapshot = async (customerId: string) => {
    const k = t.ctx.db.kysely;
    const [users, classes, enrollments, pending] = await Promise.all([
      k.selectFrom('users').select(['sourced_id', 'status', 'given_name', 'family_name', 'role']).where('customer_id', '=', customerId).where('source', '=', 'roster').orderBy('sourced_id').execute(),
      k.selectFrom('classes').select(['sourced_id', 'status', 'title']).where('customer_id', '=', customerId).orderBy('sourced_id').execute(),
      k.selectFrom('enrollments').select(['sourced_id', 'status', 'class_sourced_id', 'user_sourced_id', 'role']).where('customer_id', '=', customerId).orderBy('sourced_id').execute(),
      k.selectFrom('users').select('sourced_id').where('customer_id', '=', customerId).where('password_hash', 'is not', null).orderBy('sourced_id').execute(),
    ]);
    return { users, classes, enrollments, passwords: pending.map((u) => u.sourced_id) };
  };
  const newCustomer = () => seedCustomer(t.ctx, { rostering: { suffix: `@fault-${dialect}-${++customers}`, matchWith: 'sourcedId' } });
  // `lectern roster import` in this process (the child's code path), its JSON report not printed.
  const importHere = async (code: string, file: string) => {
    const quiet = mock.method(process.stdout, 'write', () => true);
    try {
      await importBundle(t.ctx, { customer: code, file, dryRun: false, json: true });
    } finally {
      quiet.mock.restore();
    }
  };
  const latestRun = async (customerId: string) => (await t.ctx.runs.list(operatorActor, customerId, 1, 0)).items[0]!;

  before(async () => {
    t = await startTestApp(dialect);
    files = { A: await writeBundle(district('A')), B: await writeBundle(district('B')) };
    const { id, code } = await newCustomer();
    await importHere(code, files.A);
    // Arming a point no code passes counts every pass without dying.
    process.env.LECTERN_FAILPOINT = 'count-only';
    rearmFailpoints();
    try {
      await importHere(code, files.B);
    } finally {
      delete process.env.LECTERN_FAILPOINT;
      passes = rearmFailpoints();
    }
    const run = await latestRun(id);
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    expected = { counts: run.counts, roster: await snapshot(id) };
    assert.ok(passes['read.row']! > 200 && passes['plan.step']! > 10 && passes['apply.step']! > 10, JSON.stringify(passes));
  });

  after(async () => {
    await t.close();
    const by = (phase: string) => trials.filter((x) => x.phase === phase).length;
    const ms = trials.map((x) => x.ms);
    console.log(
      [
        `fault trials [${dialect}] seed=${SEED} passes=${JSON.stringify(passes)}`,
        '| trials | read | plan | apply | after commit | previous roster + failed INTERRUPTED | new roster + succeeded | re-import ok | total s | mean s/trial |',
        '|---|---|---|---|---|---|---|---|---|---|',
        `| ${trials.length} | ${by('read')} | ${by('plan')} | ${by('apply')} | ${by('committed')} | ${trials.filter((x) => x.outcome.startsWith('previous')).length} | ${trials.filter((x) => x.outcome.startsWith('new')).length} | ${trials.length} | ${(ms.reduce((a, b) => a + b, 0) / 1000).toFixed(1)} | ${(ms.reduce((a, b) => a + b, 0) / 1000 / Math.max(1, ms.length)).toFixed(2)} |`,
      ].join('\n'),
    );
  });

  it(`kills ${TRIALS} imports at random points and finds the roster and the run record true every time`, async () => {
    const next = random(SEED + (dialect === 'sqlite' ? 0 : 1));
    for (let i = 0; i < TRIALS; i++) {
      const started = Date.now();
      const { phase, point, stage } = PHASES[i % PHASES.length]!;
      const at = point === 'apply.committed' ? 1 : 1 + Math.floor(next() * passes[point]!);
      const label = `trial ${i} (seed ${SEED}): ${point}@${at}`;
      const { id, code } = await newCustomer();
      await importHere(code, files.A);
      const previous = await snapshot(id);

      const child = spawnSync(process.execPath, ['bin/lectern.js', 'roster', 'import', '--customer', code, files.B, '--json'], {
        env: { ...process.env, NODE_ENV: 'test', LECTERN_DATA_DIR: t.ctx.config.dataDir, DATABASE_URL: t.ctx.config.databaseUrl, LECTERN_FAILPOINT: `${point}@${at}` },
        encoding: 'utf8',
      });
      assert.equal(child.signal, 'SIGKILL', `${label}: the import was killed (${child.status}: ${child.stderr.slice(-2000)})`);
      const killed = await latestRun(id);
      const committed = phase === 'committed';
      if (committed) {
        assert.deepEqual([killed.status, killed.stage, killed.counts], ['succeeded', 'done', expected.counts], `${label}: the run says it applied, with the plan's counts`);
      } else {
        assert.equal(killed.status, 'running', `${label}: the run has not ended`);
      }
      assert.deepEqual(
        { ...(await snapshot(id)), passwords: [] },
        { ...(committed ? expected.roster : previous), passwords: [] },
        `${label}: the roster is ${committed ? 'wholly the new one' : 'the previous one'}`,
      );

      // Time passes: the dead process's lease lapses, and a live process fails its run.
      await t.ctx.db.kysely.updateTable('roster_run_leases').set({ expires_at: '2000-01-01T00:00:00.000Z' }).where('customer_id', '=', id).execute();
      assert.equal(await t.ctx.runs.failInterrupted(), committed ? 0 : 1, label);
      const ended = await t.ctx.runs.get(operatorActor, id, killed.runId);
      if (stage) {
        assert.deepEqual([ended.status, ended.error?.code], ['failed', 'INTERRUPTED'], label);
        assert.match(ended.error?.message ?? '', stage, label);
        assert.match(ended.error?.message ?? '', /nothing was applied/, label);
      } else {
        assert.equal(ended.status, 'succeeded', label);
      }
      for (const table of ['stage_users', 'stage_enrollments', 'stage_classes', 'stage_user_roles'] as const) {
        const left = await t.ctx.db.kysely.selectFrom(table).select('run_id').where('run_id', '=', killed.runId).limit(1).execute();
        assert.equal(left.length, 0, `${label}: nothing of the run is left in ${table}`);
      }

      await importHere(code, files.B);
      const again = await latestRun(id);
      assert.equal(again.status, 'succeeded', `${label}: the import after the kill succeeds (${JSON.stringify(again.error)})`);
      if (committed) assert.equal(again.stage, 'unchanged', `${label}: the applied file is known as applied`);
      assert.deepEqual(await snapshot(id), expected.roster, `${label}: the roster is the new one, passwords hashed`);
      trials.push({ phase, at, outcome: committed ? 'new roster, run succeeded' : 'previous roster, run failed INTERRUPTED', ms: Date.now() - started });
    }
  });
});
