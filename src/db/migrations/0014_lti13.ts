import { sql, type Kysely } from 'kysely';

/**
 * LTI 1.3 (LTI Advantage). A customer's platform registrations (an LMS's issuer and client id, the
 * deployments it may launch from, and the endpoints Lectern calls); the tool's own RS256 keys, one
 * set for the whole install, private keys sealed with the data key; the OIDC login's state and nonce,
 * kept server-side, single-use and short-lived; and the one-time tokens of Dynamic Registration URLs.
 * Secrets (a login state, a registration token) are stored as SHA-256 digests only, so a database
 * read does not hand out a usable one. `customers.lti_version` is text already: it now also holds
 * '1.3' and 'both' (a customer moving from 1.1 keeps its consumer key while it adds platforms).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('lti_platforms')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    // A JSON array of text: a platform launches from one or many deployments of one client.
    .addColumn('deployment_ids', 'text', (c) => c.notNull())
    .addColumn('auth_login_url', 'text', (c) => c.notNull())
    .addColumn('auth_token_url', 'text', (c) => c.notNull())
    .addColumn('jwks_url', 'text', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    // A launch names its registration by (iss, aud): one customer per pair, platform-wide.
    .addUniqueConstraint('lti_platforms_issuer_client', ['issuer', 'client_id'])
    .execute();
  await db.schema.createIndex('lti_platforms_customer').on('lti_platforms').column('customer_id').execute();

  await db.schema
    .createTable('lti_tool_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('public_jwk', 'text', (c) => c.notNull())
    .addColumn('private_key_sealed', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('activated_at', 'text')
    .addColumn('retired_at', 'text')
    .execute();
  // At most one key signs and one waits to: two processes rotating at once cannot both add one.
  await db.schema.createIndex('lti_tool_keys_one_per_state').on('lti_tool_keys').column('state').unique().where(sql.ref('state'), '<>', 'retired').execute();

  await db.schema
    .createTable('lti13_login_states')
    .addColumn('state_hash', 'text', (c) => c.primaryKey())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('platform_id', 'text', (c) => c.notNull().references('lti_platforms.id').onDelete('cascade'))
    .addColumn('target_link_uri', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('lti13_login_states_expires').on('lti13_login_states').column('expires_at').execute();

  await db.schema
    .createTable('lti13_registration_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();
  await db.schema.createIndex('lti13_registration_tokens_customer').on('lti13_registration_tokens').columns(['customer_id', 'expires_at']).execute();
}
