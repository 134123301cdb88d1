import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SignJWT, createLocalJWKSet, jwtVerify } from 'jose';
import { operatorActor, type Actor } from '../accounts/policy.js';
import { openDatabase, type Db } from '../db/connection.js';
import { migrateToLatest } from '../db/migrate.js';
import { SecretBox } from '../security/secret-box.js';
import { DIALECTS, createTestDatabase, postgresSkipReason, type TestDatabase } from '../../test/helpers/databases.js';
import { ToolKeys } from './tool-keys.js';

const HOUR = 60 * 60 * 1000;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'];

for (const dialect of DIALECTS) {
  const skip = dialect === 'postgres' ? postgresSkipReason() : null;
  describe(`LTI 1.3 tool keys [${dialect}]`, skip ? { skip } : {}, () => {
    let database: TestDatabase;
    let db: Db;
    let clock = Date.parse('2026-12-03T12:00:00Z');
    const box = new SecretBox(crypto.randomBytes(32));
    let keys: ToolKeys;
    before(async () => {
      database = await createTestDatabase(dialect);
      db = openDatabase(database.url);
      await migrateToLatest(db);
      keys = new ToolKeys(db.kysely, box, { now: () => new Date(clock) });
    });
    after(async () => {
      await db.close();
      await database.drop();
    });

    const sign = async () => {
      const s = await keys.signer();
      return new SignJWT({ hello: 'platform' })
        .setProtectedHeader({ alg: s.alg, kid: s.kid })
        .setIssuer('lectern')
        .setIssuedAt(clock / 1000)
        .setExpirationTime(clock / 1000 + 3600)
        .sign(s.privateKey);
    };
    const verify = async (jwt: string) => jwtVerify(jwt, createLocalJWKSet(await keys.jwks()), { currentDate: new Date(clock), algorithms: ['RS256'] });

    it('makes its first key on first use, which signs at once and is the one key listed', async () => {
      const { keys: listed } = await keys.jwks();
      assert.equal(listed.length, 1);
      assert.equal((await keys.signer()).kid, listed[0]!.kid);
      assert.deepEqual(Object.keys(listed[0]!).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
      await verify(await sign());
    });

    it('publishes a rotated key before it signs; a token of the old key verifies while the old key is listed, and not once it is dropped', async () => {
      const first = (await keys.signer()).kid;
      const after1 = await keys.rotate(operatorActor);
      const next = after1.find((k) => k.state === 'next')!;
      assert.ok(next && next.kid !== first);
      assert.deepEqual((await keys.jwks()).keys.map((k) => k.kid).sort(), [first, next.kid].sort(), 'the next key is listed');
      assert.equal((await keys.signer()).kid, first, 'but does not sign yet');

      clock += HOUR - 1000; // the last moment the first key signs: this token lives an hour
      assert.equal((await keys.signer()).kid, first);
      const oldToken = await sign();
      clock += 1000; // listed long enough: the next key signs now, and the first one retires
      assert.equal((await keys.signer()).kid, next.kid);
      assert.deepEqual(
        (await keys.list(operatorActor)).map((k) => [k.kid, k.state]).sort(),
        [
          [first, 'retired'],
          [next.kid, 'current'],
        ].sort(),
      );
      await verify(oldToken);
      await verify(await sign());

      clock += HOUR - 2000; // the old token still lives, so its key is still listed
      await verify(oldToken);
      clock += 3000;
      assert.deepEqual(
        (await keys.jwks()).keys.map((k) => k.kid),
        [next.kid],
      );
      await assert.rejects(verify(oldToken), { code: 'ERR_JWKS_NO_MATCHING_KEY' });
    });

    it('promotes the waiting key at the next rotation, without waiting', async () => {
      await keys.rotate(operatorActor);
      const waiting = (await keys.list(operatorActor)).find((k) => k.state === 'next')!.kid;
      const summary = await keys.rotate(operatorActor);
      assert.equal(summary.find((k) => k.state === 'current')!.kid, waiting);
      assert.equal((await keys.signer()).kid, waiting);
      assert.equal(summary.filter((k) => k.state === 'next').length, 1);
    });

    it('refuses anyone but an enterprise admin or the operator, and records who rotated', async () => {
      const admin: Actor = { userId: null, role: 'customer_admin', customerId: 'c1', label: 'x' };
      await assert.rejects(keys.rotate(admin), { code: 'FORBIDDEN' });
      const audit = await db.kysely.selectFrom('audit_log').select(['action', 'actor_label']).where('action', '=', 'lti.tool_keys_rotated').execute();
      assert.ok(audit.length >= 3);
    });

    it('keeps private key material sealed: not in the JWKS, the summary, or the database in clear', async () => {
      const shown = JSON.stringify({ jwks: await keys.jwks(), summary: await keys.list(operatorActor) });
      for (const member of PRIVATE_MEMBERS) assert.ok(!shown.includes(`"${member}"`), `no "${member}" shown`);
      const rows = await db.kysely.selectFrom('lti_tool_keys').select(['kid', 'public_jwk', 'private_key_sealed']).execute();
      for (const row of rows) {
        assert.match(row.private_key_sealed, /^v1\./);
        assert.ok(!row.private_key_sealed.includes('"d"'));
        const opened = JSON.parse(box.open(row.private_key_sealed, `lti_tool_key:${row.kid}:private_key`)) as Record<string, string>;
        assert.ok(opened.d && !row.public_jwk.includes(opened.d));
        assert.throws(() => box.open(row.private_key_sealed, 'lti_tool_key:another:private_key'), 'bound to its kid');
      }
    });

    it('keeps one current key when two processes make the first one at once', async () => {
      const other = await createTestDatabase(dialect);
      const db2 = openDatabase(other.url);
      try {
        await migrateToLatest(db2);
        const a = new ToolKeys(db2.kysely, box);
        const b = new ToolKeys(db2.kysely, box);
        const [sa, sb] = await Promise.all([a.signer(), b.signer()]);
        assert.equal(sa.kid, sb.kid);
        assert.equal((await a.jwks()).keys.length, 1);
      } finally {
        await db2.close();
        await other.drop();
      }
    });
  });
}
