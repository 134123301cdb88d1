// Builds what the tests start as processes (`bin/lectern.js` runs dist/, the browser tests load
// web/dist/; each part is skipped when unchanged), then runs every *.test.ts under src/ and test/
// whose path contains one of the arguments (all without arguments) with node's test runner. The
// tests import the sources, which tsx (a development dependency) compiles as they load.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const roots = ['src', 'test'];
const only = process.argv.slice(2);
const files = [];
const walk = (dir) => {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full);
    else if (entry.name.endsWith('.test.ts')) files.push(full);
  }
};
roots.filter((r) => fs.existsSync(r)).forEach(walk);
const selected = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;
if (!selected.length) {
  console.error('No test files found.');
  process.exit(1);
}
const build = spawnSync(process.execPath, [path.join(import.meta.dirname, 'build.mjs')], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
// Files that measure latency run last and alone: beside another test file they measure that file's
// load too (on two cores, health p99 during a PostgreSQL import was under 600 ms alone, every time,
// and 675–1,852 ms beside the rest of the suite). Their bounds stay as they are.
const ALONE = [path.join('test', 'scale', 'availability.test.ts')];
const run = (list, concurrency) =>
  list.length
    ? (spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, ...list.sort()], {
        stdio: 'inherit',
        env: { ...process.env, NODE_ENV: 'test' },
      }).status ?? 1)
    : 0;
const together = run(
  selected.filter((f) => !ALONE.includes(f)),
  process.env.TEST_CONCURRENCY ?? 2,
);
const alone = run(
  selected.filter((f) => ALONE.includes(f)),
  1,
);
process.exit(together || alone);
