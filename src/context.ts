import { AccountService } from './accounts/account-service.js';
import { SessionRepository } from './accounts/session-repository.js';
import { LoginThrottle, defaultThrottleLimits, type ThrottleLimits } from './accounts/throttle.js';
import { UserRepository } from './accounts/user-repository.js';
import { AuditLogService } from './audit/audit-log-service.js';
import { AuditService } from './audit/audit-service.js';
import type { Config } from './config.js';
import { ContentService } from './content/content-service.js';
import { ContentStore } from './content/content-store.js';
import { CustomerRepository } from './customers/customer-repository.js';
import { ConnectionTestService } from './customers/connection-test-service.js';
import { CustomerService } from './customers/customer-service.js';
import { openCoreContext, type CoreContext } from './core-context.js';
import { ReaderService } from './reader/reader-service.js';
import { DirectoryService } from './directory/directory-service.js';
import { PeopleService } from './directory/people-service.js';
import { LoginCardService } from './directory/login-cards.js';
import { EmbeddedJobQueue } from './jobs/embedded-queue.js';
import type { JobQueue } from './jobs/job-queue.js';
import { PostgresJobQueue } from './jobs/postgres-queue.js';
import { LaunchService } from './lti/launch-service.js';
import { LtiOutcomes, registerOutcomeJobs } from './lti/outcomes.js';
import { PlatformTokens } from './lti13/access-token.js';
import { ToolKeys } from './lti13/tool-keys.js';
import { canRead } from './content/assignment-repository.js';
import { registerRosterJobs } from './rostering/runs/run-jobs.js';
import { purgeAll, purgeSettings } from './retention.js';
import { RunReportService } from './rostering/runs/run-report.js';
import { RunThread, ThreadedRunService, wantsRunThread } from './rostering/runs/run-thread.js';
import { registerPullJob } from './rostering/sources/pull.js';
import { registerLaunchSyncJob } from './lti13/sync-on-launch.js';
import { storedBundleSource } from './rostering/runs/zip-source.js';
import { OutboundClient } from './security/outbound.js';
import { Mailer } from './notifications/mailer.js';
import { NotificationService, registerNotificationJobs } from './notifications/notification-service.js';
import { ErasureService } from './privacy/erasure/erasure-service.js';
import { CustomerExportService } from './privacy/export/export-service.js';

/** Everything a request, a job or a CLI command needs, built once per process. */
export interface AppContext extends CoreContext {
  accounts: AccountService;
  customers: CustomerService;
  /** Test connection of the customer form (SFTP and OneRoster API), saving nothing. */
  connectionTests: ConnectionTestService;
  directory: DirectoryService;
  /** The Users tab's actions: add and edit people, passwords, disable and enable, bulk actions. */
  people: PeopleService;
  /** Printable login cards (first-use passwords or QR sign-in) and redeeming their QR codes. */
  loginCards: LoginCardService;
  /** A run's issues and plan, read behind the tenant wall. */
  runReports: RunReportService;
  /** Book files and covers on disk (`<dataDir>/content/<customerId>/<key>`). */
  contentStore: ContentStore;
  /** Titles, collections and assignments (the console's Content area). */
  content: ContentService;
  /** The reader: bookshelves, opening titles, reading progress (and `canRead` for LTI). */
  reader: ReaderService;
  /** The job queue; processing starts only where `jobs.start` is called (serve, worker). */
  jobs: JobQueue;
  /** LTI 1.1 launches and Basic Outcomes. */
  lti: { launches: LaunchService; outcomes: LtiOutcomes };
  /** LTI 1.3: the tool's key set (JWKS, rotation, the signer for deep linking and AGS). */
  /** LTI 1.3: the tool's keys, and one cache of platform access tokens (AGS scores, NRPS pulls) for the process. */
  lti13: { keys: ToolKeys; tokens: PlatformTokens };
  /** The one client for calls to customer- or launch-supplied addresses (SSRF guard, LECTERN_OUTBOUND_ALLOW). */
  outbound: OutboundClient;
  /** E-mail and webhook notifications of failed, held and stale syncs, and the daily digest. */
  notifications: NotificationService;
  /** The Audit page: reads and changes, filtered by tenant, and their CSV. */
  auditLog: AuditLogService;
  /** Erasure of customers and people, with certificates; offboarding periods. */
  erasure: ErasureService;
  /** A customer's data as one zip: the roster as OneRoster 1.2, every other record as CSV, its titles. */
  exports: CustomerExportService;
}

