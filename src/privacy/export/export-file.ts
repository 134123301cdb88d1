import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../errors.js';
import type { ExportSummary, StartedExport } from './export-service.js';
import { ExportCancelled } from './export-zip.js';

/** A finished export file: where, how big, and what it holds. */
export interface WrittenExport extends ExportSummary {
  out: string;
  bytes: number;
}

/**
 * Writes an export to `out` through a temporary file beside it (readable by its owner only: it holds
 * the customer's people), renamed into place once the zip is complete and on disk. A failure removes
 * the temporary file, so there is never a partial `out`. A process killed mid-export can leave only
 * the hidden `.<name>.<random>.partial`, never `out`. `onBytes` hears the zip's size so far.
 */
export async function writeExportFile(start: () => Promise<StartedExport>, out: string, onBytes?: (written: number) => void): Promise<WrittenExport> {
  const target = path.resolve(out);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${crypto.randomBytes(6).toString('hex')}.partial`);
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(temp, 'wx', 0o600);
  } catch (err) {
    throw new AppError('BAD_REQUEST', `Cannot write ${out}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'its folder does not exist' : (err as Error).message}.`);
  }
  try {
    const started = await start();
    if (onBytes) {
      let written = 0;
      started.stream.on('data', (chunk: Buffer) => onBytes((written += chunk.length)));
    }
    // Both settle before anything is removed: a failed disk write stops the export, and a failed
    // export fails the write; the snapshot is closed when `done` settles.
    // The stream closes the file once written, flushed to disk first (`flush`), before the rename.
    const [written, done] = await Promise.allSettled([pipeline(started.stream, handle.createWriteStream({ flush: true })), started.done]);
    // The export's own failure says more, unless it only stopped because the write failed.
    if (done.status === 'rejected' && !(done.reason instanceof ExportCancelled && written.status === 'rejected')) throw done.reason;
    if (written.status === 'rejected') throw written.reason;
    if (done.status === 'rejected') throw done.reason;
    await fs.promises.rename(temp, target);
    return { ...done.value, out, bytes: (await fs.promises.stat(target)).size };
  } catch (err) {
    await handle.close().catch(() => undefined);
    await fs.promises.rm(temp, { force: true });
    throw err;
  }
}
