import { useState, type FormEvent } from 'react';
import { ApiError, api, messageOf, request } from '../../api.js';
import { Banner } from '../../components/Banner.js';
import { DataTable, EmptyState, type Column } from '../../components/DataTable.js';
import { ConfirmDialog } from '../../components/Dialog.js';
import { Facts, SectionCard } from '../../components/Facts.js';
import { TextField } from '../../components/fields.js';
import { PageHeader, useTitle } from '../../components/Layout.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { useCustomer } from '../../hooks/useCustomer.js';
import { useResource } from '../../hooks/useResource.js';
import { formatBytes, formatDate, formatDateTime, plural, roleLabel } from '../../labels.js';
import { Link, navigate, useLocation } from '../../router.js';
import { AssignPanel } from './AssignPanel.js';
import { Cover } from './Cover.js';
import { useContentCrumbs } from './crumbs.js';
import { contentPaths, type Book, type BookDetail } from './model.js';

type ClassRow = BookDetail['assignments']['classes'][number];
type UserRow = BookDetail['assignments']['users'][number];

/** One title: cover, editable title and author, collections, who it is assigned to, assign more, delete. */
export function TitlePage({ customerId, bookId }: { customerId: string; bookId: string }) {
  const customer = useCustomer(customerId);
  const paths = contentPaths(customerId);
  const { data: book, error, set, reload } = useResource<BookDetail>(paths.book(bookId));
  const crumbs = useContentCrumbs(customerId, customer);
  const { search } = useLocation();
  const [failure, setFailure] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [busy, setBusy] = useState(false);
  useTitle(book?.title ?? 'Title');

  if (error)
    return (
      <div className="page">
        <PageHeader crumbs={crumbs} title="Title" />
        <Banner kind="error">{error}</Banner>
      </div>
    );
  if (!book) return <p className="loading">Loading the title…</p>;

  const unassign = async (body: { userIds?: string[]; classIds?: string[] }) => {
    setFailure(null);
    try {
      await request('DELETE', paths.assignments, { bookIds: [book.id], ...body });
      reload();
    } catch (err) {
      setFailure(messageOf(err));
    }
  };
  const remove = async () => {
    setBusy(true);
    try {
      await api.delete(paths.book(book.id));
      navigate(paths.page);
    } catch (err) {
      setFailure(messageOf(err));
      setBusy(false);
      setDeleting(false);
    }
  };

  const classColumns: Column<ClassRow>[] = [
    { header: 'Class', cell: (c) => <Link to={`/customers/${customerId}/classes/${c.id}`}>{c.title}</Link> },
    { header: 'Class code', cell: (c) => c.classCode || '—', secondary: true },
    { header: 'Enrolled now', cell: (c) => plural(c.members, 'person', 'people') },
    { header: 'Status', cell: (c) => <StatusBadge status={c.status} />, secondary: true },
    { header: 'Assigned', cell: (c) => formatDate(c.assignedAt), secondary: true },
    {
      header: 'Actions',
      cell: (c) => (
        <button type="button" className="btn btn-secondary btn-small" onClick={() => void unassign({ classIds: [c.id] })} aria-label={`Unassign from ${c.title}`}>
          Unassign
        </button>
      ),
    },
  ];
  const userColumns: Column<UserRow>[] = [
    { header: 'Name', cell: (u) => <Link to={`/customers/${customerId}/users/${u.id}`}>{u.name || u.login}</Link> },
    { header: 'Login', cell: (u) => <code>{u.login}</code>, secondary: true },
    { header: 'Role', cell: (u) => roleLabel(u.role) },
    { header: 'Assigned', cell: (u) => formatDate(u.assignedAt), secondary: true },
    {
      header: 'Actions',
      cell: (u) => (
        <button type="button" className="btn btn-secondary btn-small" onClick={() => void unassign({ userIds: [u.id] })} aria-label={`Unassign from ${u.name || u.login}`}>
          Unassign
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
            Delete title
          </button>
        }
      />
      {search.get('uploaded') ? <Banner kind="success">Uploaded. Check the title and author read from the file, then assign it.</Banner> : null}
      {failure ? <Banner kind="error">{failure}</Banner> : null}
      <div className="title-layout">
        <Cover customerId={customerId} book={book} size="large" />
        <div className="stack">
          <MetadataForm customerId={customerId} book={book} onSaved={(b) => set({ ...book, ...b })} />
          <SectionCard title="File">
            <Facts
              items={[
                ['Format', book.format === 'epub' ? 'EPUB' : 'PDF'],
                ['Size', formatBytes(book.sizeBytes)],
                ['Added', formatDateTime(book.createdAt)],
                [
                  'SHA-256',
                  <code key="sha" className="mono small">
                    {book.sha256}
                  </code>,
                ],
                [
                  'Collections',
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
      <SectionCard title="Assigned to">
        {!classes.length && !users.length ? <EmptyState title="Not assigned yet">Nobody can read this title until it is assigned to a class or a person.</EmptyState> : null}
        {classes.length ? <DataTable caption="Classes this title is assigned to" columns={classColumns} rows={classes} rowKey={(c) => c.id} /> : null}
        {users.length ? <DataTable caption="People this title is assigned to" columns={userColumns} rows={users} rowKey={(u) => u.id} /> : null}
        <h3 className="subheading">Assign</h3>
        <AssignPanel customerId={customerId} what={{ bookIds: [book.id] }} onAssigned={reload} />
      </SectionCard>
      <ConfirmDialog open={deleting} title={`Delete “${book.title}”?`} confirmLabel="Delete title" danger busy={busy} onConfirm={() => void remove()} onCancel={() => setDeleting(false)}>
        <p>Nobody will be able to open it any more, and it leaves every collection. This cannot be undone from the console.</p>
      </ConfirmDialog>
    </div>
  );
}

/** Title and author, editable (the file's metadata is only a first guess). */
function MetadataForm({ customerId, book, onSaved }: { customerId: string; book: Book; onSaved: (b: Book) => void }) {
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
      setErrors({ title: 'Enter a title.' });
      document.getElementById('field-title')?.focus();
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      onSaved(await api.patch<Book>(contentPaths(customerId).book(book.id), { title, author }));
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
      <h2 id="metadata-title">Details</h2>
      {saved ? <Banner kind="success">Saved.</Banner> : null}
      {failure ? <Banner kind="error">{failure}</Banner> : null}
      <TextField name="title" label="Title" required value={title} onChange={setTitle} error={errors.title} maxLength={300} width="full" />
      <TextField name="author" label="Author" value={author} onChange={setAuthor} error={errors.author} maxLength={300} width="full" hint="Leave empty when unknown." />
      <div className="form-buttons">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save details'}
        </button>
      </div>
    </form>
  );
}
