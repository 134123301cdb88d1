import type { Config } from './config.js';
import { openDatabase, type Db } from './db/connection.js';
import { migrateToLatest } from './db/migrate.js';
import { BundleStore } from './rostering/runs/bundle-store.js';
import { RosterRunService } from './rostering/runs/run-service.js';
import { SecretBox, loadSecretKey } from './security/secret-box.js';

/**
 * What every process needs before its own services: the database (brought up to date), the data
 * key, the bundle store and roster runs. `createContext` builds the app on top of it; `lectern
 * roster import` opens only this, so it starts without the web app's services and their
 * dependencies (schema validation, LTI, content, jobs, the outbound clients).
 */
export interface CoreContext {
  config: Config;
  db: Db;
  secrets: SecretBox;
  /** Roster bundles waiting for the runs that need them (`<dataDir>/bundles`, sealed). */
  bundles: BundleStore;
  runs: RosterRunService;
  close(): Promise<void>;
}

/** Options of openCoreContext. */
export interface CoreOptions {
  /** SQLite: wait for another connection's write lock on a timer instead of blocking (see openDatabase). */
  patientLocks: boolean;
  /** SQLite: checkpoint in a thread of its own (see openDatabase); for the process that serves requests. */
  checkpointInBackground?: boolean;
  /** Bring the schema up to date (a roster thread's process has done so already). */
  migrate: boolean;
  /** The run service to use (the app's hands roster work to its thread); a plain one by default. */
  runs?: (db: Db, secrets: SecretBox) => RosterRunService;
}

/** Opens the database, brings it up to date and wires the roster core. */
export async function openCoreContext(config: Config, opts: CoreOptions): Promise<CoreContext> {
  const db = openDatabase(config.databaseUrl, { patientLocks: opts.patientLocks, checkpointInBackground: opts.checkpointInBackground });
  try {
    if (opts.migrate) await migrateToLatest(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  const secrets = new SecretBox(loadSecretKey(config.secretKey, config.dataDir));
  return {
    config,
    db,
    secrets,
    bundles: new BundleStore(config.dataDir, secrets, config.bundleRetentionDays),
    runs: opts.runs?.(db, secrets) ?? new RosterRunService(db, secrets, config.runLeaseMs),
    close: () => db.close(),
  };
}
