/*
 * Header and row validation of one roster file, driven by the column tables of spec.ts. The
 * header is checked once and compiled into a plan (where each spec column sits, which columns are
 * metadata); every row is then read against the plan into a typed record, with one issue per
 * finding. Tolerated deviations are accepted with a warning, never silently.
 */
import { checkDateTime, isDate, isExtensionToken, isOneUserId, isYear, nearest, parseUserIds, readBoolean, splitList } from './fields.js';
import { idKeyOf, isGuidKey, type IdIndex, type IdSet } from './ids.js';
import { QUIRK, type CsvRow } from './csv.js';
import type { Integrity } from './integrity.js';
import { ISSUE_CODES, type IssueCode, type IssueCollector } from './issues.js';
import type { AcceptedRecord, RosterRecord } from './records.js';
import { COMMON_COLUMNS, GRADES, TABLES, tableFor, type ColumnSpec, type EntityFile, type FileMode, type Status, type TableName, type Version } from './spec.js';

/** Where each column of a file's header is, compiled once per file. */
export interface HeaderPlan {
  table: TableName;
  /** Cells in the header (every row must have as many). */
  width: number;
  idIndex: number;
  /** -1 when the header lacks the column (allowed in bulk files only). */
  statusIndex: number;
  modifiedIndex: number;
  columns: Column[];
  metadata: { index: number; name: string }[];
}

/**
 * A spec column compiled for the hot path: one class (so every property read is monomorphic,
 * unlike the differently shaped spec literals) with the type as a small integer.
 */
export class Column {
  readonly name: string;
  readonly kind: number;
  readonly required: boolean;
  readonly values: ReadonlySet<string> | null;
  /** The enumeration's values as UTF-8, in the order of `values`, for matching cells without decoding them. */
  readonly valueBytes: readonly { bytes: Buffer; value: string }[];
  readonly ext: boolean;
  readonly target: EntityFile | null;
  readonly targetType: 'school' | 'schoolYear' | null;

  constructor(
    spec: ColumnSpec,
    /** Position in the header, -1 when the header lacks this (optional) column. */
    readonly index: number,
  ) {
    this.name = spec.name;
    this.kind = KINDS.indexOf(spec.type);
    this.required = spec.required;
    this.values = spec.values ? new Set(spec.values) : null;
    this.valueBytes = (spec.values ?? []).map((value) => ({ bytes: Buffer.from(value), value }));
    this.ext = spec.ext === true;
    this.target = spec.target ?? null;
    this.targetType = spec.targetType ?? null;
  }
}

const KINDS: readonly ColumnSpec['type'][] = ['text', 'texts', 'ref', 'refs', 'enum', 'boolean', 'date', 'year', 'grades', 'userIds'];
const [TEXT, TEXTS, REF, REFS, ENUM, BOOLEAN, DATE, YEAR, GRADES_KIND, USER_IDS] = KINDS.map((_, i) => i);

/** The file being read and how. */
export interface FileContext {
  file: EntityFile;
  /** The name issues carry, e.g. `users.csv`. */
  name: string;
  version: Version;
  mode: FileMode;
}

const METADATA = 'metadata.';

/**
 * Checks a header and compiles its plan. Returns null after a structural issue (a required column
 * missing, a name twice), when no row of the file can be read.
 */
