import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, it } from 'node:test';
import { newUserRecord } from '../../../accounts/account-service.js';
import { operatorActor } from '../../../accounts/policy.js';
import { UserRepository } from '../../../accounts/user-repository.js';
import type { Role } from '../../../db/schema.js';
import { RunRepository } from '../../../rostering/runs/run-repository.js';
import { liveFingerprint } from '../../../rostering/sync/engine.js';
import { hashPassword } from '../../../security/passwords.js';
import { nowIso } from '../../../time.js';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp, type TestClient, type TestResponse } from '../../../../test/helpers/app.js';
import { epub3 } from '../../../../test/helpers/books.js';
import { assertNothingStored, customerSnapshot, type ErrorBody } from '../../../../test/helpers/assertions.js';
import { customerBody } from '../../../../test/helpers/factories.js';

/*
 * The tenant wall, route by route. The routes come from the OpenAPI document, so a customer-scoped
 * route added later is attacked here without anyone remembering to add it.
 */

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  format?: string;
  minLength?: number;
  minimum?: number;
}

interface Operation {
  parameters?: { in: string; name: string; required?: boolean; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

interface Route {
  method: Method;
  path: string;
  operation: Operation;
}

const PASSWORD = 'Wall-password-42';

/**
 * Bodies an attacker would send to routes whose harm is obvious. Routes not listed get a body
 * built from their request schema; if that body is not good enough the control run (the
 * enterprise admin on a third customer) fails and says to add one here.
 */
const ATTACK_BODIES: Record<string, unknown> = {
  'PATCH /api/customers/{id}': {
    status: 'disabled',
    profile: { name: 'Taken over' },
    administrator: { email: `attacker-${crypto.randomBytes(3).toString('hex')}@b.example` },
    rostering: { sftp: { host: 'evil.example', password: 'Attacker-sftp-1' } },
  },
  'PATCH /api/customers/{id}/collections/{collectionId}': { name: 'Taken over', description: 'by another customer' },
};

/** Multipart requests (uploads): a small zip-named file, as the console sends it; title uploads get a real EPUB, since they read the file at once. */
function multipart(file: Buffer = Buffer.from('PK-not-really')): { body: Buffer; headers: Record<string, string> } {
  const boundary = `----walls${crypto.randomBytes(6).toString('hex')}`;
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="roster.zip"\r\nContent-Type: application/zip\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
const wallBook = await epub3({ title: 'Wall Book' });

/**
 * Decisions on a run reach the run but may find it in another state (the control approves the held
 * run first, then discards it; it is no preview to apply): 409 proves the route found the run, which
 * is what the control checks.
 */
const DECIDED_ALREADY = /\/roster\/runs\/\{runId\}\/(approve|discard|apply)$/;

/** A value that satisfies `schema`: required properties only (or the first one), first enum member, minimum numbers. */
function sample(schema: JsonSchema | undefined): unknown {
  if (!schema) return {};
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return schema.enum[0];
  if (schema.anyOf?.length) return sample(schema.anyOf[0]);
  switch (schema.type) {
    case 'object': {
      const props = schema.properties ?? {};
      const keys = schema.required?.length ? schema.required : Object.keys(props).slice(0, 1);
      return Object.fromEntries(keys.map((k) => [k, sample(props[k])]));
    }
    case 'array':
      return [];
    case 'string':
      if (schema.format === 'email') return 'wall@b.example';
      if (schema.format === 'uuid') return crypto.randomUUID();
      if (schema.format === 'uri') return 'https://b.example/';
      return 'x'.repeat(Math.max(schema.minLength ?? 1, 1));
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    default:
      return null;
  }
}

/** Every operation under /api/customers/{id}… in the OpenAPI document. */
async function customerScopedRoutes(client: TestClient): Promise<Route[]> {
  const doc = await client.get<{ paths: Record<string, Record<string, Operation>> }>('/api/openapi.json');
  assert.equal(doc.status, 200);
  const routes: Route[] = [];
  for (const [path, ops] of Object.entries(doc.body.paths)) {
    if (!path.startsWith('/api/customers/') || !path.includes('{id}')) continue;
    for (const [method, operation] of Object.entries(ops)) {
      if (!['get', 'post', 'patch', 'put', 'delete'].includes(method)) continue;
      routes.push({ method: method.toUpperCase() as Method, path, operation });
    }
  }
  return routes;
}

/** The concrete request for `route` against one customer: path parameters, required query, body. */
function requestFor(route: Route, params: Record<string, string>): { url: string; body: unknown; headers: Record<string, string> } {
  const url = route.path.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? crypto.randomUUID());
  const query = (route.operation.parameters ?? [])
    .filter((p) => p.in === 'query' && p.required)
    .map((p) => `${encodeURIComponent(p.name)}=${encodeURIComponent(String(sample(p.schema)))}`);
  const key = `${route.method} ${route.path}`;
  const full = query.length ? `${url}?${query.join('&')}` : url;
  if (route.operation.requestBody?.content?.['multipart/form-data']) return { url: full, ...multipart(route.path.endsWith('/content') ? wallBook : undefined) };
  const json = route.operation.requestBody?.content?.['application/json'];
  const body = key in ATTACK_BODIES ? ATTACK_BODIES[key] : json ? sample(json.schema) : undefined;
  return { url: full, body, headers: {} };
}

describeEachDialect('Tenant walls', (dialect) => {
  let t: TestApp;
  let admin: TestClient;
  let routes: Route[];
  let a: Awaited<ReturnType<typeof seedCustomer>>;
  let b: Awaited<ReturnType<typeof seedCustomer>>;
  let c: Awaited<ReturnType<typeof seedCustomer>>;
  const classIds: Record<string, string> = {};

  /** Adds a user of one customer straight through the repository, as a roster sync would. */
  const addUser = async (customerId: string, role: Role): Promise<{ login: string; id: string }> => {
    const login = `${role}-${crypto.randomBytes(3).toString('hex')}@walls`;
    const user = newUserRecord({
      role,
      customerId,
      login,
      email: `${login.replace('@walls', '')}@school.example`,
      givenName: role,
      familyName: 'Walls',
      phone: '',
      passwordHash: await hashPassword(PASSWORD),
      mustChangePassword: false,
      source: 'manual',
    });
    await new UserRepository(t.ctx.db.kysely).insert(user);
    return { login, id: user.id };
  };

  const addClass = async (customerId: string, title: string): Promise<string> => {
    const now = nowIso();
    const id = crypto.randomUUID();
    await t.ctx.db.kysely
      .insertInto('classes')
      .values({ id, customer_id: customerId, sourced_id: `cls-${id}`, title, class_code: title.toUpperCase(), class_type: 'scheduled', school_sourced_id: 'school-1', status: 'active', created_at: now, updated_at: now, deleted_at: null })
      .execute();
    return id;
  };

  const runIds: Record<string, string> = {};
  const bookIds: Record<string, string> = {};
  const collectionIds: Record<string, string> = {};
  /** A run of the customer held for approval, as a mass deletion leaves it. */
  const addHeldRun = async (customerId: string): Promise<string> => {
    const run = await t.ctx.runs.create(operatorActor, customerId, { trigger: 'cli', fileName: 'held.zip', sizeBytes: 1, sha256: '', bundlePath: null, dryRun: false });
    await new RunRepository(t.ctx.db.kysely).update(run.runId, { status: 'awaiting_approval', plan_fingerprint: await liveFingerprint(t.ctx.db.kysely, customerId) });
    return run.runId;
  };

  const paramsFor = (customer: Awaited<ReturnType<typeof seedCustomer>>): Record<string, string> => ({
    id: customer.id,
    userId: customer.created.administrator.userId!,
    classId: classIds[customer.id]!,
    runId: runIds[customer.id]!,
    bookId: bookIds[customer.id]!,
    collectionId: collectionIds[customer.id]!,
  });

  before(async () => {
    t = await startTestApp(dialect);
    admin = await t.asAdmin();
    [a, b, c] = [await seedCustomer(t.ctx), await seedCustomer(t.ctx), await seedCustomer(t.ctx)];
    for (const cust of [a, b, c]) {
      classIds[cust.id] = await addClass(cust.id, `Algebra ${cust.code}`);
      runIds[cust.id] = await addHeldRun(cust.id);
      bookIds[cust.id] = (await t.ctx.content.upload(operatorActor, cust.id, Readable.from([wallBook]), 'wall.epub')).id;
      collectionIds[cust.id] = (await t.ctx.content.createCollection(operatorActor, cust.id, { name: `Shelf ${cust.code}` })).id;
    }
    routes = await customerScopedRoutes(admin);
  });
  after(() => t.close());

  it('finds the customer-scoped routes in the OpenAPI document', () => {
    const found = routes.map((r) => `${r.method} ${r.path}`);
    for (const known of [
      'GET /api/customers/{id}',
      'PATCH /api/customers/{id}',
      'POST /api/customers/{id}/lti/rotate',
      'GET /api/customers/{id}/audit',
      'GET /api/customers/{id}/users',
      'GET /api/customers/{id}/classes',
      'POST /api/customers/{id}/roster/uploads',
      'GET /api/customers/{id}/roster/runs/{runId}/issues.csv',
      'POST /api/customers/{id}/roster/runs/{runId}/approve',
    ]) {
      assert.ok(found.includes(known), `${known} is in the OpenAPI document (found ${found.join(', ')})`);
    }
  });

  it('control: the enterprise admin can use every one of those requests on a customer', async () => {
    for (const route of routes) {
      const { url, body, headers } = requestFor(route, paramsFor(c));
      const res = await admin.request(route.method, url, body, headers);
      assert.ok(
        res.status < 400 || (res.status === 409 && DECIDED_ALREADY.test(route.path)),
        `${route.method} ${url} as enterprise admin answered ${res.status} ${JSON.stringify(res.body)}: give the route a usable body in ATTACK_BODIES or a parameter in paramsFor`,
      );
    }
  });

  const attackers: { name: string; client: () => Promise<TestClient> }[] = [
    { name: "B's customer admin (session)", client: async () => t.client().login(b.adminEmail, b.adminPassword) },
    {
      name: "B's customer admin (API token)",
      client: async () => {
        const session = await t.client().login(b.adminEmail, b.adminPassword);
        const token = await session.post<{ token: string }>('/api/auth/tokens', { name: 'walls' });
        assert.equal(token.status, 201);
        const bearer = t.client();
        bearer.bearer = token.body.token;
        return bearer;
      },
    },
    {
      name: "B's institute admin",
      client: async () => {
        const user = await addUser(b.id, 'institute_admin');
        return t.client().login(user.login, PASSWORD);
      },
    },
  ];

  for (const attacker of attackers) {
    it(`${attacker.name} gets 403 or 404 on every customer-scoped route of A, and A is unchanged`, async () => {
      const client = await attacker.client();
      const before = await customerSnapshot(t.ctx, a.id);
      const aText = [a.code, a.adminEmail, a.created.profile.name, a.created.lti.consumerKey, `Algebra ${a.code}`];
      for (const route of routes) {
        const { url, body, headers } = requestFor(route, paramsFor(a));
        const res: TestResponse<ErrorBody> = await client.request<ErrorBody>(route.method, url, body, headers);
        assert.ok(res.status === 403 || res.status === 404, `${route.method} ${url} answered ${res.status} ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error.code, res.status === 403 ? 'FORBIDDEN' : 'NOT_FOUND', `${route.method} ${url}`);
        const text = JSON.stringify(res.body);
        for (const s of aText) assert.ok(!text.includes(s), `${route.method} ${url} leaks ${s}`);
      }
      assert.deepEqual(await customerSnapshot(t.ctx, a.id), before, "A's rows, people, sessions, tokens and audit trail are unchanged");
      assert.equal((await t.client().post('/api/auth/login', { login: a.adminEmail, password: a.adminPassword })).status, 200, "A's admin can still sign in");
    });
  }

  it("B's admin sees only B's data in its own lists, whatever it searches for", async () => {
    const client = await t.client().login(b.adminEmail, b.adminPassword);
    const aStudent = await addUser(a.id, 'student');
    const bStudent = await addUser(b.id, 'student');
    const users = await client.get<{ items: { id: string; email: string }[]; total: number }>(`/api/customers/${b.id}/users?pageSize=500`);
    assert.equal(users.status, 200);
    const bUserIds = (await t.ctx.db.kysely.selectFrom('users').select('id').where('customer_id', '=', b.id).execute()).map((u) => u.id).sort();
    assert.deepEqual(users.body.items.map((u) => u.id).sort(), bUserIds);
    assert.ok(users.body.items.some((u) => u.id === bStudent.id));
    assert.equal(users.body.total, bUserIds.length);
    for (const search of [a.adminEmail, aStudent.login, 'walls', '%']) {
      const res = await client.get<{ items: { id: string }[] }>(`/api/customers/${b.id}/users?search=${encodeURIComponent(search)}`);
      assert.equal(res.status, 200);
      const aIds = new Set((await t.ctx.db.kysely.selectFrom('users').select('id').where('customer_id', '=', a.id).execute()).map((u) => u.id));
      assert.ok(res.body.items.every((u) => !aIds.has(u.id)), `search ${search} shows none of A's users`);
    }
    const classes = await client.get<{ items: { id: string }[]; total: number }>(`/api/customers/${b.id}/classes?search=algebra`);
    assert.equal(classes.status, 200);
    assert.deepEqual([classes.body.items.map((x) => x.id), classes.body.total], [[classIds[b.id]], 1]);
    const audit = await client.get<{ targetId: string }[]>(`/api/customers/${b.id}/audit`);
    assert.equal(audit.status, 200);
    assert.ok(audit.body.length > 0 && audit.body.every((e) => e.targetId !== a.id && e.targetId !== c.id));
    const list = await client.get<ErrorBody>('/api/customers');
    assert.equal(list.status, 403);
    assert.equal(list.body.error.code, 'FORBIDDEN');
  });

  for (const role of ['teacher', 'student', 'reader'] as const) {
    it(`a ${role} signs in but cannot use the console API, not even on their own customer`, async () => {
      const user = await addUser(a.id, role);
      const client = await t.client().login(user.login, PASSWORD);
      const snapA = await customerSnapshot(t.ctx, a.id);
      const snapB = await customerSnapshot(t.ctx, b.id);
      for (const target of [a, b]) {
        for (const route of routes) {
          const { url, body, headers } = requestFor(route, paramsFor(target));
          const res = await client.request<ErrorBody>(route.method, url, body, headers);
          assert.ok(res.status === 403 || res.status === 404, `${role}: ${route.method} ${url} answered ${res.status} ${JSON.stringify(res.body)}`);
          assert.equal(res.body.error.code, res.status === 403 ? 'FORBIDDEN' : 'NOT_FOUND');
        }
      }
      const list = await client.get<ErrorBody>('/api/customers');
      assert.deepEqual([list.status, list.body.error.code], [403, 'FORBIDDEN']);
      await assertNothingStored(t, async () => {
        const add = await client.post<ErrorBody>('/api/customers', customerBody());
        assert.deepEqual([add.status, add.body.error.code], [403, 'FORBIDDEN']);
      });
      assert.deepEqual(await customerSnapshot(t.ctx, a.id), snapA);
      assert.deepEqual(await customerSnapshot(t.ctx, b.id), snapB);
    });
  }
});
