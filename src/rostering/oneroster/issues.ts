/*
 * Every finding of the bundle reader, as DESIGN.md's Issue, with a stable code. A code fixes its
 * severity, so scripts can rely on both. `structural` codes make the whole bundle unusable: nothing
 * in it may be applied. A row `error` means that row may not be applied; warnings and infos never
 * block anything.
 */

export type Severity = 'error' | 'warning' | 'info';

/** One finding, exactly the Issue shape of DESIGN.md. `line` is the physical line (header = 1). */
export interface Issue {
  file: string | null;
  line: number | null;
  column: string | null;
  sourcedId: string | null;
  severity: Severity;
  code: IssueCode;
  message: string;
}

interface CodeSpec {
  severity: Severity;
  structural?: true;
  /** What the code means, for the grouped summary. */
  title: string;
}

const structural = (title: string): CodeSpec => ({ severity: 'error', structural: true, title });
const error = (title: string): CodeSpec => ({ severity: 'error', title });
const warning = (title: string): CodeSpec => ({ severity: 'warning', title });
const info = (title: string): CodeSpec => ({ severity: 'info', title });

/** The catalogue of issue codes. Codes are stable; titles and messages may be reworded. */
export const ISSUE_CODES = {
  'zip.not_found': structural('The bundle file does not exist or cannot be opened'),
  'zip.unreadable': structural('The bundle is not a readable zip file'),
  'zip.too_many_entries': structural('The zip holds more entries than a roster bundle can'),
  'zip.bomb': structural('An entry inflates beyond the size or compression-ratio limits'),
  'zip.path_traversal': structural('An entry name is absolute or climbs out of the bundle'),
  'zip.bad_name': structural('An entry name holds control characters'),
  'zip.symlink': structural('An entry is a symbolic link'),
  'zip.encrypted': structural('An entry is encrypted'),
  'zip.duplicate_entry': structural('Two entries have the same name'),
  'zip.unsupported_compression': structural('An entry uses a compression method other than deflate'),
  'zip.top_level_folder': warning('The files are inside a folder instead of at the zip root'),
  'zip.ignored_entry': info('An entry that is not part of a roster was skipped'),
  'bundle.no_files': structural('The zip holds neither a manifest nor any roster file'),
  'bundle.no_changes': info('The bundle holds only a manifest: no changes'),
  'manifest.missing': warning('No manifest.csv: read as a bundle of bulk files'),
  'manifest.header': structural('manifest.csv does not start with the header propertyName,value'),
  'manifest.version': structural('The OneRoster version is missing or not supported'),
  'manifest.mode': structural('A file is present but its mode is missing or not bulk/delta/absent'),
  'manifest.duplicate_key': structural('A manifest property appears twice'),
  'manifest.bad_row': warning('A manifest row does not have exactly two cells'),
  'manifest.unknown_key': warning('An unknown manifest property'),
  'manifest.missing_key': warning('A manifest property the spec requires is missing'),
  'manifest.bad_value': warning('A manifest property has an unexpected value'),
  'file.unknown_name': warning('A file that is not part of OneRoster was skipped'),
  'file.wrong_case': structural('A roster file name has the wrong letter case'),
  'file.missing': structural('The manifest declares a file the zip does not hold'),
  'file.declared_absent': warning('A file is present but the manifest declares it absent: skipped'),
  'file.wrong_version': warning('A file of another OneRoster version was skipped'),
  'file.ignored': info('A gradebook or resources file was skipped'),
  'file.unreadable': structural('An entry could not be inflated'),
  'file.no_rows': structural('A file has a header but no data rows'),
  'csv.invalid_utf8': structural('A file is not valid UTF-8'),
  'csv.unterminated_quote': structural('A quoted field is never closed'),
  'csv.cr_in_field': structural('A carriage return inside a field'),
  'csv.line_too_long': structural('A record is longer than the row limit'),
  'csv.text_after_quote': error('Text follows the closing quote of a field'),
  'csv.stray_quote': warning('A double quote inside an unquoted field, read literally'),
  'csv.blank_line': info('A blank line was skipped'),
  'header.missing': structural('A file is empty: no header row'),
  'header.missing_required': structural('A required column is missing from the header'),
  'header.duplicate': structural('A column name appears twice in the header'),
  'header.missing_optional': warning('Optional spec columns are missing from the header'),
  'header.out_of_order': warning('Header columns are not in spec order'),
  'header.unknown_column': warning('An unknown column was ignored'),
  'header.blank_column': warning('A header cell is blank: its column was ignored'),
  'row.field_count': error('A row does not have as many cells as the header'),
  'cell.control_character': error('A cell holds a control character: NUL, or another C0 control where the column allows none'),
  'row.required': error('A required value is blank'),
  'row.enum': error('A value is not in its vocabulary'),
  'row.enum_tolerant': warning('A vocabulary value in the wrong letter case was accepted'),
  'row.boolean': error('A value is not true or false'),
  'row.boolean_tolerant': warning('A boolean not written true/false was accepted'),
  'row.date': error('A date is not YYYY-MM-DD'),
  'row.datetime': error('A date-time is not a UTC ISO 8601 date-time'),
  'row.datetime_tolerant': warning('A date given where a date-time belongs was accepted'),
  'row.year': error('A year is not YYYY'),
  'row.grade': warning('A grade is not a CEDS grade code'),
  'row.user_ids': error('userIds is not a list of {type:id} items'),
  'row.list_format': warning('A list cell has blank items or spaces around items'),
  'row.guid': warning('An identifier has characters outside [0-9A-Za-z./@_-] or more than 255 of them'),
  'row.status_in_bulk': warning('A bulk row is marked tobedeleted: it is treated as removed'),
  'row.lifecycle_in_bulk': info('status active or dateLastModified is filled in a bulk file: read as blank'),
  'row.status_missing_in_delta': error('status or dateLastModified is blank in a delta file'),
  'row.inactive_status': warning('The legacy status inactive was read as tobedeleted'),
  'row.duplicate_sourced_id': error('A sourcedId appears twice in one file'),
  'ref.unresolved': error('A required reference does not resolve within the bundle'),
  'ref.unresolved_optional': warning('An optional reference does not resolve within the bundle: the link is ignored'),
  'ref.to_deleted': error('A reference names a record the same bundle marks tobedeleted'),
  'ref.wrong_type': warning('A reference points to an org or session of an unexpected type'),
  'ref.not_checked': info('References into a file this bundle does not hold in bulk were not checked'),
} as const satisfies Record<string, CodeSpec>;