export function planHeader(ctx: FileContext, header: readonly string[], issues: IssueCollector): HeaderPlan | null {
  const where = { file: ctx.name, line: 1 };
  const table = tableFor(ctx.file, ctx.version, header);
  const specs: readonly ColumnSpec[] = TABLES[table];
  const specOrder = new Map<string, number>([...COMMON_COLUMNS, ...specs.map((s) => s.name)].map((name, i) => [name, i]));
  const positions = new Map<string, number>();
  let unusable = false;
  header.forEach((name, index) => {
    if (name === '') {
      issues.add('header.blank_column', `Header cell ${index + 1} is blank; its column was ignored.`, { ...where, column: `#${index + 1}` });
      return;
    }
    if (positions.has(name)) {
      issues.add('header.duplicate', `The column ${name} appears twice in the header.`, { ...where, column: name });
      unusable = true;
      return;
    }
    positions.set(name, index);
    if (!specOrder.has(name) && !name.startsWith(METADATA)) {
      const hint = nearest(name, specOrder.keys());
      const other = otherVersionHint(ctx, name);
      issues.add('header.unknown_column', `${name} is not a column of ${ctx.name}${hint ? ` (did you mean ${hint}?)` : ''}${other}; it was ignored. Extension columns are named metadata.<name>.`, {
        ...where,
        column: name,
      });
    }
  });
  const deltaOnly = new Set<string>(['status', 'dateLastModified']);
  const missingRequired: string[] = [];
  const missingOptional: string[] = [];
  for (const name of specOrder.keys()) {
    if (positions.has(name)) continue;
    const spec = specs.find((s) => s.name === name);
    const required = name === 'sourcedId' || (deltaOnly.has(name) ? ctx.mode === 'delta' : spec?.required === true);
    (required ? missingRequired : missingOptional).push(name);
  }
  for (const name of missingRequired) {
    issues.add('header.missing_required', `${ctx.name} has no ${name} column, which is required${versionHint(ctx, table)}.`, { ...where, column: name });
    unusable = true;
  }
  if (missingOptional.length) {
    issues.add('header.missing_optional', `${ctx.name} lacks the spec columns ${missingOptional.join(', ')}; they were read as blank.`, { ...where, column: missingOptional.join(',') });
  }
  if (unusable) return null;
  if (!inSpecOrder(header, specOrder)) {
    issues.add('header.out_of_order', `The columns of ${ctx.name} are not in spec order (${[...specOrder.keys()].join(',')}, then metadata.* columns); they were read by name.`, where);
  }
  return {
    table,
    width: header.length,
    idIndex: positions.get('sourcedId') ?? 0,
    statusIndex: positions.get('status') ?? -1,
    modifiedIndex: positions.get('dateLastModified') ?? -1,
    columns: specs.map((spec) => new Column(spec, positions.get(spec.name) ?? -1)),
    metadata: header.flatMap((name, index) => (name.startsWith(METADATA) && positions.get(name) === index ? [{ index, name }] : [])),
  };
}

/** Where the ids of a row are: its sourcedId and every reference column. */
export function idColumns(plan: HeaderPlan): number[] {
  return [plan.idIndex, ...plan.columns.filter((c) => c.target && c.index >= 0).map((c) => c.index)];
}

// Spec columns in spec order, and every metadata.* column after the last spec column.
function inSpecOrder(header: readonly string[], specOrder: ReadonlyMap<string, number>): boolean {
  let last = -1;
  let sawMetadata = false;
  for (const name of header) {
    if (name.startsWith(METADATA)) sawMetadata = true;
    const at = specOrder.get(name);
    if (at === undefined) continue;
    if (at < last || sawMetadata) return false;
    last = at;
  }
  return true;
}

function otherVersionHint(ctx: FileContext, name: string): string {
  if (ctx.file !== 'users') return '';
  const other = ctx.version === '1.1' ? TABLES['users@1.2'] : TABLES['users@1.1'];
  return other.some((s) => s.name === name) ? ` (it is a OneRoster ${ctx.version === '1.1' ? '1.2' : '1.1'} users.csv column: check oneroster.version in manifest.csv)` : '';
}

function versionHint(ctx: FileContext, table: TableName): string {
  if (table !== 'users@1.1') return '';
  return ' in OneRoster 1.1 (a 1.2 users.csv has no role or orgSourcedIds: check oneroster.version in manifest.csv)';
}

/**
 * Reads the rows of one file against its plan. Cells are checked as bytes where they can be (ids,
 * enumerations, booleans, dates, blanks) and decoded only for a record, an issue message or a rare
 * format. Records are built only when `buildRecords` is set: validating alone (the CLI) skips that.
 */
