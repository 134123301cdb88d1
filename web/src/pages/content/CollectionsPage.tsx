import { useState, type FormEvent } from 'react';
import { ApiError, api, messageOf } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { DataTable, EmptyState, type Column } from '../../components/DataTable.js';
import { TextField } from '../../components/fields.js';
import { PageHeader, useTitle } from '../../components/Layout.js';
import { useCustomer } from '../../hooks/useCustomer.js';
import { useResource } from '../../hooks/useResource.js';
import { formatDate, plural } from '../../labels.js';
import { Link, navigate } from '../../router.js';
import { useContentCrumbs } from './crumbs.js';
import { contentPaths, type Collection } from './model.js';

/** Content → Collections: the customer's collections and a form to add one. */
export function CollectionsPage({ customerId }: { customerId: string }) {
  const customer = useCustomer(customerId);
  const paths = contentPaths(customerId);
  const crumbs = useContentCrumbs(customerId, customer);
  const { data, error } = useResource<Collection[]>(paths.collectionsApi);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useTitle('Collections');

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setFailure(null);
    if (!name.trim()) {
      setErrors({ name: 'Enter a name for the collection.' });
      document.getElementById('field-name')?.focus();
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const created = await api.post<Collection>(paths.collectionsApi, { name, description });
      navigate(paths.collectionPage(created.id));
    } catch (err) {
      if (err instanceof ApiError && err.fields.length) setErrors(Object.fromEntries(err.fields.map((f) => [f.field, f.message])));
      else setFailure(messageOf(err));
      setBusy(false);
    }
  };

  const columns: Column<Collection>[] = [
    {
      header: 'Name',
      cell: (c) => (
        <Link to={paths.collectionPage(c.id)} className="row-link">
          {c.name}
        </Link>
      ),
    },
    { header: 'Description', cell: (c) => c.description || <span className="muted">—</span>, secondary: true },
    { header: 'Titles', cell: (c) => plural(c.bookCount, 'title') },
    { header: 'Changed', cell: (c) => formatDate(c.updatedAt), secondary: true },
  ];
  return (
    <div className="page">
      <PageHeader crumbs={crumbs} title="Collections" subtitle="Groups of titles, kept in order, that can be assigned together." />
      <div className="stack">
        <div className="card">
          {error ? <Banner kind="error">{error}</Banner> : null}
          {data && !data.length ? <EmptyState title="No collections yet">Create one below, then add titles to it.</EmptyState> : null}
          {data?.length ? <DataTable caption="Collections" columns={columns} rows={data} rowKey={(c) => c.id} onRowClick={(c) => navigate(paths.collectionPage(c.id))} /> : null}
          {!data && !error ? <p className="loading">Loading collections…</p> : null}
        </div>
        <form className="card stack narrow-form" onSubmit={create} noValidate aria-labelledby="new-collection">
          <h2 id="new-collection">New collection</h2>
          {failure ? <Banner kind="error">{failure}</Banner> : null}
          <TextField name="name" label="Name" required value={name} onChange={setName} error={errors.name} maxLength={120} width="full" />
          <TextField name="description" label="Description" value={description} onChange={setDescription} error={errors.description} maxLength={1000} width="full" />
          <div className="form-buttons">
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? 'Creating…' : 'Create collection'}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
