import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { Banner } from '../../components/Banner.js';
import { DataTable, EmptyState, Pager, type Column } from '../../components/DataTable.js';
import { PageHeader, useTitle } from '../../components/Layout.js';
import { FilterSelect, ListToolbar } from '../../components/ListToolbar.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { usePagedList } from '../../hooks/usePagedList.js';
import { PERIOD_OPTIONS, SYNC_TYPE_OPTIONS, formatCount, formatDateTime, formatInZone, labelOf, runStatusLabel, sourceWords } from '../../labels.js';
import { Link } from '../../router.js';
import type { CustomerStatus, RosterRun, StatusList, StatusState } from '../../types.js';
import { RunStatusBadge } from '../roster/parts.js';
import './status.css';

const PAGE_SIZE = 25;

/** The states, worst first, as the bar, the legend and the filter name them (`status:state.<value>`, meaning `status:meaning.<value>`). */
const STATES: readonly StatusState[] = ['failed', 'held', 'stale', 'outcomes', 'ok', 'idle'];

// The source filter's choices, in the page's language.
function sourceOptions(t: TFunction<'status'>) {
  return [{ value: '', label: t('allSources') }, ...SYNC_TYPE_OPTIONS, { value: 'none', label: t('noRostering') }];
}

function StateBadge({ state }: { state: StatusState }) {
  const { t } = useTranslation('status');
  return <StatusBadge status={`state-${state}`} label={STATES.includes(state) ? t(`state.${state}`) : state} />;
}

/**
 * How many customers are in each state, as one bar split by state (a legend button per state filters
 * the list to it). The numbers are in the legend, so the picture adds nothing a screen reader misses.
 */