export class RowReader {
  rows = 0;
  rejected = 0;
  private line = 0;
  private row: CsvRow | null = null;
  /** The decoded sourcedId of the row, once something needed it. */
  private idText: string | null = null;
  private failed = false;
  /** Whether the row being read is marked tobedeleted (its own references may then name deleted records). */
  private goes = false;
  /** The row's password (users, userProfiles): nothing reported about the row may show it. */
  private secret = '';
  /** Where the password column is, -1 when the file has none. */
  private readonly secretIndex: number;
  /** Every cell a record keeps, checked for control characters when the row holds any. */
  private readonly keptCells: readonly KeptCell[];
  private readonly unchecked = new Set<string>();
  /** orgs and academicSessions: the ids of the type later type checks need (schools, school years). */
  private readonly typeIndex: { column: Column; value: string; ids: IdSet } | null;
  /** Per column of the plan: the index its references are checked against (see Integrity.indexOf). */
  private readonly targets: ({ ids: IdIndex; own: boolean } | null)[];
  // The bytes of the cell being checked (see select): a range of the row, or a cell's re-encoded text.
  private b: Buffer = EMPTY;
  private s = 0;
  private e = 0;
  /** The selected cell's index when b/s/e are its range of the row, -1 when they are re-encoded text or blank. */
  private exactIndex = -1;

  constructor(
    private readonly ctx: FileContext,
    private readonly plan: HeaderPlan,
    private readonly issues: IssueCollector,
    private readonly integrity: Integrity,
    private readonly buildRecords: boolean,
  ) {
    const typeColumn = plan.columns.find((c) => c.name === 'type');
    if (ctx.file === 'orgs' && typeColumn) this.typeIndex = { column: typeColumn, value: 'school', ids: integrity.schools };
    else if (ctx.file === 'academicSessions' && typeColumn) this.typeIndex = { column: typeColumn, value: 'schoolYear', ids: integrity.schoolYears };
    else this.typeIndex = null;
    this.targets = plan.columns.map((c) => (c.target ? integrity.indexOf(c.target) : null));
    this.secretIndex = plan.columns.find((c) => c.name === 'password')?.index ?? -1;
    const kept: KeptCell[] = [
      { index: plan.idIndex, name: 'sourcedId', freeText: false },
      { index: plan.statusIndex, name: 'status', freeText: false },
      { index: plan.modifiedIndex, name: 'dateLastModified', freeText: false },
      ...plan.columns.map((c) => ({ index: c.index, name: c.name, freeText: FREE_TEXT.has(c.name) })),
      ...plan.metadata.map((m) => ({ index: m.index, name: m.name, freeText: true })),
    ];
    this.keptCells = kept.filter((c) => c.index >= 0);
  }

  /** Reads one data row; null for a blank line, which is skipped. */
  read(row: CsvRow, line: number, quirks: number): RosterRecord | null {
    const plan = this.plan;
    if (row.length === 1 && row.blank(0) && plan.width > 1) {
      this.issues.add('csv.blank_line', `Line ${line} is blank and was skipped.`, { file: this.ctx.name, line });
      return null;
    }
    this.rows++;
    this.line = line;
    this.row = row;
    this.idText = null;
    this.failed = false;
    this.secret = '';
    // An id with a control character is neither shown nor kept (PostgreSQL text cannot hold NUL).
    if (row.controls && controlIn(row, plan.idIndex, false) >= 0) this.idText = '';
    if (row.length !== plan.width) return this.misshapen(row, line);
    if (this.secretIndex >= 0) this.secret = this.text(this.secretIndex);
    if (row.controls && this.controlCells()) return this.rejectRow(line);
    if (quirks & QUIRK.textAfterQuote) this.report('csv.text_after_quote', null, 'Text follows the closing quote of a field; quote the whole field.');
    if (quirks & QUIRK.strayQuote) this.report('csv.stray_quote', null, 'A double quote inside an unquoted field was read literally; quote the field and double the quote ("").');
    this.select(plan.idIndex);
    const idBytes = this.b;
    const idStart = this.s;
    const idEnd = this.e;
    const idKey = idStart === idEnd ? 0 : this.selectedKey();
    if (idStart === idEnd) this.report('row.required', 'sourcedId', 'sourcedId is blank.');
    else {
      if (!isGuidKey(idKey)) this.guidWarning('sourcedId', this.sourcedId());
      if (!this.integrity.claim(idBytes, idStart, idEnd, idKey))
        this.report('row.duplicate_sourced_id', 'sourcedId', `sourcedId ${this.sourcedId()} appears earlier in ${this.ctx.name}; this row was not read.`);
    }
    const status = this.lifecycle();
    this.goes = status === 'tobedeleted';
    if (this.goes && idStart !== idEnd) this.integrity.markDeleted(idBytes, idStart, idEnd, idKey);
    const values: Record<string, unknown> | null = this.buildRecords ? {} : null;
    const columns = plan.columns;
    for (let c = 0; c < columns.length; c++) {
      const column = columns[c] as Column;
      const value = this.cell(column, c);
      if (values) values[column.name] = value;
      if (column === this.typeIndex?.column && value === this.typeIndex.value && !this.failed) this.typeIndex.ids.addBytes(idBytes, idStart, idEnd, idKey);
    }
    if (this.failed) {
      this.rejected++;
      return this.buildRecords ? { ok: false, file: this.ctx.file, line, sourcedId: this.sourcedId(), status } : null;
    }
    if (!values) return null;
    const metadata: Record<string, string> = {};
    for (const m of plan.metadata) metadata[m.name] = this.text(m.index);
    const dateLastModified = plan.modifiedIndex < 0 ? null : this.text(plan.modifiedIndex) || null;
    // The values were built from the table this record names, so they have its shape.
    return { ok: true, file: this.ctx.file, table: plan.table, line, sourcedId: this.sourcedId(), status: status ?? 'active', dateLastModified, values, metadata } as AcceptedRecord;
  }

