import { useState } from 'react';
import { contentPaths, type Book } from './model.js';
import './content.css';

/**
 * A title's cover from the server, or a plain card with its format when it has none (PDFs, EPUBs
 * without a cover image). Decorative: the title next to it names the book.
 */
export function Cover({ customerId, book, size = 'small' }: { customerId: string; book: Pick<Book, 'id' | 'hasCover' | 'format' | 'updatedAt'>; size?: 'small' | 'large' }) {
  const [failed, setFailed] = useState(false);
  if (!book.hasCover || failed) {
    return (
      <span className={`cover cover-${size} cover-none`} aria-hidden="true">
        {book.format.toUpperCase()}
      </span>
    );
  }
  return <img className={`cover cover-${size}`} src={contentPaths(customerId).cover(book.id)} alt="" loading="lazy" onError={() => setFailed(true)} />;
}
