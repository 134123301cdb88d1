import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ReaderService } from '../../src/reader/reader-service.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, describeEachDialect, startTestApp, type TestApp, type TestClient } from '../helpers/app.js';
import { STUDENT_PASSWORD, setUpSchool, type School } from './school.js';

interface Card {
  id: string;
  title: string;
  author: string;
  format: string;
  coverUrl: string | null;
  progress: number | null;
  lastReadAt: string | null;
}
interface Shelf {
  books: Card[];
  classes: { id: string; title: string; classCode: string; books: Card[] }[];
  collections: { id: string; name: string; description: string; bookCount: number }[];
}
interface ErrorBody {
  error: { code: string; message: string; fields?: { field: string }[] };
}

describeEachDialect('Reader API', (dialect) => {
  let t: TestApp;
  let a: School;
  let b: School;
  const as = async (login: string) => t.client().login(login, STUDENT_PASSWORD);
  /** A request with raw bytes back (TestClient decodes bodies as text). */
  const raw = async (client: TestClient, url: string, headers: Record<string, string> = {}) => {
    const res = await t.app.inject({ method: 'GET', url, headers: { ...(client.cookie ? { cookie: client.cookie } : {}), ...headers } });
    return { status: res.statusCode, headers: res.headers, bytes: res.rawPayload };
  };

  before(async () => {
    t = await startTestApp(dialect);
    await t.ctx.jobs.start({ concurrency: 1 });
    a = await setUpSchool(t.ctx, t.app, '@lincoln');
    b = await setUpSchool(t.ctx, t.app, '@oak', ' (Oak)');
  });
  after(() => t.close());

  describe('bookshelf', () => {
    it('shows a student the titles of their classes with author, cover and no progress yet', async () => {
      const shelf = await (await as(a.logins.algebraStudent)).get<Shelf>('/api/reader/bookshelf');
      assert.equal(shelf.status, 200, JSON.stringify(shelf.body));
      assert.deepEqual(shelf.body.books, [
        { id: a.books.algebra.id, title: 'Algebra Stories', author: 'Nova Writer', format: 'epub', coverUrl: `/api/reader/books/${a.books.algebra.id}/cover`, progress: null, lastReadAt: null },
      ]);
      assert.deepEqual(shelf.body.classes, [], 'students have no class tabs');
      assert.deepEqual(
        shelf.body.collections.map((c) => [c.name, c.bookCount]),
        [['Summer Reading', 1]],
        'a collection counts only the titles the student may read',
      );
    });

    it('shows a title assigned straight to a student, and a PDF without a cover', async () => {
      const direct = await (await as(a.logins.directStudent)).get<Shelf>('/api/reader/bookshelf');
      assert.deepEqual(
        direct.body.books.map((x) => [x.title, x.format, x.coverUrl !== null]),
        [['Direct Reading', 'epub', true]],
      );
      const bio = await (await as(a.logins.biologyStudent)).get<Shelf>('/api/reader/bookshelf');
      assert.deepEqual(
        bio.body.books.map((x) => [x.title, x.author, x.format, x.coverUrl]),
        [['Biology Notes', 'Cell Expert', 'pdf', null]],
      );
      assert.deepEqual(bio.body.collections, []);
    });

    it('shows a teacher every class they teach as its own shelf, and those titles on their own shelf', async () => {
      const shelf = await (await as(a.logins.teacher)).get<Shelf>('/api/reader/bookshelf');
      assert.equal(shelf.status, 200);
      assert.deepEqual(
        shelf.body.classes.map((c) => [c.id, c.title, c.classCode, c.books.map((x) => x.title)]),
        [
          [a.classIds.algebra, 'Algebra P1', 'ALG-1', ['Algebra Stories']],
          [a.classIds.biology, 'Biology P3', 'BIO-3', ['Biology Notes']],
        ],
      );
      assert.deepEqual(
        shelf.body.books.map((x) => x.title),
        ['Algebra Stories', 'Biology Notes'],
      );
    });

    it('an ended enrollment no longer brings the class’s titles', async () => {
      const former = await as(a.logins.formerStudent);
      assert.deepEqual((await former.get<Shelf>('/api/reader/bookshelf')).body, { books: [], classes: [], collections: [] });
      const res = await former.get<ErrorBody>(`/api/reader/books/${a.books.algebra.id}`);
      assert.deepEqual([res.status, res.body.error.code], [404, 'NOT_FOUND']);
    });
  });

  describe('canRead', () => {
    it('is true for direct and class assignments and false otherwise, including another customer’s book', async () => {
      const r = t.ctx.reader;
      const cases: [string, string, string, boolean][] = [
        ['class assignment', a.userIds.algebraStudent, a.books.algebra.id, true],
        ['direct assignment', a.userIds.directStudent, a.books.direct.id, true],
        ['teacher of the class', a.userIds.teacher, a.books.biology.id, true],
        ['another class’s title', a.userIds.algebraStudent, a.books.biology.id, false],
        ['another student’s direct title', a.userIds.algebraStudent, a.books.direct.id, false],
        ['an unassigned title', a.userIds.teacher, a.books.unassigned.id, false],
        ['an ended enrollment', a.userIds.formerStudent, a.books.algebra.id, false],
        ['another customer’s title', a.userIds.algebraStudent, b.books.algebra.id, false],
        ['an unknown id', a.userIds.algebraStudent, crypto.randomUUID(), false],
      ];
      for (const [what, userId, bookId, expected] of cases) assert.equal(await r.canRead(a.customerId, userId, bookId), expected, what);
      // Ids from another customer do not combine: B's student with B's book under A's customer id.
      assert.equal(await r.canRead(a.customerId, b.userIds.algebraStudent, b.books.algebra.id), false);
      assert.equal(await r.canRead(b.customerId, b.userIds.algebraStudent, b.books.algebra.id), true);
    });
  });

  describe('a title and its file', () => {
    it('answers the metadata with the file URL, and NOT_FOUND for titles the user may not read', async () => {
      const student = await as(a.logins.algebraStudent);
      const book = await student.get<Card & { sizeBytes: number; fileUrl: string; position: string | null }>(`/api/reader/books/${a.books.algebra.id}`);
      assert.equal(book.status, 200);
      assert.deepEqual(
        [book.body.title, book.body.sizeBytes, book.body.fileUrl, book.body.position],
        ['Algebra Stories', a.bytes.algebra.length, `/api/reader/books/${a.books.algebra.id}/file`, null],
      );
      for (const id of [a.books.direct.id, a.books.unassigned.id, b.books.algebra.id, 'not-a-uuid']) {
        for (const path of ['', '/file', '/cover', '/progress']) {
          const res = await student.get<ErrorBody>(`/api/reader/books/${id}${path}`);
          assert.deepEqual([res.status, res.body.error.code], [404, 'NOT_FOUND'], `${id}${path}`);
          assert.ok(!JSON.stringify(res.body).includes('Oak') && !JSON.stringify(res.body).includes('Direct'), 'nothing about the title leaks');
        }
      }
    });

    it('streams the whole EPUB with its type, length, ETag and Accept-Ranges', async () => {
      const student = await as(a.logins.algebraStudent);
      const res = await raw(student, `/api/reader/books/${a.books.algebra.id}/file`);
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], 'application/epub+zip');
      assert.equal(res.headers['content-length'], String(a.bytes.algebra.length));
      assert.equal(res.headers['accept-ranges'], 'bytes');
      assert.equal(res.headers.etag, `"${crypto.createHash('sha256').update(a.bytes.algebra).digest('hex')}"`);
      assert.match(String(res.headers['cache-control']), /private/);
      assert.ok(res.bytes.equals(a.bytes.algebra), 'the bytes are the uploaded file');
      const head = await t.app.inject({ method: 'HEAD', url: `/api/reader/books/${a.books.algebra.id}/file`, headers: { cookie: student.cookie! } });
      assert.deepEqual([head.statusCode, head.headers['content-length'], head.headers['accept-ranges'], head.rawPayload.length], [200, String(a.bytes.algebra.length), 'bytes', 0]);
    });

    it('serves byte ranges (206), suffix and open-ended ranges, 416 past the end, and the whole file when If-Range no longer matches', async () => {
      const student = await as(a.logins.biologyStudent);
      const url = `/api/reader/books/${a.books.biology.id}/file`;
      const file = a.bytes.biology;
      const size = file.length;
      const first = await raw(student, url, { range: 'bytes=0-99' });
      assert.deepEqual([first.status, first.headers['content-range'], first.headers['content-length'], first.headers['content-type']], [206, `bytes 0-99/${size}`, '100', 'application/pdf']);
      assert.ok(first.bytes.equals(file.subarray(0, 100)));
      const tail = await raw(student, url, { range: 'bytes=-32' });
      assert.deepEqual([tail.status, tail.headers['content-range']], [206, `bytes ${size - 32}-${size - 1}/${size}`]);
      assert.ok(tail.bytes.equals(file.subarray(size - 32)));
      const open = await raw(student, url, { range: `bytes=${size - 10}-` });
      assert.ok(open.bytes.equals(file.subarray(size - 10)));
      const clamped = await raw(student, url, { range: `bytes=10-${size + 5000}` });
      assert.deepEqual([clamped.status, clamped.headers['content-range']], [206, `bytes 10-${size - 1}/${size}`]);
      const beyond = await raw(student, url, { range: `bytes=${size}-` });
      assert.deepEqual([beyond.status, beyond.headers['content-range'], JSON.parse(beyond.bytes.toString()).error.code], [416, `bytes */${size}`, 'RANGE_NOT_SATISFIABLE']);
      const etag = String(first.headers.etag);
      const stale = await raw(student, url, { range: 'bytes=0-9', 'if-range': '"an-older-version"' });
      assert.deepEqual([stale.status, stale.bytes.length], [200, size], 'a changed file is sent whole');
      const fresh = await raw(student, url, { range: 'bytes=0-9', 'if-range': etag });
      assert.deepEqual([fresh.status, fresh.bytes.length], [206, 10]);
      const several = await raw(student, url, { range: 'bytes=0-9,20-29' });
      assert.deepEqual([several.status, several.bytes.length], [200, size], 'several ranges: the whole file');
      const cached = await raw(student, url, { 'if-none-match': etag });
      assert.deepEqual([cached.status, cached.bytes.length], [304, 0]);
    });

    it('serves the cover image of a title the user may read', async () => {
      const res = await raw(await as(a.logins.algebraStudent), `/api/reader/books/${a.books.algebra.id}/cover`);
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], 'image/png');
      assert.deepEqual([...res.bytes.subarray(1, 4)], [...Buffer.from('PNG')]);
      const none = await (await as(a.logins.biologyStudent)).get<ErrorBody>(`/api/reader/books/${a.books.biology.id}/cover`);
      assert.equal(none.status, 404);
    });

    it('a title deleted by the admin leaves the shelf and its file is no longer served', async () => {
      const student = await as(a.logins.directStudent);
      const extra = await a.admin.request<{ id: string }>('POST', `/api/customers/${a.customerId}/assignments`, { bookIds: [a.books.unassigned.id], userIds: [a.userIds.directStudent] });
      assert.equal(extra.status, 200);
      assert.deepEqual(
        (await student.get<Shelf>('/api/reader/bookshelf')).body.books.map((x) => x.title),
        ['Direct Reading', 'Not For Anyone'],
      );
      assert.equal((await a.admin.delete(`/api/customers/${a.customerId}/content/${a.books.unassigned.id}`)).status, 204);
      assert.deepEqual(
        (await student.get<Shelf>('/api/reader/bookshelf')).body.books.map((x) => x.title),
        ['Direct Reading'],
      );
      assert.equal((await raw(student, `/api/reader/books/${a.books.unassigned.id}/file`)).status, 404);
    });
  });

  describe('reading progress', () => {
    it('is null before the first save, then saved and restored from another session (another device)', async () => {
      const phone = await as(a.logins.algebraStudent);
      const url = `/api/reader/books/${a.books.algebra.id}/progress`;
      assert.deepEqual([(await phone.get(url)).status, (await phone.get(url)).body], [200, null]);
      const position = 'epubcfi(/6/6!/4/2/1:0)';
      const saved = await phone.request<{ position: string; progress: number; updatedAt: string }>('PUT', url, { position, progress: 0.37 });
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
      assert.deepEqual([saved.body.position, saved.body.progress], [position, 0.37]);

      const laptop = await as(a.logins.algebraStudent);
      const got = await laptop.get<{ position: string; progress: number }>(url);
      assert.deepEqual([got.body.position, got.body.progress], [position, 0.37]);
      const book = await laptop.get<{ position: string; progress: number }>(`/api/reader/books/${a.books.algebra.id}`);
      assert.deepEqual([book.body.position, book.body.progress], [position, 0.37]);
      const shelf = await laptop.get<Shelf>('/api/reader/bookshelf');
      assert.equal(shelf.body.books[0]?.progress, 0.37);
      assert.ok(shelf.body.books[0]?.lastReadAt);

      // Last write wins; progress is per user: the teacher's shelf shows nothing for this title.
      await laptop.request('PUT', url, { position: 'epubcfi(/6/10!/4/2/1:0)', progress: 1 });
      assert.deepEqual((await phone.get<{ progress: number }>(url)).body.progress, 1);
      const teacher = await (await as(a.logins.teacher)).get<Shelf>('/api/reader/bookshelf');
      assert.equal(teacher.body.classes[0]?.books[0]?.progress, null);
    });

    it('needs the CSRF token on a cookie-authenticated PUT, and rejects a cross-site Origin', async () => {
      const student = await as(a.logins.biologyStudent);
      const url = `/api/reader/books/${a.books.biology.id}/progress`;
      const token = student.csrf;
      student.csrf = null;
      const noToken = await student.request<ErrorBody>('PUT', url, { position: '3', progress: 0.6 });
      assert.deepEqual([noToken.status, noToken.body.error.code], [403, 'CSRF_FAILED']);
      const wrong = await student.request<ErrorBody>('PUT', url, { position: '3', progress: 0.6 }, { 'x-csrf-token': 'x'.repeat(43) });
      assert.deepEqual([wrong.status, wrong.body.error.code], [403, 'CSRF_FAILED']);
      student.csrf = token;
      const crossSite = await student.request<ErrorBody>('PUT', url, { position: '3', progress: 0.6 }, { origin: 'https://evil.example' });
      assert.deepEqual([crossSite.status, crossSite.body.error.code], [403, 'CSRF_FAILED']);
      assert.equal((await student.get(url)).body, null, 'nothing was saved');
      assert.equal((await student.request('PUT', url, { position: '3', progress: 0.6 })).status, 200);
    });

    it('validates position and progress with field messages, and refuses titles the user may not read', async () => {
      const student = await as(a.logins.algebraStudent);
      const url = `/api/reader/books/${a.books.algebra.id}/progress`;
      const fieldsOf = async (body: unknown) => {
        const res = await student.request<ErrorBody>('PUT', url, body);
        assert.equal(res.status, 400, JSON.stringify(res.body));
        return res.body.error.fields?.map((f) => f.field);
      };
      assert.deepEqual(await fieldsOf({ position: 'x', progress: 1.5 }), ['progress']);
      assert.deepEqual(await fieldsOf({ position: 'x', progress: -0.1 }), ['progress']);
      assert.deepEqual(await fieldsOf({ progress: 0.5 }), ['position']);
      assert.deepEqual(await fieldsOf({ position: '', progress: 0.5 }), ['position']);
      assert.deepEqual(await fieldsOf({ position: 'x', progress: 0.5, userId: a.userIds.teacher }), ['userId']);
      for (const id of [a.books.biology.id, b.books.algebra.id]) {
        const res = await student.request<ErrorBody>('PUT', `/api/reader/books/${id}/progress`, { position: '1', progress: 0.5 });
        assert.deepEqual([res.status, res.body.error.code], [404, 'NOT_FOUND']);
      }
      const stored = await t.ctx.db.kysely.selectFrom('reading_progress').select('book_id').where('user_id', '=', a.userIds.algebraStudent).execute();
      assert.ok(
        stored.every((r) => r.book_id === a.books.algebra.id),
        'no progress row for a title the student may not read',
      );
    });

    it('calls the onProgress hook after each save with the customer, user, book and progress', async () => {
      const calls: [string, string, string, number][] = [];
      const original = t.ctx.reader;
      t.ctx.reader = new ReaderService(t.ctx.db.kysely, t.ctx.contentStore, { onProgress: (...args) => void calls.push(args) });
      try {
        const student = await as(a.logins.directStudent);
        const res = await student.request('PUT', `/api/reader/books/${a.books.direct.id}/progress`, { position: 'epubcfi(/6/4!/4/2/1:0)', progress: 0.25 });
        assert.equal(res.status, 200);
        assert.deepEqual(calls, [[a.customerId, a.userIds.directStudent, a.books.direct.id, 0.25]]);
        await student.request('PUT', `/api/reader/books/${a.books.biology.id}/progress`, { position: '1', progress: 0.5 });
        assert.equal(calls.length, 1, 'no call for a refused save');
      } finally {
        t.ctx.reader = original;
      }
    });
  });

  describe('collections', () => {
    it('lists a collection’s titles the user may read, in order; NOT_FOUND when none', async () => {
      const direct = await (await as(a.logins.directStudent)).get<{ name: string; books: Card[] }>(`/api/reader/collections/${a.collectionId}`);
      assert.equal(direct.status, 200);
      assert.deepEqual([direct.body.name, direct.body.books.map((x) => x.title)], ['Summer Reading', ['Direct Reading']]);
      for (const [login, id] of [
        [a.logins.biologyStudent, a.collectionId],
        [b.logins.directStudent, a.collectionId],
        [a.logins.directStudent, b.collectionId],
      ] as const) {
        const res = await (await as(login)).get<ErrorBody>(`/api/reader/collections/${id}`);
        assert.deepEqual([res.status, res.body.error.code], [404, 'NOT_FOUND'], login);
      }
    });
  });

  describe('who may use the reader API', () => {
    it('answers 401 without a session, and 403 to an enterprise admin (who belongs to no school)', async () => {
      const anonymous = await t.client().get<ErrorBody>('/api/reader/bookshelf');
      assert.deepEqual([anonymous.status, anonymous.body.error.code], [401, 'AUTH_REQUIRED']);
      const root = await t.client().login(ADMIN_EMAIL, ADMIN_PASSWORD);
      const res = await root.get<ErrorBody>('/api/reader/bookshelf');
      assert.deepEqual([res.status, res.body.error.code], [403, 'FORBIDDEN']);
      assert.equal((await root.get(`/api/reader/books/${a.books.algebra.id}/file`)).status, 403);
    });

    it('lets a customer admin see only their own (empty) shelf', async () => {
      const res = await a.admin.get<Shelf>('/api/reader/bookshelf');
      assert.deepEqual([res.status, res.body], [200, { books: [], classes: [], collections: [] }]);
    });

    it('opens only the reader API to students: the console API stays closed', async () => {
      const student = await as(a.logins.algebraStudent);
      for (const url of [`/api/customers/${a.customerId}/users`, `/api/customers/${a.customerId}/content`, `/api/customers/${a.customerId}/classes/${a.classIds.algebra}/books`]) {
        const res = await student.get<ErrorBody>(url);
        assert.deepEqual([res.status, res.body.error.code], [403, 'FORBIDDEN'], url);
      }
    });

    it('every reader route in the OpenAPI document gives B’s student NOT_FOUND for A’s ids and leaks nothing', async () => {
      const doc = await a.admin.get<{ paths: Record<string, Record<string, unknown>> }>('/api/openapi.json');
      const routes = Object.entries(doc.body.paths)
        .filter(([path]) => path.startsWith('/api/reader/') && path.includes('{id}'))
        .flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ method: method.toUpperCase() as 'GET' | 'PUT', path })));
      assert.deepEqual(routes.map((r) => `${r.method} ${r.path}`).sort(), [
        'GET /api/reader/books/{id}',
        'GET /api/reader/books/{id}/cover',
        'GET /api/reader/books/{id}/file',
        'GET /api/reader/books/{id}/progress',
        'GET /api/reader/collections/{id}',
        'PUT /api/reader/books/{id}/progress',
      ]);
      const before = await t.ctx.db.kysely.selectFrom('reading_progress').selectAll().where('customer_id', '=', a.customerId).orderBy('user_id').orderBy('book_id').execute();
      for (const login of [b.logins.teacher, b.logins.algebraStudent, b.logins.directStudent]) {
        const attacker = await as(login);
        for (const route of routes) {
          const ids = route.path.startsWith('/api/reader/collections') ? [a.collectionId] : Object.values(a.books).map((x) => x.id);
          for (const id of ids) {
            const res = await attacker.request<ErrorBody>(route.method, route.path.replace('{id}', id), route.method === 'PUT' ? { position: '1', progress: 0.9 } : undefined);
            assert.deepEqual([res.status, res.body.error.code], [404, 'NOT_FOUND'], `${login}: ${route.method} ${route.path} ${id}`);
            assert.ok(!/Algebra|Direct|Biology|Summer|Lincoln/.test(JSON.stringify(res.body)), 'nothing of A leaks');
          }
        }
        const shelf = await attacker.get<Shelf>('/api/reader/bookshelf');
        assert.ok(
          shelf.body.books.every((x) => x.title.endsWith('(Oak)')),
          'B sees only B’s titles',
        );
      }
      const afterRows = await t.ctx.db.kysely.selectFrom('reading_progress').selectAll().where('customer_id', '=', a.customerId).orderBy('user_id').orderBy('book_id').execute();
      assert.deepEqual(afterRows, before, "A's reading progress is unchanged");
    });
  });
});
