/*
 * What the product loads at run time is installed by a production install (`npm ci --omit=dev`):
 * every package the compiled program imports is in `dependencies`, nothing there is unused, and the
 * development tools (tsx, the type checker, test libraries) are not. Found two of each kind when it
 * was written: pdfjs-dist (read by the book inspector) sat in devDependencies, and @fastify/formbody,
 * pino and ssh2 (the test SFTP server's) in dependencies.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { it } from 'node:test';
import ts from 'typescript';

const REPO = path.resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
// Only the test runner starts a worker on the sources; this boot module registers tsx there.
const TEST_ONLY = new Set(['src/threads/tsx-boot.mjs']);

function programFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return programFiles(full);
    return /\.(ts|mjs|js)$/.test(e.name) && !e.name.endsWith('.test.ts') && !TEST_ONLY.has(path.relative(REPO, full)) ? [full] : [];
  });
}

// The package a bare specifier names: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`.
const packageOf = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

// `require`, `import.meta` or `createRequire(…)`: not `path.resolve`, whose strings are not packages.
const isResolver = (target: ts.Expression): boolean =>
  (ts.isIdentifier(target) && target.text === 'require') ||
  (ts.isMetaProperty(target) && target.keywordToken === ts.SyntaxKind.ImportKeyword) ||
  (ts.isCallExpression(target) && ts.isIdentifier(target.expression) && target.expression.text === 'createRequire');

// The bare specifiers of `require.resolve('…')` and `import.meta.resolve('…')` calls, from the syntax tree.
function resolvedSpecifiers(text: string): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'resolve' && isResolver(node.expression.expression)) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteral(arg) && !/^[./]/.test(arg.text) && !arg.text.startsWith('node:')) found.push(arg.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile('file.ts', text, ts.ScriptTarget.Latest));
  return found;
}

function importedPackages(): Map<string, string[]> {
  const users = new Map<string, string[]>();
  for (const file of [...programFiles(path.join(REPO, 'src')), path.join(REPO, 'bin', 'lectern.js')]) {
    const text = fs.readFileSync(file, 'utf8');
    // TypeScript's own scanner finds static and dynamic imports, re-exports and require() calls (also
    // through createRequire) in code only: a string or comment that reads like one does not count.
    for (const { fileName: specifier } of ts.preProcessFile(text, true, true).importedFiles) {
      if (/^[./]/.test(specifier)) continue;
      if (specifier.startsWith('node:') || builtinModules.includes(specifier)) continue;
      const name = packageOf(specifier);
      users.set(name, [...(users.get(name) ?? []), path.relative(REPO, file)]);
    }
    // A package's files read by path (fonts) are named in `….resolve('package/file')`, which the
    // scanner above does not report.
    for (const specifier of resolvedSpecifiers(text)) {
      const name = packageOf(specifier);
      users.set(name, [...(users.get(name) ?? []), path.relative(REPO, file)]);
    }
  }
  return users;
}

it('every package the program imports is a dependency, and every dependency is imported', () => {
  const used = importedPackages();
  assert.ok(used.size >= 15, `found the program's imports (${used.size})`);
  const missing = [...used].filter(([name]) => !pkg.dependencies[name]).map(([name, files]) => `${name} (imported by ${files[0]})`);
  assert.deepEqual(missing, [], 'imported at run time but not in dependencies: a production install would not have it');
  const unused = Object.keys(pkg.dependencies).filter((name) => !used.has(name));
  assert.deepEqual(unused, [], 'in dependencies but never imported by the program: move it to devDependencies or remove it');
});

it('the development tools are not dependencies: nothing compiles TypeScript at run time', () => {
  for (const tool of ['tsx', 'typescript', 'esbuild', 'vite']) assert.equal(pkg.dependencies[tool], undefined, `${tool} must not be a run-time dependency`);
  assert.ok(pkg.devDependencies.tsx, 'tsx stays, for the tests');
});
