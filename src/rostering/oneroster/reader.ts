/*
 * The public face of the bundle reader: readBundle() vets the zip, works out the version and the
 * mode of every file, then streams each roster file in dependency order through the tokenizer and
 * the row reader, handing records to the caller in batches and collecting a complete issue report.
 * Big bundles are inflated and tokenized in a worker thread (reader-thread.ts) while this thread
 * checks the rows. It holds a few chunks of bytes and the id indexes in memory, never a file.
 * Hostile or broken input ends in a report, never in an exception.
 */
import os from 'node:os';
import { CsvRow } from './csv.js';
import { inlineSteps, type EntryFailure, type EntryStep } from './csv-entry.js';
import { Integrity } from './integrity.js';
import { IssueCollector, type Issue, type IssueCount } from './issues.js';
import { layoutOf, type BundleLayout } from './layout.js';
import { readManifest, type Manifest } from './manifest.js';
import { ReaderThread } from './reader-thread.js';
import type { RosterRecord } from './records.js';
import { idColumns, planHeader, RowReader, type FileContext } from './rows.js';
import { ENTITY_FILES, FILES_SINCE_1_2, IGNORED_FILES, type EntityFile, type FileMode, type Version } from './spec.js';
import { BundleZip, DEFAULT_ZIP_LIMITS, type RandomAccessZip, type ZipEntryInfo, type ZipLimits } from './zip.js';

/** Every limit of the reader. */
export interface ReaderLimits extends ZipLimits {
  /** Characters in one CSV record. */
  maxRecordLength: number;
}

/** Defaults: generous for real districts, small enough that a hostile file stops early. */
export const DEFAULT_LIMITS: ReaderLimits = { ...DEFAULT_ZIP_LIMITS, maxRecordLength: 1024 * 1024 };

/** Where a read is, for progress bars. */
export interface ReadProgress {
  file: string;
  /** Inflated bytes read so far, over all files, and the total to read. */
  bytes: number;
  totalBytes: number;
  rows: number;
}

/** Options of readBundle. */
export interface ReadOptions {
  limits?: Partial<ReaderLimits>;
  /**
   * Receives every data row, file by file in dependency order (orgs, academicSessions, courses,
   * classes, users, userProfiles, roles, enrollments, demographics), in batches of one inflated
   * chunk; reading waits for a returned promise. Records are provisional: apply them only if the
   * final report is not `unusable`. Once the bundle is known to be unusable no more are delivered.
   */
  onRecords?: (batch: RosterRecord[]) => void | Promise<void>;
  /** Called as each file starts, every 4 MiB or so, and as it ends. */
  onProgress?: (progress: ReadProgress) => void;
  /** Sees every issue, including those beyond `maxIssueExamples`. */
  onIssue?: (issue: Issue) => void;
  /** Issues kept in the report per code (all are counted). Default 1000. */
  maxIssueExamples?: number;
  /**
   * Inflate and tokenize roster files in a worker thread while this one checks the rows: true for
   * every roster file, false for none. By default for the big files of a big bundle read without
   * `onRecords` (validation), where it pays; an import is bound by its database, and the thread
   * would add to its peak memory for about 1 % of its time.
   */
  thread?: boolean;
}

/** One roster file of the bundle's version. */
export interface FileReport {
  name: string;
  mode: FileMode;
  /** Data rows read (blank lines excluded). */
  rows: number;
  /** Rows with an error, which must not be applied. */
  rejected: number;
}

/** The outcome of reading a bundle: DESIGN.md's validate shape plus counts. */
export interface BundleReport {
  /** No structural issue and no error. */
  valid: boolean;
  /** A structural issue: nothing in the bundle may be applied. */
  unusable: boolean;
  version: Version | null;
  files: FileReport[];
  /** The kept examples (at most maxIssueExamples per code). */
  issues: Issue[];
  issueCounts: IssueCount[];
  issuesTruncated: boolean;
  errors: number;
  warnings: number;
  infos: number;
}

