/** The reader API's shapes (src/server/routes/reader). */

/** A title on a shelf. */
export interface BookCard {
  id: string;
  title: string;
  author: string;
  format: 'epub' | 'pdf';
  coverUrl: string | null;
  progress: number | null;
  lastReadAt: string | null;
}

/** GET /api/reader/books/:id */
export interface BookDetail extends BookCard {
  sizeBytes: number;
  fileUrl: string;
  position: string | null;
}

/** GET /api/reader/bookshelf */
export interface Bookshelf {
  books: BookCard[];
  classes: { id: string; title: string; classCode: string; books: BookCard[] }[];
  collections: { id: string; name: string; description: string; bookCount: number }[];
}

/** GET /api/reader/collections/:id */
export interface CollectionView {
  id: string;
  name: string;
  description: string;
  books: BookCard[];
}

/** Where the reader is: a CFI or page as `position`, `progress` from 0 to 1. */
export interface ReadingPosition {
  position: string;
  progress: number;
}
