/*
 * POST /lti/launch end to end over real HTTP: launches signed by an independent OAuth 1.0a
 * implementation (the oauth-1.0a package), rostered users created by real roster runs, and the
 * session the launch starts used on the next request.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { operatorActor } from '../../src/accounts/policy.js';
import { canRead } from '../../src/content/assignment-repository.js';
import { LaunchService } from '../../src/lti/launch-service.js';
import { launchRole } from '../../src/lti/roles.js';
import { describeEachDialect } from '../helpers/app.js';
import { insertBook } from '../helpers/lti-fixtures.js';
import { formBody, launchParams, signLaunch } from '../helpers/lti.js';
import { get, importRoster, ltiCustomer, postLaunch, schoolRoster, signed, startLtiServer, type LaunchResponse, type LtiServer } from './lti-server.js';
import { userRow } from '../helpers/roster-rows.js';

const RETURN = 'https://lms.example.edu/courses/1/return';
const uid = () => `lms-${crypto.randomBytes(4).toString('hex')}`;

/** The error message and log a refused launch sends back to the LMS. */
function returned(res: LaunchResponse): { message: string; log: string } {
  assert.equal(res.status, 303, res.body);
  assert.ok(res.location?.startsWith(`${RETURN}?`), `expected a redirect to the return URL, got ${res.location}`);
  assert.equal(res.setCookie, null, 'a refused launch starts no session');
  const u = new URL(res.location!);
  return { message: u.searchParams.get('lti_errormsg') ?? '', log: u.searchParams.get('lti_errorlog') ?? '' };
}

