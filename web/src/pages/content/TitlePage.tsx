import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, client, messageOf, unwrap } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { DataTable, EmptyState, type Column } from '../../components/DataTable.js';
import { ConfirmDialog } from '../../components/Dialog.js';
import { Facts, SectionCard } from '../../components/Facts.js';
import { TextField } from '../../components/fields.js';
import { PageHeader, useTitle } from '../../components/Layout.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { useCustomer } from '../../hooks/useCustomer.js';
import { useResource } from '../../hooks/useResource.js';
import { formatBytes, formatDate, formatDateTime, roleLabel } from '../../labels.js';
import { Link, navigate, useLocation } from '../../router.js';
import { AssignPanel } from './AssignPanel.js';
import { Cover } from './Cover.js';
import { useContentCrumbs } from './crumbs.js';
import { contentPaths, type Book, type BookDetail } from './model.js';

type ClassRow = BookDetail['assignments']['classes'][number];
type UserRow = BookDetail['assignments']['users'][number];

/** One title: cover, editable title and author, collections, who it is assigned to, assign more, delete. */
export function TitlePage({ customerId, bookId }: { customerId: string; bookId: string }) {
  const { t } = useTranslation('content');
  const customer = useCustomer(customerId);
  const paths = contentPaths(customerId);
  const { data: book, error, set, reload } = useResource<BookDetail>(paths.book(bookId));
  const crumbs = useContentCrumbs(customerId, customer);
  const { search } = useLocation();
  const [failure, setFailure] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [busy, setBusy] = useState(false);
  useTitle(book?.title ?? t('titleFallback'));

  if (error)
    return (
      <div className="page">
        <PageHeader crumbs={crumbs} title={t('titleFallback')} />
        <Banner kind="error">{error}</Banner>
      </div>
    );
  if (!book) return <p className="loading">{t('loadingTitle')}</p>;

  const unassign = async (body: { userIds?: string[]; classIds?: string[] }) => {
    setFailure(null);
    try {
      await unwrap(client.DELETE('/api/customers/{id}/assignments', { params: { path: { id: customerId } }, body: { bookIds: [book.id], ...body } }));
      reload();
    } catch (err) {
      setFailure(messageOf(err));
    }
  };
  const remove = async () => {
    setBusy(true);
    try {
      await unwrap(client.DELETE('/api/customers/{id}/content/{bookId}', { params: { path: { id: customerId, bookId: book.id } } }));
      navigate(paths.page);
    } catch (err) {
      setFailure(messageOf(err));
      setBusy(false);
      setDeleting(false);
    }
  };

  const classColumns: Column<ClassRow>[] = [
    { header: t('class'), cell: (c) => <Link to={`/customers/${customerId}/classes/${c.id}`}>{c.title}</Link> },
    { header: t('classCode'), cell: (c) => c.classCode || '—', secondary: true },
    { header: t('enrolledNow'), cell: (c) => t('people', { count: c.members }) },
    { header: t('status'), cell: (c) => <StatusBadge status={c.status} label={t(`users:classStatus.${c.status}`)} />, secondary: true },
    { header: t('assigned'), cell: (c) => formatDate(c.assignedAt), secondary: true },
    {
      header: t('ui:actions'),
      cell: (c) => (
        <button type="button" className="btn btn-secondary btn-small" onClick={() => void unassign({ classIds: [c.id] })} aria-label={t('unassignFrom', { name: c.title })}>
          {t('unassign')}
        </button>
      ),
    },
  ];
  const userColumns: Column<UserRow>[] = [
    { header: t('name'), cell: (u) => <Link to={`/customers/${customerId}/users/${u.id}`}>{u.name || u.login}</Link> },
    { header: t('login'), cell: (u) => <code>{u.login}</code>, secondary: true },
    { header: t('role'), cell: (u) => roleLabel(u.role) },
    { header: t('assigned'), cell: (u) => formatDate(u.assignedAt), secondary: true },
    {
      header: t('ui:actions'),
      cell: (u) => (
        <button type="button" className="btn btn-secondary btn-small" onClick={() => void unassign({ userIds: [u.id] })} aria-label={t('unassignFrom', { name: u.name || u.login })}>
          {t('unassign')}
        </button>
      ),
    },
  ];
  const { classes, users } = book.assignments;
  return (
    <div className="page">
      <PageHeader
        crumbs={crumbs}
        title={book.title}
        subtitle={book.author || undefined}
        actions={
          <button type="button" className="btn btn-danger-outline" onClick={() => setDeleting(true)}>
            {t('deleteTitle')}
          </button>
        }
      />
      {search.get('uploaded') ? <Banner kind="success">{t('uploadedBanner')}</Banner> : null}
      {failure ? <Banner kind="error">{failure}</Banner> : null}
      <div className="title-layout">
        <Cover customerId={customerId} book={book} size="large" />
        <div className="stack">
          <MetadataForm customerId={customerId} book={book} onSaved={(b) => set({ ...book, ...b })} />
          <SectionCard title={t('file')}>
            <Facts
              items={[
                [t('format'), book.format === 'epub' ? 'EPUB' : 'PDF'],
                [t('size'), formatBytes(book.sizeBytes)],
                [t('added'), formatDateTime(book.createdAt)],
                [
                  t('sha256'),
                  <code key="sha" className="mono small">
                    {book.sha256}
                  </code>,
                ],
                [
                  t('collections'),
                  book.collections.length
                    ? book.collections.map((c, i) => (
                        <span key={c.id}>
                          {i ? ', ' : ''}
                          <Link to={paths.collectionPage(c.id)}>{c.name}</Link>
                        </span>
                      ))
                    : '',
                ],
              ]}
            />
          </SectionCard>
        </div>
      </div>
      <SectionCard title={t('assignedTo')}>
        {!classes.length && !users.length ? <EmptyState title={t('notAssigned')}>{t('notAssignedBody')}</EmptyState> : null}
        {classes.length ? <DataTable caption={t('classesAssigned')} columns={classColumns} rows={classes} rowKey={(c) => c.id} /> : null}
        {users.length ? <DataTable caption={t('peopleAssigned')} columns={userColumns} rows={users} rowKey={(u) => u.id} /> : null}
        <h3 className="subheading">{t('assign')}</h3>
        <AssignPanel customerId={customerId} what={{ bookIds: [book.id] }} onAssigned={reload} />
      </SectionCard>
      <ConfirmDialog
        open={deleting}
        title={t('deleteTitleQ', { title: book.title })}
        confirmLabel={t('deleteTitle')}
        danger
        busy={busy}
        onConfirm={() => void remove()}
        onCancel={() => setDeleting(false)}
      >
        <p>{t('deleteTitleBody')}</p>
      </ConfirmDialog>
    </div>
  );
}

