/** The reader API's shapes: the server's own types (src/reader/reader-views.ts), so they cannot drift apart. */
export type { BookCard, BookDetail, Bookshelf, CollectionView, ReadingPosition } from '../../../src/reader/reader-views.js';
