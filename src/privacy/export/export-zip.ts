import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import yazl from 'yazl';

/** One file of the export: its path in the zip, and its size and SHA-256 before compression. */
export interface ExportEntry {
  path: string;
  bytes: number;
  sha256: string;
  /** Data rows, for tables. */
  rows?: number;
}

/** The export stopped because whoever read it went away (a closed download, a failed disk write). */
export class ExportCancelled extends Error {
  constructor() {
    super('The export was cancelled: nothing was reading it any more.');
    this.name = 'ExportCancelled';
  }
}

/**
 * The export's zip (yazl), written one entry at a time as its output is read: memory holds a chunk
 * of the entry being written, never an entry, and an entry's source is read only when the one before
 * it is done, so backpressure reaches the database cursor. A failure anywhere destroys the output
 * with the error: whoever reads `output` sees a failed stream, never a zip that looks complete (the
 * central directory is written only by `finish`).
 */
export class ExportZip {
  private readonly zip = new yazl.ZipFile();
  /** The zip's bytes. */
  // yazl's types say a NodeJS.ReadableStream; it is a PassThrough.
  readonly output = this.zip.outputStream as Readable;
  /** Every entry written so far, in order. */
  readonly entries: ExportEntry[] = [];
  private current: Readable | null = null;
  private failure: Error | null = null;
  private ended = false;

  constructor(
    private readonly mtime: Date,
    /** Told of each entry once it is written; the export waits for a returned promise. */
    private readonly onEntry?: (entry: ExportEntry) => void | Promise<void>,
  ) {
    this.zip.on('error', (err: Error) => this.fail(err));
    // Failures reach the reader through its own listener (pipeline, Fastify); this one only keeps a
    // failure nobody reads any more from crashing the process.
    this.output.on('error', () => undefined);
    this.output.once('close', () => {
      if (!this.ended) this.fail(new ExportCancelled());
    });
  }

  /**
   * Writes one entry from `chunks` and resolves once all of it went into the zip. Already
   * compressed files (EPUB, most PDFs) go in stored (`compress: false`), which costs no CPU; a
   * table passes the `count` its rows were counted into.
   */
  async add(path: string, chunks: AsyncIterable<string | Buffer> | Iterable<string | Buffer>, opts: { compress?: boolean; count?: { rows: number } } = {}): Promise<ExportEntry> {
    if (this.failure) throw this.failure;
    const hash = crypto.createHash('sha256');
    let bytes = 0;
    async function* counted(): AsyncGenerator<Buffer> {
      for await (const chunk of chunks) {
        const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        hash.update(buffer);
        bytes += buffer.length;
        yield buffer;
      }
    }
    const source = Readable.from(counted(), { objectMode: false });
    this.current = source;
    this.zip.addReadStream(source, path, { mtime: this.mtime, compress: opts.compress ?? true });
    try {
      await finished(source);
    } catch (err) {
      this.fail(err);
      throw this.failure;
    } finally {
      this.current = null;
    }
    const entry: ExportEntry = { path, bytes, sha256: hash.digest('hex'), ...(opts.count ? { rows: opts.count.rows } : {}) };
    this.entries.push(entry);
    await this.onEntry?.(entry);
    return entry;
  }

  /** Adds the central directory: the zip is complete when `output` ends. */
  finish(): void {
    if (this.failure) throw this.failure;
    this.ended = true;
    this.zip.end();
  }

  /** Ends the export with `err`: the entry being written stops, and the output fails instead of ending. */
  fail(err: unknown): void {
    if (this.failure) return;
    this.failure = err instanceof Error ? err : new Error(String(err));
    this.current?.destroy(this.failure);
    this.output.destroy(this.failure);
  }
}
