/*
 * LTI Deep Linking 2.0: a teacher in the LMS adds Lectern titles or collections to a course.
 *
 * 1. The launch verifies an LtiDeepLinkingRequest (verifyIdToken) and calls openDeepLink: learners
 *    are sent back to the LMS with a message; a teacher's request is stored under the digest of a
 *    random single-purpose token (migration 0015), which the picker page carries in its form. No
 *    cookie: the picker runs inside the LMS's iframe, where browsers block third-party cookies.
 * 2. The picker lists what the request's customer owns: its titles (search, covers) and collections.
 * 3. The choice is answered with an LtiDeepLinkingResponse (Deep Linking 2.0 §4.5), signed with the
 *    tool's current key and form-posted to deep_link_return_url: ltiResourceLink items whose custom
 *    bookid or collectionid a later resource-link launch opens, a thumbnail (the cover, by a signed
 *    URL an LMS can show without a Lectern session), a lineItem only where the platform accepts one,
 *    and the request's `data` echoed exactly. The token is used up by the answer, an empty one too
 *    (the LMS reads no items as a cancel).
 */
import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import { SignJWT } from 'jose';
import type { Kysely } from 'kysely';
import { BookRepository, type BookRow } from '../content/book-repository.js';
import { CollectionRepository } from '../content/collection-repository.js';
import type { ContentStore } from '../content/content-store.js';
import type { Database, User } from '../db/schema.js';
import { AppError, notFound, validationError } from '../errors.js';
import { LaunchError } from '../lti/launch-verifier.js';
import type { SecretBox } from '../security/secret-box.js';
import { randomToken, safeEqual, tokenDigest } from '../security/tokens.js';
import { addMs } from '../time.js';
import { DeepLinkRepository, type DeepLinkRequestWithPlatform } from './deep-link-repository.js';
import { Lti13Error } from './errors.js';
import type { DeepLinkingLaunch } from './id-token.js';
import type { ToolKeys } from './tool-keys.js';

/** How long a teacher may take in the picker. */
export const DEEP_LINK_TTL_MS = 60 * 60_000;
/** How long the response JWT lives: the browser posts it at once (well under MAX_TOKEN_LIFETIME_MS). */
export const RESPONSE_LIFETIME_SECONDS = 10 * 60;
/** Titles the picker shows for one search; the rest are found by searching. */
export const PICKER_PAGE = 60;
/** Items one response may carry. */
export const MAX_ITEMS = 50;

const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const DL = 'https://purl.imsglobal.org/spec/lti-dl/claim/';
const RESOURCE_LINK = 'ltiResourceLink';
const CLEANUP_EVERY_MS = 10 * 60_000;

/** What a launch answers for a stored deep linking request: the picker, reached by its token. */
export interface DeepLinkOutcome {
  kind: 'deep-link';
  token: string;
}

/** A registration a deep linking request came through. */
export interface DeepLinkPlatform {
  id: string;
  customer_id: string;
}

/**
 * Keeps a verified deep linking request for the picker and returns its token. Only a teacher's
 * request (instructor, content developer, teaching assistant or administrator roles: the
 * launch role 'teacher') is kept; anyone else, or a placement that takes no LTI links, goes back to the LMS.
 */
