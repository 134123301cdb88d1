/*
 * A school set up for reader tests the way a customer admin does it: a roster bundle uploaded
 * through the API (users with passwords, two classes, a teacher of both, an ended enrollment),
 * titles uploaded through the content API, assigned to classes and to one student, and a
 * collection. Students then sign in with username + Suffix and the password from users.csv.
 */
import assert from 'node:assert/strict';
import type { AppContext } from '../../src/context.js';
import type { RunView } from '../../src/rostering/runs/run-view.js';
import { TestClient, seedCustomer } from '../helpers/app.js';
import { epub2, epub3, fileForm, pdf, pngImage } from '../helpers/books.js';
import { HEADERS, district11, table, zipBuffer } from '../helpers/bundles.js';
import { waitFor } from '../helpers/wait.js';

export const STUDENT_PASSWORD = 'Read-with-me-42';

/** What a reader test needs to know about the school it set up. */
export interface School {
  customerId: string;
  admin: TestClient;
  /** Sign-in names (username + Suffix), all with STUDENT_PASSWORD. */
  logins: { teacher: string; algebraStudent: string; directStudent: string; biologyStudent: string; formerStudent: string };
  userIds: Record<'teacher' | 'algebraStudent' | 'directStudent' | 'biologyStudent' | 'formerStudent', string>;
  classIds: { algebra: string; biology: string };
  books: { algebra: BookInfo; direct: BookInfo; biology: BookInfo; unassigned: BookInfo };
  bytes: { algebra: Buffer; direct: Buffer; biology: Buffer };
  collectionId: string;
}

/** A title as the content API answered its upload. */
export interface BookInfo {
  id: string;
  title: string;
  author: string;
  format: 'epub' | 'pdf';
  sizeBytes: number;
}

/** Sets up one school (customer) with roster, titles, assignments and a collection; `suffix` must differ per customer. */
export async function setUpSchool(ctx: AppContext, app: ConstructorParameters<typeof TestClient>[0], suffix: string, tag = ''): Promise<School> {
  const customer = await seedCustomer(ctx, { rostering: { suffix } });
  const admin = await new TestClient(app).login(customer.adminEmail, customer.adminPassword);
  const url = (p: string) => `/api/customers/${customer.id}${p}`;
  const user = (sourcedId: string, role: string, username: string, givenName: string, familyName: string) => ({
    sourcedId,
    enabledUser: 'true',
    orgSourcedIds: 'org-s',
    role,
    username,
    givenName,
    familyName,
    email: `${username}@school.example`,
    password: STUDENT_PASSWORD,
  });
  const enrollment = (sourcedId: string, classSourcedId: string, userSourcedId: string, role: string, endDate = '') => ({
    sourcedId,
    classSourcedId,
    schoolSourcedId: 'org-s',
    userSourcedId,
    role,
    primary: 'false',
    endDate,
  });
  const bundle = district11({
    'classes.csv': table(HEADERS.classes, [
      { sourcedId: 'cl-alg', title: 'Algebra P1', classCode: 'ALG-1', classType: 'scheduled', schoolSourcedId: 'org-s', courseSourcedId: 'c-1', termSourcedIds: 'as-t' },
      { sourcedId: 'cl-bio', title: 'Biology P3', classCode: 'BIO-3', classType: 'scheduled', schoolSourcedId: 'org-s', courseSourcedId: 'c-1', termSourcedIds: 'as-t' },
    ]),
    'users.csv': table(HEADERS.users11, [
      user('u-t', 'teacher', 'tpark', 'Ada', 'Park'),
      user('u-alg', 'student', 'sam.one', 'Sam', 'One'),
      user('u-dir', 'student', 'sue.two', 'Sue', 'Two'),
      user('u-bio', 'student', 'sid.three', 'Sid', 'Three'),
      user('u-old', 'student', 'olive.four', 'Olive', 'Four'),
    ]),
    'enrollments.csv': table(HEADERS.enrollments, [
      enrollment('e-t1', 'cl-alg', 'u-t', 'teacher'),
      enrollment('e-t2', 'cl-bio', 'u-t', 'teacher'),
      enrollment('e-alg', 'cl-alg', 'u-alg', 'student'),
      enrollment('e-bio', 'cl-bio', 'u-bio', 'student'),
      enrollment('e-old', 'cl-alg', 'u-old', 'student', '2020-06-30'),
    ]),
  });
  const roster = fileForm(await zipBuffer(bundle), 'roster.zip');
  const started = await admin.request<RunView>('POST', url('/roster/uploads'), roster.body, roster.headers);
  assert.equal(started.status, 202, JSON.stringify(started.body));
  const run = await waitFor(
    async () => {
      const r = await admin.get<RunView>(url(`/roster/runs/${started.body.runId}`));
      return ['queued', 'running'].includes(r.body.status) ? null : r.body;
    },
    'the roster run',
    30_000,
  );
  assert.ok(['succeeded', 'succeeded_with_warnings'].includes(run.status), JSON.stringify(run));

  const k = ctx.db.kysely;
  const idOf = async (sourcedId: string) => (await k.selectFrom('users').select('id').where('customer_id', '=', customer.id).where('sourced_id', '=', sourcedId).executeTakeFirstOrThrow()).id;
  const classOf = async (sourcedId: string) => (await k.selectFrom('classes').select('id').where('customer_id', '=', customer.id).where('sourced_id', '=', sourcedId).executeTakeFirstOrThrow()).id;
  const userIds = { teacher: await idOf('u-t'), algebraStudent: await idOf('u-alg'), directStudent: await idOf('u-dir'), biologyStudent: await idOf('u-bio'), formerStudent: await idOf('u-old') };
  // Roster passwords are hashed just after the run; sign-in works once they are.
  await waitFor(
    async () => {
      const pending = await k.selectFrom('users').select('id').where('customer_id', '=', customer.id).where('sourced_id', 'is not', null).where('password_hash', 'is', null).execute();
      return pending.length === 0;
    },
    'roster passwords to be hashed',
    30_000,
  );

  const upload = async (bytes: Buffer, name: string): Promise<BookInfo> => {
    const f = fileForm(bytes, name);
    const res = await admin.request<BookInfo>('POST', url('/content'), f.body, f.headers);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  };
  const chapters = ['Numbers Everywhere', 'Solving for X', 'Graphs and Lines', 'Word Problems', 'Review'];
  const bytes = {
    algebra: await epub3({ title: `Algebra Stories${tag}`, author: 'Nova Writer', chapters, coverColor: [31, 79, 209] }),
    direct: await epub2({ title: `Direct Reading${tag}`, author: 'Bram Writer' }),
    biology: pdf({ title: `Biology Notes${tag}`, author: 'Cell Expert', pages: 5 }),
  };
  const books = {
    algebra: await upload(bytes.algebra, 'algebra.epub'),
    direct: await upload(bytes.direct, 'direct.epub'),
    biology: await upload(bytes.biology, 'biology.pdf'),
    unassigned: await upload(pdf({ title: `Not For Anyone${tag}`, author: 'Nobody', pages: 1 }), 'none.pdf'),
  };
  const classIds = { algebra: await classOf('cl-alg'), biology: await classOf('cl-bio') };
  const assign = async (body: Record<string, string[]>) => assert.equal((await admin.post(url('/assignments'), body)).status, 200);
  await assign({ bookIds: [books.algebra.id], classIds: [classIds.algebra] });
  await assign({ bookIds: [books.biology.id], classIds: [classIds.biology] });
  await assign({ bookIds: [books.direct.id], userIds: [userIds.directStudent] });

  const collection = await admin.post<{ id: string }>(url('/collections'), { name: `Summer Reading${tag}`, description: 'Stories for the holidays' });
  assert.equal(collection.status, 201, JSON.stringify(collection.body));
  const filled = await admin.request('PUT', url(`/collections/${collection.body.id}/books`), { bookIds: [books.algebra.id, books.direct.id] });
  assert.equal(filled.status, 200, JSON.stringify(filled.body));

  const s = suffix.toLowerCase();
  return {
    customerId: customer.id,
    admin,
    logins: { teacher: `tpark${s}`, algebraStudent: `sam.one${s}`, directStudent: `sue.two${s}`, biologyStudent: `sid.three${s}`, formerStudent: `olive.four${s}` },
    userIds,
    classIds,
    books,
    bytes,
    collectionId: collection.body.id,
  };
}

