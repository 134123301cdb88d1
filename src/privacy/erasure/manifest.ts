import crypto from 'node:crypto';

/*
 * The manifest of an erasure: what it removed, in a form that proves without keeping what it proves
 * about. Per table, the number of rows and a SHA-256 over their keys (random uuids, numbers and
 * digests, never a name), so whoever holds a copy from before can check exactly which records went,
 * and the live database can be checked for any that remain; per kind of file, the number and a
 * SHA-256 over their names. Its canonical JSON (keys sorted, no spaces) is hashed into the
 * certificate: the hash verifies the manifest, the manifest the erasure.
 */

/** The manifest's format name, so a verifier knows the rules below. */
export const MANIFEST_FORMAT = 'lectern-erasure-manifest/1';

/** How the digests are made, written into every manifest. */
export const DIGEST_RULE =
  "sha256 of each record's key (its key columns joined by ':') followed by a newline, records ordered by the key columns (numbers by value, text by bytes); files by name, in byte order";

/** The rows of one table that went (or were changed to forget a person). */
export interface TableEntry {
  count: number;
  /** The key columns each digested key is made of; null when counted only (every key would name a person). */
  keys: string[] | null;
  sha256: string | null;
}

/** Files of one kind that went. */
export interface FileEntry {
  count: number;
  sha256: string;
}

/** Everything an erasure removed, as hashed into its certificate. */
export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  digestRule: string;
  certificateId: string;
  kind: 'customer' | 'person';
  reason: 'request' | 'offboarding';
  customer: { id: string; code: string };
  person: { id: string } | null;
  erasedAt: string;
  /** Rows deleted, per table (every table the erasure looked at, zeros included). */
  records: Record<string, TableEntry>;
  /** Rows kept but made to forget the person (their name as an actor cleared), per table. */
  anonymized: Record<string, TableEntry>;
  files: { content: FileEntry; bundles: FileEntry };
  /** Sealed secrets among the deleted rows (LTI and roster credentials, webhook and staged secrets). */
  secrets: number;
}

/** A running SHA-256 over keys, in the order they are added, with their count. */
export class KeyDigest {
  private readonly hash = crypto.createHash('sha256');
  count = 0;

  /** Adds one key. */
  add(key: string): void {
    this.hash.update(`${key}\n`, 'utf8');
    this.count++;
  }

  /** The hex digest (call once). */
  hex(): string {
    return this.hash.digest('hex');
  }
}

/** The digest of file names, sorted by bytes. */
export function fileEntry(names: readonly string[]): FileEntry {
  const digest = new KeyDigest();
  for (const name of [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))) digest.add(name);
  return { count: digest.count, sha256: digest.hex() };
}

/** JSON with object keys sorted at every level and no spaces: one text for one value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** SHA-256 (hex) of a text as UTF-8. */
export function sha256Hex(text: string): string {
  return crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}
