import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, api, messageOf } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { EmptyState } from '../../components/DataTable.js';
import { ConfirmDialog } from '../../components/Dialog.js';
import { SectionCard } from '../../components/Facts.js';
import { TextField } from '../../components/fields.js';
import { PageHeader, useTitle } from '../../components/Layout.js';
import { useCustomer } from '../../hooks/useCustomer.js';
import { useResource } from '../../hooks/useResource.js';
import { Link, navigate } from '../../router.js';
import type { Page } from '../../types.js';
import { AssignPanel } from './AssignPanel.js';
import { Cover } from './Cover.js';
import { useContentCrumbs } from './crumbs.js';
import { contentPaths, type Book, type Collection, type CollectionDetail } from './model.js';

/** One collection: rename, its titles in order (add, remove, move), assign it, delete it. */
export function CollectionPage({ customerId, collectionId }: { customerId: string; collectionId: string }) {
  const customer = useCustomer(customerId);
  const paths = contentPaths(customerId);
  const crumbs = useContentCrumbs(customerId, customer, [{ to: paths.collectionsPage, label: 'Collections' }]);
  const { data, error, set } = useResource<CollectionDetail>(paths.collection(collectionId));
  const [books, setBooks] = useState<Book[]>([]);
  const [dirty, setDirty] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [deleting, setDeleting] = useState(false);
  useTitle(data?.name ?? 'Collection');
  useEffect(() => {
    if (data) {
      setBooks(data.books);
      setDirty(false);
    }
  }, [data]);

  if (error)
    return (
      <div className="page">
        <PageHeader crumbs={crumbs} title="Collection" />
        <Banner kind="error">{error}</Banner>
      </div>
    );
  if (!data) return <p className="loading">Loading the collection…</p>;

  const change = (next: Book[]) => {
    setBooks(next);
    setDirty(true);
    setSaved(null);
  };
  const move = (i: number, by: number) => {
    const next = [...books];
    const [b] = next.splice(i, 1);
    if (b) next.splice(i + by, 0, b);
    change(next);
  };
  const saveBooks = async () => {
    setBusy(true);
    setFailure(null);
    try {
      set(await api.put<CollectionDetail>(`${paths.collection(collectionId)}/books`, { bookIds: books.map((b) => b.id) }));
      setSaved('The titles and their order are saved.');
    } catch (err) {
      setFailure(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    setBusy(true);
    try {
      await api.delete(paths.collection(collectionId));
      navigate(paths.collectionsPage);
    } catch (err) {
      setFailure(messageOf(err));
      setBusy(false);
      setDeleting(false);
    }
  };

  return (
    <div className="page">
      <PageHeader
        crumbs={crumbs}
        title={data.name}
        subtitle={data.description || undefined}
        actions={
          <button type="button" className="btn btn-danger-outline" onClick={() => setDeleting(true)}>
            Delete collection
          </button>
        }
      />
      {failure ? <Banner kind="error">{failure}</Banner> : null}
      <div className="stack">
        <RenameForm customerId={customerId} collection={data} onSaved={(c) => set({ ...data, ...c })} />
        <SectionCard title="Titles">
          {saved ? <Banner kind="success">{saved}</Banner> : null}
          {!books.length ? <EmptyState title="No titles in this collection">Add titles below.</EmptyState> : null}
          <ol className="order-list" aria-label="Titles in order">
            {books.map((b, i) => (
              <li key={b.id}>
                <Cover customerId={customerId} book={b} />
                <span className="order-title">
                  <Link to={paths.titlePage(b.id)}>{b.title}</Link>
                  {b.author ? <span className="muted small"> · {b.author}</span> : null}
                </span>
                <span className="order-buttons">
                  <button type="button" className="btn btn-secondary btn-small" onClick={() => move(i, -1)} disabled={i === 0} aria-label={`Move ${b.title} up`}>
                    ↑
                  </button>
                  <button type="button" className="btn btn-secondary btn-small" onClick={() => move(i, 1)} disabled={i === books.length - 1} aria-label={`Move ${b.title} down`}>
                    ↓
                  </button>
                  <button type="button" className="btn btn-secondary btn-small" onClick={() => change(books.filter((x) => x.id !== b.id))} aria-label={`Remove ${b.title} from the collection`}>
                    Remove
                  </button>
                </span>
              </li>
            ))}
          </ol>
          <BookSearch customerId={customerId} exclude={books} onPick={(b) => change([...books, b])} />
          <div className="form-buttons">
            <button type="button" className="btn btn-primary" onClick={() => void saveBooks()} disabled={!dirty || busy}>
              {busy ? 'Saving…' : 'Save titles and order'}
            </button>
          </div>
        </SectionCard>
        <SectionCard title="Assign this collection">
          <p className="muted">Every title now in the collection is assigned; titles added later are not assigned automatically.</p>
          <AssignPanel customerId={customerId} what={{ collectionId }} onAssigned={() => undefined} />
        </SectionCard>
      </div>
      <ConfirmDialog
        open={deleting}
        title={`Delete the collection “${data.name}”?`}
        confirmLabel="Delete collection"
        danger
        busy={busy}
        onConfirm={() => void remove()}
        onCancel={() => setDeleting(false)}
      >
        <p>The titles stay, and so do assignments already made from this collection.</p>
      </ConfirmDialog>
    </div>
  );
}

function RenameForm({ customerId, collection, onSaved }: { customerId: string; collection: Collection; onSaved: (c: Collection) => void }) {
  const [name, setName] = useState(collection.name);
  const [description, setDescription] = useState(collection.description);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    if (!name.trim()) {
      setErrors({ name: 'Enter a name.' });
      return;
    }
    setBusy(true);
    try {
      onSaved(await api.patch<Collection>(contentPaths(customerId).collection(collection.id), { name, description }));
      setErrors({});
      setSaved(true);
    } catch (err) {
      setErrors(err instanceof ApiError && err.fields.length ? Object.fromEntries(err.fields.map((f) => [f.field, f.message])) : { name: messageOf(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card stack" onSubmit={submit} noValidate aria-labelledby="collection-details">
      <h2 id="collection-details">Details</h2>
      {saved ? <Banner kind="success">Saved.</Banner> : null}
      <TextField name="name" label="Name" required value={name} onChange={setName} error={errors.name} maxLength={120} width="full" />
      <TextField name="description" label="Description" value={description} onChange={setDescription} error={errors.description} maxLength={1000} width="full" />
      <div className="form-buttons">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save details'}
        </button>
      </div>
    </form>
  );
}

/** Finds titles by title or author to add to the collection. */
function BookSearch({ customerId, exclude, onPick }: { customerId: string; exclude: Book[]; onPick: (b: Book) => void }) {
  const [search, setSearch] = useState('');
  const [results, setResults] = useState<Book[]>([]);
  useEffect(() => {
    if (!search.trim()) {
      setResults([]);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      api
        .get<Page<Book>>(contentPaths(customerId).api, { search: search.trim(), pageSize: 8 })
        .then((p) => current && setResults(p.items))
        .catch(() => current && setResults([]));
    }, 200);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [customerId, search]);
  const shown = results.filter((r) => !exclude.some((b) => b.id === r.id));
  return (
    <div className="field picker">
      <label htmlFor="add-title-search">Add titles</label>
      <input
        id="add-title-search"
        type="search"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        placeholder="Search by title or author"
        autoComplete="off"
        aria-controls="add-title-results"
      />
      <ul className="picker-results" id="add-title-results" aria-label="Matching titles" hidden={!search.trim()}>
        {shown.map((b) => (
          <li key={b.id}>
            <button type="button" onClick={() => onPick(b)} aria-label={`Add ${b.title}`}>
              <span>{b.title}</span>
              <span className="muted small">{b.author}</span>
            </button>
          </li>
        ))}
        {search.trim() && !shown.length ? (
          <li className="muted small" style={{ padding: '8px 12px' }}>
            No matches.
          </li>
        ) : null}
      </ul>
    </div>
  );
}
