import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { operatorActor } from '../accounts/policy.js';
import type { Config } from '../config.js';
import type { AppContext } from '../context.js';
import type { CoreContext } from '../core-context.js';
import { AppError } from '../errors.js';
import { EXIT, UsageError, printJson, printTable, reportError } from './output.js';

const USAGE = `Usage: lectern <command> [options]

  serve                                   web app, API and console, plus jobs and the Auto scheduler (migrates first)
  migrate                                 bring the database schema up to date
  admin create --email E --password P [--name N]
  customer create --file customer.json [--json]
  customer list [--search TEXT] [--json]
  customer erase --customer CODE --confirm CODE [--json]
                                          erase a customer now: every record and file; prints the certificate id and hash
  customer export --customer ID|CODE OUT.zip [--json]
                                          every record of the customer in one zip, README inside (no passwords)
  users list --customer ID|CODE [--include-deleted] [--search TEXT] [--json]
  users erase --customer ID|CODE --user ID --confirm ID [--json]
                                          erase one person everywhere now; prints the certificate id and hash
  classes list --customer ID|CODE [--search TEXT] [--json]
  roster validate BUNDLE.zip [--json] [--max-issues N]
                                          no database; exit 0 valid, 1 errors, 2 unusable
  roster import --customer ID|CODE BUNDLE.zip [--dry-run] [--force] [--json]
                                          exit 0 applied, 1 failed, 3 awaiting approval
  sync run --customer ID|CODE [--force] [--full] [--json]
                                          pull the configured source (SFTP or API) now, in this process
  sync lms --customer ID|CODE --class ID [--json]
                                          pull a class's members from its LMS course (LTI 1.3 NRPS) now
  worker                                  jobs and the Auto scheduler only (PostgreSQL scale mode)
  purge [--json]                          remove soft-deleted records and titles past their retention
  lti rotate-keys [--json]                LTI 1.3 tool keys: the waiting key starts signing, a new one is published
  backup OUT [--json]                     online backup (while serve runs) into the new folder OUT, the key into OUT.key
  restore IN [--key FILE] [--json]        restore a backup into an empty LECTERN_DATA_DIR (key: IN.key, or LECTERN_SECRET_KEY)
  notifications digest [--now] [--json]   e-mail the enterprise admins today's digest of every customer's failures
                                          (once a day; --now sends it again even if today's went out)
  audit export [--customer ID|CODE] [--actor LOGIN] [--action A] [--person ID|LOGIN] [--kind read|write]
               [--from DATE] [--to DATE] [OUT.csv]
                                          the audit log's entries as CSV (to OUT.csv, or standard output)

Configuration comes from the environment: DATABASE_URL, LECTERN_DATA_DIR, PORT, LECTERN_PUBLIC_URL,
LECTERN_SECRET_KEY, LECTERN_BOOTSTRAP_ADMIN_EMAIL / LECTERN_BOOTSTRAP_ADMIN_PASSWORD, LECTERN_SMTP_URL, LECTERN_MAIL_FROM.`;

