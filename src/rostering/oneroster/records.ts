import type { EntityFile, Status, TableName, TABLES } from './spec.js';

/** One `{type:id}` item of a `userIds` cell. */
export interface UserId {
  type: string;
  id: string;
}

type Base<C> = C extends { type: 'texts' | 'grades' | 'refs' }
  ? string[]
  : C extends { type: 'userIds' }
    ? UserId[]
    : C extends { type: 'boolean' }
      ? boolean
      : C extends { type: 'enum'; values: readonly (infer V)[]; ext: true }
        ? V | `ext:${string}`
        : C extends { type: 'enum'; values: readonly (infer V)[] }
          ? V
          : string;

// Text is always a string ('' when blank) and lists are always arrays; other blank optional cells are null.
type Value<C> = C extends { type: 'text' | 'texts' | 'grades' | 'refs' | 'userIds' } ? Base<C> : C extends { required: true } ? Base<C> : Base<C> | null;

/** The typed cells of one row of `table`, keyed by spec column name. */
export type Values<T extends TableName> = { -readonly [C in (typeof TABLES)[T][number] as C['name']]: Value<C> };

/** A row that passed validation and may be applied (once the whole report says the bundle is usable). */
export interface AcceptedRecord<T extends TableName = TableName> {
  ok: true;
  file: EntityFile;
  table: T;
  /** Physical line of the row in its file (the header is line 1). */
  line: number;
  sourcedId: string;
  /** `active` unless the row says `tobedeleted` (or the legacy `inactive`). */
  status: Status;
  dateLastModified: string | null;
  values: Values<T>;
  /** The row's `metadata.*` extension columns, keyed by the full header name. */
  metadata: Record<string, string>;
}

/**
 * A row with at least one error: it is present in the file (so a bulk sync must not treat its
 * sourcedId as missing) but must not be applied. Its issues are in the report.
 */
export interface RejectedRecord {
  ok: false;
  file: EntityFile;
  line: number;
  sourcedId: string;
  status: Status | null;
}

/** What the reader delivers for every data row, accepted or not. */
export type RosterRecord = { [T in TableName]: AcceptedRecord<T> }[TableName] | RejectedRecord;
