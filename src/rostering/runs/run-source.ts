import type { AnyRow } from '../sync/engine.js';
import type { EntityType, FileMode } from '../sync/snapshot.js';
import type { RunIssue } from './run-repository.js';

/** Rows and errors of one file of a bundle (or one collection of a REST pull). */
export interface SourceFile {
  name: string;
  entity: EntityType | null;
  mode: FileMode;
  rows: number;
  errorRows: number;
}

/** What a source says about itself once read. */
export interface SourceReport {
  version: string | null;
  /** Structurally broken (unreadable zip, failed page, truncated paging…): nothing may be applied. */
  unusable: boolean;
  files: SourceFile[];
  issueCounts: { error: number; warning: number; info: number };
}

/** Where a run's roster comes from: a ZIP bundle (upload or SFTP) or a REST pull. */
export interface RunSource {
  /**
   * Streams every row to `add` (awaiting the promise it returns while it writes a batch), every issue to `onIssue`, progress to `onProgress`,
   * then resolves with the report. Never throws for bad input: that is `unusable` plus issues.
   */
  read(handlers: { add: (row: AnyRow) => Promise<void> | undefined; onIssue: (issue: RunIssue) => void; onProgress: (done: number, total: number) => void }): Promise<SourceReport>;
}
