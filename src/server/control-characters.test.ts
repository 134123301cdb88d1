import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, it } from 'node:test';
import { newUserRecord } from '../accounts/account-service.js';
import { UserRepository } from '../accounts/user-repository.js';
import { hashPassword } from '../security/passwords.js';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp, type TestClient, type TestResponse } from '../../test/helpers/app.js';
import { storedCounts, type ErrorBody } from '../../test/helpers/assertions.js';
import { customerBody } from '../../test/helpers/factories.js';

/*
 * NUL and the other C0 control characters, route by route. The routes and their string inputs come
 * from the OpenAPI document, so a route added later is covered without anyone adding it here:
 * every string path parameter, query parameter and JSON body field must answer 400
 * VALIDATION_FAILED naming the field (PostgreSQL refuses NUL in text, which answered 500 before).
 */

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  format?: string;
}

interface Operation {
  parameters?: { in: string; name: string; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

interface Route {
  method: Method;
  path: string;
  operation: Operation;
}

const PASSWORD = 'Control-password-42';
/** NUL (PostgreSQL's crash) and SOH (a control character PostgreSQL would store). */
const CONTROLS = ['\u0000', '\u0001'];

const isString = (s: JsonSchema | undefined): boolean => !!s && (s.type === 'string' || (Array.isArray(s.type) && s.type.includes('string')) || !!s.anyOf?.some(isString));

/** The dotted paths of every string a JSON body schema holds (array items as index 0). */
function stringLeaves(schema: JsonSchema | undefined, prefix: string[] = []): string[][] {
  if (!schema) return [];
  if (schema.format === 'binary') return [];
  if (isString(schema)) return [prefix];
  const leaves: string[][] = [];
  for (const [name, prop] of Object.entries(schema.properties ?? {})) leaves.push(...stringLeaves(prop, [...prefix, name]));
  if (schema.items) leaves.push(...stringLeaves(schema.items, [...prefix, '0']));
  for (const branch of schema.anyOf ?? []) if (branch.type === 'object' || branch.type === 'array') leaves.push(...stringLeaves(branch, prefix));
  return leaves;
}

/** A body holding `value` at `leaf` and nothing else (the check runs before the schema's). */
function bodyAt(leaf: string[], value: string): unknown {
  let body: unknown = value;
  for (const key of [...leaf].reverse()) body = /^\d+$/.test(key) ? [body] : { [key]: body };
  return body;
}

function assertRejected(res: TestResponse<unknown>, field: string, what: string): void {
  const body = res.body as ErrorBody;
  assert.equal(res.status, 400, `${what}: expected 400, got ${res.status} ${JSON.stringify(res.body)}`);
  assert.equal(body.error?.code, 'VALIDATION_FAILED', `${what}: ${JSON.stringify(res.body)}`);
  const issue = body.error.fields?.find((f) => f.field === field);
  assert.ok(issue, `${what}: no issue for ${field} in ${JSON.stringify(res.body)}`);
  assert.equal(issue.code, 'control_character', `${what}: ${JSON.stringify(issue)}`);
  assert.ok(!JSON.stringify(res.body).includes('\\u0000'), `${what}: the answer must not echo the character`);
}

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/lectern.js');

describeEachDialect('Control characters at the boundary', (dialect) => {
  let t: TestApp;
  let admin: TestClient;
  let student: TestClient;
  let routes: Route[];
  let customerId: string;

  before(async () => {
    t = await startTestApp(dialect);
    const customer = await seedCustomer(t.ctx);
    customerId = customer.id;
    const login = `student-${crypto.randomBytes(3).toString('hex')}@controls`;
    await new UserRepository(t.ctx.db.kysely).insert(
      newUserRecord({
        role: 'student',
        customerId: customer.id,
        login,
        email: `${login.replace('@', '.')}@school.example`,
        givenName: 'Stu',
        familyName: 'Dent',
        phone: '',
        passwordHash: await hashPassword(PASSWORD),
        mustChangePassword: false,
        source: 'manual',
      }),
    );
    admin = await t.asAdmin();
    student = await t.client().login(login, PASSWORD);
    const doc = await admin.get<{ paths: Record<string, Record<string, Operation>> }>('/api/openapi.json');
    routes = Object.entries(doc.body.paths).flatMap(([p, ops]) =>
      Object.entries(ops)
        .filter(([m]) => ['get', 'post', 'patch', 'put', 'delete'].includes(m))
        .map(([m, operation]) => ({ method: m.toUpperCase() as Method, path: p, operation })),
    );
    assert.ok(routes.length > 40, 'the OpenAPI document lists the routes');
  });
  after(async () => t?.close());

  const count = async (table: 'roster_runs' | 'books') =>
    Number(
      (
        await t.ctx.db.kysely
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  /** Who calls a route: the reader's routes need a reader, sign-in needs nobody, the rest an enterprise admin. */
  const callerFor = (route: Route): TestClient => (route.path.startsWith('/api/reader/') ? student : route.path === '/api/auth/login' ? t.client() : admin);
  const urlFor = (route: Route, bad?: { name: string; value: string }) =>
    route.path.replace(/\{(\w+)\}/g, (_, name: string) => (name === bad?.name ? encodeURIComponent(bad.value) : crypto.randomUUID()));

  it('every path parameter with %00 or %01 answers 400 VALIDATION_FAILED naming params.<name>', async () => {
    let checked = 0;
    for (const route of routes) {
      for (const p of (route.operation.parameters ?? []).filter((x) => x.in === 'path')) {
        for (const c of CONTROLS) {
          const url = urlFor(route, { name: p.name, value: `a${c}b` });
          const res = await callerFor(route).request(route.method, url);
          assertRejected(res, `params.${p.name}`, `${route.method} ${url}`);
          checked++;
        }
      }
    }
    assert.ok(checked > 60, `path parameters checked: ${checked}`);
  });

  it('every query parameter with a control character answers 400 naming query.<name>', async () => {
    let checked = 0;
    for (const route of routes) {
      for (const p of (route.operation.parameters ?? []).filter((x) => x.in === 'query')) {
        for (const c of CONTROLS) {
          const url = `${urlFor(route)}?${p.name}=${encodeURIComponent(`a${c}b`)}`;
          const res = await callerFor(route).request(route.method, url);
          assertRejected(res, `query.${p.name}`, `${route.method} ${url}`);
          checked++;
        }
      }
    }
    assert.ok(checked > 40, `query parameters checked: ${checked}`);
  });

  it('every string field of every JSON body answers 400 naming the field (sign-in and reading progress included)', async () => {
    const seen = new Set<string>();
    for (const route of routes) {
      const schema = route.operation.requestBody?.content?.['application/json']?.schema;
      for (const leaf of stringLeaves(schema)) {
        for (const c of CONTROLS) {
          const res = await callerFor(route).request(route.method, urlFor(route), bodyAt(leaf, `a${c}b`));
          assertRejected(res, leaf.join('.'), `${route.method} ${route.path} ${leaf.join('.')}`);
          seen.add(`${route.method} ${route.path}`);
        }
      }
    }
    for (const must of ['POST /api/auth/login', 'POST /api/customers', 'PATCH /api/customers/{id}', 'POST /api/customers/{id}/collections', 'PUT /api/reader/books/{id}/progress'])
      assert.ok(seen.has(must), `${must} was checked`);
  });

  it('every upload (multipart) refuses a file name with a control character, naming the field file, and stores nothing', async () => {
    const uploads = routes.filter((r) => r.operation.requestBody?.content?.['multipart/form-data']);
    assert.ok(uploads.length >= 2, 'roster and title uploads are listed');
    for (const route of uploads) {
      for (const c of CONTROLS) {
        const before = { runs: await count('roster_runs'), books: await count('books') };
        const boundary = `----controls${crypto.randomBytes(6).toString('hex')}`;
        const body = Buffer.concat([
          Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="ro${c}ster.zip"\r\nContent-Type: application/zip\r\n\r\n`),
          Buffer.from('PK-not-really'),
          Buffer.from(`\r\n--${boundary}--\r\n`),
        ]);
        const url = route.path.replace('{id}', customerId);
        const res = await admin.request(route.method, url, body, { 'content-type': `multipart/form-data; boundary=${boundary}` });
        assertRejected(res, 'file', `${route.method} ${url} with ${JSON.stringify(c)} in the file name`);
        assert.deepEqual({ runs: await count('roster_runs'), books: await count('books') }, before, 'nothing was stored');
      }
    }
  });

  it('anonymous callers of every route with %00 in the path are refused (400, 401, 403 or 404), never 500', async () => {
    for (const route of routes.filter((r) => r.path.includes('{'))) {
      const url = route.path.replace(/\{(\w+)\}/g, '%00');
      const res = await t.client().request(route.method, url, route.operation.requestBody?.content?.['application/json'] ? {} : undefined);
      assert.ok([400, 401, 403, 404].includes(res.status), `${route.method} ${url}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    }
    for (const url of ['/%00', '/api/%00', '/reader/%00', '/api/customers%00']) {
      const res = await admin.get(url);
      assert.ok(res.status < 500, `GET ${url}: ${res.status}`);
    }
  });

  it('LTI form posts with a control character in a field answer a 400 page before any launch work', async () => {
    for (const c of CONTROLS) {
      const body = new URLSearchParams([
        ['lti_message_type', 'basic-lti-launch-request'],
        ['resource_link_id', `link${c}1`],
        ['oauth_consumer_key', 'key'],
      ]).toString();
      const launch = await t.app.inject({ method: 'POST', url: '/lti/launch', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: body });
      assert.equal(launch.statusCode, 400, launch.body);
      assert.match(launch.headers['content-type'] as string, /text\/html/);
      assert.match(launch.body, /resource_link_id/);
      const cont = await t.app.inject({ method: 'POST', url: '/lti/continue', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `ticket=${encodeURIComponent(`t${c}`)}` });
      assert.equal(cont.statusCode, 400, cont.body);
    }
  });

  it('a header used as data (the user agent a session records) with a control character answers 400', async () => {
    const res = await t.client().request('POST', '/api/auth/login', { login: 'nobody', password: 'x' }, { 'user-agent': 'Mozilla\u0000' });
    assertRejected(res, 'headers.user-agent', 'login with a NUL user agent');
  });

  it('text keeps tab, CR and LF (a pasted key, a description); URLs and headers do not', async () => {
    // A wrong password with a tab is checked like any other: 401, not a validation error.
    const login = await t.client().post('/api/auth/login', { login: 'nobody@x', password: 'a\tb\r\nc' });
    assert.equal(login.status, 401, JSON.stringify(login.body));
    const query = await admin.get(`/api/customers?search=${encodeURIComponent('a\nb')}`);
    assertRejected(query, 'query.search', 'a line feed in a query');
  });

  it('lectern customer create --file with a NUL in a field exits 1 with VALIDATION_FAILED naming it, and stores nothing', async () => {
    const before = await storedCounts(t.ctx);
    const file = path.join(t.ctx.config.dataDir, 'nul-customer.json');
    fs.writeFileSync(file, JSON.stringify(customerBody({ profile: { name: 'Null\u0000 USD' }, address: { city: 'Line\u0001' } })));
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('LECTERN_') && k !== 'DATABASE_URL') env[k] = v;
    const run = await new Promise<{ code: number; stdout: string }>((resolve) =>
      execFile(
        process.execPath,
        [BIN, 'customer', 'create', '--file', file, '--json'],
        { env: { ...env, LECTERN_DATA_DIR: t.ctx.config.dataDir, DATABASE_URL: t.ctx.config.databaseUrl }, timeout: 60_000 },
        (err, stdout) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout }),
      ),
    );
    assert.equal(run.code, 1, run.stdout);
    const out = JSON.parse(run.stdout) as ErrorBody;
    assert.equal(out.error.code, 'VALIDATION_FAILED');
    assert.deepEqual(
      out.error.fields
        ?.filter((f) => f.code === 'control_character')
        .map((f) => f.field)
        .sort(),
      ['address.city', 'profile.name'],
    );
    assert.deepEqual(await storedCounts(t.ctx), before);
  });
});
