import { CsvRow } from '../oneroster/csv.js';
import { Integrity } from '../oneroster/integrity.js';
import { IssueCollector } from '../oneroster/issues.js';
import { planHeader, RowReader, type FileContext, type HeaderPlan } from '../oneroster/rows.js';
import type { Version } from '../oneroster/spec.js';
import type { RunIssue } from '../runs/run-repository.js';
import type { RunSource, SourceFile, SourceReport } from '../runs/run-source.js';
import { toRow } from '../runs/zip-source.js';
import type { FileMode } from '../sync/snapshot.js';
import type { RestClient } from './rest-client.js';
import { cellsOf, fillRow, headerOf, isObject, metadataOf, REST_COLLECTIONS, rolesOf, tableOf } from './rest-rows.js';

/** What one pull asks for. */
export interface RestPull {
  version: Version;
  /** `bulk`: every collection in full (missing records are deleted); `delta`: changes since `since` only. */
  mode: 'bulk' | 'delta';
  /** Delta pulls: ask for records with dateLastModified after this instant (ISO, UTC). */
  since: string | null;
}

/**
 * A run source over a OneRoster REST API: pulls the six collections in dependency order, checks
 * every object with the CSV reader's rules (rest-rows.ts) and streams the engine's rows. A full pull
 * delivers every collection in bulk mode, a delta pull in delta mode, so records merely absent
 * from a delta are left alone. Paging that is inconsistent makes the source unusable and stops the
 * pull; a transport failure (unreachable, refused credentials, retries spent) throws its AppError.
 */
export function restSource(client: RestClient, pull: RestPull): RunSource & { startedAt: string | null } {
  const source = {
    startedAt: null as string | null,
    async read({ add, onIssue, onProgress }: Parameters<RunSource['read']>[0]): Promise<SourceReport> {
      source.startedAt = new Date().toISOString();
      // Validation always reads status and dateLastModified as delta rows do: REST objects carry both.
      const issues = new IssueCollector(0, (issue) => onIssue(issue));
      const own = { error: 0, warning: 0, info: 0 };
      const report = (issue: RunIssue) => {
        own[issue.severity]++;
        onIssue(issue);
      };
      const integrity = new Integrity(issues);
      const files: SourceFile[] = [];
      const filter = pull.mode === 'delta' && pull.since ? `dateLastModified>'${pull.since}'` : null;
      const row = new CsvRow();
      let done = 0;
      let unusable = false;
      for (const collection of REST_COLLECTIONS) {
        const table = tableOf(collection, pull.version);
        const ctx: FileContext = { file: collection, name: collection, version: pull.version, mode: 'delta' };
        const header = headerOf(table);
        const reader = new RowReader(ctx, planned(ctx, header, issues), issues, integrity, true);
        const roles = collection === 'users' && pull.version === '1.2' ? rolesReader(pull.version, issues) : null;
        integrity.begin(collection, pull.mode === 'bulk', 1024);
        let index = 0;
        let notObjects = 0;
        const pages = client.pages(collection, filter);
        let step = await pages.next();
        for (; !step.done; step = await pages.next()) {
          const { rows, total } = step.value;
          for (let i = 0; i < rows.length; i++) {
            const obj = rows.at(i);
            index++;
            if (!isObject(obj)) {
              notObjects++;
              report({
                file: collection,
                line: index,
                column: null,
                sourcedId: null,
                severity: 'error',
                code: 'api.not_an_object',
                message: `Item ${index} of ${collection} is not a JSON object (or not valid JSON).`,
              });
              continue;
            }
            const record = reader.read(fillRow(row, cellsOf(obj, header, table)), index, 0);
            const r = record && toRow(record);
            if (r) {
              if (record.ok && r.entity !== 'roles') r.row.metadata = metadataOf(obj);
              await add(r);
            }
            if (roles && record?.ok) {
              for (const role of rolesOf(obj)) {
                const rr = roles.reader.read(fillRow(row, cellsOf(role, roles.header, 'roles')), index, 0);
                const mapped = rr && toRow(rr);
                if (mapped) await add(mapped);
              }
            }
          }
          done += rows.length;
          onProgress(done, done + Math.max(0, (total ?? 0) - index));
        }
        const incomplete = step.value;
        integrity.end(collection, !incomplete);
        files.push({ name: collection, entity: collection, mode: pull.mode, rows: reader.rows + notObjects, errorRows: reader.rejected + notObjects });
        if (incomplete) {
          report({ file: collection, line: null, column: null, sourcedId: null, severity: 'error', code: incomplete.code, message: `${incomplete.message} Nothing was applied.` });
          unusable = true;
          break;
        }
      }
      for (const c of REST_COLLECTIONS.slice(files.length)) files.push({ name: c, entity: c, mode: 'absent' as FileMode, rows: 0, errorRows: 0 });
      return {
        version: pull.version,
        unusable: unusable || issues.unusable,
        files,
        issueCounts: { error: issues.errors + own.error, warning: issues.warnings + own.warning, info: issues.infos + own.info },
      };
    },
  };
  return source;
}

// The reader's plan for a header laid out in spec order: it has every column, so it always plans.
function planned(ctx: FileContext, header: string[], issues: IssueCollector): HeaderPlan {
  const plan = planHeader(ctx, header, issues);
  if (!plan) throw new Error(`No plan for the ${ctx.file} table`);
  return plan;
}

// 1.2 roles arrive inside users. They get a reader of their own, with its own id index: their
// made-up ids must not mix with the users' ids, and their user and org references were checked
// when the user was read.
function rolesReader(version: Version, issues: IssueCollector): { reader: RowReader; header: string[] } {
  const ctx: FileContext = { file: 'roles', name: 'users', version, mode: 'delta' };
  const header = headerOf('roles');
  const integrity = new Integrity(issues);
  integrity.begin('roles', false, 1024);
  return { reader: new RowReader(ctx, planned(ctx, header, issues), issues, integrity, true), header };
}
