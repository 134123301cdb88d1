import { useState } from 'react';
import { Banner } from '../components/Banner.js';
import { useTitle } from '../components/Layout.js';
import { Tabs } from '../components/Tabs.js';
import { useResource } from '../hooks/useResource.js';
import { Link } from '../router.js';
import { BookGrid } from './BookCards.js';
import { useUser } from '../session.js';
import type { BookCard, Bookshelf } from './types.js';

function Shelf({ books, label, empty }: { books: BookCard[]; label: string; empty: string }) {
  if (books.length === 0) {
    return (
      <div className="shelf-empty">
        <p>{empty}</p>
      </div>
    );
  }
  return <BookGrid books={books} label={label} />;
}

/** The bookshelf: your titles, then (for teachers) a tab per class with the titles assigned to it. */
export function BookshelfPage() {
  useTitle('Bookshelf');
  const user = useUser();
  const { data, error } = useResource<Bookshelf>('/api/reader/bookshelf');
  const [tab, setTab] = useState('mine');
  if (error) return <Banner kind="error">{error}</Banner>;
  if (!data) return <p className="loading">Loading your books…</p>;

  const mine = <Shelf books={data.books} label="Your books" empty="No books yet. When your school or teacher assigns you a book, it appears here." />;
  return (
    <div className="page shelf-page">
      <div className="shelf-header">
        <h1>{user.givenName ? `${user.givenName}’s bookshelf` : 'Your bookshelf'}</h1>
        <p className="muted">
          {data.books.length === 1 ? '1 book' : `${data.books.length} books`}
          {data.books.some((b) => b.progress !== null && b.progress < 0.995) ? ' · pick up where you left off' : ''}
        </p>
      </div>
      {data.classes.length ? (
        <Tabs
          label="Bookshelves"
          selected={tab}
          onSelect={setTab}
          tabs={[
            { id: 'mine', label: 'My books', panel: () => mine },
            ...data.classes.map((c) => ({
              id: `class-${c.id}`,
              label: c.title,
              panel: () => (
                <>
                  <p className="muted shelf-note">
                    Books assigned to {c.title}
                    {c.classCode ? ` (${c.classCode})` : ''}: every student in the class sees them.
                  </p>
                  <Shelf books={c.books} label={`Books for ${c.title}`} empty={`No books are assigned to ${c.title} yet.`} />
                </>
              ),
            })),
          ]}
        />
      ) : (
        mine
      )}
      {data.collections.length ? (
        <section className="collections" aria-labelledby="collections-title">
          <h2 id="collections-title">Collections</h2>
          <ul className="collection-list">
            {data.collections.map((c) => (
              <li key={c.id}>
                <Link to={`/reader/collections/${c.id}`} className="collection-link">
                  <span className="collection-name">{c.name}</span>
                  <span className="muted">{c.bookCount === 1 ? '1 of your books' : `${c.bookCount} of your books`}</span>
                </Link>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
