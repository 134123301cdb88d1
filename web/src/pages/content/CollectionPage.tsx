import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, client, messageOf, unwrap } from '../../api.js';
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
  const { t } = useTranslation('content');
  const customer = useCustomer(customerId);
  const paths = contentPaths(customerId);
  const crumbs = useContentCrumbs(customerId, customer, [{ to: paths.collectionsPage, label: t('collections') }]);
  const { data, error, set } = useResource<CollectionDetail>(paths.collection(collectionId));
  const [books, setBooks] = useState<Book[]>([]);
  const [dirty, setDirty] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [deleting, setDeleting] = useState(false);
  useTitle(data?.name ?? t('collection'));
  useEffect(() => {
    if (data) {
      setBooks(data.books);
      setDirty(false);
    }
  }, [data]);

  if (error)
    return (
      <div className="page">
        <PageHeader crumbs={crumbs} title={t('collection')} />
        <Banner kind="error">{error}</Banner>
      </div>
    );
  if (!data) return <p className="loading">{t('loadingCollection')}</p>;

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
      set(await unwrap(client.PUT('/api/customers/{id}/collections/{collectionId}/books', { params: { path: { id: customerId, collectionId } }, body: { bookIds: books.map((b) => b.id) } })));
      setSaved(t('orderSaved'));
    } catch (err) {
      setFailure(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    setBusy(true);
    try {
      await unwrap(client.DELETE('/api/customers/{id}/collections/{collectionId}', { params: { path: { id: customerId, collectionId } } }));
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
            {t('deleteCollection')}
          </button>
        }
      />
      {failure ? <Banner kind="error">{failure}</Banner> : null}
      <div className="stack">
        <RenameForm customerId={customerId} collection={data} onSaved={(c) => set({ ...data, ...c })} />
        <SectionCard title={t('titles')}>
          {saved ? <Banner kind="success">{saved}</Banner> : null}
          {!books.length ? <EmptyState title={t('noTitlesIn')}>{t('addTitlesBelow')}</EmptyState> : null}
          <ol className="order-list" aria-label={t('titlesInOrder')}>
            {books.map((b, i) => (
              <li key={b.id}>
                <Cover customerId={customerId} book={b} />
                <span className="order-title">
                  <Link to={paths.titlePage(b.id)}>{b.title}</Link>
                  {b.author ? <span className="muted small"> · {b.author}</span> : null}
                </span>
                <span className="order-buttons">
                  <button type="button" className="btn btn-secondary btn-small" onClick={() => move(i, -1)} disabled={i === 0} aria-label={t('moveUp', { title: b.title })}>
                    ↑
                  </button>
                  <button type="button" className="btn btn-secondary btn-small" onClick={() => move(i, 1)} disabled={i === books.length - 1} aria-label={t('moveDown', { title: b.title })}>
                    ↓
                  </button>
                  <button type="button" className="btn btn-secondary btn-small" onClick={() => change(books.filter((x) => x.id !== b.id))} aria-label={t('removeFromCollection', { title: b.title })}>
                    {t('ui:remove')}
                  </button>
                </span>
              </li>
            ))}
          </ol>
          <BookSearch customerId={customerId} exclude={books} onPick={(b) => change([...books, b])} />
          <div className="form-buttons">
            <button type="button" className="btn btn-primary" onClick={() => void saveBooks()} disabled={!dirty || busy}>
              {busy ? t('ui:saving') : t('saveOrder')}
            </button>
          </div>
        </SectionCard>
        <SectionCard title={t('assignCollection')}>
          <p className="muted">{t('assignCollectionLead')}</p>
          <AssignPanel customerId={customerId} what={{ collectionId }} onAssigned={() => undefined} />
        </SectionCard>
      </div>
      <ConfirmDialog
        open={deleting}
        title={t('deleteCollectionQ', { name: data.name })}
        confirmLabel={t('deleteCollection')}
        danger
        busy={busy}
        onConfirm={() => void remove()}
        onCancel={() => setDeleting(false)}
      >
        <p>{t('deleteCollectionBody')}</p>
      </ConfirmDialog>
    </div>
  );
}

function RenameForm({ customerId, collection, onSaved }: { customerId: string; collection: Collection; onSaved: (c: Collection) => void }) {
  const { t } = useTranslation('content');
  const [name, setName] = useState(collection.name);
  const [description, setDescription] = useState(collection.description);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    if (!name.trim()) {
      setErrors({ name: t('enterName') });
      return;
    }
    setBusy(true);
    try {
      onSaved(await unwrap(client.PATCH('/api/customers/{id}/collections/{collectionId}', { params: { path: { id: customerId, collectionId: collection.id } }, body: { name, description } })));
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
      <h2 id="collection-details">{t('details')}</h2>
      {saved ? <Banner kind="success">{t('ui:saved')}</Banner> : null}
      <TextField name="name" label={t('name')} required value={name} onChange={setName} error={errors.name} maxLength={120} width="full" />
      <TextField name="description" label={t('description')} value={description} onChange={setDescription} error={errors.description} maxLength={1000} width="full" />
      <div className="form-buttons">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? t('ui:saving') : t('saveDetails')}
        </button>
      </div>
    </form>
  );
}

/** Finds titles by title or author to add to the collection. */
function BookSearch({ customerId, exclude, onPick }: { customerId: string; exclude: Book[]; onPick: (b: Book) => void }) {
  const { t } = useTranslation('content');
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
      <label htmlFor="add-title-search">{t('addTitles')}</label>
      <input id="add-title-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder={t('searchPlaceholder')} autoComplete="off" aria-controls="add-title-results" />
      <ul className="picker-results" id="add-title-results" aria-label={t('matchingTitles')} hidden={!search.trim()}>
        {shown.map((b) => (
          <li key={b.id}>
            <button type="button" onClick={() => onPick(b)} aria-label={t('addNamed', { title: b.title })}>
              <span>{b.title}</span>
              <span className="muted small">{b.author}</span>
            </button>
          </li>
        ))}
        {search.trim() && !shown.length ? (
          <li className="muted small" style={{ padding: '8px 12px' }}>
            {t('noMatches')}
          </li>
        ) : null}
      </ul>
    </div>
  );
}
