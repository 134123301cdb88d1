/*
 * How Lectern is built and started: the program that runs is the compiled one (no TypeScript, no tsx
 * loaded at run time), and a build with nothing changed does nothing, so `npm start` does not rebuild
 * the console (or the server) on every start.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it } from 'node:test';

const REPO = path.resolve(import.meta.dirname, '../..');

// Records every module the process resolves (module.registerHooks, Node 22.15+) into $LOADED.
const RECORDER = `
import fs from 'node:fs';
import module from 'node:module';
module.registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); fs.appendFileSync(process.env.LOADED, r.url + '\\n'); return r; } });
`;

function modulesLoadedBy(args: string[], status = 0): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-loaded-'));
  const recorder = path.join(dir, 'recorder.mjs');
  const loaded = path.join(dir, 'loaded.txt');
  fs.writeFileSync(recorder, RECORDER);
  fs.writeFileSync(loaded, '');
  const env = { ...process.env, LOADED: loaded, NODE_OPTIONS: '' };
  const out = spawnSync(process.execPath, ['--import', recorder, 'bin/lectern.js', ...args], { cwd: REPO, env, encoding: 'utf8' });
  assert.equal(out.status, status, out.stderr);
  const urls = fs.readFileSync(loaded, 'utf8').trim().split('\n');
  fs.rmSync(dir, { recursive: true, force: true });
  return urls;
}

it('lectern runs the compiled program: no .ts module and nothing of tsx is loaded, and --help loads no server or driver', () => {
  const help = modulesLoadedBy(['--help']);
  assert.ok(
    help.some((u) => u.endsWith('/dist/cli/main.js')),
    'dist/cli/main.js runs',
  );
  assert.deepEqual(
    help.filter((u) => u.endsWith('.ts') || u.includes('/node_modules/tsx/')),
    [],
  );
  assert.deepEqual(
    help.filter((u) => /\/node_modules\/(fastify|kysely|pg|better-sqlite3|graphile-worker)\//.test(u)),
    [],
    '--help imports only what it prints',
  );
  const validate = modulesLoadedBy(['roster', 'validate', 'test/build/no-such-bundle.zip', '--json'], 2).filter((u) => u.includes('/node_modules/'));
  assert.deepEqual(
    validate.filter((u) => /\/node_modules\/(fastify|kysely|pg|better-sqlite3|graphile-worker|argon2)\//.test(u)),
    [],
    'roster validate needs no database and no server',
  );
});

it('a build with nothing changed rebuilds nothing, so npm start does not rebuild the console', () => {
  // The test runner built both parts before the tests started.
  const index = path.join(REPO, 'web', 'dist', 'index.html');
  const main = path.join(REPO, 'dist', 'cli', 'main.js');
  const before = [fs.statSync(index).mtimeMs, fs.statSync(main).mtimeMs];
  const started = performance.now();
  const output = execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.equal(output, '');
  assert.ok(performance.now() - started < 5_000, 'a skipped build takes a moment, not a compile');
  assert.deepEqual([fs.statSync(index).mtimeMs, fs.statSync(main).mtimeMs], before, 'web/dist and dist are untouched');
  const start = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).scripts.start as string;
  assert.match(start, /^node scripts\/build\.mjs && node bin\/lectern\.js serve$/, 'npm start builds through the skipping build');
});
