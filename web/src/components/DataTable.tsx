import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatCount } from '../labels.js';

/** One column of a DataTable. */
export interface Column<T> {
  /** The column's name (also its key); shown unless `headerCell` replaces it. */
  header: string;
  /** Header content other than the name, e.g. a select-all checkbox. */
  headerCell?: ReactNode;
  cell: (row: T) => ReactNode;
  /** Hidden on narrow screens when the table would be too wide. */
  secondary?: boolean;
  className?: string;
}

/**
 * Whether the element is wider inside than it shows (it scrolls sideways), kept up to date as it or
 * its content changes size: a longer language, a narrow window, more rows.
 */
function useScrollsSideways<E extends HTMLElement>() {
  const ref = useRef<E>(null);
  const [scrolls, setScrolls] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setScrolls(el.scrollWidth > el.clientWidth);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    if (el.firstElementChild) observer.observe(el.firstElementChild);
    return () => observer.disconnect();
  }, []);
  return { ref, scrolls };
}

/**
 * A table of rows. A row may be clickable as a whole, but the row's primary cell should still hold
 * a real link so keyboard and screen-reader users have a target too. A table too wide for its place
 * scrolls sideways in a named region that takes the keyboard focus, so it scrolls with the arrow keys.
 */
export function DataTable<T>({
  caption,
  columns,
  rows,
  rowKey,
  onRowClick,
  loading,
}: {
  caption: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  onRowClick?: (row: T) => void;
  loading?: boolean;
}) {
  const wrap = useScrollsSideways<HTMLDivElement>();
  return (
    <div ref={wrap.ref} className={`table-wrap ${loading ? 'is-loading' : ''}`} aria-busy={loading || undefined} {...(wrap.scrolls ? { tabIndex: 0, role: 'region', 'aria-label': caption } : {})}>
      <table className="data-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.header} scope="col" className={`${c.secondary ? 'secondary' : ''} ${c.className ?? ''}`}>
                {c.headerCell ?? c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr
              key={rowKey(row)}
              className={onRowClick ? 'clickable' : undefined}
              onClick={(e) => {
                // Let real links, buttons and form controls (a row's selection checkbox) inside the row do their own thing.
                if (onRowClick && !(e.target instanceof Element && e.target.closest('a, button, input, label, select, textarea'))) onRowClick(row);
              }}
            >
              {columns.map((c) => (
                <td key={c.header} className={`${c.secondary ? 'secondary' : ''} ${c.className ?? ''}`}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** "Showing 1–25 of 140" and previous/next buttons. */
export function Pager({ page, pageSize, total, onPage, label }: { page: number; pageSize: number; total: number; onPage: (page: number) => void; label: string }) {
  const { t } = useTranslation('ui');
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return (
    <nav className="pager" aria-label={t('pagerLabel', { label })}>
      <span className="pager-count" aria-live="polite">
        {total === 0 ? t('noResults') : t('showing', { first: formatCount(first), last: formatCount(last), total: formatCount(total) })}
      </span>
      <div className="pager-buttons">
        <button type="button" className="btn btn-secondary btn-small" onClick={() => onPage(page - 1)} disabled={page <= 1}>
          {t('previous')}
        </button>
        <span className="pager-page">{t('pageOf', { page: formatCount(page), pages: formatCount(pages) })}</span>
        <button type="button" className="btn btn-secondary btn-small" onClick={() => onPage(page + 1)} disabled={page >= pages}>
          {t('next')}
        </button>
      </div>
    </nav>
  );
}

/** What an empty list says instead of an empty table. */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <div className="empty-icon" aria-hidden="true">
        ∅
      </div>
      <h3>{title}</h3>
      {children ? <div className="empty-body">{children}</div> : null}
    </div>
  );
}
