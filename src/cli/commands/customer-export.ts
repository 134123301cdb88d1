import { operatorActor } from '../../accounts/policy.js';
import type { AppContext } from '../../context.js';
import { writeExportFile } from '../../privacy/export/export-file.js';
import { EXIT, printJson, printTable } from '../output.js';
import { progressBar } from '../progress.js';

const mb = (bytes: number) => (bytes / 1048576).toFixed(1);

/** Arguments of `lectern customer export --customer ID|CODE OUT.zip [--json]`. */
export interface CustomerExportArgs {
  customer: string;
  out: string;
  json: boolean;
}

/**
 * Writes every record of a customer into OUT.zip (through a temporary file: a failed export leaves
 * no OUT.zip) and reports its files; exit 0 when written, 1 when it failed (the error says why).
 */
export async function customerExport(ctx: AppContext, args: CustomerExportArgs): Promise<number> {
  const customerId = await ctx.customers.resolveId(args.customer);
  const started = performance.now();
  // The zip's size is known only at its end: the bar counts files and megabytes written.
  const bar = progressBar('Exporting');
  let files = 0;
  let bytes = 0;
  const label = () => `${files} files, ${mb(bytes)} MB written`;
  const onEntry = () => {
    files += 1;
  };
  const onBytes = (total: number) => {
    bytes = total;
    bar.update(total, null, label);
  };
  const written = await writeExportFile(() => ctx.exports.start(operatorActor, customerId, { onEntry }), args.out, onBytes).finally(() => bar.done());
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  if (args.json) {
    printJson({ out: written.out, bytes: written.bytes, seconds, customer: written.customer, exportedAt: written.exportedAt, files: written.files });
    return EXIT.ok;
  }
  console.log(`Exported ${written.customer.name} (${written.customer.code}) to ${written.out}: ${written.files.length} files, ${mb(written.bytes)} MB, in ${seconds} s.`);
  printTable(
    written.files.map((f) => ({ file: f.path, rows: f.rows ?? '', bytes: f.bytes })),
    ['file', 'rows', 'bytes'],
  );
  console.log('README.md in the zip says what each file holds. It holds personal data of students: keep it as your privacy agreement says.');
  return EXIT.ok;
}