/** Reads, validates and streams the bundle at `path` (or behind a random-access reader); resolves with its report. */
export async function readBundle(path: string | RandomAccessZip, options: ReadOptions = {}): Promise<BundleReport> {
  const issues = new IssueCollector(options.maxIssueExamples ?? 1000, options.onIssue);
  const limits: ReaderLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const run = new BundleRun(issues, limits, options);
  try {
    await run.read(path);
  } catch (err) {
    if (err instanceof SinkError) throw err.cause;
    issues.add('zip.unreadable', `The bundle could not be read: ${(err as Error).message}.`);
  }
  return run.report();
}

/*
 * When the reading thread pays, measured compiled on a shared two-core machine: it takes the
 * inflating, tokenizing and id hashing (about a third of the work) off this thread, but costs
 * 35–50 ms to start and competes for the second core. It loses up to 40 ms on bundles under about
 * 20 MB inflated (a 5-row bundle, a 13 MB one), breaks even there, and wins from about 25 MB
 * (0.3 s of 1.2 s on the 100,000-user district). Never on a one-core machine, and not for imports
 * by default: the million-user import took 674 MB at its peak with it, 600 MB without, and its
 * reading is about 1 % of its time.
 */
const THREAD_MIN_BUNDLE = 24 * 1024 * 1024;
const THREAD_MIN_FILE = 1024 * 1024;

/** Inflated bytes between two progress reports of a file. */
const PROGRESS_STEP = 4 * 1024 * 1024;

// Wraps a failure of the caller's onRecords so it propagates instead of becoming an issue.
class SinkError extends Error {}

class BundleRun {
  private version: Version | null = null;
  private readonly files: FileReport[] = [];

  constructor(
    private readonly issues: IssueCollector,
    private readonly limits: ReaderLimits,
    private readonly options: ReadOptions,
  ) {}

  async read(path: string | RandomAccessZip): Promise<void> {
    const zip = await BundleZip.open(path, this.limits, this.issues);
    if (!zip) return;
    let thread: ReaderThread | null = null;
    let integrity: Integrity | null = null;
    try {
      // Started now, it loads while the manifest and the small files are read here.
      const inflated = zip.entries.reduce((sum, e) => sum + e.size, 0);
      if (this.options.thread ?? (!this.options.onRecords && inflated >= THREAD_MIN_BUNDLE && os.availableParallelism() > 1)) thread = ReaderThread.start();
      const layout = layoutOf(zip.entries, this.issues);
      const manifest = layout.manifest ? await this.manifest(zip, layout.manifest) : null;
      if (layout.manifest && !manifest) return;
      if (!layout.manifest) {
        if (!layout.entities.size) {
          this.issues.add('bundle.no_files', 'The zip holds no manifest.csv and none of orgs.csv, users.csv, classes.csv, enrollments.csv… at its root.');
          return;
        }
        this.issues.add('manifest.missing', 'There is no manifest.csv: every file present was read as a bulk file, and files not present are left alone.');
      }
      const version = manifest?.version ?? (layout.entities.has('roles') || layout.entities.has('userProfiles') ? '1.2' : '1.1');
      this.version = version;
      const plan = this.plan(layout, manifest, version);
      const progress = { done: 0, total: plan.reduce((sum, p) => sum + (p.entry?.size ?? 0), 0) };
      integrity = new Integrity(this.issues);
      for (const { file, mode, entry } of plan) {
        const name = `${file}.csv`;
        if (!entry || mode === 'absent') {
          this.files.push({ name, mode: 'absent', rows: 0, rejected: 0 });
          continue;
        }
        // Without a manifest, users.csv's header tells its version (1.1 has role and orgSourcedIds).
        const threaded = thread && !thread.failed && (this.options.thread || entry.size >= THREAD_MIN_FILE) ? thread : null;
        this.files.push(await this.readFile(zip, entry, { file, name, version, mode }, integrity, progress, !manifest && file === 'users', threaded));
        progress.done += entry.size;
      }
      if (manifest && !plan.some((p) => p.entry && p.mode !== 'absent') && !this.issues.unusable) {
        this.issues.add('bundle.no_changes', 'The bundle holds only a manifest with no file to read: no changes.');
      }
    } finally {
      integrity?.release();
      zip.close();
      await thread?.close();
    }
  }

