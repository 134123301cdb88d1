import type { AnyRow } from '../../src/rostering/sync/engine.js';
import type { RunIssue } from '../../src/rostering/runs/run-repository.js';
import type { RunSource, SourceFile, SourceReport } from '../../src/rostering/runs/run-source.js';
import type { EntityType, FileMode } from '../../src/rostering/sync/snapshot.js';

/**
 * A run source over rows in hand, for engine and run tests that are not about parsing: it reports
 * each entity type as one file in the given mode, with error rows counted from the rows.
 */
export function arraySource(rows: AnyRow[], opts: { modes?: Partial<Record<EntityType, FileMode>>; issues?: RunIssue[]; unusable?: boolean; delayMs?: number } = {}): RunSource {
  return {
    async read({ add, onIssue, onProgress }): Promise<SourceReport> {
      const files = new Map<EntityType, SourceFile>();
      for (const [entity, mode] of Object.entries(opts.modes ?? {}) as [EntityType, FileMode][]) {
        files.set(entity, { name: `${entity}.csv`, entity, mode, rows: 0, errorRows: 0 });
      }
      let done = 0;
      for (const r of rows) {
        if (r.entity === 'roles') {
          await add(r);
          continue;
        }
        const f = files.get(r.entity) ?? { name: `${r.entity}.csv`, entity: r.entity, mode: 'bulk' as FileMode, rows: 0, errorRows: 0 };
        f.rows++;
        if (r.row.status === 'error') f.errorRows++;
        files.set(r.entity, f);
        await add(r);
        onProgress(++done, rows.length);
        if (opts.delayMs) await new Promise((res) => setTimeout(res, opts.delayMs));
      }
      for (const i of opts.issues ?? []) onIssue(i);
      const count = (s: RunIssue['severity']) => (opts.issues ?? []).filter((i) => i.severity === s).length;
      return { version: '1.1', unusable: opts.unusable ?? false, files: [...files.values()], issueCounts: { error: count('error'), warning: count('warning'), info: count('info') } };
    },
  };
}
