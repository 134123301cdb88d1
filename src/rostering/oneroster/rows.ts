/*
 * Header and row validation of one roster file, driven by the column tables of spec.ts. The
 * header is checked once and compiled into a plan (where each spec column sits, which columns are
 * metadata); every row is then read against the plan into a typed record, with one issue per
 * finding. Tolerated deviations are accepted with a warning, never silently.
 */
import { checkDateTime, isDate, isExtensionToken, isYear, nearest, parseUserIds, readBoolean, splitList } from './fields.js';
import { idKey, isGuidKey, type IdSet } from './ids.js';
import { QUIRK } from './csv.js';
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
      issues.add(
        'header.unknown_column',
        `${name} is not a column of ${ctx.name}${hint ? ` (did you mean ${hint}?)` : ''}${other}; it was ignored. Extension columns are named metadata.<name>.`,
        { ...where, column: name },
      );
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
 * Reads the rows of one file against its plan. Records are built only when `buildRecords` is set:
 * validating alone (the CLI) skips that allocation.
 */
export class RowReader {
  rows = 0;
  rejected = 0;
  private line = 0;
  private sourcedId = '';
  private failed = false;
  private readonly unchecked = new Set<string>();
  /** orgs and academicSessions: the ids of the type later type checks need (schools, school years). */
  private readonly typeIndex: { column: Column; value: string; ids: IdSet } | null;

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
  }

  /** Reads one data row; null for a blank line, which is skipped. */
  read(cells: readonly string[], line: number, quirks: number): RosterRecord | null {
    const plan = this.plan;
    if (cells.length === 1 && cells[0] === '' && plan.width > 1) {
      this.issues.add('csv.blank_line', `Line ${line} is blank and was skipped.`, { file: this.ctx.name, line });
      return null;
    }
    this.rows++;
    this.line = line;
    this.failed = false;
    const sourcedId = cells[plan.idIndex] ?? '';
    this.sourcedId = sourcedId;
    if (cells.length !== plan.width) this.report('row.field_count', null, `The row has ${cells.length} cells; the header has ${plan.width}.`);
    if (quirks & QUIRK.textAfterQuote) this.report('csv.text_after_quote', null, 'Text follows the closing quote of a field; quote the whole field.');
    if (quirks & QUIRK.strayQuote) this.report('csv.stray_quote', null, 'A double quote inside an unquoted field was read literally; quote the field and double the quote ("").');
    if (sourcedId === '') this.report('row.required', 'sourcedId', 'sourcedId is blank.');
    else {
      const key = idKey(sourcedId);
      if (!isGuidKey(key)) this.guidWarning('sourcedId', sourcedId);
      if (!this.integrity.claim(sourcedId, key)) this.report('row.duplicate_sourced_id', 'sourcedId', `sourcedId ${sourcedId} appears earlier in ${this.ctx.name}; this row was not read.`);
    }
    const status = this.lifecycle(cells);
    const values: Record<string, unknown> | null = this.buildRecords ? {} : null;
    const columns = plan.columns;
    for (let c = 0; c < columns.length; c++) {
      const column = columns[c] as Column;
      const value = this.cell(column, column.index < 0 ? '' : (cells[column.index] ?? ''));
      if (values) values[column.name] = value;
      if (column === this.typeIndex?.column && value === this.typeIndex.value && !this.failed) this.typeIndex.ids.add(sourcedId);
    }
    if (this.failed) {
      this.rejected++;
      return this.buildRecords ? { ok: false, file: this.ctx.file, line, sourcedId, status } : null;
    }
    if (!values) return null;
    const metadata: Record<string, string> = {};
    for (const m of plan.metadata) metadata[m.name] = cells[m.index] ?? '';
    const dateLastModified = plan.modifiedIndex < 0 ? null : cells[plan.modifiedIndex] || null;
    // The values were built from the table this record names, so they have its shape.
    return { ok: true, file: this.ctx.file, table: plan.table, line, sourcedId, status: status ?? 'active', dateLastModified, values, metadata } as AcceptedRecord;
  }

  /** The columns whose references could not be checked (their target is not in the bundle in bulk). */
  get uncheckedColumns(): ReadonlySet<string> {
    return this.unchecked;
  }

  // status and dateLastModified: blank in bulk (a warning when set), required in delta.
  private lifecycle(cells: readonly string[]): Status | null {
    const plan = this.plan;
    const rawStatus = plan.statusIndex < 0 ? '' : (cells[plan.statusIndex] ?? '');
    const rawModified = plan.modifiedIndex < 0 ? '' : (cells[plan.modifiedIndex] ?? '');
    if (this.ctx.mode === 'bulk') {
      if (rawStatus === '' && rawModified === '') return 'active';
      this.report(
        'row.status_in_bulk',
        rawStatus !== '' ? 'status' : 'dateLastModified',
        'status and dateLastModified should be blank in a bulk file (many SIS exports fill them anyway); a tobedeleted row is treated as removed.',
      );
    } else if (rawStatus === '' || rawModified === '') {
      this.report('row.status_missing_in_delta', rawStatus === '' ? 'status' : 'dateLastModified', 'A delta row needs both status and dateLastModified.');
    }
    if (rawModified !== '') {
      const check = checkDateTime(rawModified);
      if (check === 'date') this.report('row.datetime_tolerant', 'dateLastModified', `dateLastModified ${rawModified} is a date; a UTC date-time such as ${rawModified}T00:00:00.000Z belongs here.`);
      else if (check === 'bad') this.report('row.datetime', 'dateLastModified', `dateLastModified ${rawModified} is not a UTC date-time such as 2024-08-01T12:00:00.000Z.`);
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

  private cell(column: Column, raw: string): unknown {
    const name = column.name;
    switch (column.kind) {
      case TEXT:
        if (raw === '' && column.required) this.report('row.required', name, `${name} is blank.`);
        return raw;
      case REF:
        if (raw === '') return this.blank(column);
        this.reference(column, raw);
        return raw;
      case REFS: {
        const items = this.list(column, raw);
        if (items.length === 0 && column.required) this.report('row.required', name, `${name} is blank.`);
        for (const id of items) this.reference(column, id);
        return items;
      }
      case TEXTS:
        return this.list(column, raw);
      case GRADES_KIND: {
        const items = this.list(column, raw);
        const unknown = items.filter((g) => !GRADES.has(g));
        if (unknown.length) this.report('row.grade', name, `${name} ${unknown.join(', ')} ${unknown.length > 1 ? 'are not CEDS grade codes' : 'is not a CEDS grade code'} (KG, 01–13, PK, Other…).`);
        return items;
      }
      case ENUM:
        return this.enumeration(column, raw);
      case BOOLEAN: {
        if (raw === '') return this.blank(column);
        const b = readBoolean(raw);
        if (!b) this.report('row.boolean', name, `${name} ${raw} is not true or false.`);
        else if (!b.exact) this.report('row.boolean_tolerant', name, `${name} ${raw} was read as ${b.value}; write true or false.`);
        return b ? b.value : null;
      }
      case DATE:
        if (raw === '') return this.blank(column);
        if (!isDate(raw)) this.report('row.date', name, `${name} ${raw} is not a date written YYYY-MM-DD.`);
        return raw;
      case YEAR:
        if (raw === '') return this.blank(column);
        if (!isYear(raw)) this.report('row.year', name, `${name} ${raw} is not a year written YYYY.`);
        return raw;
      case USER_IDS: {
        const ids = parseUserIds(raw);
        if (!ids) this.report('row.user_ids', name, `${name} ${raw} is not a list of {type:id} items such as {LDAP:12},{SIS:34}.`);
        return ids ?? [];
      }
    }
    return raw;
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

  private enumeration(column: Column, raw: string): string | null {
    if (raw === '') return this.blank(column);
    const values = column.values ?? new Set<string>();
    if (values.has(raw)) return raw;
    if (column.ext && this.ctx.version === '1.2' && isExtensionToken(raw)) return raw;
    const canonical = [...values].find((v) => v.toLowerCase() === raw.toLowerCase());
    if (canonical) {
      this.report('row.enum_tolerant', column.name, `${column.name} ${raw} was read as ${canonical}; values are case-sensitive.`);
      return canonical;
    }
    this.report('row.enum', column.name, `${column.name} ${raw} is not one of ${[...values].join(', ')}.`);
    return null;
  }

  private reference(column: Column, id: string): void {
    const target = column.target;
    if (!target) return;
    const key = idKey(id);
    if (!isGuidKey(key)) this.guidWarning(column.name, id);
    const outcome = this.integrity.resolve(target, id, key);
    if (outcome === 'found') {
      if (column.targetType === 'school' && !this.integrity.schools.has(id, key)) {
        this.report('ref.wrong_type', column.name, `${column.name} ${id} is an org that is not of type school.`);
      } else if (column.targetType === 'schoolYear' && !this.integrity.schoolYears.has(id, key)) {
        this.report('ref.wrong_type', column.name, `${column.name} ${id} is an academic session that is not of type schoolYear.`);
      }
    } else if (outcome === 'missing') {
      const code = column.required ? 'ref.unresolved' : 'ref.unresolved_optional';
      this.report(code, column.name, `${column.name} ${id} is not a sourcedId in ${target}.csv${column.required ? '' : '; the link is ignored'}.`);
    } else if (outcome === 'later') {
      this.integrity.defer(this.line, this.sourcedId, column.name, id);
    } else this.unchecked.add(column.name);
  }

  private guidWarning(column: string, id: string): void {
    this.report('row.guid', column, `${column} ${id.length > 60 ? `${id.slice(0, 60)}…` : id} has characters outside [0-9A-Za-z./@_-] or more than 255 of them.`);
  }

  private report(code: IssueCode, column: string | null, message: string): void {
    if (ISSUE_CODES[code].severity === 'error') this.failed = true;
    this.issues.add(code, message, { file: this.ctx.name, line: this.line, column, sourcedId: this.sourcedId || null });
  }
}
