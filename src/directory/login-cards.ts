import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { AccessRepository } from '../accounts/access-repository.js';
import type { AccountService, SessionClient, SignedIn } from '../accounts/account-service.js';
import { setLocalPassword } from '../accounts/local-password.js';
import { requireAccess, type Actor } from '../accounts/policy.js';
import { visibleOnly } from './school-scope.js';
import { SignInTokenRepository } from '../accounts/sign-in-token-repository.js';
import { UserRepository } from '../accounts/user-repository.js';
import { AuditService } from '../audit/audit-service.js';
import type { Database } from '../db/schema.js';
import { AppError, validationError } from '../errors.js';
import { cardPassword } from '../security/card-password.js';
import { hashPassword } from '../security/passwords.js';
import { randomToken, tokenDigest } from '../security/tokens.js';
import { addMs, nowIso } from '../time.js';
import { CardRepository, type CardUser } from './card-repository.js';
import { renderLoginCards, type LoginCard, type PageSize } from './login-card-pdf.js';

/** A first-use password printed on the card, or a QR code that signs in once. */
export type CardMode = 'password' | 'qr';

/** Whom to print cards for (the students of a class, chosen users, or both) and how. */
export interface CardRequest {
  classId?: string;
  userIds?: string[];
  mode: CardMode;
  pageSize?: PageSize;
}

/** What printing would do, for the dialog to say before anything changes. */
export interface CardPreview {
  count: number;
  /** Of them, those whose password comes from the roster: a sync bringing a changed one replaces the card's. */
  rosterPasswords: number;
}

/** A QR sign-in works for this long after printing. */
export const QR_TOKEN_TTL_MS = 7 * 86_400_000;
/** Most cards one request prints: a large class, with time to hash each first-use password. */
export const MAX_CARDS = 1000;
// Roles a card may be printed for: never an administrator, whose password a card would otherwise let any admin of the customer replace.
const CARD_ROLES: ReadonlySet<string> = new Set(['student', 'teacher', 'reader']);
// argon2id takes 19 MiB and a core per hash: two at a time leave the other requests a core.
const HASH_CONCURRENCY = 2;

/**
 * Login cards: for the students of a class or a selection of users, a printable PDF with the reader's
 * address, each person's login and either a fresh first-use password (its hash replaces theirs; they
 * must change it at the first sign-in) or a single-use QR sign-in. Passwords and tokens exist in clear
 * only in the PDF being streamed.
 */