  /**
   * A row with more or fewer cells than the header: a cell left out or added shifts every value after
   * it, so any column may now hold the password. It is reported once, by its line, without a value or
   * a sourcedId, and none of its cells is checked. Its sourcedId cell still marks it present, so a
   * bulk sync does not delete the person whose row is broken.
   */
  private misshapen(row: CsvRow, line: number): RosterRecord | null {
    this.issues.add(
      'row.field_count',
      `Line ${line} has ${row.length} cells; the header has ${this.plan.width}. The row was not read, and none of its values is shown: a missing or extra cell can move a password into any column.`,
      { file: this.ctx.name, line },
    );
    return this.rejectRow(line);
  }

  /**
   * Reports every kept cell that holds a control character: NUL anywhere (PostgreSQL text cannot
   * hold it), and any C0 control but tab and line feed in free text, any at all in ids, codes, dates,
   * logins and passwords. Names the column, never the value. Returns whether there was one.
   */
  private controlCells(): boolean {
    const row = this.row as CsvRow;
    let found = false;
    for (const cell of this.keptCells) {
      const code = controlIn(row, cell.index, cell.freeText);
      if (code < 0) continue;
      found = true;
      const allowed = cell.freeText ? ' (text may hold tabs and line breaks, nothing else below U+0020)' : '';
      this.report('cell.control_character', cell.name, `${cell.name} holds the control character U+${code.toString(16).padStart(4, '0').toUpperCase()}${allowed}; the row was not applied.`);
    }
    return found;
  }

  // A row that is not read further: present (its sourcedId keeps a bulk sync from deleting it), not applied.
  private rejectRow(line: number): RosterRecord | null {
    this.rejected++;
    return this.buildRecords ? { ok: false, file: this.ctx.file, line, sourcedId: this.sourcedId(), status: null } : null;
  }

  /** The columns whose references could not be checked (their target is not in the bundle in bulk). */
  get uncheckedColumns(): ReadonlySet<string> {
    return this.unchecked;
  }

  // Points b/s/e at the bytes of cell `index` (blank when the row or the header lacks it).
  private select(index: number): void {
    const row = this.row as CsvRow;
    this.exactIndex = -1;
    if (index < 0 || index >= row.length) {
      this.b = EMPTY;
      this.s = this.e = 0;
    } else if (row.exact(index)) {
      this.b = row.bytes;
      this.s = row.start(index);
      this.e = row.end(index);
      this.exactIndex = index;
    } else {
      this.b = Buffer.from(row.text(index));
      this.s = 0;
      this.e = this.b.length;
    }
  }

  // The idKey of the selected cell: the tokenizer's when it computed one.
  private selectedKey(): number {
    return this.exactIndex >= 0 ? (this.row as CsvRow).key(this.exactIndex) : idKeyOf(this.b, this.s, this.e);
  }

