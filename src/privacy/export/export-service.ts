import type { Readable } from 'node:stream';
import { assertCustomerAccess, type Actor } from '../../accounts/policy.js';
import { AuditService } from '../../audit/audit-service.js';
import type { ContentStore } from '../../content/content-store.js';
import { presentCustomer } from '../../customers/customer-presenter.js';
import { CustomerRepository } from '../../customers/customer-repository.js';
import type { Db } from '../../db/connection.js';
import { AppError, notFound } from '../../errors.js';
import { csvCell } from '../../rostering/runs/issues-csv.js';
import { addCsv } from './csv-chunks.js';
import { ExportRepository } from './export-repository.js';
import { ExportZip, type ExportEntry } from './export-zip.js';
import { LECTERN_FILES, titleFile } from './lectern-files.js';
import { OneRosterExport } from './oneroster-export.js';
import { exportReadme } from './readme.js';
import { withReadSnapshot } from './snapshot.js';

/** What an export held, once it is complete (contents.json). */
export interface ExportSummary {
  format: 'lectern-customer-export';
  version: 1;
  customer: { id: string; code: string; name: string };
  exportedAt: string;
  exportedBy: string;
  files: ExportEntry[];
}

/** An export under way: its file name, its bytes as they are written, and how it ends. */
export interface StartedExport {
  fileName: string;
  /** The zip. It ends only when the export is complete; a failure destroys it with the error. */
  stream: Readable;
  /** Resolves when the zip is complete; rejects with what stopped it (the stream fails with it too). */
  done: Promise<ExportSummary>;
}

/**
 * A customer's data returned to the customer (issue 16, "Export"): one zip with the roster as a
 * OneRoster 1.2 bundle, every other record Lectern keeps of the customer as CSV, the titles it
 * uploaded and a README (readme.ts). Enterprise admins (and the CLI operator) may export any
 * customer; a customer admin their own; nobody else. Streamed from one read snapshot a cursor at a
 * time, so memory does not grow with the customer (export-repository.ts, export-zip.ts).
 */
export class CustomerExportService {
  constructor(
    private readonly db: Db,
    private readonly content: ContentStore,
    private readonly publicUrl: string,
  ) {}

  /**
   * Checks access on the loaded customer, records the export in the audit log (before a byte of it
   * leaves) and starts writing; the zip is written as `stream` is read. `onEntry` hears of each
   * file as it is written (the export waits for a returned promise).
   */
  async start(actor: Actor, customerId: string, opts: { onEntry?: (entry: ExportEntry) => void | Promise<void> } = {}): Promise<StartedExport> {
    const record = await new CustomerRepository(this.db.kysely).find(customerId);
    if (!record) throw notFound('Customer');
    // The tenant wall, on the loaded customer: another customer's admin gets NOT_FOUND, as for an unknown id; teachers and students FORBIDDEN.
    assertCustomerAccess(actor, record.customer.id);
    if (actor.role === 'institute_admin') throw new AppError('FORBIDDEN', "Only enterprise administrators and the customer's administrators can export its data.");
    const { customer } = record;
    await new AuditService(this.db.kysely).recordRead(actor, { customerId: customer.id, action: 'customer.export', targetType: 'customer', targetId: customer.id, fields: [] });
    const now = new Date();
    const zip = new ExportZip(now, opts.onEntry);
    const facts = { customer: { id: customer.id, code: customer.code, name: customer.name }, exportedAt: now.toISOString(), exportedBy: actor.label };
    const done = this.write(zip, facts, presentCustomer(record, this.publicUrl, now)).catch((err: unknown) => {
      zip.fail(err);
      throw err;
    });
    return { fileName: `lectern-${facts.customer.code}-export-${now.toISOString().replace(/[-:]|\.\d+/g, '')}.zip`, stream: zip.output, done };
  }

  private async write(zip: ExportZip, facts: Omit<ExportSummary, 'format' | 'version' | 'files'>, view: unknown): Promise<ExportSummary> {
    const customerId = facts.customer.id;
    await zip.add('README.md', [exportReadme(facts)]);
    await zip.add('customer.json', [`${JSON.stringify(view, null, 2)}\n`]);
    // The titles' files are read after the snapshot, which holds a database connection: their ids wait meanwhile.
    const titles: { id: string; key: string; format: string; title: string }[] = [];
    await withReadSnapshot(this.db, async (snapshot) => {
      const repo = new ExportRepository(snapshot);
      const roster = new OneRosterExport(repo, zip, facts.customer, new Date(facts.exportedAt));
      await roster.writeBundle();
      await roster.writeOutside();
      for (const file of LECTERN_FILES) {
        await addCsv(zip, file.path, {
          header: file.columns.map((c) => c.name),
          rows: file.rows(repo, customerId),
          cells: (values) => file.columns.map((c) => values[c.name] ?? null),
          quote: csvCell,
        });
      }
      for await (const b of repo.titles(customerId)) titles.push({ id: b.id, key: b.file_key, format: b.format, title: b.title });
    });
    for (const t of titles) await zip.add(titleFile(t.id, t.format), await this.titleBytes(customerId, t), { compress: false });
    const summary: ExportSummary = { format: 'lectern-customer-export', version: 1, ...facts, files: [...zip.entries] };
    await zip.add('contents.json', [`${JSON.stringify(summary, null, 2)}\n`]);
    zip.finish();
    return summary;
  }

  // A title's stored file; a missing one stops the export (a zip without it would not be the customer's data).
  private async titleBytes(customerId: string, t: { id: string; key: string; title: string }): Promise<Readable> {
    try {
      return await this.content.open(customerId, t.key);
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') {
        throw new AppError(
          'INTERNAL',
          `The file of the title "${t.title}" (${t.id}) is missing from Lectern's data folder, so the export stopped. Restore it from a backup, or delete the title, then export again.`,
        );
      }
      throw err;
    }
  }
}
