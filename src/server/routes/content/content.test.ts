import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp, type TestClient } from '../../../../test/helpers/app.js';
import { epub2, epub3, fileForm, pdf, pngImage } from '../../../../test/helpers/books.js';
import { HEADERS, district11, table, zipBuffer } from '../../../../test/helpers/bundles.js';
import { waitFor } from '../../../../test/helpers/wait.js';
import { AssignmentRepository, booksForUser, canRead } from '../../../content/assignment-repository.js';
import type { BookView } from '../../../content/content-views.js';
import type { RunView } from '../../../rostering/runs/run-view.js';

type ErrorBody = { error: { code: string; message: string; fields?: { field: string; code?: string; message: string }[] } };
type Detail = BookView & { collections: { id: string; name: string }[]; assignments: { users: { id: string }[]; classes: { id: string; members: number }[] } };

describeEachDialect('Content API', (dialect) => {
  let t: TestApp;
  let admin: TestClient;
  let customer: Awaited<ReturnType<typeof seedCustomer>>;
  const maxBookBytes = 64 * 1024;
  before(async () => {
    t = await startTestApp(dialect, { maxBookBytes });
    await t.ctx.jobs.start({ concurrency: 1 });
    customer = await seedCustomer(t.ctx, { rostering: { suffix: `@${dialect}` } });
    admin = await t.client().login(customer.adminEmail, customer.adminPassword);
  });
  after(() => t.close());

  const url = (p = '') => `/api/customers/${customer.id}${p}`;
  const send = (bytes: Buffer, name: string, client = admin, customerId = customer.id) => {
    const f = fileForm(bytes, name);
    return client.request<BookView & ErrorBody>('POST', `/api/customers/${customerId}/content`, f.body, f.headers);
  };
  const upload = async (bytes: Buffer, name: string) => {
    const res = await send(bytes, name);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  };
  const storedFiles = () => {
    const dir = path.join(t.ctx.config.dataDir, 'content', customer.id);
    return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
  };

  it('uploads an EPUB 3 with title, author and cover from its package document', async () => {
    const book = await upload(await epub3({ title: 'Moby-Dick; or, The Whale', author: 'Herman Melville' }), 'whatever-name.epub');
    assert.deepEqual([book.title, book.author, book.format, book.hasCover], ['Moby-Dick; or, The Whale', 'Herman Melville', 'epub', true]);
    const cover = await t.app.inject({ url: url(`/content/${book.id}/cover`), headers: { cookie: admin.cookie ?? '' } });
    assert.equal(cover.statusCode, 200);
    assert.equal(cover.headers['content-type'], 'image/png');
    assert.deepEqual(cover.rawPayload, pngImage(), 'the cover is the image inside the EPUB, byte for byte');
    const stat = await t.ctx.contentStore.stat(customer.id, `${book.id}.epub`);
    assert.equal(stat.sizeBytes, book.sizeBytes);
  });

  it('uploads an EPUB 2 with the cover named by <meta name="cover">', async () => {
    const book = await upload(await epub2({ title: 'Bleak House', author: 'Charles Dickens' }), 'bleak.epub');
    assert.deepEqual([book.title, book.author, book.format, book.hasCover], ['Bleak House', 'Charles Dickens', 'epub', true]);
    assert.equal((await admin.get(url(`/content/${book.id}/cover`))).status, 200);
  });

  it('uploads a PDF with title and author from its Info dictionary (no cover)', async () => {
    const book = await upload(pdf({ title: 'Réunion annuelle', author: 'Zoë Lefèvre', pages: 4 }), 'report.pdf');
    assert.deepEqual([book.title, book.author, book.format, book.hasCover], ['Réunion annuelle', 'Zoë Lefèvre', 'pdf', false]);
    assert.equal((await admin.get<ErrorBody>(url(`/content/${book.id}/cover`))).status, 404);
  });

  it('falls back to the file name when the file has no metadata, and the admin can edit it after', async () => {
    const book = await upload(pdf(), 'field_guide_to-birds.pdf');
    assert.deepEqual([book.title, book.author], ['field guide to-birds', '']);
    const edited = await admin.patch<BookView>(url(`/content/${book.id}`), { title: '  Field Guide to Birds ', author: 'A. Audubon' });
    assert.equal(edited.status, 200);
    assert.deepEqual([edited.body.title, edited.body.author], ['Field Guide to Birds', 'A. Audubon']);
    const blank = await admin.patch<ErrorBody>(url(`/content/${book.id}`), { title: '  ' });
    assert.equal(blank.status, 400);
    assert.deepEqual(
      blank.body.error.fields?.map((f) => [f.field, f.code]),
      [['title', 'REQUIRED']],
    );
    const audit = await admin.get<{ action: string; targetId: string; fields: string[] }[]>(url('/audit'));
    assert.ok(
      audit.body.some((e) => e.action === 'book.updated' && e.targetId === book.id && e.fields.includes('title')),
      'the edit is audited',
    );
    assert.ok(
      audit.body.some((e) => e.action === 'book.uploaded' && e.targetId === book.id),
      'the upload is audited',
    );
  });

  it('detects the type by content: a PDF named .epub is stored as a PDF; a .pdf that is not one is refused', async () => {
    const book = await upload(pdf({ title: 'Disguised' }), 'disguised.epub');
    assert.equal(book.format, 'pdf');
    assert.ok(storedFiles().includes(`${book.id}.pdf`));
    const before = storedFiles();
    const fake = await send(Buffer.from('Just some text, not a PDF at all.\n'), 'notes.pdf');
    assert.equal(fake.status, 415);
    assert.equal(fake.body.error.code, 'UNSUPPORTED_MEDIA_TYPE');
    assert.deepEqual(
      fake.body.error.fields?.map((f) => [f.field, f.code]),
      [['file', 'FILE_TYPE_UNSUPPORTED']],
    );
    const zipNotEpub = await send(await zipBuffer({ 'readme.txt': 'hello' }), 'book.epub');
    assert.deepEqual([zipNotEpub.status, zipNotEpub.body.error.fields?.[0]?.code], [415, 'FILE_TYPE_UNSUPPORTED']);
    assert.deepEqual(storedFiles(), before, 'nothing is stored for a refused file, not even a temporary file');
  });

  it('refuses a corrupt zip, a broken PDF, an empty file and a file over the size cap, storing nothing', async () => {
    const before = storedFiles();
    const whole = await epub3();
    const cases: [Buffer, string, number, string][] = [
      [whole.subarray(0, Math.floor(whole.length / 2)), 'truncated.epub', 400, 'FILE_CORRUPT'],
      [Buffer.from('%PDF-1.7\nthis is not really a pdf\n'), 'broken.pdf', 400, 'FILE_CORRUPT'],
      [Buffer.alloc(0), 'empty.pdf', 400, 'FILE_CORRUPT'],
      [Buffer.concat([pdf({ title: 'Huge' }), Buffer.alloc(maxBookBytes)]), 'huge.pdf', 413, 'FILE_TOO_LARGE'],
    ];
    for (const [bytes, name, status, code] of cases) {
      const res = await send(bytes, name);
      assert.equal(res.status, status, `${name}: ${JSON.stringify(res.body)}`);
      assert.deepEqual(
        res.body.error.fields?.map((f) => [f.field, f.code]),
        [['file', code]],
        name,
      );
    }
    const none = await admin.request<ErrorBody>('POST', url('/content'), { title: 'x' });
    assert.equal(none.status, 415);
    assert.deepEqual(storedFiles(), before);
    const list = await admin.get<{ items: BookView[] }>(url('/content?pageSize=500'));
    assert.ok(!list.body.items.some((b) => ['truncated', 'broken', 'empty', 'Huge'].includes(b.title)));
  });

  it('lists titles by title with search and paging, and deletes softly', async () => {
    const all = await admin.get<{ items: (BookView & { assignmentCount: number })[]; total: number }>(url('/content?pageSize=2'));
    assert.equal(all.status, 200);
    assert.equal(all.body.items.length, 2);
    assert.equal(all.body.total, 5, 'the five titles uploaded so far; refused files are not listed');
    const titles = (await admin.get<{ items: BookView[] }>(url('/content?pageSize=500'))).body.items.map((b) => b.title);
    assert.deepEqual(
      titles,
      [...titles].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    const found = await admin.get<{ items: BookView[]; total: number }>(url(`/content?search=${encodeURIComponent('melville')}`));
    assert.deepEqual(
      found.body.items.map((b) => b.title),
      ['Moby-Dick; or, The Whale'],
    );
    const gone = await upload(pdf({ title: 'To be deleted' }), 'gone.pdf');
    assert.equal((await admin.delete(url(`/content/${gone.id}`))).status, 204);
    assert.equal((await admin.get(url(`/content/${gone.id}`))).status, 404);
    assert.equal((await admin.get<{ total: number }>(url('/content?search=deleted'))).body.total, 0);
    const row = await t.ctx.db.kysely.selectFrom('books').select('deleted_at').where('id', '=', gone.id).executeTakeFirstOrThrow();
    assert.ok(row.deleted_at, 'the row is kept with deleted_at');
  });

  it('creates, renames, fills, reorders and deletes collections', async () => {
    const a = await upload(pdf({ title: 'Coll A' }), 'a.pdf');
    const b = await upload(pdf({ title: 'Coll B' }), 'b.pdf');
    const c = await upload(pdf({ title: 'Coll C' }), 'c.pdf');
    const created = await admin.post<{ id: string; name: string }>(url('/collections'), { name: 'Summer reading', description: 'For July' });
    assert.equal(created.status, 201);
    const dup = await admin.post<ErrorBody>(url('/collections'), { name: ' Summer  reading ' });
    assert.deepEqual([dup.status, dup.body.error.fields?.[0]?.field, dup.body.error.fields?.[0]?.code], [400, 'name', 'TAKEN']);
    const id = created.body.id;
    const set = await admin.request<{ books: BookView[]; bookCount: number }>('PUT', url(`/collections/${id}/books`), { bookIds: [c.id, a.id, b.id] });
    assert.equal(set.status, 200);
    assert.deepEqual(
      set.body.books.map((x) => x.title),
      ['Coll C', 'Coll A', 'Coll B'],
    );
    const reordered = await admin.request<{ books: BookView[]; bookCount: number }>('PUT', url(`/collections/${id}/books`), { bookIds: [a.id, c.id] });
    assert.deepEqual([reordered.body.books.map((x) => x.title), reordered.body.bookCount], [['Coll A', 'Coll C'], 2]);
    const foreign = await admin.request<ErrorBody>('PUT', url(`/collections/${id}/books`), { bookIds: [a.id, '0190a0b0-0000-7000-8000-00000000dead'] });
    assert.deepEqual([foreign.status, foreign.body.error.fields?.map((f) => f.field)], [400, ['bookIds[1]']]);
    const renamed = await admin.patch<{ name: string }>(url(`/collections/${id}`), { name: 'Autumn reading' });
    assert.equal(renamed.body.name, 'Autumn reading');
    const detail = await admin.get<Detail>(url(`/content/${a.id}`));
    assert.deepEqual(
      detail.body.collections.map((x) => x.name),
      ['Autumn reading'],
    );
    const list = await admin.get<{ name: string; bookCount: number }[]>(url('/collections'));
    assert.deepEqual(
      list.body.map((x) => [x.name, x.bookCount]),
      [['Autumn reading', 2]],
    );
    assert.equal((await admin.delete(url(`/collections/${id}`))).status, 204);
    assert.deepEqual((await admin.get<unknown[]>(url('/collections'))).body, []);
    assert.equal((await admin.get(url(`/content/${a.id}`))).status, 200, 'the titles stay');
  });

  it('class assignments follow enrollments made by real roster runs: a student added later sees the book, a dropped one does not', async () => {
    const rosterRun = async (files: Record<string, string>) => {
      const f = fileForm(await zipBuffer(files), 'roster.zip');
      const res = await admin.request<RunView>('POST', url('/roster/uploads'), f.body, f.headers);
      assert.equal(res.status, 202, JSON.stringify(res.body));
      const run = await waitFor(
        async () => {
          const r = await admin.get<RunView>(url(`/roster/runs/${res.body.runId}`));
          return ['queued', 'running'].includes(r.body.status) ? null : r.body;
        },
        'the roster run',
        20_000,
      );
      assert.equal(run.status, 'succeeded', JSON.stringify(run));
    };
    await rosterRun(district11());
    const k = t.ctx.db.kysely;
    const userId = async (sourcedId: string) => (await k.selectFrom('users').select('id').where('customer_id', '=', customer.id).where('sourced_id', '=', sourcedId).executeTakeFirstOrThrow()).id;
    const classId = (await k.selectFrom('classes').select('id').where('customer_id', '=', customer.id).where('sourced_id', '=', 'cl-1').executeTakeFirstOrThrow()).id;
    const [teacher, s1, s2] = [await userId('u-t'), await userId('u-s1'), await userId('u-s2')];

    const novel = await upload(await epub3({ title: 'Class Novel', author: 'Nova Writer' }), 'novel.epub');
    const extra = await upload(pdf({ title: 'Extra Credit' }), 'extra.pdf');
    const assigned = await admin.post<{ created: number }>(url('/assignments'), { bookIds: [novel.id], classIds: [classId] });
    assert.deepEqual([assigned.status, assigned.body.created], [200, 1]);
    const direct = await admin.post<{ created: number }>(url('/assignments'), { bookIds: [extra.id, novel.id], userIds: [s1] });
    assert.equal(direct.body.created, 2);
    assert.equal((await admin.post<{ created: number }>(url('/assignments'), { bookIds: [novel.id], classIds: [classId] })).body.created, 0, 'assigning twice changes nothing');

    const titles = async (id: string) => (await booksForUser(k, customer.id, id)).map((b) => b.title);
    assert.deepEqual(await titles(s1), ['Class Novel', 'Extra Credit']);
    assert.deepEqual(await titles(s2), ['Class Novel']);
    assert.deepEqual(await titles(teacher), ['Class Novel'], "teachers see their classes' books");
    const s1Books = await admin.get<{ title: string; direct: boolean; viaClasses: { id: string; title: string }[] }[]>(url(`/users/${s1}/books`));
    assert.deepEqual(
      s1Books.body.map((b) => [b.title, b.direct, b.viaClasses]),
      [
        ['Class Novel', true, [{ id: classId, title: 'Algebra P1' }]],
        ['Extra Credit', true, []],
      ],
    );
    const detail = await admin.get<Detail>(url(`/content/${novel.id}`));
    assert.deepEqual([detail.body.assignments.classes.map((c) => [c.id, c.members]), detail.body.assignments.users.map((u) => u.id)], [[[classId, 3]], [s1]]);
    assert.deepEqual(
      (await admin.get<BookView[]>(url(`/classes/${classId}/books`))).body.map((b) => b.title),
      ['Class Novel'],
    );

    // The next bulk file adds a student to the class and drops Sue's enrollment (Sue stays a user).
    const users = district11()['users.csv']!.trimEnd() + '\nu-s3,,,true,org-s,student,sthree,,Sid,Three,,,,,,,09,\n';
    await rosterRun(
      district11({
        'users.csv': users,
        'enrollments.csv': table(HEADERS.enrollments, [
          { sourcedId: 'e-1', classSourcedId: 'cl-1', schoolSourcedId: 'org-s', userSourcedId: 'u-t', role: 'teacher', primary: 'true' },
          { sourcedId: 'e-2', classSourcedId: 'cl-1', schoolSourcedId: 'org-s', userSourcedId: 'u-s1', role: 'student', primary: 'false', beginDate: '2024-08-01' },
          { sourcedId: 'e-4', classSourcedId: 'cl-1', schoolSourcedId: 'org-s', userSourcedId: 'u-s3', role: 'student' },
        ]),
      }),
    );
    const s3 = await userId('u-s3');
    assert.deepEqual(await titles(s3), ['Class Novel'], 'a new member sees the class book without any new assignment');
    assert.deepEqual(await titles(s2), [], 'a dropped member no longer does');
    assert.equal(await canRead(k, customer.id, s2, novel.id), false);
    assert.equal(await canRead(k, customer.id, s3, novel.id), true);
    assert.equal(await canRead(k, customer.id, s3, extra.id), false);

    // An enrollment that has ended by its date no longer counts either.
    await k.updateTable('enrollments').set({ end_date: '2001-01-01' }).where('customer_id', '=', customer.id).where('sourced_id', '=', 'e-4').execute();
    assert.equal(await canRead(k, customer.id, s3, novel.id), false);

    // Unassigning, and deleting a title, end access at once.
    const removed = await admin.request<{ removed: number }>('DELETE', url('/assignments'), { bookIds: [extra.id], userIds: [s1] });
    assert.deepEqual([removed.status, removed.body.removed], [200, 1]);
    assert.deepEqual(await titles(s1), ['Class Novel']);
    await admin.delete(url(`/content/${novel.id}`));
    assert.deepEqual(await titles(s1), []);
    assert.deepEqual(await new AssignmentRepository(k).forClass(customer.id, classId), []);
  });

  it('assigns every title of a collection to classes in one call (the Class tab bulk action)', async () => {
    const k = t.ctx.db.kysely;
    const classId = (await k.selectFrom('classes').select('id').where('customer_id', '=', customer.id).where('sourced_id', '=', 'cl-1').executeTakeFirstOrThrow()).id;
    const x = await upload(pdf({ title: 'Set X' }), 'x.pdf');
    const y = await upload(pdf({ title: 'Set Y' }), 'y.pdf');
    const coll = await admin.post<{ id: string }>(url('/collections'), { name: 'Set' });
    await admin.request('PUT', url(`/collections/${coll.body.id}/books`), { bookIds: [x.id, y.id] });
    const res = await admin.post<{ created: number; books: number; targets: number }>(url('/assignments'), { collectionId: coll.body.id, classIds: [classId] });
    assert.deepEqual(res.body, { created: 2, books: 2, targets: 1 });
    const s1 = (await k.selectFrom('users').select('id').where('customer_id', '=', customer.id).where('sourced_id', '=', 'u-s1').executeTakeFirstOrThrow()).id;
    assert.deepEqual(
      (await booksForUser(k, customer.id, s1)).map((b) => b.title),
      ['Set X', 'Set Y'],
    );
    const bad = await admin.post<ErrorBody>(url('/assignments'), { bookIds: [x.id], classIds: ['0190a0b0-0000-7000-8000-00000000beef'], userIds: [s1] });
    assert.deepEqual([bad.status, bad.body.error.fields?.map((f) => [f.field, f.code])], [400, [['classIds[0]', 'NOT_FOUND']]]);
  });

  it("keeps customers apart: another customer's admin cannot see, read, assign or upload to this one", async () => {
    const other = await seedCustomer(t.ctx);
    const intruder = await t.client().login(other.adminEmail, other.adminPassword);
    const mine = await upload(await epub3({ title: 'Private Title' }), 'private.epub');
    const probes = [
      await intruder.get<ErrorBody>(url('/content')),
      await intruder.get<ErrorBody>(url(`/content/${mine.id}`)),
      await intruder.get<ErrorBody>(url(`/content/${mine.id}/cover`)),
      await intruder.get<ErrorBody>(`/api/customers/${other.id}/content/${mine.id}`),
      await intruder.get<ErrorBody>(`/api/customers/${other.id}/content/${mine.id}/cover`),
      await intruder.patch<ErrorBody>(`/api/customers/${other.id}/content/${mine.id}`, { title: 'Stolen' }),
      await send(pdf(), 'x.pdf', intruder),
    ];
    for (const res of probes) assert.equal(res.status, 404, JSON.stringify(res.body));
    const crossAssign = await intruder.post<ErrorBody>(`/api/customers/${other.id}/assignments`, { bookIds: [mine.id], userIds: [] });
    assert.deepEqual([crossAssign.status, crossAssign.body.error.fields?.[0]?.code], [400, 'NOT_FOUND'], "another customer's title cannot be assigned");
    const own = await intruder.get<{ total: number }>(`/api/customers/${other.id}/content?search=private`);
    assert.equal(own.body.total, 0);
    assert.equal((await admin.get<BookView>(url(`/content/${mine.id}`))).body.title, 'Private Title');
  });
});