function StateBar({ counts, selected, onSelect }: { counts: Record<StatusState, number>; selected: string; onSelect: (state: string) => void }) {
  const { t } = useTranslation('status');
  const total = STATES.reduce((n, s) => n + counts[s], 0);
  return (
    <section className="card status-summary" aria-labelledby="status-summary-title">
      <h2 id="status-summary-title">{t('byState')}</h2>
      <div className="state-bar" aria-hidden="true">
        {STATES.filter((s) => counts[s] > 0).map((s) => (
          <span key={s} className={`state-seg state-${s}`} style={{ flexGrow: counts[s] }} title={`${t(`state.${s}`)}: ${formatCount(counts[s])}`} />
        ))}
        {total === 0 ? <span className="state-seg state-empty" /> : null}
      </div>
      <ul className="state-legend">
        {STATES.map((s) => (
          <li key={s}>
            <button type="button" className="state-key" aria-pressed={selected === s} onClick={() => onSelect(selected === s ? '' : s)} title={t(`meaning.${s}`)}>
              <span className={`state-swatch state-${s}`} aria-hidden="true" />
              {t(`state.${s}`)} <strong>{formatCount(counts[s])}</strong>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function LastSync({ row: r }: { row: CustomerStatus }) {
  const { t } = useTranslation('status');
  const last = r.lastSync;
  if (!last) return <span className="muted">{t('ui:never')}</span>;
  return (
    <span className="two-line">
      <span className="status-cell">
        <Link
          to={`/customers/${r.customerId}/roster/runs/${last.runId}`}
          aria-label={t('lastSyncOf', { name: r.name, status: runStatusLabel({ status: last.status as RosterRun['status'], dryRun: false }) })}
        >
          <RunStatusBadge run={{ status: last.status as RosterRun['status'], dryRun: false }} />
        </Link>
        <span className="muted small">{sourceWords(last.trigger).label}</span>
      </span>
      <time className="muted small" dateTime={last.finishedAt ?? last.createdAt}>
        {formatDateTime(last.finishedAt ?? last.createdAt)}
      </time>
    </span>
  );
}

// The list's columns, in the page's language.
function statusColumns(t: TFunction<'status'>): Column<CustomerStatus>[] {
  return [
    {
      header: t('customer'),
      cell: (r) => (
        <span className="two-line status-customer">
          <Link to={`/customers/${r.customerId}`} className="row-link">
            {r.name}
          </Link>
          <code className="small">{r.code}</code>
        </span>
      ),
    },
    { header: t('stateTitle'), cell: (r) => <StateBadge state={r.state} /> },
    { header: t('customers:lastSync'), cell: (r) => <LastSync row={r} /> },
    {
      header: t('customers:nextRun'),
      cell: (r) =>
        r.nextRunAt ? (
          <span className="two-line">
            {formatInZone(r.nextRunAt, r.timeZone)}
            <span className="muted small">{labelOf(PERIOD_OPTIONS, r.period)}</span>
          </span>
        ) : (
          <span className="muted">{r.source === 'none' ? t('noRostering') : r.syncFrequency === 'manual' ? t('labels:frequency.manual') : '—'}</span>
        ),
      secondary: true,
    },
    {
      header: t('feed'),
      cell: (r) =>
        r.stale ? (
          <span className="badge badge-failed" title={r.lastSuccessAt ? t('customers:lastSuccess', { when: formatDateTime(r.lastSuccessAt) }) : t('customers:noSuccessYet')}>
            {t('stale')}
          </span>
        ) : (
          <span className="muted">{labelOf(sourceOptions(t), r.source)}</span>
        ),
    },
    {
      header: t('heldRuns'),
      cell: (r) =>
        r.heldRuns && r.oldestHeldRunId ? <Link to={`/customers/${r.customerId}/roster/runs/${r.oldestHeldRunId}`}>{t('toReview', { count: r.heldRuns })}</Link> : <span className="muted">—</span>,
    },
    {
      header: t('failedReports'),
      cell: (r) =>
        r.failedOutcomeCalls ? (
          <Link to={`/customers/${r.customerId}/lti/outcomes`} className="danger-link">
            {t('failedCalls', { count: r.failedOutcomeCalls })}
          </Link>
        ) : (
          <span className="muted">0</span>
        ),
    },
  ];
}

/** The enterprise admin's status page: every customer's feeds, held runs and grade reports at a glance, problems first to find. */
export function StatusPage() {
  const { t } = useTranslation('status');
  useTitle(t('title'));
  const columns = statusColumns(t);
  const list = usePagedList<CustomerStatus, StatusList>('/api/status', PAGE_SIZE, { initialFilters: { source: '', problems: '', state: '' } });
  const f = list.query.filters;
  const filtered = Boolean(list.query.search.trim() || f.source || f.problems || f.state);
  const page = list.data;
  return (
    <div className="page">
      <PageHeader
        title={t('title')}
        subtitle={t('subtitle')}
        actions={
          <button type="button" className="btn btn-secondary" onClick={list.reload}>
            {t('outcomes:refresh')}
          </button>
        }
      />
      {page ? <StateBar counts={page.counts} selected={f.state ?? ''} onSelect={(s) => list.setFilter('state', s)} /> : null}
      <div className="card">
        <ListToolbar label={t('listLabel')} search={list.query.search} onSearch={list.setSearch} placeholder={t('customers:searchPlaceholder')}>
          <FilterSelect name="source" label={t('roster:history.source')} value={f.source ?? ''} onChange={(v) => list.setFilter('source', v)} options={sourceOptions(t)} />
          <FilterSelect
            name="state"
            label={t('stateTitle')}
            value={f.state ?? ''}
            onChange={(v) => list.setFilter('state', v)}
            options={[{ value: '', label: t('allStates') }, ...STATES.map((s) => ({ value: s, label: t(`state.${s}`) }))]}
          />
          <div className="toolbar-field toolbar-check">
            <label>
              <input type="checkbox" name="problems" checked={f.problems === 'true'} onChange={(e) => list.setFilter('problems', e.target.checked ? 'true' : '')} /> {t('onlyProblems')}
            </label>
          </div>
          {filtered ? (
            <button
              type="button"
              className="btn btn-secondary btn-small toolbar-clear"
              onClick={() => {
                list.setSearch('');
                list.setFilters({ source: '', problems: '', state: '' });
              }}
            >
              {t('roster:issues.clearFilters')}
            </button>
          ) : null}
        </ListToolbar>
        {list.error ? <Banner kind="error">{list.error}</Banner> : null}
        {page && page.items.length === 0 ? (
          filtered ? (
            <EmptyState title={t('customers:noMatch')}>{f.problems || f.state ? t('nothingNeedsAttention') : t('tryAnother')}</EmptyState>
          ) : (
            <EmptyState title={t('customers:noneYet')}>{t('noneYetBody')}</EmptyState>
          )
        ) : null}
        {page && page.items.length > 0 ? (
          <>
            <DataTable caption={t('listLabel')} columns={columns} rows={page.items} rowKey={(r) => r.customerId} loading={list.loading} />
            <Pager label={t('listLabel')} page={page.page} pageSize={PAGE_SIZE} total={page.total} onPage={list.setPage} />
            <p className="muted small">{t('asOf', { when: formatDateTime(page.generatedAt) })}</p>
          </>
        ) : null}
        {!page && !list.error ? <p className="loading">{t('loading')}</p> : null}
      </div>
    </div>
  );
}
