import { useState } from 'react';
import { useTranslation } from 'react-i18next';
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
  const { t } = useTranslation('shelf');
  useTitle(t('pageTitle'));
  const user = useUser();
  const { data, error } = useResource<Bookshelf>('/api/reader/bookshelf');
  const [tab, setTab] = useState('mine');
  if (error) return <Banner kind="error">{error}</Banner>;
  if (!data) return <p className="loading">{t('common:loadingBooks')}</p>;

  const mine = <Shelf books={data.books} label={t('yourBooks')} empty={t('empty')} />;
  return (
    <div className="page shelf-page">
      <div className="shelf-header">
        <h1>{user.givenName ? t('headingNamed', { name: user.givenName }) : t('heading')}</h1>
        <p className="muted">
          {t('bookCount', { count: data.books.length })}
          {data.books.some((b) => b.progress !== null && b.progress < 0.995) ? t('pickUp') : ''}
        </p>
      </div>
      {data.classes.length ? (
        <Tabs
          label={t('tabs')}
          selected={tab}
          onSelect={setTab}
          tabs={[
            { id: 'mine', label: t('myBooks'), panel: () => mine },
            ...data.classes.map((c) => ({
              id: `class-${c.id}`,
              label: c.title,
              panel: () => (
                <>
                  <p className="muted shelf-note">{t('classNote', { title: c.title, code: c.classCode ? ` (${c.classCode})` : '' })}</p>
                  <Shelf books={c.books} label={t('classBooks', { title: c.title })} empty={t('classEmpty', { title: c.title })} />
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
          <h2 id="collections-title">{t('collections')}</h2>
          <ul className="collection-list">
            {data.collections.map((c) => (
              <li key={c.id}>
                <Link to={`/reader/collections/${c.id}`} className="collection-link">
                  <span className="collection-name">{c.name}</span>
                  <span className="muted">{t('collectionCount', { count: c.bookCount })}</span>
                </Link>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