/** Title and author, editable (the file's metadata is only a first guess). */
function MetadataForm({ customerId, book, onSaved }: { customerId: string; book: Book; onSaved: (b: Book) => void }) {
  const { t } = useTranslation('content');
  const [title, setTitle] = useState(book.title);
  const [author, setAuthor] = useState(book.author);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    setFailure(null);
    if (!title.trim()) {
      setErrors({ title: t('enterTitle') });
      document.getElementById('field-title')?.focus();
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      onSaved(await unwrap(client.PATCH('/api/customers/{id}/content/{bookId}', { params: { path: { id: customerId, bookId: book.id } }, body: { title, author } })));
      setSaved(true);
    } catch (err) {
      if (err instanceof ApiError && err.fields.length) setErrors(Object.fromEntries(err.fields.map((f) => [f.field, f.message])));
      else setFailure(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card stack" onSubmit={submit} noValidate aria-labelledby="metadata-title">
      <h2 id="metadata-title">{t('details')}</h2>
      {saved ? <Banner kind="success">{t('ui:saved')}</Banner> : null}
      {failure ? <Banner kind="error">{failure}</Banner> : null}
      <TextField name="title" label={t('colTitle')} required value={title} onChange={setTitle} error={errors.title} maxLength={300} width="full" />
      <TextField name="author" label={t('author')} value={author} onChange={setAuthor} error={errors.author} maxLength={300} width="full" hint={t('authorHint')} />
      <div className="form-buttons">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? t('ui:saving') : t('saveDetails')}
        </button>
      </div>
    </form>
  );
}
