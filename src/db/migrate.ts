import type { Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely/migration';
import type { Db, Dialect } from './connection.js';
import { changingSchemaAlone } from './schema-lock.js';
import * as m0001 from './migrations/0001_foundation.js';
import * as m0002 from './migrations/0002_jobs.js';
import * as m0003 from './migrations/0003_lti_nonces.js';
import * as m0004 from './migrations/0004_roster.js';
import * as m0005 from './migrations/0005_lti.js';
import * as m0006 from './migrations/0006_content.js';
import * as m0007 from './migrations/0007_rest_sync.js';
import * as m0008 from './migrations/0008_schedules.js';
import * as m0009 from './migrations/0009_roster_updated_index.js';
import * as m0010 from './migrations/0010_stage_fillfactor.js';
import * as m0011 from './migrations/0011_run_passwords.js';
import * as m0012 from './migrations/0012_sftp_private_key.js';
import * as m0013 from './migrations/0013_login_addresses.js';
import * as m0014 from './migrations/0014_lti13.js';
import * as m0015 from './migrations/0015_lti13_deep_linking.js';
import * as m0016 from './migrations/0016_lti13_ags.js';
import * as m0017 from './migrations/0017_lti13_contexts.js';
import * as m0018 from './migrations/0018_lti13_storage_target.js';
import * as m0019 from './migrations/0019_sync_owner.js';
import * as m0020 from './migrations/0020_lti_sync_on_launch.js';
import * as m0021 from './migrations/0021_people_password_here.js';
import * as m0022 from './migrations/0022_cards_sign_in_tokens.js';
import * as m0024 from './migrations/0024_notifications.js';
import * as m0025 from './migrations/0025_status_change_names.js';
import * as m0026 from './migrations/0026_reader_settings.js';
import * as m0027 from './migrations/0027_erasure.js';
import * as m0028 from './migrations/0028_audit_reads.js';

/** What a migration may need to know beyond the Kysely handle: DDL differs a little per dialect. */
export interface MigrationContext {
  dialect: Dialect;
}

interface MigrationModule {
  up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void>;
}

// Listed in code rather than read from a folder, so the set is fixed at build time and typed.
const migrations: Record<string, MigrationModule> = {
  '0001_foundation': m0001,
  '0002_jobs': m0002,
  '0003_lti_nonces': m0003,
  '0004_roster': m0004,
  '0005_lti': m0005,
  '0006_content': m0006,
  '0007_rest_sync': m0007,
  '0008_schedules': m0008,
  '0009_roster_updated_index': m0009,
  '0010_stage_fillfactor': m0010,
  '0011_run_passwords': m0011,
  '0012_sftp_private_key': m0012,
  '0013_login_addresses': m0013,
  '0014_lti13': m0014,
  '0015_lti13_deep_linking': m0015,
  '0016_lti13_ags': m0016,
  '0017_lti13_contexts': m0017,
  '0018_lti13_storage_target': m0018,
  '0019_sync_owner': m0019,
  '0020_lti_sync_on_launch': m0020,
  '0021_people_password_here': m0021,
  '0022_cards_sign_in_tokens': m0022,
  '0024_notifications': m0024,
  '0025_status_change_names': m0025,
  '0026_reader_settings': m0026,
  '0027_erasure': m0027,
  '0028_audit_reads': m0028,
};

class CodeMigrationProvider implements MigrationProvider {
  constructor(private readonly ctx: MigrationContext) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    return Object.fromEntries(Object.entries(migrations).map(([name, mod]) => [name, { up: (db: Kysely<unknown>) => mod.up(db, this.ctx) }]));
  }
}

/** Brings the schema up to date; safe to run from several processes (one at a time on PostgreSQL: changingSchemaAlone). */
export async function migrateToLatest(db: Db): Promise<string[]> {
  // Unordered: 0005 landed after 0006 had already run on some databases; each migration stands alone.
  const migrator = new Migrator({ db: db.kysely, provider: new CodeMigrationProvider({ dialect: db.dialect }), allowUnorderedMigrations: true });
  const result: MigrationResultSet = await changingSchemaAlone(db.pgPool, () => migrator.migrateToLatest());
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const cause = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`Migration ${failed?.migrationName ?? '(unknown)'} failed: ${cause}`);
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