/** Opens the database, brings it up to date and wires the services. */
export async function createContext(config: Config, opts: { throttle?: ThrottleLimits; inThread?: boolean } = {}): Promise<AppContext> {
  // Roster work leaves the event loop (run-thread.ts); inside the thread it runs here, as it would unthreaded.
  const threaded = !opts.inThread && wantsRunThread(config);
  const thread = threaded ? new RunThread(config) : null;
  // The roster thread's context opens a database its process has already brought up to date.
  const core = await openCoreContext(config, {
    patientLocks: threaded,
    checkpointInBackground: threaded,
    migrate: !opts.inThread,
    runs: thread ? (db, secrets) => new ThreadedRunService(db, secrets, config.runLeaseMs, thread) : undefined,
  });
  const { db, secrets, runs, bundles } = core;
  const k = db.kysely;
  const sessions = new SessionRepository(k);
  const accounts = new AccountService(new UserRepository(k), sessions, new CustomerRepository(k), new LoginThrottle(sessions, opts.throttle ?? defaultThrottleLimits), new AuditService(k));
  const contentStore = new ContentStore(config.dataDir, config.maxBookBytes);
  const engine: JobQueue =
    config.jobsEngine === 'postgres' && db.pgPool ? new PostgresJobQueue(db.pgPool, k, { intervalMs: config.workerHeartbeatMs, deadAfterMs: config.workerDeadAfterMs }) : new EmbeddedJobQueue(k);
  const jobs = thread ? thread.offload(engine) : engine;
  const erasure = new ErasureService({ db, secrets, contentStore, offboardingDays: config.offboardingDays, leaseMs: config.runLeaseMs });
  registerRosterJobs(jobs, { runs, sourceForBundle: (path) => storedBundleSource(bundles, path), purge: () => purgeAll(k, contentStore, bundles, purgeSettings(config, erasure)) });
  const outbound = new OutboundClient(config.outbound);
  const toolKeys = new ToolKeys(k, secrets);
  const platformTokens = new PlatformTokens({ outbound, signer: () => toolKeys.signer() });
  const mailer = new Mailer(config.smtpUrl, config.mailFrom);
  const notifications = new NotificationService(k, secrets, jobs, mailer, outbound, { publicUrl: config.publicUrl, retryDelaysMs: config.webhookRetryDelaysMs });
  registerNotificationJobs(jobs, notifications);
  // Rostering knows nothing of notifications: it tells whoever listens that a run ended (here, or in the roster thread's own context).
  runs.onRunEnded((run) => notifications.runEnded(run));
  const ltiOutcomes = new LtiOutcomes(k, secrets, jobs, { outbound, tokens: platformTokens });
  registerOutcomeJobs(jobs, ltiOutcomes);
  // The reader's canRead is the content domain's canRead; LTI asks it inside the launch's transaction.
  const ltiLaunches = new LaunchService(k, secrets, accounts, canRead, {
    publicUrl: config.publicUrl,
    groupCommit: db.dialect === 'sqlite' ? { windowMs: 10, maxMembers: 64 } : undefined,
  });
  const ctx: AppContext = {
    ...core,
    accounts,
    customers: new CustomerService(k, secrets, config.publicUrl, config.outbound),
    connectionTests: new ConnectionTestService(k, secrets, outbound),
    directory: new DirectoryService(k),
    people: new PeopleService(k),
    loginCards: new LoginCardService(k, accounts, config.publicUrl),
    runReports: new RunReportService(k),
    contentStore,
    reader: new ReaderService(k, contentStore, { onProgress: (customerId, userId, bookId, progress) => ltiOutcomes.onProgress(customerId, userId, bookId, progress) }),
    content: new ContentService(k, contentStore),
    jobs,
    lti: { launches: ltiLaunches, outcomes: ltiOutcomes },
    lti13: { keys: toolKeys, tokens: platformTokens },
    outbound,
    notifications,
    auditLog: new AuditLogService(k),
    erasure,
    exports: new CustomerExportService(db, contentStore, config.publicUrl),
    close: async () => {
      await jobs.stop();
      mailer.close();
      await thread?.close();
      await core.close();
    },
  };
  // Pulls reach the customer, secrets and runs through the whole context.
  registerPullJob(ctx);
  // A teacher's LTI 1.3 launch may queue a Sync from LMS of the course (lti.syncRosterOnLaunch).
  registerLaunchSyncJob(ctx);
  return ctx;
}