  // The decoded text of cell `index` ('' when the row or the header lacks it).
  private text(index: number): string {
    const row = this.row as CsvRow;
    return index < 0 || index >= row.length ? '' : row.text(index);
  }

  private sourcedId(): string {
    return (this.idText ??= this.text(this.plan.idIndex));
  }

  // status and dateLastModified: blank in bulk, required in delta. Many SIS exports fill them in bulk
  // files too; `active` and a date say nothing a bulk row does not (present = active), so they are a
  // note, not a warning that would turn every run yellow. A bulk row marked tobedeleted is a real
  // contradiction (listed, yet deleted): a warning.
  private lifecycle(): Status | null {
    const plan = this.plan;
    this.select(plan.modifiedIndex);
    const modifiedBlank = this.s === this.e;
    const checkedModified = modifiedBlank ? 'ok' : checkDateTime(this.b, this.s, this.e);
    this.select(plan.statusIndex);
    const rawStatus = this.s === this.e ? '' : this.text(plan.statusIndex);
    if (this.ctx.mode === 'bulk') {
      if (rawStatus === '' && modifiedBlank) return 'active';
      if (rawStatus === '' || rawStatus === 'active') {
        this.report(
          'row.lifecycle_in_bulk',
          rawStatus !== '' ? 'status' : 'dateLastModified',
          'status and dateLastModified belong in delta files; in a bulk file every row is active, so they were read as blank.',
        );
      } else {
        this.report('row.status_in_bulk', 'status', `status ${rawStatus} in a bulk file: the row is treated as removed from the roster.`);
      }
    } else if (rawStatus === '' || modifiedBlank) {
      this.report('row.status_missing_in_delta', rawStatus === '' ? 'status' : 'dateLastModified', 'A delta row needs both status and dateLastModified.');
    }
    if (!modifiedBlank) {
      const rawModified = this.text(plan.modifiedIndex);
      if (checkedModified === 'date')
        this.report('row.datetime_tolerant', 'dateLastModified', `dateLastModified ${rawModified} is a date; a UTC date-time such as ${rawModified}T00:00:00.000Z belongs here.`);
      else if (checkedModified === 'bad') this.report('row.datetime', 'dateLastModified', `dateLastModified ${rawModified} is not a UTC date-time such as 2024-08-01T12:00:00.000Z.`);
    }
    if (rawStatus === '') return null;
    if (rawStatus === 'active' || rawStatus === 'tobedeleted') return rawStatus;
    const lower = rawStatus.toLowerCase();
    if (lower === 'inactive') {
      this.report('row.inactive_status', 'status', 'status inactive (OneRoster 1.0) was read as tobedeleted.');
      return 'tobedeleted';
    }
    if (lower === 'active' || lower === 'tobedeleted') {
      this.report('row.enum_tolerant', 'status', `status ${rawStatus} was read as ${lower}; values are case-sensitive.`);
      return lower;
    }
    this.report('row.enum', 'status', `status ${rawStatus} is not active or tobedeleted.`);
    return null;
  }

