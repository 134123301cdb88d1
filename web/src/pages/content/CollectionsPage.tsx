import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, client, messageOf, unwrap } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { DataTable, EmptyState, type Column } from '../../components/DataTable.js';
import { TextField } from '../../components/fields.js';
import { PageHeader, useTitle } from '../../components/Layout.js';
import { useCustomer } from '../../hooks/useCustomer.js';
import { useResource } from '../../hooks/useResource.js';
import { formatDate } from '../../labels.js';
import { Link, navigate } from '../../router.js';
import { useContentCrumbs } from './crumbs.js';
import { contentPaths, type Collection } from './model.js';

/** Content → Collections: the customer's collections and a form to add one. */
export function CollectionsPage({ customerId }: { customerId: string }) {
  const { t } = useTranslation('content');
  const customer = useCustomer(customerId);
  const paths = contentPaths(customerId);
  const crumbs = useContentCrumbs(customerId, customer);
  const { data, error } = useResource<Collection[]>(paths.collectionsApi);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useTitle(t('collections'));

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setFailure(null);
    if (!name.trim()) {
      setErrors({ name: t('enterCollectionName') });
      document.getElementById('field-name')?.focus();
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const created = await unwrap(client.POST('/api/customers/{id}/collections', { params: { path: { id: customerId } }, body: { name, description } }));
      navigate(paths.collectionPage(created.id));
    } catch (err) {
      if (err instanceof ApiError && err.fields.length) setErrors(Object.fromEntries(err.fields.map((f) => [f.field, f.message])));
      else setFailure(messageOf(err));
      setBusy(false);
    }
  };

  const columns: Column<Collection>[] = [
    {
      header: t('name'),
      cell: (c) => (
        <Link to={paths.collectionPage(c.id)} className="row-link">
          {c.name}
        </Link>
      ),
    },
    { header: t('description'), cell: (c) => c.description || <span className="muted">—</span>, secondary: true },
    { header: t('titles'), cell: (c) => t('titleCount', { count: c.bookCount }) },
    { header: t('changed'), cell: (c) => formatDate(c.updatedAt), secondary: true },
  ];
  return (
    <div className="page">
      <PageHeader crumbs={crumbs} title={t('collections')} subtitle={t('collectionsSubtitle')} />
      <div className="stack">
        <div className="card">
          {error ? <Banner kind="error">{error}</Banner> : null}
          {data && !data.length ? <EmptyState title={t('noCollections')}>{t('noCollectionsBody')}</EmptyState> : null}
          {data?.length ? <DataTable caption={t('collections')} columns={columns} rows={data} rowKey={(c) => c.id} onRowClick={(c) => navigate(paths.collectionPage(c.id))} /> : null}
          {!data && !error ? <p className="loading">{t('loadingCollections')}</p> : null}
        </div>
        <form className="card stack narrow-form" onSubmit={create} noValidate aria-labelledby="new-collection">
          <h2 id="new-collection">{t('newCollection')}</h2>
          {failure ? <Banner kind="error">{failure}</Banner> : null}
          <TextField name="name" label={t('name')} required value={name} onChange={setName} error={errors.name} maxLength={120} width="full" />
          <TextField name="description" label={t('description')} value={description} onChange={setDescription} error={errors.description} maxLength={1000} width="full" />
          <div className="form-buttons">
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? t('creating') : t('createCollection')}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
