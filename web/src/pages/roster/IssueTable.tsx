import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Banner } from '../../components/Banner.js';
import { DataTable, EmptyState, Pager, type Column } from '../../components/DataTable.js';
import { FilterSelect, FilterText, ListToolbar } from '../../components/ListToolbar.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { usePagedList } from '../../hooks/usePagedList.js';
import { formatLocale } from '../../i18n/index.js';
import { formatCount, sourceWords } from '../../labels.js';
import type { RosterRun, RunIssue } from '../../types.js';

const PAGE_SIZE = 25;

/** A run's issues: severity and code filters, paging, and the CSV of all of them. */
export function IssueTable({ run, runPath }: { run: RosterRun; runPath: string }) {
  const { t } = useTranslation('roster');
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
    { value: '', label: t('issues.allSeverities', { n: formatCount(error + warning + info) }) },
    { value: 'error', label: t('issues.errors', { n: formatCount(error) }) },
    { value: 'warning', label: t('issues.warnings', { n: formatCount(warning) }) },
    { value: 'info', label: t('issues.notes', { n: formatCount(info) }) },
  ];
  const columns: Column<RunIssue & { n: number }>[] = [
    { header: t('issues.severity'), cell: (i) => <StatusBadge status={`severity-${i.severity}`} label={t(`issues.severityName.${i.severity}`)} /> },
    {
      header: t('issues.where'),
      cell: (i) => (
        <span className="mono nowrap">
          {i.file ?? words.label}
          {i.count > 1 ? <span className="muted"> {t(i.lines.length === i.count ? 'issues.lines' : 'issues.linesMore', { lines: i.lines.join(', ') })}</span> : i.line ? `:${i.line}` : ''}
          {i.column ? <span className="muted"> {i.column}</span> : null}
        </span>
      ),
    },
    { header: t('issues.rows'), cell: (i) => formatCount(i.count), className: 'issue-count' },
    { header: t('users:sourcedId'), cell: (i) => (i.sourcedId ? <code>{i.sourcedId}</code> : <span className="muted">—</span>), secondary: true },
    {
      header: t('issues.code'),
      cell: (i) => (
        <button type="button" className="code-chip" onClick={() => list.setFilter('code', i.code)} title={t('issues.showOnly', { code: i.code })}>
          {i.code}
        </button>
      ),
    },
    { header: t('issues.message'), cell: (i) => i.message, className: 'wrap' },
  ];
  const filtered = Boolean(list.query.filters.severity || list.query.filters.code);
  return (
    <div className="stack">
      <div className="card-header">
        <ListToolbar label={t('issues.title')}>
          <FilterSelect name="severity" label={t('issues.severity')} value={list.query.filters.severity ?? ''} onChange={(v) => list.setFilter('severity', v)} options={severityOptions} />
          <FilterText
            name="code"
            label={t('issues.code')}
            value={list.query.filters.code ?? ''}
            onChange={(v) => list.setFilter('code', v.trim())}
            placeholder={t('issues.codeExample')}
            suggestions={codes}
          />
          <div className="toolbar-field toolbar-check">
            <label>
              <input type="checkbox" name="everyRow" checked={!grouped} onChange={(e) => list.setFilter('grouped', e.target.checked ? '' : 'true')} /> {t('issues.everyRow')}
            </label>
          </div>
          {filtered ? (
            <button type="button" className="btn btn-secondary btn-small toolbar-clear" onClick={() => list.setFilters({ severity: '', code: '' })}>
              {t('issues.clearFilters')}
            </button>
          ) : null}
        </ListToolbar>
        <a className="btn btn-secondary" href={`${runPath}/issues.csv`} download>
          {t('issues.download')}
        </a>
      </div>
      {list.error ? <Banner kind="error">{list.error}</Banner> : null}
      {list.data && list.data.items.length === 0 ? filtered ? <EmptyState title={t('issues.noMatch')}>{t('issues.noMatchBody')}</EmptyState> : <NoIssues run={run} /> : null}
      {list.data && list.data.items.length > 0 ? (
        <>
          <DataTable caption={t('issues.title')} columns={columns} rows={list.data.items.map((i, n) => ({ ...i, n }))} rowKey={(i) => String(i.n)} loading={list.loading} />
          <Pager label={t('issues.title')} page={list.data.page} pageSize={PAGE_SIZE} total={list.data.total} onPage={list.setPage} />
        </>
      ) : null}
      {!list.data && !list.error ? <p className="loading">{t('issues.loading')}</p> : null}
    </div>
  );
}

/**
 * No issues recorded. Only a run that read its rows may say they were fine: a run that failed before
 * reading anything (the source unreachable, refused, empty) says that nothing was read.
 */
function NoIssues({ run }: { run: RosterRun }) {
  const { t } = useTranslation('roster');
  const words = sourceWords(run.trigger);
  if (run.status === 'failed' && Object.keys(run.modes).length === 0) {
    const thisRun = words.thisRun.charAt(0).toLocaleUpperCase(formatLocale()) + words.thisRun.slice(1);
    return <EmptyState title={t('issues.nothingRead')}>{t('issues.nothingReadBody', { run: thisRun })}</EmptyState>;
  }
  if (run.status === 'failed') return <EmptyState title={t('issues.noRowIssues')}>{t('issues.noRowIssuesBody', { rowsFrom: words.rowsFrom })}</EmptyState>;
  return <EmptyState title={t('issues.none')}>{t('issues.noneBody', { rowsFrom: words.rowsFrom })}</EmptyState>;
}
