// The reader API's shapes. Shared with the browser reader, which type-checks without Node's types:
// keep this module import-free.

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

/** A title opened in the reader: its card plus where the reader left off. */
export interface BookDetail extends BookCard {
  sizeBytes: number;
  fileUrl: string;
  position: string | null;
}

/** What the bookshelf page shows. */
export interface Bookshelf {
  books: BookCard[];
  /** For teachers: each class they teach with the titles assigned to it. */
  classes: { id: string; title: string; classCode: string; books: BookCard[] }[];
  /** Collections holding at least one of the user's titles. */
  collections: { id: string; name: string; description: string; bookCount: number }[];
}

/** A collection as the reader shows it: the titles of it the user may read. */
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

/** Where a reader is in a book, and when it was saved. */
export interface ProgressView extends ReadingPosition {
  updatedAt: string;
}