  // Checks one cell; returns its typed value (only used when building records, or for the type index).
  private cell(column: Column, c: number): unknown {
    const name = column.name;
    const index = column.index;
    this.select(index);
    const blank = this.s === this.e;
    switch (column.kind) {
      case TEXT:
        if (blank && column.required) this.report('row.required', name, `${name} is blank.`);
        return this.buildRecords ? this.text(index) : null;
      case REF:
        if (blank) return this.blank(column);
        this.reference(column, c, this.b, this.s, this.e, this.selectedKey());
        return this.buildRecords ? this.text(index) : null;
      case REFS: {
        if (blank) {
          if (column.required) this.report('row.required', name, `${name} is blank.`);
          return [];
        }
        if (this.single()) {
          this.reference(column, c, this.b, this.s, this.e, this.selectedKey());
          return this.buildRecords ? [this.text(index)] : null;
        }
        const items = this.list(column, this.text(index));
        if (items.length === 0 && column.required) this.report('row.required', name, `${name} is blank.`);
        for (const id of items) {
          const bytes = Buffer.from(id);
          this.reference(column, c, bytes, 0, bytes.length, idKeyOf(bytes, 0, bytes.length));
        }
        return items;
      }
      case TEXTS:
        if (blank) return [];
        return this.list(column, this.text(index));
      case GRADES_KIND: {
        if (blank) return [];
        const items = this.list(column, this.text(index));
        const unknown = items.filter((g) => !GRADES.has(g));
        if (unknown.length) this.report('row.grade', name, `${name} ${unknown.join(', ')} ${unknown.length > 1 ? 'are not CEDS grade codes' : 'is not a CEDS grade code'} (KG, 01–13, PK, Other…).`);
        return items;
      }
      case ENUM:
        return blank ? this.blank(column) : this.enumeration(column);
      case BOOLEAN: {
        if (blank) return this.blank(column);
        if (this.equals(TRUE)) return true;
        if (this.equals(FALSE)) return false;
        const raw = this.text(index);
        const b = readBoolean(raw);
        if (!b) this.report('row.boolean', name, `${name} ${raw} is not true or false.`);
        else if (!b.exact) this.report('row.boolean_tolerant', name, `${name} ${raw} was read as ${b.value}; write true or false.`);
        return b ? b.value : null;
      }
      case DATE:
        if (blank) return this.blank(column);
        if (!isDate(this.b, this.s, this.e)) this.report('row.date', name, `${name} ${this.text(index)} is not a date written YYYY-MM-DD.`);
        return this.buildRecords ? this.text(index) : null;
      case YEAR:
        if (blank) return this.blank(column);
        if (!isYear(this.b, this.s, this.e)) this.report('row.year', name, `${name} ${this.text(index)} is not a year written YYYY.`);
        return this.buildRecords ? this.text(index) : null;
      case USER_IDS: {
        if (blank) return [];
        if (!this.buildRecords && isOneUserId(this.b, this.s, this.e)) return null;
        const raw = this.text(index);
        const ids = parseUserIds(raw);
        if (!ids) this.report('row.user_ids', name, `${name} ${raw} is not a list of {type:id} items such as {LDAP:12},{SIS:34}.`);
        return ids ?? [];
      }
    }
    return null;
  }

  // Whether the selected cell is one list item as it stands (no comma to split at, no space to trim).
  private single(): boolean {
    const b = this.b;
    for (let k = this.s; k < this.e; k++) if (b[k] === COMMA || b[k] === SPACE) return false;
    return true;
  }

  // Whether the selected cell's bytes are `bytes`.
  private equals(bytes: Buffer): boolean {
    const n = bytes.length;
    if (this.e - this.s !== n) return false;
    const b = this.b;
    const s = this.s;
    for (let k = 0; k < n; k++) if (b[s + k] !== bytes[k]) return false;
    return true;
  }

  private blank(column: Column): null {
    if (column.required) this.report('row.required', column.name, `${column.name} is blank.`);
    return null;
  }

  private list(column: Column, raw: string): string[] {
    const { items, tidy } = splitList(raw);
    if (!tidy) this.report('row.list_format', column.name, `${column.name} "${raw}" has blank items or spaces around items; read as ${items.join(',') || 'blank'}.`);
    return items;
  }

  private enumeration(column: Column): string | null {
    for (const v of column.valueBytes) if (this.equals(v.bytes)) return v.value;
    const raw = this.text(column.index);
    if (column.ext && this.ctx.version === '1.2' && isExtensionToken(raw)) return raw;
    const values = column.values ?? new Set<string>();
    const canonical = [...values].find((v) => v.toLowerCase() === raw.toLowerCase());
    if (canonical) {
      this.report('row.enum_tolerant', column.name, `${column.name} ${raw} was read as ${canonical}; values are case-sensitive.`);
      return canonical;
    }
    this.report('row.enum', column.name, `${column.name} ${raw} is not one of ${[...values].join(', ')}.`);
    return null;
  }