export async function openDeepLink(db: Kysely<Database>, platform: DeepLinkPlatform, launch: DeepLinkingLaunch, role: User['role'], now: Date): Promise<DeepLinkOutcome> {
  if (role !== 'teacher') throw new LaunchError('LTI_DEEP_LINK_ROLE', launch.returnUrl, `deep linking by role ${role} (${launch.roles.join(' ').slice(0, 300)})`);
  const settings = launch.deepLinking;
  if (!settings.acceptTypes.includes(RESOURCE_LINK)) {
    throw new Lti13Error('LTI13_CLAIM_INVALID', `accept_types ${JSON.stringify(settings.acceptTypes)} has no ${RESOURCE_LINK}`, {
      afterVerification: true,
      returnUrl: launch.returnUrl,
      message: 'This place in your course does not take links to Lectern titles. Add Lectern from a place that accepts LTI links, such as a module or an assignment.',
    });
  }
  const token = randomToken();
  const iso = now.toISOString();
  await new DeepLinkRepository(db).insert({
    token_hash: tokenDigest(token),
    customer_id: platform.customer_id,
    platform_id: platform.id,
    deployment_id: launch.deploymentId,
    return_url: settings.deepLinkReturnUrl,
    data: settings.data,
    accept_multiple: settings.acceptMultiple ? 1 : 0,
    accept_types: JSON.stringify(settings.acceptTypes),
    accept_lineitem: settings.acceptLineItem ? 1 : 0,
    created_at: iso,
    expires_at: addMs(iso, DEEP_LINK_TTL_MS),
  });
  return { kind: 'deep-link', token };
}

/** One choice in the picker: `ref` is the form value (`book:<id>` or `collection:<id>`). */
export interface PickerItem {
  ref: string;
  kind: 'book' | 'collection';
  title: string;
  /** The author, or the number of titles in a collection. */
  detail: string;
  coverUrl: string | null;
  selected: boolean;
}

/** The picker page's content. */
export interface PickerView {
  acceptMultiple: boolean;
  search: string;
  books: PickerItem[];
  /** All of the customer's titles matching the search (more than `books` shows when over PICKER_PAGE). */
  booksTotal: number;
  collections: PickerItem[];
  /** Chosen before this search and not among its results: still chosen. */
  carried: PickerItem[];
}

/** The signed response and where the browser posts it (form field `JWT`). */
export interface DeepLinkResponse {
  returnUrl: string;
  jwt: string;
  items: number;
}

/** What DeepLinking needs besides the database. */
export interface DeepLinkingOptions {
  publicUrl: string;
  keys: Pick<ToolKeys, 'signer'>;
  secrets: Pick<SecretBox, 'deriveKey'>;
  store: Pick<ContentStore, 'open' | 'stat'>;
  now?: () => Date;
}

type Chosen = { kind: 'book'; book: BookRow } | { kind: 'collection'; id: string; name: string; bookCount: number };