describeEachDialect('LTI 1.1 launch', (dialect) => {
  let s: LtiServer;
  let c: Awaited<ReturnType<typeof ltiCustomer>>;

  /** The user a session cookie belongs to, asked of the API like the reader asks it. */
  const whoAmI = async (cookie: string | null) => {
    assert.ok(cookie, 'expected a session cookie');
    const res = await get(s, '/api/auth/session', cookie);
    assert.equal(res.status, 200, res.body);
    return (JSON.parse(res.body) as { user: { id: string; role: string; customerId: string } }).user;
  };
  const userBy = (column: 'sourced_id' | 'id', value: string) => s.ctx.db.kysely.selectFrom('users').selectAll().where('customer_id', '=', c.id).where(column, '=', value).executeTakeFirstOrThrow();
  const setRule = (matchWith: 'sourcedId' | 'identifier' | 'username' | 'email', suffix: string) => s.ctx.customers.update(operatorActor, c.id, { rostering: { matchWith, suffix } });

  before(async () => {
    s = await startLtiServer(dialect);
    c = await ltiCustomer(s.ctx, { rostering: { matchWith: 'identifier', suffix: '@lincoln' } });
    await importRoster(
      s.ctx,
      c.id,
      schoolRoster([
        userRow('stu-ada', { username: 'ada', identifier: 'S-1001', email: 'Ada.Park@school.example' }),
        userRow('stu-bo', { username: 'bo', identifier: 'S-1002', email: 'bo@school.example' }),
        userRow('tch-cy', { username: 'cy', identifier: 'T-2001', email: 'cy@school.example', role: 'teacher' }),
        userRow('stu-gone', { username: 'gone', identifier: 'S-1099', email: 'gone@school.example' }),
        userRow('stu-twin1', { username: 'twin1', identifier: 'S-1100', email: 'twins@school.example' }),
        userRow('stu-twin2', { username: 'twin2', identifier: 'S-1101', email: 'twins@school.example' }),
        userRow('adm-di', { username: 'di', identifier: 'A-3001', email: 'di@school.example', role: 'administrator' }),
      ]),
    );
  });
  after(() => s.close());

  it('signs a rostered student in: 303 into the reader with an HttpOnly SameSite=Lax session cookie that the next request uses', async () => {
    const res = await postLaunch(s, signed(s, c, { user_id: uid(), lis_person_sourcedid: 'S-1001' }));
    assert.equal(res.status, 303, res.body);
    assert.equal(res.location, '/reader');
    assert.match(res.setCookie ?? '', /^lectern_session=[^;]+;/);
    assert.match(res.setCookie!, /HttpOnly/i);
    assert.match(res.setCookie!, /SameSite=Lax/i);
    assert.match(res.setCookie!, /Path=\//i);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const me = await whoAmI(res.cookie);
    assert.equal(me.id, (await userBy('sourced_id', 'stu-ada')).id);
    assert.equal(me.role, 'student');
  });

  describe('Match with rules, with and without the Suffix', () => {
    it('sourcedId: lis_person_sourcedid is the roster sourcedId, exactly', async () => {
      await setRule('sourcedId', '@lincoln');
      const res = await postLaunch(s, signed(s, c, { user_id: uid(), lis_person_sourcedid: 'stu-bo' }));
      assert.equal((await whoAmI(res.cookie)).id, (await userBy('sourced_id', 'stu-bo')).id);
      // custom_person_sourcedid ($Person.sourcedId) when the LMS does not send lis_person_sourcedid.
      const custom = await postLaunch(s, signed(s, c, { user_id: uid(), custom_person_sourcedid: 'stu-bo' }));
      assert.equal((await whoAmI(custom.cookie)).id, (await userBy('sourced_id', 'stu-bo')).id);
    });

    it('identifier: lis_person_sourcedid, else ext_d2l_orgdefinedid, is the roster identifier (the Suffix does not apply)', async () => {
      await setRule('identifier', '@lincoln');
      const res = await postLaunch(s, signed(s, c, { user_id: uid(), lis_person_sourcedid: 'S-1002' }));
      assert.equal((await whoAmI(res.cookie)).id, (await userBy('sourced_id', 'stu-bo')).id);
      const d2l = await postLaunch(s, signed(s, c, { user_id: uid(), ext_d2l_orgdefinedid: 'T-2001', roles: 'Instructor' }));
      const me = await whoAmI(d2l.cookie);
      assert.equal(me.id, (await userBy('sourced_id', 'tch-cy')).id);
      assert.equal(me.role, 'teacher');
    });

    it('username: ext_user_username (and friends) plus the Suffix is the login; without a Suffix the username alone', async () => {
      await setRule('username', '@lincoln');
      const moodle = await postLaunch(s, signed(s, c, { user_id: uid(), ext_user_username: 'Ada' }));
      assert.equal((await whoAmI(moodle.cookie)).id, (await userBy('sourced_id', 'stu-ada')).id);
      const canvas = await postLaunch(s, signed(s, c, { user_id: uid(), custom_canvas_user_login_id: 'ada@lincoln' }));
      assert.equal((await whoAmI(canvas.cookie)).id, (await userBy('sourced_id', 'stu-ada')).id);
      const d2l = await postLaunch(s, signed(s, c, { user_id: uid(), ext_d2l_username: 'bo' }));
      assert.equal((await whoAmI(d2l.cookie)).id, (await userBy('sourced_id', 'stu-bo')).id);

      // A customer without a Suffix: logins are the bare usernames.
      const plain = await ltiCustomer(s.ctx, { rostering: { matchWith: 'username', suffix: '' } });
      await importRoster(s.ctx, plain.id, schoolRoster([userRow('p-bo', { username: 'Bo.Plain', identifier: 'P-1' })]));
      const bare = await postLaunch(s, signed(s, plain, { user_id: uid(), ext_user_username: 'bo.plain' }));
      const me = await whoAmI(bare.cookie);
      assert.equal(me.customerId, plain.id);
      assert.equal((await s.ctx.db.kysely.selectFrom('users').select('sourced_id').where('id', '=', me.id).executeTakeFirstOrThrow()).sourced_id, 'p-bo');
    });

    it('email: lis_person_contact_email_primary, compared without case; two accounts with one email are refused', async () => {
      await setRule('email', '@lincoln');
      const res = await postLaunch(s, signed(s, c, { user_id: uid(), lis_person_contact_email_primary: 'ada.park@SCHOOL.example' }));
      assert.equal((await whoAmI(res.cookie)).id, (await userBy('sourced_id', 'stu-ada')).id);
      const twins = returned(await postLaunch(s, signed(s, c, { user_id: uid(), lis_person_contact_email_primary: 'twins@school.example' })));
      assert.match(twins.message, /More than one Lectern account/);
      assert.match(twins.log, /^LTI_AMBIGUOUS_USER/);
    });

    it('never opens an administrator account, whatever matches', async () => {
      await setRule('email', '@lincoln');
      const res = returned(await postLaunch(s, signed(s, c, { user_id: uid(), lis_person_contact_email_primary: 'di@school.example' })));
      assert.match(res.log, /^LTI_ADMIN_ACCOUNT/);
    });
  });

  // Re-applies the same roster (login names follow the Suffix).
  const importRosterAgain = async () => {
    const rows = await s.ctx.db.kysely.selectFrom('users').selectAll().where('customer_id', '=', c.id).where('source', '=', 'roster').where('status', '=', 'active').execute();
    await importRoster(
      s.ctx,
      c.id,
      schoolRoster(rows.map((u) => userRow(u.sourced_id!, { username: u.username, identifier: u.identifier, email: u.email, role: u.role === 'institute_admin' ? 'administrator' : u.role }))),
    );
  };

  it('remembers the LMS user after the first match and uses that link first', async () => {
    await setRule('identifier', '@lincoln');
    const lmsUser = uid();
    const guid = 'lms.example.edu';
    const first = await postLaunch(s, signed(s, c, { user_id: lmsUser, tool_consumer_instance_guid: guid, lis_person_sourcedid: 'S-1001' }));
    const ada = (await userBy('sourced_id', 'stu-ada')).id;
    assert.equal((await whoAmI(first.cookie)).id, ada);
    // Later launches of that LMS user reach Ada even with another (or no) sourcedid.
    const renamed = await postLaunch(s, signed(s, c, { user_id: lmsUser, tool_consumer_instance_guid: guid, lis_person_sourcedid: 'S-1002' }));
    assert.equal((await whoAmI(renamed.cookie)).id, ada);
    const bare = await postLaunch(s, signed(s, c, { user_id: lmsUser, tool_consumer_instance_guid: guid }));
    assert.equal((await whoAmI(bare.cookie)).id, ada);
    // The same user_id from another LMS instance is someone else.
    const other = await postLaunch(s, signed(s, c, { user_id: lmsUser, tool_consumer_instance_guid: 'other.example.edu', lis_person_sourcedid: 'S-1002' }));
    assert.equal((await whoAmI(other.cookie)).id, (await userBy('sourced_id', 'stu-bo')).id);
  });

  it('refuses a user the roster deleted, by rule and by remembered link', async () => {
    await setRule('identifier', '@lincoln');
    const lmsUser = uid();
    const before = await postLaunch(s, signed(s, c, { user_id: lmsUser, lis_person_sourcedid: 'S-1099' }));
    assert.equal(before.status, 303);
    // A bulk file without stu-gone deletes them (soft).
    const rows = await s.ctx.db.kysely
      .selectFrom('users')
      .selectAll()
      .where('customer_id', '=', c.id)
      .where('source', '=', 'roster')
      .where('status', '=', 'active')
      .where('sourced_id', '!=', 'stu-gone')
      .execute();
    await importRoster(
      s.ctx,
      c.id,
      schoolRoster(rows.map((u) => userRow(u.sourced_id!, { username: u.username, identifier: u.identifier, email: u.email, role: u.role === 'institute_admin' ? 'administrator' : u.role }))),
    );
    assert.equal((await userBy('sourced_id', 'stu-gone')).status, 'deleted');
    const byLink = returned(await postLaunch(s, signed(s, c, { user_id: lmsUser, lis_person_sourcedid: 'S-1099' })));
    assert.match(byLink.message, /removed by your school/);
    const byRule = returned(await postLaunch(s, signed(s, c, { user_id: uid(), lis_person_sourcedid: 'S-1099' })));
    assert.match(byRule.log, /^LTI_ACCOUNT_REMOVED/);
    // The session the user had before ended with the deletion.
    assert.equal((await get(s, '/api/auth/session', before.cookie)).status, 401);
  });

  describe('unmatched users', () => {
    it("'create' (the default) makes an LTI-only reader user with the launch's role, once, that roster runs leave alone", async () => {
      await setRule('identifier', '@lincoln');
      const lmsUser = uid();
      const params = {
        user_id: lmsUser,
        lis_person_sourcedid: 'S-5555',
        roles: 'urn:lti:role:ims/lis/Instructor',
        lis_person_name_given: 'Eve',
        lis_person_name_family: 'Stone',
        lis_person_contact_email_primary: 'eve@school.example',
      };
      const first = await postLaunch(s, signed(s, c, params));
      assert.equal(first.status, 303, first.body);
      const me = await whoAmI(first.cookie);
      assert.equal(me.role, 'teacher');
      const eve = await userBy('id', me.id);
      assert.equal(eve.source, 'lti');
      assert.equal(eve.sourced_id, null);
      assert.equal(eve.password_hash, null);
      assert.deepEqual([eve.given_name, eve.family_name, eve.email], ['Eve', 'Stone', '']);
      const again = await postLaunch(s, signed(s, c, { ...params, roles: 'Learner' }));
      assert.equal((await whoAmI(again.cookie)).id, me.id);
      assert.equal((await userBy('id', me.id)).role, 'student', "an LTI-only user's role follows the LMS");

      // A bulk roster run that does not know Eve neither deletes nor adopts her account.
      await importRosterAgain();
      assert.equal((await userBy('id', me.id)).status, 'active');
      assert.equal((await userBy('id', me.id)).sourced_id, null);
    });

    it('hands an LTI-only user over to the rostered account once a roster run brings them, with their reading progress', async () => {
      await setRule('identifier', '@lincoln');
      const lmsUser = uid();
      const params = { user_id: lmsUser, lis_person_sourcedid: 'S-7777', lis_person_contact_email_primary: 'fay@school.example' };
      const first = await postLaunch(s, signed(s, c, params));
      const ltiOnly = (await whoAmI(first.cookie)).id;
      const bookId = await addBook('Progress carried');
      await s.ctx.db.kysely
        .insertInto('reading_progress')
        .values({ customer_id: c.id, user_id: ltiOnly, book_id: bookId, position: 'page:3', progress: 0.3, updated_at: new Date().toISOString() })
        .execute();

      const rows = await s.ctx.db.kysely.selectFrom('users').selectAll().where('customer_id', '=', c.id).where('source', '=', 'roster').where('status', '=', 'active').execute();
      await importRoster(
        s.ctx,
        c.id,
        schoolRoster([
          ...rows.map((u) => userRow(u.sourced_id!, { username: u.username, identifier: u.identifier, email: u.email, role: u.role === 'institute_admin' ? 'administrator' : u.role })),
          userRow('stu-fay', { username: 'fay', identifier: 'S-7777', email: 'fay@school.example' }),
        ]),
      );
      const fay = await userBy('sourced_id', 'stu-fay');
      assert.notEqual(fay.id, ltiOnly, 'the roster created its own account');

      const next = await postLaunch(s, signed(s, c, params));
      assert.equal((await whoAmI(next.cookie)).id, fay.id);
      assert.equal((await userBy('id', ltiOnly)).status, 'deleted');
      assert.equal((await get(s, '/api/auth/session', first.cookie)).status, 401, "the LTI-only account's sessions end");
      const progress = await s.ctx.db.kysely.selectFrom('reading_progress').selectAll().where('user_id', '=', fay.id).execute();
      assert.deepEqual(
        progress.map((p) => [p.book_id, p.progress]),
        [[bookId, 0.3]],
      );
      // And from now on the link is to the rostered account.
      const later = await postLaunch(s, signed(s, c, { user_id: lmsUser }));
      assert.equal((await whoAmI(later.cookie)).id, fay.id);
    });

    it('makes one LTI-only account when the same new person launches several times at once', async () => {
      const lmsUser = uid();
      const launches = Array.from({ length: 6 }, () => postLaunch(s, signed(s, c, { user_id: lmsUser, lis_person_sourcedid: 'S-6666' })));
      const results = await Promise.all(launches);
      assert.deepEqual(
        results.map((r) => r.status),
        [303, 303, 303, 303, 303, 303],
      );
      const ids = new Set(await Promise.all(results.map(async (r) => (await whoAmI(r.cookie)).id)));
      assert.equal(ids.size, 1);
      const accounts = await s.ctx.db.kysely.selectFrom('users').select('id').where('customer_id', '=', c.id).where('source', '=', 'lti').where('status', '=', 'active').execute();
      assert.equal(accounts.filter((a) => ids.has(a.id)).length, 1);
      const links = await s.ctx.db.kysely.selectFrom('lti_user_links').selectAll().where('customer_id', '=', c.id).where('lti_user_id', '=', lmsUser).execute();
      assert.equal(links.length, 1);
    });

    it("'refuse' sends the person back to the LMS with a message, and creates nobody", async () => {
      await s.ctx.customers.update(operatorActor, c.id, { lti: { unmatchedUsers: 'refuse' } });
      try {
        const count = async () =>
          Number(
            (
              await s.ctx.db.kysely
                .selectFrom('users')
                .select((eb) => eb.fn.countAll<number>().as('n'))
                .where('customer_id', '=', c.id)
                .executeTakeFirstOrThrow()
            ).n,
          );
        const before = await count();
        const res = returned(await postLaunch(s, signed(s, c, { user_id: uid(), lis_person_sourcedid: 'S-0000' })));
        assert.match(res.message, /not linked to a Lectern account/);
        assert.match(res.log, /^LTI_UNKNOWN_USER/);
        assert.equal(await count(), before);
        const view = await s.ctx.customers.get(operatorActor, c.id);
        assert.equal(view.lti.unmatchedUsers, 'refuse');
      } finally {
        await s.ctx.customers.update(operatorActor, c.id, { lti: { unmatchedUsers: 'create' } });
      }
    });
  });

  it('sweeps expired nonces and launch tickets on a launch', async () => {
    const past = new Date(Date.now() - 3600_000).toISOString();
    await s.ctx.db.kysely.insertInto('lti_nonces').values({ consumer_key: c.key, nonce: 'old-nonce', expires_at: past }).execute();
    await s.ctx.db.kysely
      .insertInto('lti_launch_tickets')
      .values({ id: 'old-ticket', customer_id: c.id, user_id: (await userBy('sourced_id', 'stu-ada')).id, target: '/reader', expires_at: past })
      .execute();
    // A fresh service (as after a restart) sweeps on its first launch, then at most every ten minutes.
    const service = new LaunchService(s.ctx.db.kysely, s.ctx.secrets, s.ctx.accounts, canRead, { publicUrl: s.url });
    await service.launch('/lti/launch', signed(s, c, { user_id: uid(), lis_person_sourcedid: 'S-1001' }), { ip: '127.0.0.1', userAgent: 'test', framed: false });
    const left = await s.ctx.db.kysely.selectFrom('lti_nonces').select('nonce').where('consumer_key', '=', c.key).where('nonce', '=', 'old-nonce').execute();
    assert.deepEqual(left, []);
    assert.deepEqual(await s.ctx.db.kysely.selectFrom('lti_launch_tickets').select('id').where('id', '=', 'old-ticket').execute(), []);
  });

  it('accepts the form with a charset parameter, as browsers may send it', async () => {
    const res = await fetch(`${s.url}/lti/launch`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' },
      body: formBody(signed(s, c, { user_id: uid(), lis_person_sourcedid: 'S-1001' })),
      redirect: 'manual',
    });
    assert.equal(res.status, 303);
  });

  it('refuses a replayed launch, back to the LMS', async () => {
    const pairs = signed(s, c, { user_id: uid(), lis_person_sourcedid: 'S-1001' });
    assert.equal((await postLaunch(s, pairs)).status, 303);
    const replay = returned(await postLaunch(s, pairs));
    assert.match(replay.log, /^LTI_REPLAYED/);
  });

  it('answers a bad signature with an error page and no redirect, even with a return URL in the form', async () => {
    for (const pairs of [signed(s, c, { user_id: uid() }, { secret: 'not-the-secret' }), signed({ ...s }, { key: 'nobody-0000', secret: 'x' }, { user_id: uid() })]) {
      const res = await postLaunch(s, pairs);
      assert.equal(res.status, 401);
      assert.equal(res.location, null);
      assert.equal(res.setCookie, null);
      assert.match(res.contentType, /^text\/html/);
      assert.match(res.body, /could not be verified/);
      assert.doesNotMatch(res.body, /at \w+ \(|stack|Error:/);
    }
    // Signed for another URL (the LMS was given a different launch URL).
    const wrongUrl = await postLaunch(s, signed(s, c, { user_id: uid() }, { url: 'http://elsewhere.example/lti/launch' }));
    assert.equal(wrongUrl.status, 401);
    // Not a form post at all.
    const json = await fetch(`${s.url}/lti/launch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', redirect: 'manual' });
    assert.equal(json.status, 415);
    assert.match(await json.text(), /form post/);
  });

  it('refuses launches for a disabled customer', async () => {
    const d = await ltiCustomer(s.ctx);
    await s.ctx.customers.update(operatorActor, d.id, { status: 'disabled' });
    const res = returned(await postLaunch(s, signed(s, d, { user_id: uid() })));
    assert.match(res.message, /organisation is disabled/);
    const noReturn = await postLaunch(s, signLaunch({ url: s.launchUrl, key: d.key, secret: d.secret, params: { ...launchParams({ user_id: uid() }), launch_presentation_return_url: '' } }));
    assert.equal(noReturn.status, 403);
    assert.equal(noReturn.setCookie, null);
  });

  it('refuses the LTI 1.1 key of a customer that moved to LTI 1.3 only, and takes it again while the customer holds both', async () => {
    const d = await ltiCustomer(s.ctx, { rostering: { matchWith: 'identifier', suffix: '' } });
    await importRoster(s.ctx, d.id, schoolRoster([userRow('stu-mo', { username: 'mo', identifier: 'S-5001' })]));
    const launchAs = () => postLaunch(s, signed(s, d, { user_id: uid(), lis_person_sourcedid: 'S-5001' }));
    await s.ctx.customers.update(operatorActor, d.id, { lti: { version: '1.3' } });
    const refused = returned(await launchAs());
    assert.match(refused.message, /now connects to Lectern with LTI 1\.3/);
    assert.match(refused.log, /^LTI_VERSION_RETIRED/);
    await s.ctx.customers.update(operatorActor, d.id, { lti: { version: 'both' } });
    assert.equal((await launchAs()).status, 303);
  });

  let bookSeq = 0;
  const addBook = (title: string): Promise<string> => insertBook(s.ctx.db.kysely, c.id, title, { file_key: `k-${++bookSeq}` });

  it('custom_bookid opens the book when it is assigned to the user (or their class), and refuses it otherwise', async () => {
    await setRule('identifier', '@lincoln');
    const assigned = await addBook('Assigned to the class');
    const other = await addBook('Not assigned');
    const classId = (await s.ctx.db.kysely.selectFrom('classes').select('id').where('customer_id', '=', c.id).where('sourced_id', '=', 'c1').executeTakeFirstOrThrow()).id;
    await s.ctx.db.kysely
      .insertInto('assignments')
      .values({ id: crypto.randomUUID(), customer_id: c.id, book_id: assigned, target_type: 'class', target_id: classId, assigned_by: null, created_at: new Date().toISOString() })
      .execute();

    const ok = await postLaunch(s, signed(s, c, { user_id: uid(), lis_person_sourcedid: 'S-1002', custom_bookid: assigned }));
    assert.equal(ok.status, 303);
    assert.equal(ok.location, `/reader/books/${assigned}`);
    assert.ok(ok.cookie);
    const no = returned(await postLaunch(s, signed(s, c, { user_id: uid(), lis_person_sourcedid: 'S-1002', custom_bookid: other })));
    assert.match(no.message, /not available to you/);
    // Another customer's book id is as unknown as a made-up one.
    const missing = returned(await postLaunch(s, signed(s, c, { user_id: uid(), lis_person_sourcedid: 'S-1002', custom_bookid: crypto.randomUUID() })));
    assert.match(missing.log, /^LTI_TARGET_UNAVAILABLE/);
  });

  it('custom_collectionid opens the collection; no custom target opens the bookshelf', async () => {
    const collectionId = crypto.randomUUID();
    const now = new Date().toISOString();
    await s.ctx.db.kysely
      .insertInto('collections')
      .values({ id: collectionId, customer_id: c.id, name: `Summer ${collectionId}`, description: '', created_at: now, updated_at: now })
      .execute();
    const res = await postLaunch(s, signed(s, c, { user_id: uid(), lis_person_sourcedid: 'S-1002', custom_collectionid: collectionId }));
    assert.equal(res.location, `/reader/collections/${collectionId}`);
    const unknown = returned(await postLaunch(s, signed(s, c, { user_id: uid(), lis_person_sourcedid: 'S-1002', custom_collectionid: 'nope' })));
    assert.match(unknown.log, /^LTI_TARGET_UNAVAILABLE/);
  });

  it('does not let a same-site session cookie (or its missing CSRF token) get in the way of a launch', async () => {
    const admin = await fetch(`${s.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'root@lectern.test', password: 'Root-password-1' }),
    });
    const adminCookie = admin.headers.getSetCookie()[0]!.split(';')[0]!;
    const res = await postLaunch(s, signed(s, c, { user_id: uid(), lis_person_sourcedid: 'S-1001' }), { headers: { cookie: adminCookie } });
    assert.equal(res.status, 303, res.body);
    assert.equal((await whoAmI(res.cookie)).id, (await userBy('sourced_id', 'stu-ada')).id);
  });

  it('inside an LMS iframe: a framable page whose single-use ticket opens Lectern in its own window, signed in', async () => {
    const res = await postLaunch(s, signed(s, c, { user_id: uid(), lis_person_sourcedid: 'S-1001' }), { headers: { 'sec-fetch-dest': 'iframe' } });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.setCookie, null, 'no cookie in a third-party frame: browsers would drop it');
    assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors \*/);
    assert.equal(res.headers.get('x-frame-options'), null);
    assert.match(res.body, /<form method="post" action="\/lti\/continue" target="_blank">/);
    const ticket = /name="ticket" value="([^"]+)"/.exec(res.body)?.[1] ?? '';
    assert.ok(ticket, res.body);
    const continueWith = (value: string) => postLaunch(s, [['ticket', value]], { path: '/lti/continue' });
    const opened = await continueWith(ticket);
    assert.equal(opened.status, 303);
    assert.equal(opened.location, '/reader');
    assert.equal((await whoAmI(opened.cookie)).id, (await userBy('sourced_id', 'stu-ada')).id);
    const reused = await continueWith(ticket);
    assert.equal(reused.status, 410);
    assert.equal(reused.setCookie, null);
    assert.equal((await continueWith('made-up')).status, 410);
    // Without Sec-Fetch-Dest the LMS's launch_presentation_document_target decides.
    const declared = await postLaunch(s, signed(s, c, { user_id: uid(), lis_person_sourcedid: 'S-1001', launch_presentation_document_target: 'iframe' }));
    assert.equal(declared.status, 200);
    assert.match(declared.body, /Open Lectern in a new window/);
  });

  it('honours a target in the launch URL query, which the signature covers', async () => {
    const collectionId = crypto.randomUUID();
    const now = new Date().toISOString();
    await s.ctx.db.kysely
      .insertInto('collections')
      .values({ id: collectionId, customer_id: c.id, name: `Query ${collectionId}`, description: '', created_at: now, updated_at: now })
      .execute();
    const path = `/lti/launch?custom_collectionid=${collectionId}`;
    const res = await postLaunch(s, signLaunch({ url: `${s.url}${path}`, key: c.key, secret: c.secret, params: launchParams({ user_id: uid(), lis_person_sourcedid: 'S-1001' }) }), { path });
    assert.equal(res.status, 303, res.body);
    assert.equal(res.location, `/reader/collections/${collectionId}`);
    // A query added to a launch signed without it is a forgery.
    const added = await postLaunch(s, signed(s, c, { user_id: uid() }), { path });
    assert.equal(added.status, 401);
  });
});

