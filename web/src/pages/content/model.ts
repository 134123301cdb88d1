/* The Content area's API shapes (see src/server/routes/content/index.ts) and its paths. */

import i18next from 'i18next';
import { formatLocale } from '../../i18n/index.js';
import type { BookView, CollectionView } from '../../../../src/content/content-views.js';

/** A title as the API lists it (the server's own type). */
export type Book = BookView;

/** A row of the titles list. */
export type BookListItem = Book & { assignmentCount: number };

/** One title with its collections and who it is assigned to. */
export interface BookDetail extends Book {
  collections: { id: string; name: string }[];
  assignments: {
    users: { id: string; login: string; name: string; role: string; status: string; assignedAt: string }[];
    classes: { id: string; title: string; classCode: string; status: string; members: number; assignedAt: string }[];
  };
}

/** A collection (the server's own type). */
export type Collection = CollectionView;

/** A collection with its titles in order. */
export interface CollectionDetail extends Collection {
  books: Book[];
}

/** Who to assign to, as the picker collects them. */
export interface Target {
  type: 'user' | 'class';
  id: string;
  label: string;
  detail: string;
  /** A user's role, so a choice can be named ("1 student"). */
  role?: string;
}

// The kinds of target, in the order they are named.
const KINDS = ['class', 'student', 'teacher', 'person'] as const;

/** What the picked targets are, in words of the page's language: "1 class", "2 classes and 1 student", "1 class, 2 teachers and 1 person". */
export function describeTargets(targets: Target[]): string {
  const counts = new Map<string, number>();
  for (const t of targets) {
    const key = t.type === 'class' ? 'class' : t.role === 'student' || t.role === 'teacher' ? t.role : 'person';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const parts = KINDS.filter((k) => counts.has(k)).map((k) => i18next.t(`content:targetKind.${k}`, { count: counts.get(k) ?? 0 }));
  return new Intl.ListFormat(formatLocale(), { type: 'conjunction' }).format(parts);
}

/** API and console paths of one customer's content. */
export function contentPaths(customerId: string) {
  const c = encodeURIComponent(customerId);
  return {
    api: `/api/customers/${c}/content`,
    book: (id: string) => `/api/customers/${c}/content/${encodeURIComponent(id)}`,
    cover: (id: string) => `/api/customers/${c}/content/${encodeURIComponent(id)}/cover`,
    collectionsApi: `/api/customers/${c}/collections`,
    collection: (id: string) => `/api/customers/${c}/collections/${encodeURIComponent(id)}`,
    assignments: `/api/customers/${c}/assignments`,
    page: `/customers/${customerId}/content`,
    upload: `/customers/${customerId}/content/upload`,
    titlePage: (id: string) => `/customers/${customerId}/content/${id}`,
    collectionsPage: `/customers/${customerId}/collections`,
    collectionPage: (id: string) => `/customers/${customerId}/collections/${id}`,
  };
}

/** The body of an assignment request for the picked targets. */
export function targetIds(targets: Target[]): { userIds: string[]; classIds: string[] } {
  return { userIds: targets.filter((t) => t.type === 'user').map((t) => t.id), classIds: targets.filter((t) => t.type === 'class').map((t) => t.id) };
}
