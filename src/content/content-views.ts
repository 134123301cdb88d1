// The content API's shapes. Shared with the web console, which type-checks without Node's types:
// keep this module import-free.

/** A title as the API shows it. */
export interface BookView {
  id: string;
  title: string;
  author: string;
  format: 'epub' | 'pdf';
  sizeBytes: number;
  sha256: string;
  hasCover: boolean;
  createdAt: string;
  updatedAt: string;
}

/** A collection as the API shows it. */
export interface CollectionView {
  id: string;
  name: string;
  description: string;
  bookCount: number;
  createdAt: string;
  updatedAt: string;
}
