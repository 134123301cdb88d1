/*
 * Hostile EPUBs over real HTTP: each is answered quickly, and the API keeps answering other
 * requests (`/api/health`, polled throughout) while it is inspected. The package document's XML is
 * parsed in one pass with caps on its size, depth and element count, entities are never expanded,
 * and the inspection runs off the event loop.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { TestClient, describeEachDialect, seedCustomer } from '../../../../test/helpers/app.js';
import { epub3, epubWithPackage, fileForm } from '../../../../test/helpers/books.js';
import { startListeningApp, type ListeningApp } from '../../../../test/helpers/listening.js';

type Answer = { status: number; body: { title?: string; author?: string; error?: { code: string; message: string; fields?: { field: string; code?: string }[] } }; ms: number };

const HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">';
const TAIL =
  '<dc:identifier id="id">urn:x</dc:identifier></metadata><manifest><item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/></manifest><spine><itemref idref="c1"/></spine></package>';
const opf = (metadata: string, manifest = '') => `${HEAD}${metadata}${TAIL.replace('</manifest>', `${manifest}</manifest>`)}`;
const laughs = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`)].join('');

// Each case's package document, and what the upload must answer. All are stored uncompressed.
const CASES: { name: string; opf: string; status: number; message?: RegExp; title?: string; author?: string }[] = [
  { name: '<dc:title> repeated 200,000 times, never closed (~2 MB)', opf: opf('<dc:title>'.repeat(200_000)), status: 400, message: /nests elements more than 32 deep/ },
  {
    name: 'elements nested 100,000 deep, all closed',
    opf: opf(`${'<x>'.repeat(100_000)}${'</x>'.repeat(100_000)}<dc:title>Deep</dc:title>`),
    status: 400,
    message: /nests elements more than 32 deep/,
  },
  { name: 'a 3 MB attribute', opf: opf(`<dc:title>Huge Attribute</dc:title><meta name="x" content="${'a'.repeat(3_000_000)}"/>`), status: 201, title: 'Huge Attribute' },
  {
    name: 'billion laughs (DOCTYPE entities)',
    opf: opf('<dc:title>&lol9;</dc:title>').replace('<package', `<!DOCTYPE package [${laughs}]>\n<package`),
    status: 400,
    message: /declares entities in its DOCTYPE/,
  },
  { name: 'an entity reference that no DOCTYPE declares', opf: opf('<dc:title>&lol9;</dc:title>'), status: 400, message: /not well-formed XML/ },
  {
    name: '60,000 manifest items',
    opf: opf('<dc:title>Many</dc:title>', Array.from({ length: 60_000 }, (_, i) => `<item id="i${i}" href="i${i}"/>`).join('')),
    status: 400,
    message: /more than 50,000 elements/,
  },
  {
    name: '40,000 closed titles and creators: the first title and three creators win',
    opf: opf(
      `${'<dc:title>First</dc:title>'}${'<dc:title>Later</dc:title>'.repeat(20_000)}${'<dc:creator>Ann</dc:creator><dc:creator>Bo</dc:creator><dc:creator>Cy</dc:creator>'}${'<dc:creator>Dee</dc:creator>'.repeat(20_000)}`,
    ),
    status: 201,
    title: 'First',
    author: 'Ann, Bo, Cy',
  },
  {
    name: 'an element with 300,000 attributes',
    opf: opf(`<dc:title>Attrs</dc:title><meta ${Array.from({ length: 300_000 }, (_, i) => `a${i}=""`).join(' ')}/>`),
    status: 400,
    message: /more than 64 attributes/,
  },
  { name: 'a package document over 4 MB', opf: opf(`<dc:title>Big</dc:title><!--${'x'.repeat(4.5 * 1024 * 1024)}-->`), status: 400, message: /larger than 4 MB/ },
];

describeEachDialect('Hostile EPUBs', (dialect) => {
  let l: ListeningApp;
  let admin: TestClient;
  let customer: Awaited<ReturnType<typeof seedCustomer>>;
  before(async () => {
    l = await startListeningApp(dialect);
    customer = await seedCustomer(l.ctx, { rostering: { suffix: `@${dialect}` } });
    admin = await new TestClient(l.app).login(customer.adminEmail, customer.adminPassword);
    // A first upload starts the inspection workers (a fraction of a second, more on a busy machine): the timings below are the files' own.
    const warm = fileForm(await epub3(), 'warm.epub');
    assert.equal((await admin.request('POST', `/api/customers/${customer.id}/content`, warm.body, warm.headers)).status, 201);
  });
  after(() => l.close());

  // Over a real socket, so the upload and the health probes share the server's event loop for real.
  const call = (method: string, urlPath: string, body?: Buffer, headers: Record<string, string> = {}) =>
    new Promise<Answer>((resolve, reject) => {
      const started = performance.now();
      const req = http.request(`${l.url}${urlPath}`, { method, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {}, ms: performance.now() - started }));
      });
      req.on('error', reject);
      req.end(body);
    });

  // Uploads `bytes` while /api/health is asked, one request after another, until the upload answers.
  const uploadWhileProbing = async (bytes: Buffer) => {
    const form = fileForm(bytes, 'hostile.epub');
    const upload = call('POST', `/api/customers/${customer.id}/content`, form.body, { ...form.headers, cookie: admin.cookie ?? '', 'x-csrf-token': admin.csrf ?? '' });
    let done = false;
    void upload.finally(() => (done = true)).catch(() => undefined);
    const health: number[] = [];
    while (!done) {
      const probe = await call('GET', '/api/health');
      assert.equal(probe.status, 200);
      health.push(probe.ms);
      await new Promise((r) => setTimeout(r, 10));
    }
    return { answer: await upload, health };
  };

  const storedFiles = () => {
    const dir = path.join(l.ctx.config.dataDir, 'content', customer.id);
    return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
  };

  it('answers each hostile package document in well under 5 s, and health in under 1 s meanwhile', async (t) => {
    for (const c of CASES) {
      const before = storedFiles();
      const { answer, health } = await uploadWhileProbing(await epubWithPackage(c.opf));
      t.diagnostic(`${c.name}: ${answer.status} in ${Math.round(answer.ms)} ms; health max ${Math.round(Math.max(...health))} ms over ${health.length} probes`);
      assert.equal(answer.status, c.status, `${c.name}: ${JSON.stringify(answer.body).slice(0, 300)}`);
      assert.ok(answer.ms < 4000, `${c.name}: the upload took ${Math.round(answer.ms)} ms`);
      assert.ok(health.length > 0 && Math.max(...health) < 1000, `${c.name}: health took up to ${Math.round(Math.max(...health))} ms (${health.length} probes)`);
      if (c.status === 201) {
        assert.equal(answer.body.title, c.title, c.name);
        if (c.author) assert.equal(answer.body.author, c.author, c.name);
      } else {
        assert.equal(answer.body.error?.code, 'VALIDATION_FAILED', c.name);
        assert.deepEqual(
          answer.body.error?.fields?.map((f) => [f.field, f.code]),
          [['file', 'FILE_CORRUPT']],
          c.name,
        );
        assert.match(answer.body.error?.message ?? '', c.message ?? /./, c.name);
        assert.deepEqual(storedFiles(), before, `${c.name}: a refused book leaves no file`);
      }
    }
  });
});