export class LoginCardService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly accounts: AccountService,
    private readonly publicUrl: string,
  ) {}

  /** How many cards a request would print and how many of those people get passwords from the roster. */
  async preview(actor: Actor, customerId: string, req: CardRequest): Promise<CardPreview> {
    const { users } = await this.target(actor, customerId, req);
    return { count: users.length, rosterPasswords: users.filter((u) => u.password_digest !== null).length };
  }

  /**
   * Prints the cards: first-use passwords are hashed before the transaction that stores them all (or
   * none), QR tokens are stored by digest replacing earlier unused ones; then the PDF streams.
   */
  async print(actor: Actor, customerId: string, req: CardRequest): Promise<{ count: number; pdf: Readable }> {
    const { users, heading, subheading, timeZone } = await this.target(actor, customerId, req);
    const now = nowIso();
    const signInUrl = `${this.publicUrl}/reader`;
    let cards: LoginCard[];
    if (req.mode === 'password') {
      const passwords = users.map(() => cardPassword());
      const hashes = await mapLimited(passwords, HASH_CONCURRENCY, hashPassword);
      await this.db.transaction().execute(async (trx) => {
        for (const [i, u] of users.entries()) {
          await setLocalPassword(trx, actor, { customerId, userId: u.id, passwordHash: hashes[i]!, mustChangePassword: true, reason: 'login_card', at: now });
        }
        await this.recordPrint(trx, actor, customerId, req, users.length);
      });
      cards = users.map((u, i) => ({ name: nameOf(u), login: u.login, password: passwords[i]! }));
    } else {
      const tokens = users.map(() => randomToken());
      const expiresAt = addMs(now, QR_TOKEN_TTL_MS);
      await this.db.transaction().execute(async (trx) => {
        const repo = new SignInTokenRepository(trx);
        await repo.deleteForUsers(
          customerId,
          users.map((u) => u.id),
        );
        await repo.insertMany(
          customerId,
          users.map((u, i) => ({ id: tokenDigest(tokens[i]!), user_id: u.id, created_by: actor.userId, created_at: now, expires_at: expiresAt })),
        );
        await this.recordPrint(trx, actor, customerId, req, users.length);
      });
      // In the fragment, not the query: browsers never send it, so the token stays out of request logs and Referer headers.
      cards = users.map((u, i) => ({ name: nameOf(u), login: u.login, qrUrl: `${this.publicUrl}/reader/qr#${tokens[i]!}` }));
    }
    const qrExpires = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(addMs(now, QR_TOKEN_TTL_MS)));
    return { count: users.length, pdf: renderLoginCards(cards, { heading, subheading, signInUrl, qrExpires, pageSize: req.pageSize ?? 'letter' }) };
  }

  /** Signs in with a card's QR token: once, before it expires, if the account may still sign in. */
  async redeemQr(token: string, client: SessionClient): Promise<SignedIn> {
    const repo = new SignInTokenRepository(this.db);
    const now = nowIso();
    const row = await repo.takePlatformWide(tokenDigest(token));
    await repo.deleteExpiredPlatformWide(now);
    if (!row || row.expires_at <= now) throw new AppError('SIGN_IN_CARD_INVALID');
    const user = await new UserRepository(this.db).findInCustomer(row.customer_id, row.user_id);
    if (!user) throw new AppError('SIGN_IN_CARD_INVALID');
    return this.accounts.startSession(user, client);
  }

  // Who the request names, checked: the tenant wall and every id first, then roles and states.
  private async target(actor: Actor, customerId: string, req: CardRequest) {
    const userIds = [...new Set(req.userIds ?? [])];
    if (!req.classId && !userIds.length) throw validationError([{ field: 'userIds', message: 'Choose a class or at least one user.' }]);
    // An institute admin prints for the people and classes of their own schools only (requireAccess checks the named ones).
    await requireAccess(new AccessRepository(this.db), actor, 'customer.console', { customerId, user: userIds, ...(req.classId ? { class: req.classId } : {}) });
    const repo = new CardRepository(this.db);
    const customer = await repo.customerName(customerId);
    if (!customer) throw new AppError('NOT_FOUND', 'Customer not found.');
    const chosen = await repo.usersByIds(customerId, userIds);
    const problems = [
      ...chosen.filter((u) => !CARD_ROLES.has(u.role)).map((u) => `${nameOf(u)} is an administrator: administrators set their own passwords.`),
      ...chosen.filter((u) => CARD_ROLES.has(u.role) && u.status !== 'active').map((u) => `${nameOf(u)} is ${u.status}: enable or restore the account first.`),
    ];
    if (problems.length) throw validationError([{ field: 'userIds', message: problems.slice(0, 5).join(' ') + (problems.length > 5 ? ` And ${problems.length - 5} more.` : '') }]);
    let subheading = '';
    let users: CardUser[] = chosen;
    if (req.classId) {
      const c = await repo.classHeading(customerId, req.classId);
      if (!c) throw new AppError('NOT_FOUND', 'Class not found.');
      subheading = c.schoolName ? `${c.title} · ${c.schoolName}` : c.title;
      // A card sets a password or mints a sign-in: never for a student of another school who sits in this class.
      const students = await visibleOnly(this.db, actor, customerId, 'user', await repo.studentsOf(customerId, c.sourcedId), (u) => u.id);
      if (!students.length && !chosen.length) throw validationError([{ field: 'classId', message: 'This class has no active students to print cards for.' }]);
      const seen = new Set(students.map((u) => u.id));
      users = [...students, ...chosen.filter((u) => !seen.has(u.id))];
    }
    if (users.length > MAX_CARDS) {
      throw validationError([{ field: req.classId ? 'classId' : 'userIds', message: `At most ${MAX_CARDS} cards at a time; this would print ${users.length}. Print in smaller groups.` }]);
    }
    return { users, heading: customer.name, subheading, timeZone: customer.timeZone };
  }

  // One entry for the print: who, how many people, which way; never a password or token.
  private recordPrint(db: Kysely<Database>, actor: Actor, customerId: string, req: CardRequest, count: number): Promise<void> {
    return new AuditService(db).record(actor, {
      customerId,
      action: `login_cards.printed_${req.mode}`,
      targetType: req.classId ? 'class' : 'users',
      targetId: req.classId ?? `${count} users`,
      fields: [`users:${count}`],
      // A card for one person is about them: the Audit page's person filter finds it.
      subjectUserId: !req.classId && req.userIds?.length === 1 ? req.userIds[0] : null,
    });
  }
}

function nameOf(u: CardUser): string {
  return `${u.given_name} ${u.family_name}`.trim() || u.login;
}

// Maps with at most `limit` calls in flight, keeping the order of the input.
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
