/*
 * Inflating one zip entry's data with an exact byte budget: the bytes are counted and reading stops
 * at the entry's declared size, so a lying header cannot make an entry bigger than it claimed. Kept
 * apart from zip.ts (yauzl) because the reading thread inflates too and needs nothing else of it.
 */
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';

/** Inflated chunk size: 64 KiB (zlib's default is 16 KiB) keeps the per-chunk work small against the bytes. */
const CHUNK = 64 * 1024;

/** Why an entry's data could not be read to the end. */
export class EntryReadError extends Error {
  constructor(
    readonly code: 'file.unreadable' | 'zip.bomb',
    message: string,
  ) {
    super(message);
  }
}

/**
 * The inflated bytes of an entry whose stored data `raw` yields (deflated, or stored as is), in
 * chunks. Throws EntryReadError when the data is damaged or inflates past `size`; it never yields
 * more than `size` bytes.
 */
export async function* inflate(raw: Readable, size: number, deflated: boolean): AsyncGenerator<Buffer> {
  const data = deflated ? raw.pipe(zlib.createInflateRaw({ chunkSize: CHUNK })) : raw;
  raw.on('error', (err) => data.destroy(err));
  let bytes = 0;
  try {
    for await (const chunk of data as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > size) throw new EntryReadError('zip.bomb', `inflates past its declared size of ${size} bytes`);
      yield chunk;
    }
  } catch (err) {
    if (err instanceof EntryReadError) throw err;
    throw new EntryReadError('file.unreadable', `its compressed data is damaged (${(err as Error).message})`);
  } finally {
    raw.destroy();
    data.destroy();
  }
  if (bytes !== size) throw new EntryReadError('file.unreadable', `is truncated: ${bytes} of ${size} bytes`);
}
