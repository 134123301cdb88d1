import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, api, messageOf } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import type { Column } from '../../components/DataTable.js';
import { plural } from '../../labels.js';
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

/** The Class tab's tick-box column. */
export function selectionColumn(selection: ReturnType<typeof useClassSelection>): Column<DirectoryClass> {
  return {
    header: 'Select',
    className: 'select-cell',
    cell: (c) => <input type="checkbox" checked={selection.selected.has(c.id)} onChange={() => selection.toggle(c)} aria-label={`Select ${c.title}`} onClick={(e) => e.stopPropagation()} />,
  };
}

/**
 * Bulk assign on the Class tab: with classes ticked, choose a title or a collection and assign it
 * to all of them at once. Each class's members, now and later, see it while enrolled.
 */
export function BulkAssignClasses({ customerId, selection }: { customerId: string; selection: ReturnType<typeof useClassSelection> }) {
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
      setError('Choose a title or a collection to assign.');
      return;
    }
    setError(null);
    setBusy(true);
    const [kind, id] = choice.split(':') as ['book' | 'collection', string];
    try {
      const res = await api.post<{ created: number; books: number }>(paths.assignments, { ...(kind === 'book' ? { bookIds: [id] } : { collectionId: id }), classIds: [...selection.selected.keys()] });
      setDone(`Assigned ${plural(res.books, 'title')} to ${plural(count, 'class', 'classes')} (${plural(res.created, 'new assignment')}).`);
      setChoice('');
      selection.clear();
    } catch (err) {
      setError(err instanceof ApiError && err.fields.length ? err.fields.map((f) => f.message).join(' ') : messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="bulk-bar" onSubmit={submit} noValidate aria-label="Assign to the selected classes">
      <strong aria-live="polite">{plural(count, 'class', 'classes')} selected</strong>
      <div className="toolbar-field">
        <label htmlFor="bulk-assign-choice">Title or collection</label>
        <select
          id="bulk-assign-choice"
          name="assign"
          value={choice}
          onChange={(e) => setChoice(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'bulk-assign-error' : undefined}
        >
          <option value="">{options ? 'Choose…' : 'Loading…'}</option>
          {options?.collections.length ? (
            <optgroup label="Collections">
              {options.collections.map((c) => (
                <option key={c.id} value={`collection:${c.id}`}>
                  {c.name} ({plural(c.bookCount, 'title')})
                </option>
              ))}
            </optgroup>
          ) : null}
          {options?.books.length ? (
            <optgroup label="Titles">
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
        {busy ? 'Assigning…' : 'Assign to selected classes'}
      </button>
      <button type="button" className="btn btn-secondary" onClick={selection.clear}>
        Clear selection
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
