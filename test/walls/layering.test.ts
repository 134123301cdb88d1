/*
 * Routes call services, never repositories: the tenant wall and the loaded-record checks live in
 * services (policy.requireAccess), so a route that queries a repository itself could skip them.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';

const ROUTES = path.resolve(import.meta.dirname, '../../src/server/routes');

function routeFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return routeFiles(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [full] : [];
  });
}

it('no file under src/server/routes imports a repository module or queries the database itself (kysely)', () => {
  const files = routeFiles(ROUTES);
  assert.ok(files.length >= 8, `found the route files (${files.length})`);
  const offenders = files.flatMap((file) => {
    const text = fs.readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
    return specifiers.filter((s) => /-repository(\.[jt]s)?$/.test(s) || s === 'kysely').map((s) => `${path.relative(ROUTES, file)} imports ${s}`);
  });
  assert.deepEqual(offenders, [], 'routes must go through a service');
});