describe('LTI roles', () => {
  it('maps short names and URNs to teacher, student or reader, the course role first', () => {
    assert.equal(launchRole('Instructor'), 'teacher');
    assert.equal(launchRole('urn:lti:role:ims/lis/Instructor'), 'teacher');
    assert.equal(launchRole('urn:lti:role:ims/lis/Instructor/GuestInstructor'), 'teacher');
    assert.equal(launchRole('TeachingAssistant'), 'teacher');
    assert.equal(launchRole('ContentDeveloper'), 'teacher');
    assert.equal(launchRole('Learner'), 'student');
    assert.equal(launchRole(' urn:lti:role:ims/lis/learner '), 'student');
    assert.equal(launchRole('urn:lti:instrole:ims/lis/Learner,Learner'), 'student');
    assert.equal(launchRole('urn:lti:instrole:ims/lis/Faculty,Learner'), 'student', 'a faculty member taking a course is a student in it');
    assert.equal(launchRole('urn:lti:instrole:ims/lis/Faculty'), 'teacher');
    assert.equal(launchRole('urn:lti:instrole:ims/lis/Student'), 'student');
    assert.equal(launchRole('Mentor'), 'reader');
    assert.equal(launchRole(''), 'reader');
    assert.equal(launchRole(undefined), 'reader');
  });
});