export type IssueCode = keyof typeof ISSUE_CODES;

/** Where an issue is, all parts optional (zip-level issues have no line). */
export interface IssueWhere {
  file?: string | null;
  line?: number | null;
  column?: string | null;
  sourcedId?: string | null;
}

/** Count and severity of one code in a report. */
export interface IssueCount {
  code: IssueCode;
  severity: Severity;
  count: number;
}

// Whether issues of `code` make the bundle unusable.
function isStructural(code: IssueCode): boolean {
  return (ISSUE_CODES[code] as CodeSpec).structural === true;
}

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f]/g;

/**
 * Issue text with every control character shown as U+FFFD: a header cell, a manifest value or a file
 * name can hold anything, and an issue is stored (PostgreSQL refuses NUL in text) and printed to
 * terminals (an escape sequence must not reach them).
 */
function printable<T extends string | null>(text: T): T {
  return (text !== null && CONTROL.test(text) ? text.replace(CONTROLS, '\ufffd') : text) as T;
}

/**
 * Counts every issue by code and keeps at most `maxExamplesPerCode` of each, so a file with a
 * million bad rows costs a bounded amount of memory and a rare code is never crowded out by a
 * common one. `onIssue` sees every issue, for callers that store the full list.
 */
export class IssueCollector {
  private readonly examples: Issue[] = [];
  private readonly counts = new Map<IssueCode, number>();
  private structuralSeen = false;
  errors = 0;
  warnings = 0;
  infos = 0;

  constructor(
    private readonly maxExamplesPerCode: number,
    private readonly onIssue?: (issue: Issue) => void,
  ) {}

  /** Records one issue. */
  add(code: IssueCode, message: string, where: IssueWhere = {}): void {
    const { severity } = ISSUE_CODES[code];
    const seen = (this.counts.get(code) ?? 0) + 1;
    this.counts.set(code, seen);
    if (severity === 'error') this.errors++;
    else if (severity === 'warning') this.warnings++;
    else this.infos++;
    if (isStructural(code)) this.structuralSeen = true;
    if (seen > this.maxExamplesPerCode && !this.onIssue) return;
    const issue: Issue = {
      file: printable(where.file ?? null),
      line: where.line ?? null,
      column: printable(where.column ?? null),
      sourcedId: printable(where.sourcedId ?? null),
      severity,
      code,
      message: printable(message),
    };
    if (seen <= this.maxExamplesPerCode) this.examples.push(issue);
    this.onIssue?.(issue);
  }

  /** Whether a structural issue has been recorded (the bundle is unusable). */
  get unusable(): boolean {
    return this.structuralSeen;
  }

  /** The kept examples, in the order they were found. */
  list(): Issue[] {
    return this.examples;
  }

  /** Every code seen, most severe first, then most frequent. */
  summary(): IssueCount[] {
    const rank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
    return [...this.counts]
      .map(([code, count]) => ({ code, severity: ISSUE_CODES[code].severity as Severity, count }))
      .sort((a, b) => rank[a.severity] - rank[b.severity] || b.count - a.count || a.code.localeCompare(b.code));
  }
}
