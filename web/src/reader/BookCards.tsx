import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { Link } from '../router.js';
import type { BookCard } from './types.js';

// A cover for titles without one: the title's initials on a colour picked from the title.
const PALETTE = ['#1f4fd1', '#1d7a46', '#8a3ffc', '#b0431f', '#0f6e84', '#9b1c5a', '#5a5f00', '#33415c'];

function Placeholder({ title }: { title: string }) {
  let hash = 0;
  for (const ch of title) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const initials = title
    .split(/\s+/)
    .filter((w) => /^[\p{L}\p{N}]/u.test(w))
    .slice(0, 2)
    .map((w) => w[0]?.toUpperCase())
    .join('');
  return (
    <div className="cover cover-placeholder" style={{ background: PALETTE[hash % PALETTE.length] }} aria-hidden="true">
      <span>{initials || '?'}</span>
    </div>
  );
}

/** How far along, in words: "Not started", "42% read", "Finished". */
function progressText(progress: number | null, t: TFunction<'shelf'>): string {
  if (progress === null) return t('notStarted');
  if (progress >= 0.995) return t('finished');
  return t('percentRead', { percent: Math.max(1, Math.round(progress * 100)) });
}

/** A grid of titles: cover, title, author and a progress bar; each opens the book. */
export function BookGrid({ books, label }: { books: BookCard[]; label: string }) {
  const { t } = useTranslation('shelf');
  return (
    <ul className="book-grid" aria-label={label}>
      {books.map((b) => (
        <li key={b.id} className="book-card">
          <Link to={`/reader/books/${b.id}`} className="book-link" aria-describedby={`book-${b.id}-meta`}>
            {b.coverUrl ? <img className="cover" src={b.coverUrl} alt="" loading="lazy" /> : <Placeholder title={b.title} />}
            <span className="book-title">{b.title}</span>
          </Link>
          <div id={`book-${b.id}-meta`} className="book-meta">
            <span className="book-author">{b.author || t('unknownAuthor')}</span>
            <span className="book-format">{b.format.toUpperCase()}</span>
            <span className="book-progress">
              <span className="book-progress-track" aria-hidden="true">
                <span className="book-progress-fill" style={{ width: `${Math.round((b.progress ?? 0) * 100)}%` }} />
              </span>
              <span className="book-progress-text">{progressText(b.progress, t)}</span>
            </span>
          </div>
        </li>
      ))}
    </ul>
  );
}