const OPTIONS = {
  json: { type: 'boolean' },
  email: { type: 'string' },
  password: { type: 'string' },
  name: { type: 'string' },
  file: { type: 'string' },
  customer: { type: 'string' },
  class: { type: 'string' },
  search: { type: 'string' },
  'include-deleted': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  'max-issues': { type: 'string' },
  force: { type: 'boolean' },
  full: { type: 'boolean' },
  key: { type: 'string' },
  now: { type: 'boolean' },
  actor: { type: 'string' },
  action: { type: 'string' },
  person: { type: 'string' },
  kind: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  confirm: { type: 'string' },
  user: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parse>['values'];

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Runs one `lectern` command and returns its exit code. */
export async function main(argv: string[]): Promise<number> {
  let json = argv.includes('--json');
  try {
    const { values, positionals } = parse(argv);
    json = Boolean(values.json);
    const [command, sub] = positionals;
    if (!command || command === 'help' || values.help) {
      console.log(USAGE);
      return EXIT.ok;
    }
    const grouped = ['admin', 'customer', 'users', 'classes', 'roster', 'sync', 'lti', 'notifications', 'audit'].includes(command);
    const key = grouped ? `${command} ${sub ?? ''}`.trim() : command;
    const handler = commands[key];
    if (!handler) throw new UsageError(`Unknown command "${positionals.join(' ')}".`);
    const args = positionals.slice(grouped ? 2 : 1);
    return await handler(values, args);
  } catch (err) {
    return reportError(err, json);
  }
}

const commands: Record<string, (v: Values, args: string[]) => Promise<number>> = {
  serve: async () => {
    const [{ startServer }, { loadConfig }] = await Promise.all([import('../server/start.js'), import('../config.js')]);
    await startServer(loadConfig());
    return EXIT.ok;
  },
  worker: async () => {
    const [{ startWorker }, { loadConfig }] = await Promise.all([import('../server/start.js'), import('../config.js')]);
    await startWorker(loadConfig());
    return EXIT.ok;
  },
  // No database: districts run this on their own files before sending them.
  'roster validate': async (v, args) => {
    const [file, ...extra] = args;
    if (!file || extra.length) throw new UsageError('roster validate needs one BUNDLE.zip.');
    const maxIssues = v['max-issues'] === undefined ? undefined : Number(v['max-issues']);
    if (maxIssues !== undefined && (!Number.isInteger(maxIssues) || maxIssues < 0)) throw new UsageError('--max-issues takes a whole number.');
    const { rosterValidate } = await import('./commands/roster-validate.js');
    return rosterValidate({ file, json: Boolean(v.json), maxIssues });
  },
  'roster import': (v, args) =>
    withCore(async (ctx) => {
      const [file, ...extra] = args;
      if (!file || extra.length) throw new UsageError('roster import needs --customer ID|CODE and one BUNDLE.zip.');
      const { importBundle } = await import('./commands/roster-import.js');
      return importBundle(ctx, { customer: requireCustomer(v), file, dryRun: Boolean(v['dry-run']), json: Boolean(v.json), force: Boolean(v.force) });
    }),
  'sync run': (v) =>
    withContext(async (ctx) => {
      const customerId = await ctx.customers.resolveId(requireCustomer(v));
      const [{ pullNow }, { reportRun }] = await Promise.all([import('../rostering/sources/pull.js'), import('./commands/roster-import.js')]);
      const run = await pullNow(ctx, operatorActor, customerId, { force: Boolean(v.force), full: Boolean(v.full) });
      return reportRun(ctx, run, Boolean(v.json));
    }),
  'sync lms': (v) =>
    withContext(async (ctx) => {
      const customerId = await ctx.customers.resolveId(requireCustomer(v));
      if (!v.class) throw new UsageError('sync lms needs --class ID: a class made from an LMS course.');
      const [{ LmsRosterSync }, { PlatformTokens }, { reportRun }] = await Promise.all([import('../lti13/lms-sync.js'), import('../lti13/access-token.js'), import('./commands/roster-import.js')]);
      const tokens = new PlatformTokens({ outbound: ctx.outbound, signer: () => ctx.lti13.keys.signer() });
      const run = await new LmsRosterSync({ db: ctx.db.kysely, runs: ctx.runs, outbound: ctx.outbound, tokens }).pullClassNow(operatorActor, customerId, v.class);
      return reportRun(ctx, run, Boolean(v.json));
    }),
  purge: (v) =>
    withContext(async (ctx) => {
      const { purgeAll, purgeSettings } = await import('../retention.js');
      const removed = await purgeAll(ctx.db.kysely, ctx.contentStore, ctx.bundles, purgeSettings(ctx.config, ctx.erasure));
      if (v.json) printJson(removed);
      else
        console.log(
          `Purged ${Object.entries(removed)
            .map(([k, n]) => `${n} ${k}`)
            .join(', ')}.`,
        );
      return EXIT.ok;
    }),
  migrate: () =>
    withContext(async (ctx) => {
      console.error(`Database ${ctx.db.describe} is up to date.`);
      return EXIT.ok;
    }),
  'admin create': (v) =>
    withContext(async (ctx) => {
      if (!v.email || !v.password) throw new UsageError('admin create needs --email and --password.');
      const user = await ctx.accounts.createEnterpriseAdmin(operatorActor, { email: v.email, password: v.password, name: v.name });
      if (v.json) printJson({ id: user.id, email: user.email, role: user.role });
      else console.log(`Created enterprise admin ${user.email}.`);
      return EXIT.ok;
    }),
  'customer create': (v) =>
    withContext(async (ctx) => {
      if (!v.file) throw new UsageError('customer create needs --file customer.json.');
      const created = await ctx.customers.create(operatorActor, readJsonFile(v.file));
      if (v.json) printJson(created);
      else {
        console.log(`Added customer ${created.profile.name} (${created.profile.code}), id ${created.id}.`);
        console.log(`LTI 1.1 consumer key: ${created.lti.consumerKey}`);
        console.log(`LTI 1.1 shared secret: ${created.lti.sharedSecret}   (shown once: store it now)`);
        console.log(`Launch URL: ${created.lti.launchUrl}`);
        if (created.lti.tool) {
          console.log(`LTI 1.3 login URL: ${created.lti.tool.loginUrl}`);
          console.log(`LTI 1.3 launch (redirect) URL: ${created.lti.tool.launchUrl}`);
          console.log(`LTI 1.3 JWKS URL: ${created.lti.tool.jwksUrl}`);
          console.log(`LTI 1.3 Dynamic Registration URL: ${created.lti.tool.registrationUrl ?? ''}   (one use, shown once)`);
        }
      }
      return EXIT.ok;
    }),
  // Prints kids and states only: private keys never leave the database unsealed.
  'lti rotate-keys': (v) =>
    withContext(async (ctx) => {
      const keys = await ctx.lti13.keys.rotate(operatorActor);
      if (v.json) printJson({ keys });
      else printTable(keys as unknown as Record<string, unknown>[], ['kid', 'state', 'createdAt', 'activatedAt', 'retiredAt']);
      return EXIT.ok;
    }),
  backup: async (v, args) => {
    const out = onePath(args, 'backup OUT');
    const { loadConfig } = await import('../config.js');
    const { backup, postgresGuidance } = await import('../operations/backup.js');
    const config = loadConfig();
    const { loadSecretKey } = await import('../security/secret-box.js');
    // Read, never created: a data folder that never had a key has nothing to back up.
    const key = config.secretKey ? loadSecretKey(config.secretKey, config.dataDir) : readKeyFile(path.join(config.dataDir, 'secret.key'));
    const manifest = await backup({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, key }, out);
    const bytes = manifest.files.reduce((sum, f) => sum + f.bytes, 0);
    if (v.json) printJson({ out, keyFile: `${out}.key`, database: manifest.database, files: manifest.files.length, bytes, createdAt: manifest.createdAt });
    else {
      console.log(`Backed up ${manifest.files.length} files (${(bytes / 1048576).toFixed(1)} MB) to ${out}.`);
      console.log(`The key is in ${out}.key: keep it apart from the backup (whoever holds both can read every secret in it).`);
      if (manifest.database === 'postgres') for (const line of postgresGuidance()) console.log(line);
    }
    return EXIT.ok;
  },
  restore: async (v, args) => {
    const input = onePath(args, 'restore IN');
    const { loadConfig } = await import('../config.js');
    const { readManifest, restore } = await import('../operations/backup.js');
    const { loadSecretKey } = await import('../security/secret-box.js');
    const config = loadConfig();
    // Something that is not a backup is told so before its missing key file is.
    readManifest(path.resolve(input));
    // LECTERN_SECRET_KEY, when set, stays where the operator keeps it; otherwise the key file goes into the data folder.
    const key = config.secretKey ? { value: loadSecretKey(config.secretKey, config.dataDir), writeToDataDir: false } : { value: readKeyFile(v.key ?? `${input}.key`), writeToDataDir: true };
    const manifest = await restore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl }, input, key);
    if (v.json) printJson({ in: input, dataDir: config.dataDir, database: manifest.database, files: manifest.files.length, createdAt: manifest.createdAt });
    else {
      console.log(`Restored the backup of ${manifest.createdAt} (${manifest.files.length} files) into ${config.dataDir}.`);
      if (manifest.database === 'postgres') console.log('Restore the PostgreSQL dump of the same time with pg_restore before starting Lectern.');
      console.log('Start Lectern with `lectern serve`: it migrates the database if this version needs it.');
    }
    return EXIT.ok;
  },
  'notifications digest': (v) =>
    withContext(async (ctx) => {
      const result = await ctx.notifications.sendDigest({ force: Boolean(v.now) });
      if (v.json) printJson(result);
      else if (result.sent) console.log(`Sent the digest of ${result.day} to ${result.recipients} enterprise admin(s): ${result.failed} failed, ${result.held} waiting, ${result.stale} stale.`);
      else console.log(`No digest sent: ${result.reason}`);
      return result.sent || !v.now ? EXIT.ok : EXIT.failed;
    }),
  'audit export': (v, args) =>
    withContext(async (ctx) => {
      if (args.length > 1) throw new UsageError('audit export takes at most one OUT.csv.');
      const { exportAudit } = await import('./commands/audit-export.js');
      await exportAudit(ctx, { customer: v.customer, actor: v.actor, action: v.action, person: v.person, kind: v.kind, from: v.from, to: v.to, out: args[0] });
      return EXIT.ok;
    }),
  'customer erase': (v) => withContext(async (ctx) => (await import('./commands/erase.js')).eraseCustomerCommand(ctx, { customer: requireCustomer(v), confirm: v.confirm, json: Boolean(v.json) })),
  'users erase': (v) =>
    withContext(async (ctx) => (await import('./commands/erase.js')).erasePersonCommand(ctx, { customer: requireCustomer(v), user: v.user, confirm: v.confirm, json: Boolean(v.json) })),
  'customer export': (v, args) =>
    withContext(async (ctx) => {
      const out = onePath(args, 'customer export --customer ID|CODE OUT.zip');
      const { customerExport } = await import('./commands/customer-export.js');
      return customerExport(ctx, { customer: requireCustomer(v), out, json: Boolean(v.json) });
    }),
  'customer list': (v) =>
    withContext(async (ctx) => {
      const { items } = await ctx.customers.list(operatorActor, { search: v.search, limit: 10_000, offset: 0 });
      if (v.json) printJson(items);
      else
        printTable(
          items.map((c) => ({ code: c.profile.code, name: c.profile.name, status: c.status, rostering: c.rostering.type === 'oneroster' ? c.rostering.syncType : 'none', id: c.id })),
          ['code', 'name', 'status', 'rostering', 'id'],
        );
      return EXIT.ok;
    }),
  'users list': (v) =>
    withContext(async (ctx) => {
      const customerId = await ctx.customers.resolveId(requireCustomer(v));
      const { items } = await ctx.directory.listUsers(operatorActor, customerId, { search: v.search, includeDeleted: v['include-deleted'], limit: 1_000_000, offset: 0 });
      const rows = items.map((u) => ({
        id: u.id,
        sourcedId: u.sourcedId,
        username: u.username,
        email: u.email,
        identifier: u.identifier,
        givenName: u.givenName,
        familyName: u.familyName,
        role: u.role,
        status: u.status === 'deleted' ? 'deleted' : 'active',
      }));
      if (v.json) printJson(rows);
      else printTable(rows, ['username', 'email', 'givenName', 'familyName', 'role', 'status', 'sourcedId']);
      return EXIT.ok;
    }),
  'classes list': (v) =>
    withContext(async (ctx) => {
      const customerId = await ctx.customers.resolveId(requireCustomer(v));
      const { items } = await ctx.directory.listClasses(operatorActor, customerId, { search: v.search, limit: 1_000_000, offset: 0 });
      if (v.json) printJson(items);
      else printTable(items as unknown as Record<string, unknown>[], ['title', 'classCode', 'classType', 'schoolSourcedId', 'sourcedId', 'status']);
      return EXIT.ok;
    }),
};

