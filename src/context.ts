import { AccountService } from './accounts/account-service.js';
import { SessionRepository } from './accounts/session-repository.js';
import { LoginThrottle, defaultThrottleLimits, type ThrottleLimits } from './accounts/throttle.js';
import { UserRepository } from './accounts/user-repository.js';
import { AuditService } from './audit/audit-service.js';
import type { Config } from './config.js';
import { CustomerRepository } from './customers/customer-repository.js';
import { CustomerService } from './customers/customer-service.js';
import { openDatabase, type Db } from './db/connection.js';
import { migrateToLatest } from './db/migrate.js';
import { DirectoryService } from './directory/directory-service.js';
import { SecretBox, loadSecretKey } from './security/secret-box.js';

/** Everything a request, a job or a CLI command needs, built once per process. */
export interface AppContext {
  config: Config;
  db: Db;
  secrets: SecretBox;
  accounts: AccountService;
  customers: CustomerService;
  directory: DirectoryService;
  close(): Promise<void>;
}

/** Opens the database, brings it up to date and wires the services. */
export async function createContext(config: Config, opts: { throttle?: ThrottleLimits } = {}): Promise<AppContext> {
  const db = openDatabase(config.databaseUrl);
  try {
    await migrateToLatest(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  const secrets = new SecretBox(loadSecretKey(config.secretKey, config.dataDir));
  const k = db.kysely;
  const sessions = new SessionRepository(k);
  const accounts = new AccountService(
    new UserRepository(k),
    sessions,
    new CustomerRepository(k),
    new LoginThrottle(sessions, opts.throttle ?? defaultThrottleLimits),
    new AuditService(k),
  );
  return {
    config,
    db,
    secrets,
    accounts,
    customers: new CustomerService(k, secrets, config.publicUrl),
    directory: new DirectoryService(k),
    close: () => db.close(),
  };
}