/** The title picker and the Deep Linking response (see above). */
export class DeepLinking {
  private readonly origin: string;
  private readonly coverKey: Buffer;
  private nextCleanupAt = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly opts: DeepLinkingOptions,
  ) {
    this.origin = new URL(opts.publicUrl).origin;
    this.coverKey = opts.secrets.deriveKey('lti13:cover-url');
  }

  /** The picker for a token: the customer's titles matching `search` and its collections, `selected` kept chosen. Throws LTI_DEEP_LINK_EXPIRED. */
  async picker(token: string, input: { search?: string; selected?: readonly string[] }): Promise<PickerView> {
    const request = await this.request(token);
    const customerId = request.customer_id;
    const search = (input.search ?? '').trim().slice(0, 200);
    const selected = new Set(parseRefs(input.selected ?? []).map(refOf));
    const [books, collections] = await Promise.all([
      new BookRepository(this.db).list(customerId, { search: search || undefined, limit: PICKER_PAGE, offset: 0 }),
      new CollectionRepository(this.db).list(customerId),
    ]);
    // Collections are few (a customer names them by hand): filtered here, as the SQL search would.
    const needle = search.toLowerCase();
    const shownBooks = books.items.map((b) => this.pickerItem({ kind: 'book', book: b }, selected));
    const shownCollections = collections
      .filter((c) => !needle || c.name.toLowerCase().includes(needle) || c.description.toLowerCase().includes(needle))
      .map((c) => this.pickerItem({ kind: 'collection', id: c.id, name: c.name, bookCount: c.book_count }, selected));
    const shown = new Set([...shownBooks, ...shownCollections].map((i) => i.ref));
    const carried = (
      await this.resolve(
        customerId,
        [...selected].filter((r) => !shown.has(r)),
        'skip',
      )
    ).map((c) => this.pickerItem(c, selected));
    return { acceptMultiple: request.accept_multiple === 1, search, books: shownBooks, booksTotal: books.total, collections: shownCollections, carried };
  }

  /**
   * Answers the platform with the chosen items (none: the teacher cancelled), and uses the token
   * up. Items are checked against the request's customer before anything is spent, so a refused
   * choice (another customer's id, two where the platform takes one) can be corrected.
   */
  async respond(token: string, refs: readonly string[]): Promise<DeepLinkResponse> {
    const request = await this.request(token);
    const parsed = parseRefs(refs);
    if (parsed.length !== new Set(refs).size) throw notFound('Title or collection');
    if (parsed.length > 1 && request.accept_multiple !== 1)
      throw validationError([{ field: 'item', message: 'Choose one title or collection: this place in your course takes one link.', code: 'one_item' }]);
    if (parsed.length > MAX_ITEMS) throw validationError([{ field: 'item', message: `Choose at most ${MAX_ITEMS} titles at once.`, code: 'too_many' }]);
    const chosen = await this.resolve(request.customer_id, parsed.map(refOf), 'refuse');
    const now = this.now();
    if (!(await new DeepLinkRepository(this.db).takePlatformWide(tokenDigest(token), now.toISOString()))) throw new AppError('LTI_DEEP_LINK_EXPIRED');
    const signer = await this.opts.keys.signer();
    const iat = Math.floor(now.getTime() / 1000);
    const claims: Record<string, unknown> = {
      nonce: randomToken(16),
      azp: request.client_id,
      [`${LTI}message_type`]: 'LtiDeepLinkingResponse',
      [`${LTI}version`]: '1.3.0',
      [`${LTI}deployment_id`]: request.deployment_id,
      [`${DL}content_items`]: chosen.map((c) => this.contentItem(c, request.accept_lineitem === 1)),
    };
    // Echoed exactly, and only when the request carried it (Deep Linking 2.0 §4.5.1).
    if (request.data !== null) claims[`${DL}data`] = request.data;
    const jwt = await new SignJWT(claims)
      .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: 'JWT' })
      .setIssuer(request.client_id)
      .setAudience(request.issuer)
      .setIssuedAt(iat)
      .setExpirationTime(iat + RESPONSE_LIFETIME_SECONDS)
      .sign(signer.privateKey);
    return { returnUrl: request.return_url, jwt, items: chosen.length };
  }

  /** The absolute URL of a title's cover that an LMS may show without a Lectern session (signed, so only listed titles are reachable). */
  coverUrl(customerId: string, bookId: string): string {
    return `${this.origin}/lti/1.3/covers/${encodeURIComponent(customerId)}/${encodeURIComponent(bookId)}?sig=${this.coverSignature(customerId, bookId)}`;
  }

  /** The cover a signed URL names; NOT_FOUND for a wrong signature, a deleted title or one without a cover. */
  async cover(customerId: string, bookId: string, signature: string): Promise<{ stream: Readable; type: string; sizeBytes: number; etag: string }> {
    if (!safeEqual(signature, this.coverSignature(customerId, bookId))) throw notFound('Cover');
    const book = await new BookRepository(this.db).find(customerId, bookId);
    if (!book?.cover_key || !book.cover_type) throw notFound('Cover');
    const { sizeBytes } = await this.opts.store.stat(customerId, book.cover_key);
    return { stream: await this.opts.store.open(customerId, book.cover_key), type: book.cover_type, sizeBytes, etag: `"${book.sha256.slice(0, 16)}"` };
  }

  private contentItem(chosen: Chosen, acceptLineItem: boolean): Record<string, unknown> {
    const [title, custom, resourceId] =
      chosen.kind === 'book' ? [chosen.book.title, { bookid: chosen.book.id }, `book:${chosen.book.id}`] : [chosen.name, { collectionid: chosen.id }, `collection:${chosen.id}`];
    return {
      type: RESOURCE_LINK,
      title,
      ...(chosen.kind === 'book' && chosen.book.author ? { text: chosen.book.author } : {}),
      url: `${this.origin}/lti/1.3/launch`,
      custom,
      ...(chosen.kind === 'book' && chosen.book.cover_key ? { thumbnail: { url: this.coverUrl(chosen.book.customer_id, chosen.book.id) } } : {}),
      // Progress goes back as a score from 0 to 1 (AGS), so the column's maximum is 1.
      ...(acceptLineItem ? { lineItem: { scoreMaximum: 1, label: title, resourceId } } : {}),
    };
  }

  private pickerItem(chosen: Chosen, selected: ReadonlySet<string>): PickerItem {
    if (chosen.kind === 'book') {
      const b = chosen.book;
      const ref = `book:${b.id}`;
      return { ref, kind: 'book', title: b.title, detail: b.author, coverUrl: b.cover_key ? this.coverUrl(b.customer_id, b.id) : null, selected: selected.has(ref) };
    }
    const ref = `collection:${chosen.id}`;
    return { ref, kind: 'collection', title: chosen.name, detail: chosen.bookCount === 1 ? '1 title' : `${chosen.bookCount} titles`, coverUrl: null, selected: selected.has(ref) };
  }

  // The customer's live titles and collections the refs name, in their order; `refuse` throws NOT_FOUND for any other.
  private async resolve(customerId: string, refs: readonly string[], missing: 'refuse' | 'skip'): Promise<Chosen[]> {
    const books = new BookRepository(this.db);
    const collections = new CollectionRepository(this.db);
    const out: Chosen[] = [];
    for (const { kind, id } of parseRefs(refs)) {
      if (kind === 'book') {
        const book = await books.find(customerId, id);
        if (book) out.push({ kind, book });
        else if (missing === 'refuse') throw notFound('Title');
      } else {
        const c = await collections.find(customerId, id);
        if (c) out.push({ kind, id: c.id, name: c.name, bookCount: c.book_count });
        else if (missing === 'refuse') throw notFound('Collection');
      }
    }
    return out;
  }

  private async request(token: string): Promise<DeepLinkRequestWithPlatform> {
    const now = this.now();
    await this.cleanUp(now);
    const row = token && token.length <= 200 ? await new DeepLinkRepository(this.db).findPlatformWide(tokenDigest(token), now.toISOString()) : undefined;
    if (!row) throw new AppError('LTI_DEEP_LINK_EXPIRED');
    return row;
  }

  private coverSignature(customerId: string, bookId: string): string {
    return crypto.createHmac('sha256', this.coverKey).update(`${customerId}/${bookId}`).digest('base64url');
  }

  // Requests nobody finished go at most every ten minutes, on whichever picker comes along.
  private async cleanUp(now: Date): Promise<void> {
    if (now.getTime() < this.nextCleanupAt) return;
    this.nextCleanupAt = now.getTime() + CLEANUP_EVERY_MS;
    await new DeepLinkRepository(this.db).deleteExpired(now.toISOString());
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }
}

function refOf(r: { kind: string; id: string }): string {
  return `${r.kind}:${r.id}`;
}

// Form values `book:<id>` and `collection:<id>`, duplicates dropped; anything else is left out.
function parseRefs(refs: readonly string[]): { kind: 'book' | 'collection'; id: string }[] {
  const seen = new Set<string>();
  const out: { kind: 'book' | 'collection'; id: string }[] = [];
  for (const ref of refs) {
    const m = /^(book|collection):([A-Za-z0-9-]{1,100})$/.exec(ref);
    if (!m || seen.has(ref)) continue;
    seen.add(ref);
    out.push({ kind: m[1] as 'book' | 'collection', id: m[2]! });
  }
  return out;
}
