import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { operatorActor } from '../../accounts/policy.js';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp } from '../../../test/helpers/app.js';
import { district11, zipBuffer } from '../../../test/helpers/bundles.js';
import { sftpSkipReason, startSftpServer, type TestSftpServer } from '../../../test/helpers/sftp-server.js';
import { pullFromSftp } from './sftp-sync.js';

const skip = sftpSkipReason();

describeEachDialect('SFTP sync runs', (dialect) => {
  let t: TestApp;
  let server: TestSftpServer;
  let other: TestSftpServer;
  before(async () => {
    if (skip) return;
    t = await startTestApp(dialect);
    server = await startSftpServer();
    other = await startSftpServer();
    for (const s of [server, other]) {
      fs.mkdirSync(path.join(s.root, 'uploads'));
      fs.writeFileSync(path.join(s.root, 'uploads', 'roster.zip'), await zipBuffer(district11()));
    }
  });
  after(async () => {
    if (skip) return;
    await server.close();
    await other.close();
    await t.close();
  });

  const customerOn = (s: TestSftpServer, password = s.password) =>
    seedCustomer(t.ctx, {
      rostering: {
        suffix: `@sftp-${Math.random().toString(36).slice(2, 8)}`,
        sftp: { host: s.host, port: s.port, username: s.username, password, path: path.join(s.root, 'uploads'), fileName: 'roster.zip' },
      },
    });
  const activeUsers = async (customerId: string) =>
    Number(
      (
        await t.ctx.db.kysely
          .selectFrom('users')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('customer_id', '=', customerId)
          .where('source', '=', 'roster')
          .where('status', '=', 'active')
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('pulls and imports the bundle, pins the host key, and skips the same file next time', async () => {
    const { id } = await customerOn(server);
    const first = await pullFromSftp(t.ctx, operatorActor, id, { settleMs: 20 });
    assert.equal(first.status, 'succeeded', JSON.stringify(first.error));
    assert.equal(first.trigger, 'sftp');
    assert.equal(first.counts.users.created, 4);
    const pinned = await t.ctx.customers.get(operatorActor, id);
    assert.equal(pinned.rostering.sftp.hostKeyFingerprint, server.fingerprint);
    const second = await pullFromSftp(t.ctx, operatorActor, id, { settleMs: 20 });
    assert.deepEqual([second.status, second.stage], ['succeeded', 'unchanged']);
    const forced = await pullFromSftp(t.ctx, operatorActor, id, { settleMs: 20, force: true });
    assert.equal(forced.counts.users.unchanged, 4);
  });

  it('signs in with the private key of the customer’s settings (no password), sealed at rest', async () => {
    const sftp = { host: server.host, port: server.port, username: server.username, password: '', privateKey: server.privateKey, path: path.join(server.root, 'uploads'), fileName: 'roster.zip' };
    const { id } = await seedCustomer(t.ctx, { rostering: { suffix: `@sftp-key-${Math.random().toString(36).slice(2, 8)}`, sftp } });
    const view = await t.ctx.customers.get(operatorActor, id);
    assert.deepEqual([view.rostering.sftp.passwordSet, view.rostering.sftp.privateKeySet], [false, true]);
    const stored = await t.ctx.db.kysely.selectFrom('rostering_configs').select('sftp_private_key_enc').where('customer_id', '=', id).executeTakeFirstOrThrow();
    assert.ok(stored.sftp_private_key_enc && !stored.sftp_private_key_enc.includes('PRIVATE KEY'), 'the key is sealed');
    const run = await pullFromSftp(t.ctx, operatorActor, id, { settleMs: 20 });
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    assert.equal(run.counts.users.created, 4);
  });

  it('fails the run loudly when the host key changes, and deletes nothing', async () => {
    const { id } = await customerOn(server);
    await pullFromSftp(t.ctx, operatorActor, id, { settleMs: 20 });
    // The same address now answers with another server's key.
    await t.ctx.db.kysely.updateTable('rostering_configs').set({ sftp_port: other.port }).where('customer_id', '=', id).execute();
    const run = await pullFromSftp(t.ctx, operatorActor, id, { settleMs: 20 });
    assert.deepEqual([run.status, run.error?.code], ['failed', 'SOURCE_HOST_KEY_CHANGED']);
    assert.equal(await activeUsers(id), 4);
  });

  it('records bad credentials and a missing file as failed runs that say why', async () => {
    const bad = await customerOn(server, 'Wrong-password-1');
    const refused = await pullFromSftp(t.ctx, operatorActor, bad.id, { settleMs: 20 });
    assert.deepEqual([refused.status, refused.error?.code], ['failed', 'SOURCE_AUTH_FAILED']);
    const { id } = await customerOn(server);
    await t.ctx.db.kysely.updateTable('rostering_configs').set({ sftp_file_name: 'gone.zip' }).where('customer_id', '=', id).execute();
    const missing = await pullFromSftp(t.ctx, operatorActor, id, { settleMs: 20 });
    assert.deepEqual([missing.status, missing.error?.code], ['failed', 'SOURCE_FILE_MISSING']);
    assert.match(missing.error?.message ?? '', /gone\.zip was not found/);
  });
});
