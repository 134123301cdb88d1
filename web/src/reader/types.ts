/** The reader API's shapes: the server's own types (src/reader/reader-views.ts), so they cannot drift apart. */
export type { BookCard, BookDetail, Bookshelf, CollectionView, ReaderSettings, ReadingPosition } from '../../../src/reader/reader-views.js';
export { DEFAULT_READER_SETTINGS, READER_FONTS, READER_FONT_SIZE, READER_LINE_SPACINGS, READER_THEMES } from '../../../src/reader/reader-views.js';
