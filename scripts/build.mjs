// Builds what `lectern` runs: the server (tsc, src/ → dist/) and the console (Vite, web/ → web/dist/).
// Each part is skipped when the files it is built from are unchanged since its last build (a hash of
// their paths and contents, kept beside the output), so `npm start` does not rebuild on every start.
// `node scripts/build.mjs [server|web]… [--force]`.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(repo, 'node_modules', '.bin', name);

const PARTS = {
  server: {
    inputs: ['src', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'],
    skip: (file) => file.endsWith('.test.ts'),
    output: 'dist',
    command: [bin('tsc'), ['-p', 'tsconfig.build.json']],
  },
  web: {
    inputs: ['web', 'package-lock.json'],
    skip: (file) => file.startsWith(path.join('web', 'dist')),
    output: path.join('web', 'dist'),
    command: [bin('vite'), ['build', '--config', 'web/vite.config.ts', '--logLevel', 'warn']],
  },
};

function* files(entry) {
  const full = path.join(repo, entry);
  if (!fs.existsSync(full)) return;
  if (!fs.statSync(full).isDirectory()) return yield entry;
  for (const name of fs.readdirSync(full).sort()) yield* files(path.join(entry, name));
}

function digest(part) {
  const hash = crypto.createHash('sha256');
  for (const input of part.inputs) {
    for (const file of files(input)) {
      if (part.skip(file)) continue;
      hash
        .update(file + '\0')
        .update(fs.readFileSync(path.join(repo, file)))
        .update('\0');
    }
  }
  return hash.digest('hex');
}

const args = process.argv.slice(2);
const force = args.includes('--force');
const names = args.filter((a) => a !== '--force');
for (const name of names.length ? names : Object.keys(PARTS)) {
  const part = PARTS[name];
  if (!part) {
    console.error(`build: unknown part "${name}" (server, web).`);
    process.exit(2);
  }
  const stamp = path.join(repo, part.output, '.build-hash');
  const want = digest(part);
  if (!force && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === want) continue;
  const started = performance.now();
  const [command, commandArgs] = part.command;
  if (!fs.existsSync(command)) {
    console.error(`build: ${path.basename(command)} is not installed; run "npm ci" (the build needs the development dependencies).`);
    process.exit(1);
  }
  const result = spawnSync(command, commandArgs, { cwd: repo, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  fs.writeFileSync(stamp, want);
  console.error(`build: ${name} built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
