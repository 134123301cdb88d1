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

/** Fonts a reader may choose: the book's own, a serif, a sans-serif, and OpenDyslexic (shipped with Lectern). */
export const READER_FONTS = ['book', 'serif', 'sans', 'dyslexic'] as const;
/** Line spacings a reader may choose (1.65, 2 and 2.4 lines). */
export const READER_LINE_SPACINGS = ['normal', 'relaxed', 'loose'] as const;
/** The reader's themes: the standard one and a high-contrast one (7:1 or better). */
export const READER_THEMES = ['standard', 'high-contrast'] as const;
/** The text size, in percent of the book's own, that a reader may choose. */
export const READER_FONT_SIZE = { min: 80, max: 200 } as const;

/** How a reader likes to read; kept per user on the server, so every device shows the same. */
export interface ReaderSettings {
  font: (typeof READER_FONTS)[number];
  /** Percent of the book's text size. */
  fontSize: number;
  lineSpacing: (typeof READER_LINE_SPACINGS)[number];
  theme: (typeof READER_THEMES)[number];
  /** A language tag (`en`, `es`), or null to follow the browser's language. */
  language: string | null;
}

/** The settings of a reader who has chosen nothing yet. */
export const DEFAULT_READER_SETTINGS: ReaderSettings = { font: 'book', fontSize: 100, lineSpacing: 'normal', theme: 'standard', language: null };