  private async manifest(zip: BundleZip, entry: ZipEntryInfo): Promise<Manifest | null> {
    const rows: { cells: string[]; line: number }[] = [];
    const { failure } = await this.eachRecord(inlineSteps(zip.read(entry), { file: 'manifest.csv', maxRecordLength: 64 * 1024 }), (row) => {
      // A manifest has about 25 rows; a huge one is not a manifest and is not worth holding.
      if (rows.length < 200) rows.push({ cells: [...row], line: row.line });
      return true;
    });
    if (failure) {
      this.reportFailure('manifest.csv', failure);
      return null;
    }
    return readManifest(rows, this.issues);
  }

  /**
   * Hands every record of an entry to `onRow` until it returns false (stopped), and calls `afterStep`
   * after each chunk read to its end; returns how reading ended.
   */
  private async eachRecord(
    steps: AsyncGenerator<EntryStep, void, undefined>,
    onRow: (row: CsvRow) => boolean,
    afterStep?: (step: EntryStep) => Promise<void>,
  ): Promise<{ failure: EntryFailure | null; stopped: boolean }> {
    const row = new CsvRow();
    for await (const step of steps) {
      const batch = step.batch;
      for (let r = 0; batch && r < batch.count; r++) {
        row.view(batch, r);
        if (!onRow(row)) return { failure: null, stopped: true };
      }
      if (step.failure) return { failure: step.failure, stopped: false };
      await afterStep?.(step);
    }
    return { failure: null, stopped: false };
  }

  // The mode and entry of every roster file of the version, reporting files that cannot be read.
  private plan(layout: BundleLayout, manifest: Manifest | null, version: Version): { file: EntityFile; mode: FileMode; entry: ZipEntryInfo | null }[] {
    for (const ignored of layout.ignored) {
      const known = (IGNORED_FILES[version] as readonly string[]).includes(ignored);
      this.issues.add(
        known ? 'file.ignored' : 'file.wrong_version',
        `${ignored}.csv ${known ? 'is a gradebook or resources file, which Lectern does not read' : `is not a OneRoster ${version} file`}; it was skipped.`,
        {
          file: `${ignored}.csv`,
        },
      );
    }
    const plan: { file: EntityFile; mode: FileMode; entry: ZipEntryInfo | null }[] = [];
    for (const file of ENTITY_FILES) {
      const entry = layout.entities.get(file) ?? null;
      const name = `${file}.csv`;
      if (version === '1.1' && FILES_SINCE_1_2.has(file)) {
        if (entry) this.issues.add('file.wrong_version', `${name} is a OneRoster 1.2 file and this is a 1.1 bundle; it was skipped.`, { file: name });
        continue;
      }
      // Without a manifest every file present is bulk (the minimal bundle) and the rest absent.
      const declared = manifest ? manifest.modes.get(file) : entry ? 'bulk' : 'absent';
      if (entry) {
        if (declared === 'absent') {
          this.issues.add('file.declared_absent', `${name} is in the zip but manifest.csv declares file.${file} absent; it was skipped.`, { file: name });
          plan.push({ file, mode: 'absent', entry: null });
        } else if (!declared) {
          this.issues.add('manifest.mode', `${name} is in the zip but manifest.csv gives no mode for file.${file} (bulk, delta or absent).`, { file: name });
          plan.push({ file, mode: 'absent', entry: null });
        } else plan.push({ file, mode: declared, entry });
      } else {
        if (declared === 'bulk' || declared === 'delta') {
          this.issues.add('file.missing', `manifest.csv declares file.${file} ${declared} but the zip holds no ${name}.`, { file: name });
        }
        plan.push({ file, mode: 'absent', entry: null });
      }
    }
    return plan;
  }

