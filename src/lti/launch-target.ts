/*
 * Where a verified launch, of either LTI version, takes the person: the title or collection its
 * custom parameters name (refused when the title is not theirs to read, or the collection not the
 * customer's), else the bookshelf; then into the reader with a session, or with a single-use ticket
 * when the launch came inside an LMS iframe.
 */
import type { Kysely } from 'kysely';
import { createSession, type SignedIn } from '../accounts/account-service.js';
import { SessionRepository } from '../accounts/session-repository.js';
import { CollectionRepository } from '../content/collection-repository.js';
import type { Database, User } from '../db/schema.js';
import { randomToken, tokenDigest } from '../security/tokens.js';
import { addMs } from '../time.js';
import type { Refuse } from './identity.js';
import { LinkRepository } from './link-repository.js';

/** Whether a user may open a book now (the content domain's assignment resolution), asked through `db`. */
export type CanRead = (db: Kysely<Database>, customerId: string, userId: string, bookId: string) => Promise<boolean>;

/** Who is launching from which browser context. */
export interface LaunchClient {
  ip: string;
  userAgent: string;
  /** The launch arrived in an iframe (Sec-Fetch-Dest, else launch_presentation_document_target). */
  framed: boolean;
}

/**
 * A successful launch. Top-level launches get a session at once; a launch inside an LMS iframe
 * gets a single-use ticket instead, because a cookie set in a third-party frame is blocked by
 * SameSite=Lax (and by browsers' third-party cookie rules): the ticket opens Lectern in a window.
 */
export type LaunchOutcome = { kind: 'session'; signedIn: SignedIn; target: string } | { kind: 'ticket'; ticket: string; target: string };

/** What a launch opens: a title or a collection; null is the bookshelf. */
export type ReaderTarget = { type: 'book' | 'collection'; id: string } | null;

const TICKET_TTL_MS = 2 * 60_000;

/** The reader path a launch target opens: `/reader/books/<id>`, `/reader/collections/<id>` or `/reader`. */
export function readerPath(target: ReaderTarget): string {
  if (!target) return '/reader';
  return `/reader/${target.type === 'book' ? 'books' : 'collections'}/${encodeURIComponent(target.id)}`;
}

/** The title or collection a launch's custom `bookid` / `collectionid` names for this user (trimmed), or the shelf. */
export async function resolveLaunchTarget(
  db: Kysely<Database>,
  canRead: CanRead,
  customerId: string,
  user: User,
  custom: { bookId: string | undefined; collectionId: string | undefined },
  refuse: Refuse,
): Promise<ReaderTarget> {
  const bookId = custom.bookId?.trim();
  if (bookId) {
    if (!(await canRead(db, customerId, user.id, bookId))) throw refuse('LTI_TARGET_UNAVAILABLE', `book ${bookId} is not readable by this user`);
    return { type: 'book', id: bookId };
  }
  const collectionId = custom.collectionId?.trim();
  if (collectionId) {
    if (!(await new CollectionRepository(db).find(customerId, collectionId))) throw refuse('LTI_TARGET_UNAVAILABLE', `collection ${collectionId} not found`);
    return { type: 'collection', id: collectionId };
  }
  return null;
}

/** Opens the reader at `target` for a launched user: a session, or inside an iframe a two-minute single-use ticket. */
export async function openReader(db: Kysely<Database>, customerId: string, user: User, client: LaunchClient, target: ReaderTarget, now: string): Promise<LaunchOutcome> {
  const path = readerPath(target);
  if (client.framed) {
    const ticket = randomToken();
    await new LinkRepository(db).insertTicket({ id: tokenDigest(ticket), customer_id: customerId, user_id: user.id, target: path, expires_at: addMs(now, TICKET_TTL_MS) });
    return { kind: 'ticket', ticket, target: path };
  }
  return { kind: 'session', signedIn: await createSession(new SessionRepository(db), user, client), target: path };
}
