import { useState } from 'react';
import { Banner } from '../../components/Banner.js';
import { DataTable, EmptyState, Pager, type Column } from '../../components/DataTable.js';
import { FilterSelect, FilterText, ListToolbar } from '../../components/ListToolbar.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { usePagedList } from '../../hooks/usePagedList.js';
import { formatCount, sourceWords } from '../../labels.js';
import type { RosterRun, RunIssue } from '../../types.js';

const PAGE_SIZE = 25;

/** A run's issues: severity and code filters, paging, and the CSV of all of them. */
export function IssueTable({ run, runPath }: { run: RosterRun; runPath: string }) {
  // Grouped by default: an export that repeats a warning on every row reads as one finding. "Every row" lists them all.
  const list = usePagedList<RunIssue>(`${runPath}/issues`, PAGE_SIZE, { typedFilters: ['code'], initialFilters: { grouped: 'true' } });
  const grouped = list.query.filters.grouped === 'true';
  // Codes seen so far become suggestions for the code filter (the API has no list of them).
  const [codes, setCodes] = useState<string[]>([]);
  const seen = list.data?.items.map((i) => i.code) ?? [];
  if (seen.some((c) => !codes.includes(c))) setCodes([...new Set([...codes, ...seen])].sort());
  const { error, warning, info } = run.issueCounts;
  const words = sourceWords(run.trigger);
  const severityOptions = [
    { value: '', label: `All severities (${formatCount(error + warning + info)})` },
    { value: 'error', label: `Errors (${formatCount(error)})` },
    { value: 'warning', label: `Warnings (${formatCount(warning)})` },
    { value: 'info', label: `Notes (${formatCount(info)})` },
  ];
  const columns: Column<RunIssue & { n: number }>[] = [
    { header: 'Severity', cell: (i) => <StatusBadge status={`severity-${i.severity}`} label={i.severity === 'info' ? 'Note' : i.severity === 'error' ? 'Error' : 'Warning'} /> },
    {
      header: 'Where',
      cell: (i) => (
        <span className="mono nowrap">
          {i.file ?? words.label}
          {i.count > 1 ? <span className="muted"> {i.lines.length === i.count ? `lines ${i.lines.join(', ')}` : `lines ${i.lines.join(', ')}…`}</span> : i.line ? `:${i.line}` : ''}
          {i.column ? <span className="muted"> {i.column}</span> : null}
        </span>
      ),
    },
    { header: 'Rows', cell: (i) => formatCount(i.count), className: 'issue-count' },
    { header: 'Sourced ID', cell: (i) => (i.sourcedId ? <code>{i.sourcedId}</code> : <span className="muted">—</span>), secondary: true },
    {
      header: 'Code',
      cell: (i) => (
        <button type="button" className="code-chip" onClick={() => list.setFilter('code', i.code)} title={`Show only ${i.code}`}>
          {i.code}
        </button>
      ),
    },
    { header: 'Message', cell: (i) => i.message, className: 'wrap' },
  ];
  const filtered = Boolean(list.query.filters.severity || list.query.filters.code);
  return (
    <div className="stack">
      <div className="card-header">
        <ListToolbar label="Issues">
          <FilterSelect name="severity" label="Severity" value={list.query.filters.severity ?? ''} onChange={(v) => list.setFilter('severity', v)} options={severityOptions} />
          <FilterText name="code" label="Code" value={list.query.filters.code ?? ''} onChange={(v) => list.setFilter('code', v.trim())} placeholder="e.g. value.enum" suggestions={codes} />
          <div className="toolbar-field toolbar-check">
            <label>
              <input type="checkbox" name="everyRow" checked={!grouped} onChange={(e) => list.setFilter('grouped', e.target.checked ? '' : 'true')} /> Every row
            </label>
          </div>
          {filtered ? (
            <button type="button" className="btn btn-secondary btn-small toolbar-clear" onClick={() => list.setFilters({ severity: '', code: '' })}>
              Clear filters
            </button>
          ) : null}
        </ListToolbar>
        <a className="btn btn-secondary" href={`${runPath}/issues.csv`} download>
          Download issues (CSV)
        </a>
      </div>
      {list.error ? <Banner kind="error">{list.error}</Banner> : null}
      {list.data && list.data.items.length === 0 ? filtered ? <EmptyState title="No issues match">Try another severity or code.</EmptyState> : <NoIssues run={run} /> : null}
      {list.data && list.data.items.length > 0 ? (
        <>
          <DataTable caption="Issues" columns={columns} rows={list.data.items.map((i, n) => ({ ...i, n }))} rowKey={(i) => String(i.n)} loading={list.loading} />
          <Pager label="Issues" page={list.data.page} pageSize={PAGE_SIZE} total={list.data.total} onPage={list.setPage} />
        </>
      ) : null}
      {!list.data && !list.error ? <p className="loading">Loading issues…</p> : null}
    </div>
  );
}

/**
 * No issues recorded. Only a run that read its rows may say they were fine: a run that failed before
 * reading anything (the source unreachable, refused, empty) says that nothing was read.
 */
function NoIssues({ run }: { run: RosterRun }) {
  const words = sourceWords(run.trigger);
  if (run.status === 'failed' && Object.keys(run.modes).length === 0) {
    return (
      <EmptyState title="Nothing was read">
        {`${words.thisRun.charAt(0).toUpperCase()}${words.thisRun.slice(1)} failed before any row was read, so there are no row issues: the reason is above.`}
      </EmptyState>
    );
  }
  if (run.status === 'failed') return <EmptyState title="No row issues">Every row of {words.rowsFrom} was read without a problem; the run failed for the reason above.</EmptyState>;
  return <EmptyState title="No issues">Every row of {words.rowsFrom} was read without a problem.</EmptyState>;
}
