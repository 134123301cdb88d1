/*
 * OneRoster REST objects as the CSV reader's rows. A JSON object is laid out as the cells of the
 * matching CSV table (GUIDRef objects become their sourcedId, lists become comma-joined cells,
 * userIds become `{type:id}` items, booleans and numbers their text) and handed to the reader's own
 * RowReader, so a REST pull and a ZIP import are validated by one set of rules and produce the same
 * records, issue codes and engine rows. The REST "line" of a row is its position in its collection.
 */
import { CsvRow, hasControl } from '../oneroster/csv.js';
import { COMMON_COLUMNS, TABLES, type TableName, type Version } from '../oneroster/spec.js';

/** The collections a pull reads, in the reader's dependency order (every reference points backwards). */
export const REST_COLLECTIONS = ['orgs', 'academicSessions', 'courses', 'classes', 'users', 'enrollments'] as const;
export type RestCollection = (typeof REST_COLLECTIONS)[number];

/** The reader table a collection's objects are checked against. */
export function tableOf(collection: RestCollection, version: Version): TableName {
  return collection === 'users' ? (version === '1.1' ? 'users@1.1' : 'users@1.2') : collection;
}

/** The CSV header a table's cells are laid out in: the spec columns in spec order. */
export function headerOf(table: TableName): string[] {
  return [...COMMON_COLUMNS, ...TABLES[table].map((c) => c.name)];
}

// CSV column → REST JSON field, where the names differ (reference §2.5, OpenAPI DTypes).
const RENAMES: Record<string, string> = {
  parentSourcedId: 'parent',
  schoolYearSourcedId: 'schoolYear',
  orgSourcedId: 'org',
  courseSourcedId: 'course',
  schoolSourcedId: 'school',
  termSourcedIds: 'terms',
  orgSourcedIds: 'orgs',
  agentSourcedIds: 'agents',
  classSourcedId: 'class',
  userSourcedId: 'user',
  primaryOrgSourcedId: 'primaryOrg',
  preferredGivenName: 'preferredFirstName',
  preferredFamilyName: 'preferredLastName',
  userProfileSourcedId: 'userProfile',
};

// In academicSessions, `schoolYear` is the year itself, not a reference.
const KEEP_NAME: Partial<Record<TableName, Set<string>>> = { academicSessions: new Set(['schoolYear']) };

/** The cells of `obj` in the order of `header`. */
export function cellsOf(obj: Record<string, unknown>, header: readonly string[], table: TableName): string[] {
  const keep = KEEP_NAME[table];
  return header.map((column) => cellOf(obj[keep?.has(column) ? column : (RENAMES[column] ?? column)]));
}

/** One JSON value as the text of a CSV cell. */
export function cellOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(itemOf).join(',');
  return itemOf(value);
}

function itemOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'object') return String(value);
  const o = value as Record<string, unknown>;
  // A GUIDRef, or a userIds item ({type, identifier} in JSON, {type:id} in CSV).
  if (typeof o.sourcedId === 'string') return o.sourcedId;
  if (typeof o.type === 'string' && typeof o.identifier === 'string') return `{${o.type}:${o.identifier}}`;
  return JSON.stringify(value);
}

/** The `metadata` extension object of a REST object, keyed as the CSV reader keys extension columns. */
export function metadataOf(obj: Record<string, unknown>): Record<string, string> {
  const m = obj.metadata;
  const out: Record<string, string> = {};
  if (!m || typeof m !== 'object' || Array.isArray(m)) return out;
  for (const [k, v] of Object.entries(m)) out[`metadata.${k}`] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

/** The 1.2 `roles` of a user as objects of the roles table (they have no sourcedId of their own). */
export function rolesOf(user: Record<string, unknown>): Record<string, unknown>[] {
  const roles = user.roles;
  if (!Array.isArray(roles)) return [];
  return roles.map((r, i) => ({
    ...(r && typeof r === 'object' ? (r as Record<string, unknown>) : {}),
    sourcedId: `${cellOf(user.sourcedId)}.role${i + 1}`,
    status: user.status,
    dateLastModified: user.dateLastModified,
    user: user.sourcedId,
  }));
}

/** Lays `cells` out as one CsvRow (reused between rows), as the tokenizer would have delivered them. */
export function fillRow(row: CsvRow, cells: readonly string[]): CsvRow {
  const text = cells.join('');
  const bytes = Buffer.from(text);
  row.reset(bytes);
  row.wide = bytes.length !== text.length;
  row.controls = hasControl(text);
  let at = 0;
  for (const cell of cells) {
    const length = row.wide ? Buffer.byteLength(cell) : cell.length;
    row.push(at, at + length, 0);
    at += length;
  }
  return row;
}

/** Whether a value is a JSON object (a row of a collection must be one). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
