import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FilterSelect } from '../../components/ListToolbar.js';
import { formatLocale } from '../../i18n/index.js';
import { ENTITY_OPTIONS, formatCount, formatDate, formatDateTime, runStatusLabel } from '../../labels.js';
import { navigate } from '../../router.js';
import type { EntityType, RosterRun } from '../../types.js';

// Their names are `roster:counts.<key>`.
const SERIES = [
  { key: 'created', className: 'bar-created' },
  { key: 'updated', className: 'bar-updated' },
  { key: 'deleted', className: 'bar-deleted' },
] as const;

const W = 880;
const H = 240;
const M = { top: 12, right: 12, bottom: 44, left: 56 };

// Round axis maxima people can read: 1, 2, 5, 10, 20, 50…
function niceMax(n: number): number {
  if (n <= 4) return 4;
  const p = 10 ** Math.floor(Math.log10(n));
  return [1, 2, 2.5, 5, 10].map((f) => f * p).find((v) => v >= n) ?? 10 * p;
}

function valueOf(run: RosterRun, key: 'created' | 'updated' | 'deleted', type: EntityType | ''): number {
  const types = type ? [type] : ENTITY_OPTIONS.map((e) => e.value);
  return types.reduce((n, t) => n + (run.counts[t]?.[key] ?? 0), 0);
}

/**
 * Created, updated and deleted records per run for the last runs (oldest on the left), as an
 * inline SVG bar chart. Each run's bars are a link to its report; the figure's description and
 * a data table (visually hidden) say the same in words for screen readers.
 */
export function RunHistoryChart({ runs, customerId }: { runs: RosterRun[]; customerId: string }) {
  const { t } = useTranslation('roster');
  const [type, setType] = useState<EntityType | ''>('users');
  const locale = formatLocale();
  const series = SERIES.map((s) => ({ ...s, label: t(`counts.${s.key}`) }));
  // Previews and failed or discarded runs changed nothing; chart what was applied (or held).
  const shown = runs
    .filter((r) => !r.dryRun && (r.status === 'succeeded' || r.status === 'succeeded_with_warnings'))
    .slice(0, 20)
    .reverse();
  const typeLabel = type ? (ENTITY_OPTIONS.find((e) => e.value === type)?.label ?? type) : t('counts.allRecords');
  const max = niceMax(Math.max(0, ...shown.flatMap((r) => series.map((s) => valueOf(r, s.key, type)))));
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  // A few runs keep bars of a readable width, gathered on the left like the rest of the history.
  const slot = Math.min(72, plotW / Math.max(shown.length, 1));
  const barW = Math.max(3, Math.min(18, (slot * 0.7) / series.length));
  const y = (v: number) => M.top + plotH - (v / max) * plotH;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(max * f));
  const labelEvery = Math.ceil(shown.length / 10);
  // Runs of one day are told apart by time; longer histories by date.
  const oneDay = shown.length > 0 && new Date(shown[0]?.createdAt ?? 0).toDateString() === new Date(shown[shown.length - 1]?.createdAt ?? 0).toDateString();
  const tickLabel = (iso: string) => new Date(iso).toLocaleString(locale, oneDay ? { hour: 'numeric', minute: '2-digit' } : { month: 'short', day: 'numeric' });
  // "12 created, 3 updated, 0 deleted" of one run or of them all.
  const counted = (of: (key: (typeof SERIES)[number]['key']) => number) => series.map((s) => `${formatCount(of(s.key))} ${s.label.toLocaleLowerCase(locale)}`).join(', ');
  const totals = counted((key) => shown.reduce((n, r) => n + valueOf(r, key, type), 0));
  const description = t('chart.description', { type: typeLabel, count: shown.length, from: formatDate(shown[0]?.createdAt), to: formatDate(shown[shown.length - 1]?.createdAt), totals });
  return (
    <figure className="chart">
      <div className="chart-header">
        <figcaption>
          <strong>{t('chart.title')}</strong>
          <span className="muted"> · {shown.length ? t('chart.lastRuns', { count: shown.length }) : t('chart.lastFew')}</span>
        </figcaption>
        <div className="chart-controls">
          <ul className="legend" aria-hidden="true">
            {series.map((s) => (
              <li key={s.key}>
                <span className={`swatch ${s.className}`} />
                {s.label}
              </li>
            ))}
          </ul>
          <FilterSelect
            name="chart-type"
            label={t('counts.records')}
            value={type}
            onChange={(v) => setType(v as EntityType | '')}
            options={[{ value: '', label: t('counts.allRecords') }, ...ENTITY_OPTIONS]}
          />
        </div>
      </div>
      {shown.length === 0 ? (
        <p className="muted chart-empty">{t('chart.empty')}</p>
      ) : (
        <svg viewBox={`0 0 ${W} ${H}`} className="chart-svg" role="group" aria-labelledby="chart-title chart-desc">
          <title id="chart-title">{t('chart.svgTitle', { type: typeLabel })}</title>
          <desc id="chart-desc">{description}</desc>
          {ticks.map((t) => (
            <g key={t} className="tick">
              <line x1={M.left} x2={W - M.right} y1={y(t)} y2={y(t)} className={t === 0 ? 'axis-line' : 'grid-line'} />
              <text x={M.left - 8} y={y(t)} dy="0.32em" textAnchor="end">
                {formatCount(t)}
              </text>
            </g>
          ))}
          <text className="axis-title" transform={`translate(14 ${M.top + plotH / 2}) rotate(-90)`} textAnchor="middle">
            {typeLabel}
          </text>
          <text className="axis-title" x={M.left + plotW / 2} y={H - 4} textAnchor="middle">
            {oneDay && shown[0] ? t('chart.axisDay', { date: formatDate(shown[0].createdAt) }) : t('chart.axisDates')}
          </text>
          {shown.map((r, i) => {
            const x0 = M.left + slot * i + (slot - barW * series.length) / 2;
            const summary = `${formatDateTime(r.createdAt)}, ${r.fileName}: ${counted((key) => valueOf(r, key, type))} (${runStatusLabel(r)})`;
            const to = `/customers/${customerId}/roster/runs/${r.runId}`;
            return (
              <a
                key={r.runId}
                href={to}
                className="chart-run"
                aria-label={summary}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(to);
                }}
              >
                <title>{summary}</title>
                <rect x={M.left + slot * i} y={M.top} width={slot} height={plotH} className="run-hit" />
                {series.map((s, j) => {
                  const v = valueOf(r, s.key, type);
                  return <rect key={s.key} x={x0 + j * barW} y={y(v)} width={barW - 1} height={Math.max(v ? 1.5 : 0, M.top + plotH - y(v))} className={s.className} />;
                })}
                {i % labelEvery === 0 ? (
                  <text x={M.left + slot * i + slot / 2} y={M.top + plotH + 16} textAnchor="middle" className="x-label">
                    {tickLabel(r.createdAt)}
                  </text>
                ) : null}
              </a>
            );
          })}
        </svg>
      )}
      {shown.length ? (
        <table className="visually-hidden">
          <caption>{t('chart.perSync', { type: typeLabel })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('chart.sync')}</th>
              {series.map((s) => (
                <th key={s.key} scope="col">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.runId}>
                <th scope="row">{`${formatDateTime(r.createdAt)} ${r.fileName}`}</th>
                {series.map((s) => (
                  <td key={s.key}>{valueOf(r, s.key, type)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </figure>
  );
}
