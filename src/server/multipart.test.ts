/*
 * The edges of both upload routes (content and roster), over real HTTP: a body that ends before its
 * closing boundary, a connection dropped mid-file, and an upload to a customer that does not exist or
 * is not the actor's. Each answers 4xx (when anyone is left to answer) and leaves no file behind.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { ADMIN_EMAIL, ADMIN_PASSWORD, TestClient, describeEachDialect, seedCustomer } from '../../test/helpers/app.js';
import { epub3 } from '../../test/helpers/books.js';
import { district11, zipBuffer } from '../../test/helpers/bundles.js';
import { startListeningApp, type ListeningApp } from '../../test/helpers/listening.js';
import { waitFor } from '../../test/helpers/wait.js';

type ErrorBody = { error: { code: string; message: string } };
interface RawResponse {
  status: number;
  body: ErrorBody;
}

const BOUNDARY = '----lecternedge';
const partHead = (name: string) => Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
const partTail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);

// Every file under the content and bundle folders, so a test can tell that nothing was left behind.
function storedFiles(dataDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else out.push(path.relative(dataDir, full));
    }
  };
  walk(path.join(dataDir, 'content'));
  walk(path.join(dataDir, 'bundles'));
  return out.sort();
}

describeEachDialect('Upload edges (content and roster)', (dialect) => {
  let l: ListeningApp;
  let admin: TestClient;
  let customerAdmin: TestClient;
  let a: Awaited<ReturnType<typeof seedCustomer>>;
  let b: Awaited<ReturnType<typeof seedCustomer>>;
  let book: Buffer;
  let roster: Buffer;
  before(async () => {
    l = await startListeningApp(dialect);
    a = await seedCustomer(l.ctx, { rostering: { suffix: `@a-${dialect}` } });
    b = await seedCustomer(l.ctx, { rostering: { suffix: `@b-${dialect}` } });
    admin = await new TestClient(l.app).login(ADMIN_EMAIL, ADMIN_PASSWORD);
    customerAdmin = await new TestClient(l.app).login(a.adminEmail, a.adminPassword);
    // Large enough that the server has written part of it to disk before the test cuts it short.
    book = Buffer.concat([await epub3(), Buffer.alloc(512 * 1024, 7)]);
    roster = Buffer.concat([await zipBuffer(district11()), Buffer.alloc(512 * 1024, 7)]);
  });
  after(() => l.close());

  const routes = [
    { name: 'content', path: (id: string) => `/api/customers/${id}/content`, file: () => book, fileName: 'book.epub' },
    { name: 'roster', path: (id: string) => `/api/customers/${id}/roster/uploads`, file: () => roster, fileName: 'roster.zip' },
  ];

  // Opens a POST to the listening app as `client`, with a multipart content type and the given length.
  const open = (client: TestClient, urlPath: string, contentLength?: number) => {
    const headers: Record<string, string | number> = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, cookie: client.cookie ?? '', 'x-csrf-token': client.csrf ?? '' };
    if (contentLength !== undefined) headers['content-length'] = contentLength;
    const req = http.request(`${l.url}${urlPath}`, { method: 'POST', headers });
    const response = new Promise<RawResponse>((resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as ErrorBody }));
      });
      req.on('error', reject);
    });
    return { req, response };
  };

  for (const route of routes) {
    it(`${route.name}: a body whose closing boundary never comes answers 400 and leaves no file`, async () => {
      const before = storedFiles(l.ctx.config.dataDir);
      const file = route.file();
      // Chunked, so the HTTP body ends cleanly while the multipart form inside it is cut short: mid-file, or inside the part's headers.
      for (const body of [Buffer.concat([partHead(route.fileName), file.subarray(0, file.length / 2)]), partHead(route.fileName).subarray(0, 40)]) {
        const { req, response } = open(admin, route.path(a.id));
        req.end(body);
        const res = await response;
        assert.equal(res.status, 400, JSON.stringify(res.body));
        assert.equal(res.body.error.code, 'BAD_REQUEST');
        assert.match(res.body.error.message, /upload ended before the whole file arrived/i);
        assert.deepEqual(storedFiles(l.ctx.config.dataDir), before, 'no partial file is left');
      }
    });

    it(`${route.name}: a connection closed mid-file leaves no file`, async () => {
      const before = storedFiles(l.ctx.config.dataDir);
      const file = route.file();
      const { req, response } = open(admin, route.path(a.id), partHead(route.fileName).length + file.length + partTail.length);
      response.catch(() => undefined);
      req.on('error', () => undefined);
      req.write(partHead(route.fileName));
      req.write(file.subarray(0, file.length / 2));
      // Cut the connection only once the server has started writing the file, so the check below means something.
      await waitFor(() => storedFiles(l.ctx.config.dataDir).length > before.length, 'the server to start storing the upload');
      req.destroy();
      await waitFor(() => storedFiles(l.ctx.config.dataDir).length === before.length, 'the partial file to be removed');
      assert.deepEqual(storedFiles(l.ctx.config.dataDir), before);
    });

    it(`${route.name}: an unknown customer id, or another customer's id as a customer admin, answers 404 and stores nothing`, async () => {
      const before = storedFiles(l.ctx.config.dataDir);
      const file = route.file();
      const body = Buffer.concat([partHead(route.fileName), file, partTail]);
      for (const [client, id] of [
        [admin, '0190a6f0-0000-7000-8000-00000000dead'],
        [customerAdmin, b.id],
      ] as const) {
        const { req, response } = open(client, route.path(id), body.length);
        req.on('error', () => undefined);
        req.end(body);
        const res = await response;
        assert.equal(res.status, 404, `${id}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error.code, 'NOT_FOUND');
      }
      assert.deepEqual(storedFiles(l.ctx.config.dataDir), before, 'nothing is stored');
    });
  }
});