  private async readFile(
    zip: BundleZip,
    entry: ZipEntryInfo,
    ctx: FileContext,
    integrity: Integrity,
    progress: { done: number; total: number },
    inferUsers: boolean,
    thread: ReaderThread | null,
  ): Promise<FileReport> {
    const { onRecords, onProgress } = this.options;
    // Real rows are 100–200 bytes; 128 sizes the id index close enough that it seldom grows.
    integrity.begin(ctx.file, ctx.mode === 'bulk', entry.size / 128);
    // Filled by the row callback: the header makes the row reader, rows fill the batch.
    const state: { reader: RowReader | null; headerSeen: boolean; batch: RosterRecord[] } = { reader: null, headerSeen: false, batch: [] };
    let shown = -Infinity;
    const flush = async (bytes: number) => {
      const records = state.batch;
      state.batch = [];
      if (records.length && onRecords && !this.issues.unusable) {
        try {
          await onRecords(records);
        } catch (err) {
          throw new SinkError('onRecords failed', { cause: err });
        }
      }
      // Progress every PROGRESS_STEP bytes and at the end of the file, not every chunk: callers format it.
      if (bytes - shown < PROGRESS_STEP && bytes < entry.size) return;
      shown = bytes;
      onProgress?.({ file: ctx.name, bytes: progress.done + bytes, totalBytes: progress.total, rows: state.reader?.rows ?? 0 });
    };
    const options = { file: ctx.name, maxRecordLength: this.limits.maxRecordLength };
    const steps = thread ? thread.steps(zip, entry, options) : inlineSteps(zip.read(entry), options);
    const { failure, stopped } = await this.eachRecord(
      steps,
      (row) => {
        if (state.reader) {
          const record = state.reader.read(row, row.line, row.quirks);
          if (record) state.batch.push(record);
          return true;
        }
        state.headerSeen = true;
        const header = [...row];
        if (inferUsers) {
          ctx = { ...ctx, version: header.includes('role') || header.includes('orgSourcedIds') ? '1.1' : '1.2' };
          this.version = ctx.version;
        }
        const plan = planHeader(ctx, header, this.issues);
        if (!plan) return false;
        state.reader = new RowReader(ctx, plan, this.issues, integrity, onRecords !== undefined);
        thread?.hashIds(idColumns(plan));
        return true;
      },
      (step) => flush(step.inflated),
    );
    if (failure) this.reportFailure(ctx.name, failure);
    const readToEnd = !failure && !stopped;
    await flush(entry.size);
    const reader = state.reader;
    if (!state.headerSeen) this.issues.add('header.missing', `${ctx.name} is empty: it has no header row.`, { file: ctx.name, line: 1 });
    else if (readToEnd && reader?.rows === 0) {
      this.issues.add('file.no_rows', `${ctx.name} has a header but no data rows; a file with nothing to send is declared absent in manifest.csv.`, { file: ctx.name, line: 2 });
    }
    integrity.end(ctx.name, readToEnd && reader !== null);
    for (const column of reader?.uncheckedColumns ?? []) {
      this.issues.add('ref.not_checked', `References in ${column} were not checked: their target file is not in this bundle in bulk.`, { file: ctx.name, column });
    }
    return { name: ctx.name, mode: ctx.mode, rows: reader?.rows ?? 0, rejected: reader?.rejected ?? 0 };
  }

  // The structural issue of an entry that could not be read to the end.
  private reportFailure(file: string, failure: EntryFailure): void {
    this.issues.add(failure.code, failure.message, failure.line === null ? { file } : { file, line: failure.line });
  }

  report(): BundleReport {
    const issues = this.issues;
    const issueCounts = issues.summary();
    const kept = issues.list();
    return {
      valid: !issues.unusable && issues.errors === 0,
      unusable: issues.unusable,
      version: this.version,
      files: this.files,
      issues: kept,
      issueCounts,
      issuesTruncated: kept.length < issues.errors + issues.warnings + issues.infos,
      errors: issues.errors,
      warnings: issues.warnings,
      infos: issues.infos,
    };
  }
}
