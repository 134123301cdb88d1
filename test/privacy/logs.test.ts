/*
 * Log ids, not people (issue 16). The server's own logger settings (loggerOptions, as `lectern serve`
 * uses them) at the most talkative level, captured while a full flow runs: a roster import with
 * passwords, the admin searching for and opening a student, a failed and a good sign-in, reading
 * progress, an LTI launch that signs the student in and one that is refused, and errors. No name,
 * e-mail, username, password, session or CSRF token of the test data may be in the log.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, it } from 'node:test';
import { operatorActor } from '../../src/accounts/policy.js';
import { buildApp } from '../../src/server/app.js';
import { loggerOptions, maskedUrl } from '../../src/server/logging.js';
import type { App } from '../../src/server/types.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, TestClient, describeEachDialect, startTestApp, type TestApp } from '../helpers/app.js';
import { formBody, launchParams, signLaunch } from '../helpers/lti.js';
import { insertBook } from '../helpers/lti-fixtures.js';
import { userRow } from '../helpers/roster-rows.js';
import { importRoster, ltiCustomer, schoolRoster } from '../lti/lti-server.js';

const STUDENT = { sourcedId: 'stu-priv', username: 'zelda.quarry', givenName: 'Zelda', familyName: 'Quarrington', email: 'zelda.quarrington@mail.example', password: 'Roster-Secret-8841' };

it('a logged URL keeps its path and query names, never the values (a small number aside)', () => {
  assert.equal(maskedUrl('/api/customers/c1/users?search=Quarrington&page=2'), '/api/customers/c1/users?search=…&page=2');
  assert.equal(maskedUrl('/reader/login?next=%2Freader%2Fbooks%2Fb1'), '/reader/login?next=…');
  assert.equal(maskedUrl('/api/reader/books/b1'), '/api/reader/books/b1');
});

describeEachDialect('Nothing personal in the server log', (dialect) => {
  let t: TestApp;
  let app: App;
  const log: string[] = [];
  const secretsSeen: string[] = [];
  let customerId = '';

  before(async () => {
    t = await startTestApp(dialect);
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        log.push(chunk.toString('utf8'));
        done();
      },
    });
    app = await buildApp(t.ctx, { logger: { ...loggerOptions('trace'), stream } });
    await app.ready();
  });
  after(async () => {
    await app?.close();
    await t.close();
  });

  it('runs the flow with the log captured', async () => {
    const customer = await ltiCustomer(t.ctx, { rostering: { suffix: '@priv', matchWith: 'email' } } as never);
    customerId = customer.id;
    await importRoster(
      t.ctx,
      customer.id,
      schoolRoster([userRow(STUDENT.sourcedId, { username: STUDENT.username, givenName: STUDENT.givenName, familyName: STUDENT.familyName, email: STUDENT.email, password: STUDENT.password })]),
    );
    await t.ctx.runs.hashPasswords(customer.id);
    const login = `${STUDENT.username}@priv`;
    const book = await insertBook(t.ctx.db.kysely, customer.id, 'A Title');
    const student = await t.ctx.db.kysely.selectFrom('users').select('id').where('customer_id', '=', customer.id).where('sourced_id', '=', STUDENT.sourcedId).executeTakeFirstOrThrow();
    await t.ctx.content.assign(operatorActor, customer.id, { bookIds: [book], userIds: [student.id] });

    // The enterprise admin looks the student up by name and opens their page.
    const admin = await new TestClient(app).login(ADMIN_EMAIL, ADMIN_PASSWORD);
    assert.equal((await admin.get(`/api/customers/${customer.id}/users?search=${encodeURIComponent(STUDENT.familyName)}`)).status, 200);
    assert.equal((await admin.get(`/api/customers/${customer.id}/users/${student.id}`)).status, 200);
    // Errors: a user that is not there, a body that is not valid (with the name in it).
    assert.equal((await admin.get(`/api/customers/${customer.id}/users/no-such-user`)).status, 404);
    // A route that does not exist, searched by name (Fastify's own "Route … not found" line would log the query).
    assert.equal((await admin.get(`/api/no-such-route?search=${encodeURIComponent(STUDENT.familyName)}`)).status, 404);
    assert.equal(
      (await admin.post(`/api/customers/${customer.id}/users`, { role: 'student', givenName: STUDENT.givenName, familyName: STUDENT.familyName, login: '', email: 'not an email' })).status,
      400,
    );
    secretsSeen.push(admin.cookie ?? '', admin.csrf ?? '');

    // The student: a wrong password, then the right one, then reading.
    const wrong = await new TestClient(app).post('/api/auth/login', { login, password: 'Not-My-Password-1' });
    assert.equal(wrong.status, 401);
    const reader = await new TestClient(app).login(login, STUDENT.password);
    secretsSeen.push(reader.cookie ?? '', reader.csrf ?? '');
    assert.equal((await reader.request('PUT', `/api/reader/books/${book}/progress`, { position: 'page=3', progress: 0.25 })).status, 200);

    // LTI 1.1: a launch matched by e-mail signs the student in; one with an unknown e-mail is refused.
    const launch = async (email: string) => {
      const pairs = signLaunch({
        url: `${t.ctx.config.publicUrl}/lti/launch`,
        key: customer.key,
        secret: customer.secret,
        params: launchParams({
          user_id: `lms-${email}`,
          lis_person_contact_email_primary: email,
          lis_person_name_given: STUDENT.givenName,
          lis_person_name_family: STUDENT.familyName,
          custom_bookid: book,
        }),
      });
      return app.inject({ method: 'POST', url: '/lti/launch', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: formBody(pairs) });
    };
    const launched = await launch(STUDENT.email);
    assert.equal(launched.statusCode, 303, launched.body);
    secretsSeen.push(String(launched.headers['set-cookie'] ?? ''));
    const refused = await launch('someone.else.entirely@mail.example');
    assert.ok(refused.statusCode >= 300, 'the unknown person is refused');
  });

  it('the log has the requests, and none of the people', () => {
    const text = log.join('');
    assert.ok(text.includes('request completed') && text.includes(customerId), 'the log recorded the requests, by id');
    assert.ok(text.includes('LTI launch refused'), 'and the refused launch, by its code');
    const personal = [STUDENT.givenName, STUDENT.familyName, STUDENT.email, 'someone.else.entirely', STUDENT.username, STUDENT.password, 'Not-My-Password-1'];
    const tokens = secretsSeen.flatMap((s) => s.split(/[;,= ]+/)).filter((s) => s.length >= 20);
    assert.ok(tokens.length >= 3, 'the session and CSRF tokens to look for');
    const found = [...personal, ...tokens].filter((value) => text.toLowerCase().includes(value.toLowerCase()));
    assert.deepEqual(found, [], 'personal data or tokens in the log');
  });
});
