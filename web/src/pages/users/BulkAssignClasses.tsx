import type { TFunction } from 'i18next';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, client, messageOf, unwrap } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import type { Column } from '../../components/DataTable.js';
import type { DirectoryClass, Page } from '../../types.js';
import { contentPaths, type Book, type Collection } from '../content/model.js';
import '../content/content.css';

/** The classes ticked on the Class tab (kept across pages and searches). */
export function useClassSelection() {
  const [selected, setSelected] = useState<Map<string, DirectoryClass>>(new Map());
  return {
    selected,
    toggle: (c: DirectoryClass) =>
      setSelected((prev) => {
        const next = new Map(prev);
        if (next.has(c.id)) next.delete(c.id);
        else next.set(c.id, c);
        return next;
      }),
    clear: () => setSelected(new Map()),
  };
}

/** The Class tab's tick-box column (`t` is the tab's, so the column follows a language switch). */
export function selectionColumn(selection: ReturnType<typeof useClassSelection>, t: TFunction<'users'>): Column<DirectoryClass> {
  return {
    header: t('list.select'),
    className: 'select-cell',
    cell: (c) => (
      <input type="checkbox" checked={selection.selected.has(c.id)} onChange={() => selection.toggle(c)} aria-label={t('list.selectNamed', { name: c.title })} onClick={(e) => e.stopPropagation()} />
    ),
  };
}

/**
 * Bulk assign on the Class tab: with classes ticked, choose a title or a collection and assign it
 * to all of them at once. Each class's members, now and later, see it while enrolled.
 */
export function BulkAssignClasses({ customerId, selection }: { customerId: string; selection: ReturnType<typeof useClassSelection> }) {
  const { t } = useTranslation('users');
  const paths = contentPaths(customerId);
  const count = selection.selected.size;
  const [options, setOptions] = useState<{ books: Book[]; collections: Collection[] } | null>(null);
  const [choice, setChoice] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!count || options) return;
    Promise.all([api.get<Page<Book>>(paths.api, { pageSize: 500 }), api.get<Collection[]>(paths.collectionsApi)])
      .then(([books, collections]) => setOptions({ books: books.items, collections }))
      .catch((err: unknown) => setError(messageOf(err)));
  }, [count, options, paths.api, paths.collectionsApi]);

  if (!count) return done ? <Banner kind="success">{done}</Banner> : null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    if (!choice) {
      setError(t('assignClasses.choose'));
      return;
    }
    setError(null);
    setBusy(true);
    const [kind, id] = choice.split(':') as ['book' | 'collection', string];
    try {
      const body = { ...(kind === 'book' ? { bookIds: [id] } : { collectionId: id }), classIds: [...selection.selected.keys()] };
      const res = await unwrap(client.POST('/api/customers/{id}/assignments', { params: { path: { id: customerId } }, body }));
      setDone(
        t('assignClasses.done', {
          titles: t('content:titleCount', { count: res.books }),
          classes: t('content:targetKind.class', { count }),
          created: t('assignClasses.newAssignments', { count: res.created }),
        }),
      );
      setChoice('');
      selection.clear();
    } catch (err) {
      setError(err instanceof ApiError && err.fields.length ? err.fields.map((f) => f.message).join(' ') : messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="bulk-bar" onSubmit={submit} noValidate aria-label={t('assignClasses.formLabel')}>
      <strong aria-live="polite">{t('assignClasses.selected', { count })}</strong>
      <div className="toolbar-field">
        <label htmlFor="bulk-assign-choice">{t('assignClasses.choice')}</label>
        <select
          id="bulk-assign-choice"
          name="assign"
          value={choice}
          onChange={(e) => setChoice(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'bulk-assign-error' : undefined}
        >
          <option value="">{options ? t('assignClasses.chooseOption') : t('assignClasses.loading')}</option>
          {options?.collections.length ? (
            <optgroup label={t('content:collections')}>
              {options.collections.map((c) => (
                <option key={c.id} value={`collection:${c.id}`}>
                  {c.name} ({t('content:titleCount', { count: c.bookCount })})
                </option>
              ))}
            </optgroup>
          ) : null}
          {options?.books.length ? (
            <optgroup label={t('content:titles')}>
              {options.books.map((b) => (
                <option key={b.id} value={`book:${b.id}`}>
                  {b.title}
                  {b.author ? ` — ${b.author}` : ''}
                </option>
              ))}
            </optgroup>
          ) : null}
        </select>
      </div>
      <button type="submit" className="btn btn-primary" disabled={busy}>
        {busy ? t('content:assigning') : t('assignClasses.submit')}
      </button>
      <button type="button" className="btn btn-secondary" onClick={selection.clear}>
        {t('list.clearSelection')}
      </button>
      {error ? (
        <p className="field-error" id="bulk-assign-error" role="alert">
          <span aria-hidden="true">⚠ </span>
          {error}
        </p>
      ) : null}
    </form>
  );
}
