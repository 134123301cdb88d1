import { useTranslation } from 'react-i18next';
import { DataTable, type Column } from '../../components/DataTable.js';
import { ENTITY_OPTIONS, formatCount } from '../../labels.js';
import type { EntityCounts, EntityType, RosterRun } from '../../types.js';

type Row = { type: EntityType | 'total'; label: string } & EntityCounts;

const KEYS = ['created', 'updated', 'unchanged', 'deleted', 'restored', 'skipped'] as const;
const ZERO: EntityCounts = { created: 0, updated: 0, unchanged: 0, deleted: 0, restored: 0, skipped: 0 };

function cell(key: (typeof KEYS)[number]) {
  return (r: Row) => {
    const n = r[key];
    if (!n) return <span className="muted">0</span>;
    const tone = key === 'deleted' ? 'count-danger' : key === 'skipped' ? 'count-warning' : key === 'unchanged' ? '' : 'count-strong';
    return <span className={tone}>{formatCount(n)}</span>;
  };
}

/** The per-type counts of a run: what it created, updated, left, deleted, restored, skipped. */
export function RunCounts({ run }: { run: RosterRun }) {
  const { t } = useTranslation('roster');
  const columns: Column<Row>[] = [
    { header: t('counts.records'), cell: (r) => (r.type === 'total' ? <strong>{r.label}</strong> : r.label) },
    ...KEYS.map((k) => ({ header: t(`counts.${k}`), cell: cell(k), className: 'num' })),
  ];
  const rows: Row[] = ENTITY_OPTIONS.map((e) => ({ type: e.value, label: e.label, ...ZERO, ...run.counts[e.value] }));
  const total = rows.reduce<Row>((sum, r) => ({ ...sum, ...Object.fromEntries(KEYS.map((k) => [k, sum[k] + r[k]])) }), { type: 'total', label: t('counts.allRecords'), ...ZERO });
  return (
    <section className="card" aria-labelledby="run-counts-title">
      <header className="card-header">
        <h2 id="run-counts-title">{run.dryRun || run.status === 'awaiting_approval' ? t('counts.wouldChange') : t('counts.changed')}</h2>
      </header>
      <DataTable caption={t('counts.caption')} columns={columns} rows={[...rows, total]} rowKey={(r) => r.type} />
    </section>
  );
}
