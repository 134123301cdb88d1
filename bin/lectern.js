#!/usr/bin/env node
// Runs the compiled product in dist/ (built by `npm ci` through `prepare`, and by `npm start`).
// No TypeScript is compiled at run time. V8's compile cache keeps parsed dependencies between runs.
import fs from 'node:fs';
import module from 'node:module';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(`lectern: Node.js ${process.versions.node} is not supported; use Node.js 24 LTS or 22.18+ (see the README).`);
  process.exit(2);
}
const main = new URL('../dist/cli/main.js', import.meta.url);
if (!fs.existsSync(main)) {
  console.error('lectern: the compiled program (dist/) is missing. Run "npm run build" (or "npm ci") first.');
  process.exit(2);
}
module.enableCompileCache?.();
await import(main.href);