  // Checks the reference in bytes[start, end) (of idKey `key`) of the column at `c` against its target file's index.
  private reference(column: Column, c: number, bytes: Buffer, start: number, end: number, key: number): void {
    const target = column.target;
    if (!target) return;
    // Decoded only for a message (no closure: tsx names every closure it creates, at a cost per call).
    if (!isGuidKey(key)) this.guidWarning(column.name, bytes.toString('utf8', start, end));
    // The bundle both deletes the record and keeps a row that needs it: the row must not be applied.
    if (!this.goes && this.integrity.isDeleted(target, bytes, start, end, key)) {
      this.report('ref.to_deleted', column.name, `${column.name} ${bytes.toString('utf8', start, end)} is marked tobedeleted in ${target}.csv; this row, which needs it, was not applied.`);
      return;
    }
    const index = this.targets[c];
    // Schools (and school years) are a subset of their file's index: a hit there settles it in one lookup.
    const typed = column.targetType === 'school' ? this.integrity.schools : column.targetType === 'schoolYear' ? this.integrity.schoolYears : null;
    if (!index) {
      this.unchecked.add(column.name);
    } else if (typed?.hasBytes(bytes, start, end, key)) {
      return;
    } else if (index.ids.hasBytes(bytes, start, end, key)) {
      if (column.targetType === 'school') {
        this.report('ref.wrong_type', column.name, `${column.name} ${bytes.toString('utf8', start, end)} is an org that is not of type school.`);
      } else if (column.targetType === 'schoolYear') {
        this.report('ref.wrong_type', column.name, `${column.name} ${bytes.toString('utf8', start, end)} is an academic session that is not of type schoolYear.`);
      }
    } else if (index.own) {
      const ref = bytes.toString('utf8', start, end);
      this.integrity.defer(this.line, this.shownId(), column.name, ref, this.secret !== '' && ref.includes(this.secret));
    } else {
      const code = column.required ? 'ref.unresolved' : 'ref.unresolved_optional';
      this.report(code, column.name, `${column.name} ${bytes.toString('utf8', start, end)} is not a sourcedId in ${target}.csv${column.required ? '' : '; the link is ignored'}.`);
    }
  }

  private guidWarning(column: string, id: string): void {
    this.report('row.guid', column, `${column} ${id.length > 60 ? `${id.slice(0, 60)}…` : id} has characters outside [0-9A-Za-z./@_-] or more than 255 of them.`);
  }

  private report(code: IssueCode, column: string | null, message: string): void {
    if (ISSUE_CODES[code].severity === 'error') this.failed = true;
    // Any value of the row equal to its password (a username, a shifted cell) is scrubbed from what is shown.
    const secret = this.secret;
    const text = secret && message.includes(secret) ? message.split(secret).join('(hidden)') : message;
    this.issues.add(code, text, { file: this.ctx.name, line: this.line, column, sourcedId: this.shownId() });
  }

  // The row's sourcedId as issues may show it: null when blank or when it holds the row's password.
  private shownId(): string | null {
    const id = this.sourcedId();
    return id === '' || (this.secret !== '' && id.includes(this.secret)) ? null : id;
  }
}

/** A cell a record keeps, for the control-character check. */
interface KeptCell {
  index: number;
  name: string;
  /** Prose (names, titles, extension columns): tab and line feed are text there. */
  freeText: boolean;
}

// Columns of prose, where a tab or a line break (a quoted multi-line cell) is text. Every other kept
// cell is an id, a code, a date, a login or a password, where no control character belongs.
const FREE_TEXT = new Set([
  'name',
  'title',
  'location',
  'description',
  'givenName',
  'familyName',
  'middleName',
  'preferredGivenName',
  'preferredFamilyName',
  'preferredMiddleName',
  'pronouns',
  'cityOfBirth',
]);

/** The first C0 control character in cell `index` of `row` that the cell may not hold, or -1. */
function controlIn(row: CsvRow, index: number, freeText: boolean): number {
  if (index < 0 || index >= row.length) return -1;
  const b = row.bytes;
  for (let k = row.start(index), end = row.end(index); k < end; k++) {
    const c = b[k] as number;
    if (c < 0x20 && !(freeText && (c === TAB || c === LF))) return c;
  }
  return -1;
}

const EMPTY = Buffer.alloc(0);
const TAB = 9;
const LF = 10;
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const COMMA = 44;
const SPACE = 32;
