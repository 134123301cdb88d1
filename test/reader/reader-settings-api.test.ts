import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_EMAIL, ADMIN_PASSWORD, describeEachDialect, startTestApp, type TestApp } from '../helpers/app.js';
import { STUDENT_PASSWORD, setUpSchool, type School } from './school.js';

interface Settings {
  font: string;
  fontSize: number;
  lineSpacing: string;
  theme: string;
  language: string | null;
}
interface ErrorBody {
  error: { code: string; message: string; fields?: { field: string; message: string }[] };
}

const DEFAULTS: Settings = { font: 'book', fontSize: 100, lineSpacing: 'normal', theme: 'standard', language: null };
const MINE: Settings = { font: 'dyslexic', fontSize: 130, lineSpacing: 'loose', theme: 'high-contrast', language: 'es' };

describeEachDialect('Reader settings API', (dialect) => {
  let t: TestApp;
  let a: School;
  let b: School;
  const as = async (login: string) => t.client().login(login, STUDENT_PASSWORD);

  before(async () => {
    t = await startTestApp(dialect);
    await t.ctx.jobs.start({ concurrency: 1 });
    a = await setUpSchool(t.ctx, t.app, '@lincoln');
    b = await setUpSchool(t.ctx, t.app, '@oak', ' (Oak)');
  });
  after(() => t.close());

  describe('GET and PUT /api/reader/settings', () => {
    it('answers the defaults before a reader chooses, then what they saved, on every device', async () => {
      const laptop = await as(a.logins.algebraStudent);
      assert.deepEqual((await laptop.get<Settings>('/api/reader/settings')).body, DEFAULTS);
      const saved = await laptop.request<Settings>('PUT', '/api/reader/settings', MINE);
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
      assert.deepEqual(saved.body, MINE);
      const phone = await as(a.logins.algebraStudent);
      assert.deepEqual((await phone.get<Settings>('/api/reader/settings')).body, MINE, 'another session of the same reader sees them');
      // Back to following the browser's language.
      const followBrowser = await phone.request<Settings>('PUT', '/api/reader/settings', { ...MINE, language: null });
      assert.deepEqual([followBrowser.status, followBrowser.body.language], [200, null]);
    });

    it('keeps each reader’s settings their own: another student, and another school’s, still see the defaults', async () => {
      const mine = await as(a.logins.directStudent);
      assert.equal((await mine.request('PUT', '/api/reader/settings', { ...MINE, font: 'sans' })).status, 200);
      for (const other of [a.logins.biologyStudent, a.logins.teacher, b.logins.directStudent]) {
        assert.deepEqual((await (await as(other)).get<Settings>('/api/reader/settings')).body, DEFAULTS, other);
      }
      // One row per reader, in the reader's own customer.
      const rows = await t.ctx.db.kysely.selectFrom('reader_settings').select(['user_id', 'customer_id', 'font']).where('user_id', '=', a.userIds.directStudent).execute();
      assert.deepEqual(rows, [{ user_id: a.userIds.directStudent, customer_id: a.customerId, font: 'sans' }]);
    });

    it('refuses bad values field by field and saves nothing', async () => {
      const student = await as(a.logins.biologyStudent);
      const bad = await student.request<ErrorBody>('PUT', '/api/reader/settings', { font: 'comic', fontSize: 400, lineSpacing: 'tight', theme: 'dark', language: 'not a language' });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.code, 'VALIDATION_FAILED');
      const fields = Object.fromEntries((bad.body.error.fields ?? []).map((f) => [f.field, f.message]));
      assert.deepEqual(Object.keys(fields).sort(), ['font', 'fontSize', 'language', 'lineSpacing', 'theme']);
      assert.match(fields.font ?? '', /book, serif, sans, dyslexic/);
      assert.match(fields.fontSize ?? '', /80 to 200/);
      for (const [body, field] of [
        [{ ...MINE, fontSize: 12.5 }, 'fontSize'],
        [{ ...MINE, extra: true }, 'extra'],
      ] as const) {
        const res = await student.request<ErrorBody>('PUT', '/api/reader/settings', body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.ok(
          (res.body.error.fields ?? []).some((f) => f.field === field),
          `${field}: ${JSON.stringify(res.body)}`,
        );
      }
      const missing = await student.request<ErrorBody>('PUT', '/api/reader/settings', { font: 'serif' });
      assert.equal(missing.status, 400);
      assert.deepEqual((await student.get<Settings>('/api/reader/settings')).body, DEFAULTS, 'nothing was saved');
    });

    it('needs the CSRF token with a session cookie, a signed-in reader, and is closed to the enterprise admin', async () => {
      const student = await as(a.logins.formerStudent);
      const noCsrf = await student.request<ErrorBody>('PUT', '/api/reader/settings', MINE, { 'x-csrf-token': 'wrong' });
      assert.deepEqual([noCsrf.status, noCsrf.body.error.code], [403, 'CSRF_FAILED']);
      assert.deepEqual((await student.get<Settings>('/api/reader/settings')).body, DEFAULTS);
      const anonymous = t.client();
      assert.equal((await anonymous.get('/api/reader/settings')).status, 401);
      assert.equal((await anonymous.request('PUT', '/api/reader/settings', MINE)).status, 401);
      const admin = await t.client().login(ADMIN_EMAIL, ADMIN_PASSWORD);
      assert.equal((await admin.get('/api/reader/settings')).status, 403);
      assert.equal((await admin.request('PUT', '/api/reader/settings', MINE)).status, 403);
    });

    it('writes an audit entry naming the changed fields (never their values), and none when nothing changed', async () => {
      const student = await as(a.logins.teacher);
      const entries = () =>
        t.ctx.db.kysely
          .selectFrom('audit_log')
          .select(['action', 'target_id', 'fields', 'customer_id'])
          .where('action', '=', 'reader.settings_changed')
          .where('target_id', '=', a.userIds.teacher)
          .execute();
      assert.equal((await student.request('PUT', '/api/reader/settings', { ...DEFAULTS, theme: 'high-contrast', fontSize: 115 })).status, 200);
      assert.equal((await student.request('PUT', '/api/reader/settings', { ...DEFAULTS, theme: 'high-contrast', fontSize: 115 })).status, 200);
      const rows = await entries();
      assert.equal(rows.length, 1, 'an unchanged save is not a change');
      assert.deepEqual(JSON.parse(rows[0]?.fields ?? '[]'), ['fontSize', 'theme']);
      assert.equal(rows[0]?.customer_id, a.customerId);
      assert.ok(!(rows[0]?.fields ?? '').includes('high-contrast'));
    });
  });

  it('is listed in the OpenAPI document', async () => {
    const doc = (await t.client().get<{ paths: Record<string, Record<string, unknown>> }>('/api/openapi.json')).body;
    assert.deepEqual(Object.keys(doc.paths['/api/reader/settings'] ?? {}).sort(), ['get', 'put']);
  });
});
