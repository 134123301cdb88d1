/*
 * What is physically left: on SQLite every file of the data folder (the database with its -wal and
 * -shm among them), on PostgreSQL the data of `pg_dump --data-only` and every file of the data folder.
 * Values are looked for as the bytes they are stored as (UTF-8).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { TestApp } from '../helpers/app.js';

/** Every file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

/** The bytes an erasure must have cleared: the data folder's files, and on PostgreSQL the dump of its data. */
export function storedBytes(t: TestApp): Buffer[] {
  const files = filesUnder(t.ctx.config.dataDir).map((f) => fs.readFileSync(f));
  if (t.dialect === 'sqlite') return files;
  const dump = execFileSync('/usr/bin/pg_dump', ['--data-only', '--no-owner', t.ctx.config.databaseUrl], { maxBuffer: 512 * 1024 * 1024 });
  return [dump, ...files];
}

/** Which of `values` occur anywhere in `stored`. */
export function foundIn(stored: Buffer[], values: readonly string[]): string[] {
  return values.filter((v) => {
    const needle = Buffer.from(v, 'utf8');
    return stored.some((b) => b.includes(needle));
  });
}