/**
 * An EPUB 3 with one long chapter (several pages) that has a stylesheet and an image: epub.js hands
 * these to the page as blob: URLs, so this is the book that proves the reader's CSP lets them through.
 */
export async function illustratedEpub(title: string): Promise<Buffer> {
  const opf = `<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="id">urn:uuid:6f1c2b3a-1d2e-4f5a-8b9c-0d1e2f3a4b5c</dc:identifier>
    <dc:title>${title}</dc:title>
    <dc:creator>Ivy Illustrator</dc:creator>
    <dc:language>en</dc:language>
    <meta property="dcterms:modified">2024-01-01T00:00:00Z</meta>
  </metadata>
  <manifest>
    <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
    <item id="ch1" href="chapter1.xhtml" media-type="application/xhtml+xml"/>
    <item id="css" href="style.css" media-type="text/css"/>
    <item id="pic" href="images/picture.png" media-type="image/png"/>
  </manifest>
  <spine><itemref idref="ch1"/></spine>
</package>
`;
  const nav = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"><head><title>Contents</title></head>
<body><nav epub:type="toc"><ol><li><a href="chapter1.xhtml">Pictures</a></li></ol></nav></body></html>
`;
  const chapter = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Pictures</title><link rel="stylesheet" type="text/css" href="style.css"/></head>
<body><h1>Pictures</h1><p class="styled">A styled paragraph under a picture.</p><img id="picture" src="images/picture.png" alt="A red square"/>
${Array.from({ length: 60 }, (_, i) => `<p>Long paragraph ${i + 1}: the chapter runs over several pages, so the reader pages inside it before the next chapter.</p>`).join('\n')}
</body></html>
`;
  return zipBuffer([
    ['mimetype', { data: 'application/epub+zip', store: true }],
    [
      'META-INF/container.xml',
      '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>',
    ],
    ['OEBPS/content.opf', opf],
    ['OEBPS/nav.xhtml', nav],
    ['OEBPS/chapter1.xhtml', chapter],
    ['OEBPS/style.css', '.styled { color: rgb(140, 20, 30); font-style: italic; }\n'],
    ['OEBPS/images/picture.png', pngImage(120, 80, [200, 30, 30])],
  ]);
}