function onePath(args: string[], usage: string): string {
  if (args.length !== 1 || !args[0]) throw new UsageError(`Usage: lectern ${usage}`);
  return args[0];
}

function readKeyFile(file: string): Buffer {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new AppError('BAD_REQUEST', `Cannot read the key file ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}.`);
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new AppError('BAD_REQUEST', `${file} does not hold a Lectern key (32 bytes, base64).`);
  return key;
}

function requireCustomer(v: Values): string {
  if (!v.customer) throw new UsageError('This command needs --customer ID|CODE.');
  return v.customer;
}

// Each command loads only the modules it uses, so `--help` and `roster validate` start without the
// server, the database drivers and the job runner (about 0.5 s of imports on a two-core machine).
function withContext(fn: (ctx: AppContext) => Promise<number>): Promise<number> {
  return opened(async (config) => (await import('../context.js')).createContext(config), fn);
}

// `roster import` needs only the database, the data key, the bundle store and runs: the core
// context, without the web app's services and their modules (half the start-up of a re-import).
function withCore(fn: (ctx: CoreContext) => Promise<number>): Promise<number> {
  return opened(async (config) => {
    const [{ openCoreContext }, { isSqliteFile }] = await Promise.all([import('../core-context.js'), import('../db/connection.js')]);
    // As in the app: a SQLite file may be written by a running server, whose apply holds the lock for seconds.
    return openCoreContext(config, { patientLocks: isSqliteFile(config.databaseUrl), migrate: true });
  }, fn);
}

async function opened<C extends { close(): Promise<void> }>(open: (config: Config) => Promise<C>, fn: (ctx: C) => Promise<number>): Promise<number> {
  const { loadConfig } = await import('../config.js');
  const ctx = await open(loadConfig());
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new AppError('BAD_REQUEST', `Cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}.`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AppError('BAD_REQUEST', `${file} is not valid JSON: ${(err as Error).message}.`);
  }
}

// `lectern users list | head` closes our stdout early: that is the reader being done, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
process.exitCode = await main(process.argv.slice(2));
