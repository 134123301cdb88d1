import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DIALECTS, postgresSkipReason } from '../../../test/helpers/databases.js';
import { useMigratedDatabase } from '../../../test/helpers/lti-fixtures.js';
import { migrateToLatest } from '../migrate.js';

const NOW = '2026-12-03T12:00:00.000Z';

// The smallest customer row the foundation's NOT NULL columns accept.
function customerRow(id: string, version: '1.1' | '1.3' | 'both') {
  return {
    id,
    code: id,
    name: id,
    time_zone: 'UTC',
    status: 'active' as const,
    admin_user_id: null,
    admin_first_name: 'A',
    admin_last_name: 'B',
    admin_email: `${id}@example.test`,
    admin_phone: '',
    address_line1: '1 Main St',
    address_line2: '',
    address_city: 'Lincoln',
    address_region: '',
    address_postal_code: '',
    address_country: 'US',
    lti_version: version,
    lti_consumer_key: `${id}-key`,
    lti_shared_secret_enc: 'sealed',
    lti_unmatched_users: 'create' as const,
    terms_accepted_at: NOW,
    terms_accepted_by: null,
    created_at: NOW,
    updated_at: NOW,
  };
}

function platformRow(id: string, customerId: string, issuer: string, clientId: string) {
  return {
    id,
    customer_id: customerId,
    issuer,
    client_id: clientId,
    deployment_ids: JSON.stringify(['1:abc']),
    auth_login_url: `${issuer}/auth`,
    auth_token_url: `${issuer}/token`,
    jwks_url: `${issuer}/jwks`,
    origin: 'console' as const,
    created_at: NOW,
    updated_at: NOW,
  };
}

for (const dialect of DIALECTS) {
  const skip = dialect === 'postgres' ? postgresSkipReason() : null;
  describe(`migration 0014_lti13 [${dialect}]`, skip ? { skip } : {}, () => {
    const m = useMigratedDatabase(dialect);

    it('runs once: a second migrate finds nothing to do', async () => {
      assert.deepEqual(await migrateToLatest(m.db), []);
      const tables = new Set((await m.db.kysely.introspection.getTables()).map((t) => t.name));
      for (const name of ['lti_platforms', 'lti_tool_keys', 'lti13_login_states', 'lti13_registration_tokens']) assert.ok(tables.has(name), name);
    });

    it('stores customers of LTI 1.1, 1.3 and both, and one registration per (issuer, client id) platform-wide', async () => {
      const k = m.db.kysely;
      await k
        .insertInto('customers')
        .values([customerRow('c11', '1.1'), customerRow('c13', '1.3'), customerRow('cboth', 'both')])
        .execute();
      const versions = await k.selectFrom('customers').select(['id', 'lti_version']).orderBy('id').execute();
      assert.deepEqual(versions, [
        { id: 'c11', lti_version: '1.1' },
        { id: 'c13', lti_version: '1.3' },
        { id: 'cboth', lti_version: 'both' },
      ]);
      await k
        .insertInto('lti_platforms')
        .values(platformRow('p1', 'c13', 'https://lms.example', '42'))
        .execute();
      // The same client of the same issuer cannot be registered twice, even by another customer.
      await assert.rejects(
        k
          .insertInto('lti_platforms')
          .values(platformRow('p2', 'cboth', 'https://lms.example', '42'))
          .execute(),
      );
      await k
        .insertInto('lti_platforms')
        .values(platformRow('p3', 'cboth', 'https://lms.example', '43'))
        .execute();
      const rows = await k.selectFrom('lti_platforms').select(['id', 'customer_id', 'deployment_ids']).orderBy('id').execute();
      assert.deepEqual(
        rows.map((r) => [r.id, r.customer_id, JSON.parse(r.deployment_ids)]),
        [
          ['p1', 'c13', ['1:abc']],
          ['p3', 'cboth', ['1:abc']],
        ],
      );
    });

    it('ends the login states of a platform that is removed, and keeps registration tokens by digest', async () => {
      const k = m.db.kysely;
      await k.insertInto('lti13_login_states').values({ state_hash: 'h1', nonce: 'n1', platform_id: 'p1', target_link_uri: 'https://lectern.test/lti/1.3/launch', expires_at: NOW }).execute();
      await k.deleteFrom('lti_platforms').where('id', '=', 'p1').execute();
      assert.equal((await k.selectFrom('lti13_login_states').selectAll().execute()).length, 0);
      await k.insertInto('lti13_registration_tokens').values({ token_hash: 't1', customer_id: 'c13', created_at: NOW, expires_at: NOW, used_at: null }).execute();
      await assert.rejects(k.insertInto('lti13_registration_tokens').values({ token_hash: 't1', customer_id: 'c13', created_at: NOW, expires_at: NOW, used_at: null }).execute());
      await k.insertInto('lti_tool_keys').values({ kid: 'k1', public_jwk: '{}', private_key_sealed: 'v1.x', state: 'next', created_at: NOW, activated_at: null, retired_at: null }).execute();
      assert.equal((await k.selectFrom('lti_tool_keys').select('state').executeTakeFirstOrThrow()).state, 'next');
    });
  });
}
