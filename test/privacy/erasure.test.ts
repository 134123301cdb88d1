/*
 * Erasure with proof (issue 16), measured where the data physically is: after a person's erasure and
 * after a customer's, a scan of every file of the data folder (the SQLite database with its -wal and
 * -shm among them) and, on PostgreSQL, of `pg_dump --data-only` finds none of the erased values, and
 * every value of the customers and people that stay. Their certificates count what was seeded and
 * their manifests verify; a later roster that brings the erased person back makes a fresh account
 * and says so.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import { operatorActor } from '../../src/accounts/policy.js';
import { canonicalJson, sha256Hex, type Manifest } from '../../src/privacy/erasure/manifest.js';
import { ERASED_RETURNING } from '../../src/privacy/erasure/returning.js';
import type { CertificateDetailViewT } from '../../src/privacy/erasure/erasure-view.js';
import { RunRepository } from '../../src/rostering/runs/run-repository.js';
import { arraySource } from '../helpers/array-source.js';
import { describeEachDialect, startTestApp, type TestApp, type TestClient } from '../helpers/app.js';
import { readPdf } from '../helpers/pdf-text.js';
import { orgRow, userRow } from '../helpers/roster-rows.js';
import { PERSON_PASSWORD, seedErasable, type SeededCustomer } from './erasure-fixtures.js';
import { foundIn, storedBytes } from './erasure-scan.js';

describeEachDialect('Erasure leaves nothing of whom it erased, and all of everyone else', (dialect) => {
  let t: TestApp;
  let a: SeededCustomer;
  let b: SeededCustomer;
  let c: SeededCustomer;
  let admin: TestClient;

  before(async () => {
    t = await startTestApp(dialect);
    a = await seedErasable(t.ctx, 'a');
    b = await seedErasable(t.ctx, 'b');
    c = await seedErasable(t.ctx, 'c');
    // The marked people sign in: their sessions, known addresses and sign-in budgets exist.
    for (const s of [a, c]) for (const p of [s.erased, s.kept]) await t.client().login(p.login, PERSON_PASSWORD);
    admin = await t.asAdmin();
  });
  after(() => t.close());

  const rows = async (table: string, where: string, value: string) =>
    Number((await sql<{ n: number }>`select count(*) as n from ${sql.table(table)} where ${sql.ref(where)} = ${value}`.execute(t.ctx.db.kysely)).rows[0]!.n);

  it('everything seeded is there to be found before any erasure', () => {
    const stored = storedBytes(t);
    for (const s of [a, b, c])
      assert.deepEqual(foundIn(stored, s.values).length, s.values.length, `all of ${s.tag}'s values are stored: missing ${s.values.filter((v) => !foundIn(stored, [v]).length).join(', ')}`);
  });

  it("one person: their customer's admin erases them; nothing of them is left, everything of everyone else is", async () => {
    const p = c.erased;
    const before = {
      enrollments: await rows('enrollments', 'user_sourced_id', p.sourcedId),
      progress: await rows('reading_progress', 'user_id', p.userId),
      sessions: await rows('sessions', 'user_id', p.userId),
      links: await rows('lti_user_links', 'user_id', p.userId),
      calls: Number(
        (await sql<{ n: number }>`select count(*) as n from lti_outcome_calls where binding_id in (select id from lti_outcome_bindings where user_id = ${p.userId})`.execute(t.ctx.db.kysely)).rows[0]!
          .n,
      ),
      signInTokens: await rows('sign_in_tokens', 'user_id', p.userId),
      audit: Number((await sql<{ n: number }>`select count(*) as n from audit_log where target_type = 'user' and target_id = ${p.userId}`.execute(t.ctx.db.kysely)).rows[0]!.n),
    };
    assert.ok(before.sessions >= 1 && before.calls >= 1 && before.audit >= 1 && before.enrollments === 1 && before.signInTokens === 1, JSON.stringify(before));
    const cAdmin = await t.client().login(c.adminEmail, c.adminPassword);
    const res = await cAdmin.post<CertificateDetailViewT>(`/api/customers/${c.id}/users/${p.userId}/erase`, { confirm: p.login });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const cert = res.body;
    assert.equal(cert.kind, 'person');
    assert.equal(cert.personId, p.userId);
    assert.equal(cert.actor, c.adminEmail);
    assert.deepEqual(
      {
        users: cert.counts.records.users,
        enrollments: cert.counts.records.enrollments,
        progress: cert.counts.records.reading_progress,
        sessions: cert.counts.records.sessions,
        links: cert.counts.records.lti_user_links,
        calls: cert.counts.records.lti_outcome_calls,
        signInTokens: cert.counts.records.sign_in_tokens,
        audit: cert.counts.records.audit_log,
      },
      { users: 1, ...before },
    );
    assert.equal(cert.counts.files.bundles, 1, "the customer's kept roster file went with them");
    verifies(cert);

    const stored = storedBytes(t);
    assert.deepEqual(foundIn(stored, p.values), [], 'values of the erased person still stored');
    assert.deepEqual(foundIn(stored, [PERSON_PASSWORD]), [], 'a roster password stored in the clear');
    const others = [...c.values.filter((v) => !p.values.includes(v) && !c.heldOnly.includes(v)), ...a.values, ...b.values];
    assert.deepEqual(
      others.filter((v) => !foundIn(stored, [v]).length),
      [],
      'values of others that went missing',
    );

    // The runs that could hold them ended; the rest of the customer is whole.
    const runs = new RunRepository(t.ctx.db.kysely);
    const held = await runs.find(c.id, c.runs.held);
    assert.equal(held?.status, 'discarded');
    assert.equal(held?.error_code, 'PERSON_ERASED');
    assert.equal((await runs.find(c.id, c.runs.preview))?.bundle_path, null);
    for (const f of c.files.bundles) assert.ok(!fs.existsSync(f), 'the preview kept no file');
    for (const f of [...b.files.bundles, ...b.files.content, ...c.files.content]) assert.ok(fs.existsSync(f), `${f} is still there`);
    assert.equal(await rows('users', 'id', c.kept.userId), 1);
    const audit = await t.ctx.db.kysely.selectFrom('audit_log').select(['action', 'fields']).where('target_id', '=', p.userId).execute();
    assert.deepEqual(audit, [{ action: 'user.erased', fields: JSON.stringify([`certificate:${cert.id}`]) }], 'one erasure record is all the audit log keeps of them');
  });

  it('a later roster that brings the erased sourcedId makes a fresh account, and its run report says so', async () => {
    const p = c.erased;
    const run = await t.ctx.runs.create(operatorActor, c.id, { trigger: 'cli', fileName: 'return.zip', sizeBytes: 1, sha256: crypto.randomUUID(), bundlePath: null, dryRun: false });
    const done = await t.ctx.runs.execute(
      run.runId,
      c.id,
      arraySource([orgRow(`org-${c.tag}`), userRow(p.sourcedId, { username: `back${c.tag}`, orgSourcedIds: [`org-${c.tag}`] })], { modes: { users: 'delta', orgs: 'delta' } }),
    );
    assert.equal(done.status, 'succeeded', JSON.stringify(done));
    assert.equal(done.issueCounts.info, 1);
    const { items } = await new RunRepository(t.ctx.db.kysely).listIssues(c.id, run.runId, { limit: 10, offset: 0 });
    assert.deepEqual(
      items.map((i) => [i.severity, i.code, i.sourcedId]),
      [['info', ERASED_RETURNING, p.sourcedId]],
    );
    const fresh = await t.ctx.db.kysely.selectFrom('users').select(['id', 'created_run_id']).where('customer_id', '=', c.id).where('sourced_id', '=', p.sourcedId).executeTakeFirstOrThrow();
    assert.notEqual(fresh.id, p.userId, 'a new account, not the erased one');
    assert.equal(fresh.created_run_id, run.runId);
    // Only a keyed hash of the sourcedId was kept for this: never the value.
    const kept = await t.ctx.db.kysely.selectFrom('erased_sourced_ids').selectAll().where('customer_id', '=', c.id).execute();
    assert.equal(kept.length, 1);
    assert.match(kept[0]!.digest, /^[0-9a-f]{64}$/);
    assert.notEqual(kept[0]!.digest, crypto.createHash('sha256').update(p.sourcedId).digest('hex'), 'a keyed hash, not a plain one anyone could test guesses against');
  });

  it('a customer: the enterprise admin erases it; nothing of it is left but its certificate and one audit entry', async () => {
    const k = t.ctx.db.kysely;
    const userIds = (await k.selectFrom('users').select('id').where('customer_id', '=', a.id).execute()).map((r) => r.id);
    const count = async (table: 'users' | 'classes' | 'enrollments' | 'books' | 'collections' | 'assignments' | 'reading_progress' | 'roster_runs' | 'lti_outcome_calls' | 'lti_platforms') =>
      Number(
        (
          await k
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('customer_id', '=', a.id)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const expected = {
      users: await count('users'),
      classes: await count('classes'),
      enrollments: await count('enrollments'),
      books: await count('books'),
      collections: await count('collections'),
      assignments: await count('assignments'),
      reading_progress: await count('reading_progress'),
      roster_runs: await count('roster_runs'),
      lti_outcome_calls: await count('lti_outcome_calls'),
      lti_platforms: await count('lti_platforms'),
      sessions: Number(
        (
          await k
            .selectFrom('sessions')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('user_id', 'in', userIds)
            .executeTakeFirstOrThrow()
        ).n,
      ),
    };
    assert.deepEqual([expected.users, expected.books, expected.roster_runs >= 3, expected.sessions >= 2], [6, 1, true, true], JSON.stringify(expected));

    const wrong = await admin.post(`/api/customers/${a.id}/erase`, { confirm: a.name });
    assert.equal(wrong.status, 400, 'the confirmation is the code');
    const res = await admin.post<CertificateDetailViewT>(`/api/customers/${a.id}/erase`, { confirm: a.code });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const cert = res.body;
    assert.deepEqual(Object.fromEntries(Object.keys(expected).map((key) => [key, cert.counts.records[key]])), expected);
    assert.deepEqual(cert.counts.files, { content: 2, bundles: 1 }, 'the title and the temporary upload; the preview’s roster file');
    assert.ok(cert.counts.secrets >= 3, 'the LTI secret, the SFTP password and the webhook secret');
    assert.deepEqual(cert.customer, { id: a.id, code: a.code, name: a.name });
    verifies(cert);
    // The manifest names the users by their ids' digest: whoever kept the ids can check which went.
    const manifest = JSON.parse(cert.manifest) as Manifest;
    const digest = crypto.createHash('sha256');
    for (const id of [...userIds].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)))) digest.update(`${id}\n`);
    assert.equal(manifest.records.users?.sha256, digest.digest('hex'));
    assert.ok(!cert.manifest.includes(a.adminEmail) && !a.values.some((v) => cert.manifest.includes(v)), 'the manifest holds none of what it erased');

    if (dialect === 'postgres') {
      const queued = await sql<{ n: number }>`select count(*) as n from graphile_worker._private_jobs where payload->>'customerId' = ${a.id}`.execute(k);
      assert.equal(Number(queued.rows[0]!.n), 0, 'its queued jobs (grade reports) went too');
      assert.ok((cert.counts.records['graphile_worker._private_jobs'] ?? 0) >= 1);
    }
    const stored = storedBytes(t);
    assert.deepEqual(foundIn(stored, a.values), [], 'values of the erased customer still stored');
    const others = [...b.values, ...c.values.filter((v) => !c.erased.values.includes(v) && !c.heldOnly.includes(v))];
    assert.deepEqual(
      others.filter((v) => !foundIn(stored, [v]).length),
      [],
      'values of the other customers that went missing',
    );
    for (const f of [...a.files.content, ...a.files.bundles]) assert.ok(!fs.existsSync(f), `${f} is gone`);
    assert.ok(!fs.existsSync(t.ctx.contentStore.folderOf(a.id)), 'the title folder is gone');
    for (const f of [...b.files.content, ...b.files.bundles]) assert.ok(fs.existsSync(f), `${f} is still there`);

    // What stays: the certificate, and one audit entry pointing at it.
    const audit = await k.selectFrom('audit_log').select(['action', 'actor_label']).where('customer_id', '=', a.id).execute();
    assert.deepEqual(audit, [{ action: 'customer.erased', actor_label: 'root@lectern.test' }]);
    const json = await admin.get<CertificateDetailViewT>(`/api/customers/${a.id}/erasures/${cert.id}`);
    assert.equal(json.status, 200);
    assert.equal(json.body.manifestSha256, cert.manifestSha256);
    const pdf = await t.app.inject({ method: 'GET', url: `/api/customers/${a.id}/erasures/${cert.id}/certificate.pdf`, headers: { cookie: admin.cookie! } });
    assert.equal(pdf.statusCode, 200);
    const text = (await readPdf(pdf.rawPayload)).text.replace(/\n/g, ' ');
    for (const expectedText of [a.code, cert.id, cert.manifestSha256, 'Certificate of erasure', 'People (accounts)']) assert.ok(text.includes(expectedText), `the PDF says ${expectedText}`);
    const list = await admin.get<{ items: { id: string }[] }>(`/api/erasures?search=${encodeURIComponent(a.code)}`);
    assert.deepEqual(
      list.body.items.map((i) => i.id),
      [cert.id],
    );
  });
});

// The certificate's hash is the SHA-256 of its manifest as stored, which is canonical JSON whose counts are the certificate's.
function verifies(cert: CertificateDetailViewT): void {
  assert.equal(sha256Hex(cert.manifest), cert.manifestSha256, 'the manifest hash verifies');
  const manifest = JSON.parse(cert.manifest) as Manifest;
  assert.equal(canonicalJson(manifest), cert.manifest, 'the manifest is canonical JSON');
  assert.equal(manifest.certificateId, cert.id);
  for (const [table, n] of Object.entries(cert.counts.records)) assert.equal(manifest.records[table]?.count, n, table);
}
