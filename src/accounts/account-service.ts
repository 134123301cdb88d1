import crypto from 'node:crypto';
import type { ApiToken, Role, User } from '../db/schema.js';
import { AppError, validationError } from '../errors.js';
import { hashPassword, passwordProblem, verifyPassword } from '../security/passwords.js';
import { randomToken, readablePassword, tokenDigest } from '../security/tokens.js';
import { addMs, nowIso } from '../time.js';
import type { AuditService } from '../audit/audit-service.js';
import type { CustomerRepository } from '../customers/customer-repository.js';
import { actorOf, assertMayUseApiTokens, isConsoleRole, type Actor } from './policy.js';
import type { SessionRepository } from './session-repository.js';
import type { LoginThrottle } from './throttle.js';
import type { UserRepository } from './user-repository.js';

export const SESSION_TTL_MS = 12 * 60 * 60_000;
/** What the console accepts as an email address. */
export const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A signed-in session as the HTTP layer needs it. */
export interface SignedIn {
  sessionToken: string;
  sessionId: string;
  csrfToken: string;
  user: User;
}

/** What resolving a cookie or bearer token yields. */
export interface Authenticated {
  user: User;
  sessionId: string | null;
  csrfToken: string | null;
}

/** Sign-in, sessions, passwords and API tokens. */
export class AccountService {
  constructor(
    private readonly users: UserRepository,
    private readonly sessions: SessionRepository,
    private readonly customers: CustomerRepository,
    private readonly throttle: LoginThrottle,
    private readonly audit: AuditService,
  ) {}

  /** Signs in by login name or email and password; creates a server-side session. */
  async login(input: { login: string; password: string; ip: string; userAgent: string }): Promise<SignedIn> {
    const login = input.login.trim();
    const user = await this.findForLogin(login);
    // Claimed before the (slow) password check, so concurrent guesses cannot all be checked.
    const claim = await this.throttle.claim(login, input.ip, user?.id);
    const ok = await verifyPassword(user?.password_hash ?? null, input.password);
    if (!user || !ok) throw new AppError('INVALID_CREDENTIALS');
    await this.throttle.passwordAccepted(claim);
    await this.assertMaySignIn(user);
    await this.throttle.signedIn(user.id, input.ip);
    return this.startSession(user, input);
  }

  /**
   * Starts a session for a user who has just proved who they are (a password, an LTI launch
   * ticket), once their account and organisation may sign in. The caller sets the cookie.
   */
  async startSession(user: User, client: SessionClient): Promise<SignedIn> {
    await this.assertMaySignIn(user);
    return createSession(this.sessions, user, client);
  }

  /** Resolves a session cookie value; slides its expiry. Null when unknown, expired or no longer allowed. */
  async resolveSession(sessionToken: string): Promise<Authenticated | null> {
    const now = nowIso();
    const session = await this.sessions.findSession(tokenDigest(sessionToken), now);
    if (!session) return null;
    const user = await this.users.findByIdPlatformWide(session.user_id);
    if (!user || !(await this.maySignIn(user))) return null;
    // Write at most once a minute: most requests then cost one read, not a write.
    if (Date.parse(now) - Date.parse(session.last_seen_at) > 60_000) {
      await this.sessions.touchSession(session.id, now, addMs(now, SESSION_TTL_MS));
    }
    return { user, sessionId: session.id, csrfToken: session.csrf_token };
  }

  /** Resolves a personal API token (`Authorization: Bearer …`). */
  async resolveBearer(token: string): Promise<Authenticated | null> {
    const now = nowIso();
    const row = await this.sessions.findActiveToken(tokenDigest(token), now);
    if (!row) return null;
    const user = await this.users.findByIdPlatformWide(row.user_id);
    // A token outlives nothing its owner lost: access, or the admin role that allowed minting it.
    if (!user || !isConsoleRole(actorOf(user)) || !(await this.maySignIn(user))) return null;
    await this.sessions.markTokenUsed(row.id, now);
    return { user, sessionId: null, csrfToken: null };
  }

  /** Ends a session. */
  async logout(sessionId: string): Promise<void> {
    await this.sessions.deleteSession(sessionId);
  }

  /**
   * Changes the signed-in user's own password. Everything the old password opened ends with it:
   * the user's other sessions and all of their API tokens (a token is no safer than the password
   * that minted it).
   */
  async changePassword(user: User, current: string, next: string, keepSessionId: string | null): Promise<void> {
    if (!(await verifyPassword(user.password_hash, current))) {
      throw validationError([{ field: 'currentPassword', message: 'The current password is not correct.' }]);
    }
    const problem = passwordProblem(next, { login: user.login, email: user.email });
    if (problem) throw validationError([{ field: 'newPassword', message: problem }]);
    if (next === current) throw validationError([{ field: 'newPassword', message: 'Choose a password different from the current one.' }]);
    const now = nowIso();
    await this.users.setPasswordHash(user.id, await hashPassword(next), false, now);
    await this.sessions.deleteSessionsOfUser(user.id, keepSessionId ?? undefined);
    await this.sessions.revokeTokensOfUser(user.id, now);
    await this.audit.record(actorOf(user), { customerId: user.customer_id, action: 'user.password_changed', targetType: 'user', targetId: user.id, fields: ['password'] });
  }

  /** Creates a personal API token (console roles only); the token itself is returned only now. */
  async createToken(user: User, name: string, expiresInDays: number | null): Promise<{ token: string; info: ApiToken }> {
    assertMayUseApiTokens(actorOf(user));
    const token = `lct_${randomToken()}`;
    const now = nowIso();
    const info: ApiToken = {
      id: crypto.randomUUID(),
      user_id: user.id,
      name: name.trim() || 'API token',
      token_hash: tokenDigest(token),
      prefix: token.slice(0, 10),
      created_at: now,
      last_used_at: null,
      expires_at: expiresInDays ? addMs(now, expiresInDays * 86_400_000) : null,
      revoked_at: null,
    };
    await this.sessions.insertToken(info);
    await this.audit.record(actorOf(user), { customerId: user.customer_id, action: 'token.created', targetType: 'api_token', targetId: info.id, fields: ['name'] });
    return { token, info };
  }

  /** The user's tokens (never the token values). */
  listTokens(user: User): Promise<ApiToken[]> {
    return this.sessions.listTokensOfUser(user.id);
  }

  /** Revokes one of the user's tokens. */
  async revokeToken(user: User, id: string): Promise<void> {
    if (!(await this.sessions.revokeToken(user.id, id, nowIso()))) throw new AppError('NOT_FOUND', 'Token not found.');
    await this.audit.record(actorOf(user), { customerId: user.customer_id, action: 'token.revoked', targetType: 'api_token', targetId: id, fields: [] });
  }

  /** Creates an enterprise admin (CLI `admin create`, bootstrap). */
  async createEnterpriseAdmin(actor: Actor, input: { email: string; password: string; name?: string; mustChangePassword?: boolean }): Promise<User> {
    const email = input.email.trim().toLowerCase();
    const fields = [];
    if (!EMAIL_RE.test(email)) fields.push({ field: 'email', message: 'Enter a valid email address.' });
    const problem = passwordProblem(input.password, { login: email, email });
    if (problem) fields.push({ field: 'password', message: problem });
    if (fields.length) throw validationError(fields);
    if (await this.users.findByLoginPlatformWide(email)) {
      throw validationError([{ field: 'email', message: 'An account with this login already exists.', code: 'duplicate' }]);
    }
    const [given = '', ...rest] = (input.name ?? '').trim().split(/\s+/);
    const user = newUserRecord({
      role: 'enterprise_admin',
      customerId: null,
      login: email,
      email,
      givenName: given,
      familyName: rest.join(' '),
      phone: '',
      passwordHash: await hashPassword(input.password),
      mustChangePassword: input.mustChangePassword ?? false,
      source: 'manual',
    });
    await this.users.insert(user);
    await this.audit.record(actor, { customerId: null, action: 'admin.created', targetType: 'user', targetId: user.id, fields: ['email', 'name'] });
    return user;
  }

  /**
   * Makes sure the platform has an enterprise admin: from the bootstrap env vars, else with a
   * generated one-time password that the caller prints once and that must be changed at sign-in.
   */
  async ensureBootstrapAdmin(env: { email?: string; password?: string }): Promise<{ email: string; oneTimePassword: string | null } | null> {
    if (await this.users.hasEnterpriseAdmin()) return null;
    const actor: Actor = { userId: null, role: 'operator', customerId: null, label: 'bootstrap' };
    if (env.email && env.password) {
      await this.createEnterpriseAdmin(actor, { email: env.email, password: env.password, name: 'Enterprise Admin' });
      return { email: env.email.toLowerCase(), oneTimePassword: null };
    }
    const email = (env.email ?? 'admin@lectern.local').toLowerCase();
    const oneTimePassword = readablePassword();
    await this.createEnterpriseAdmin(actor, { email, password: oneTimePassword, name: 'Enterprise Admin', mustChangePassword: true });
    return { email, oneTimePassword };
  }

  private async findForLogin(login: string): Promise<User | undefined> {
    const byLogin = await this.users.findByLoginPlatformWide(login);
    if (byLogin) return byLogin;
    if (!login.includes('@')) return undefined;
    // Email sign-in only when exactly one live account has that email; otherwise the login name is needed.
    const byEmail = await this.users.findByEmailPlatformWide(login);
    return byEmail.length === 1 ? byEmail[0] : undefined;
  }

  private async maySignIn(user: User): Promise<boolean> {
    try {
      await this.assertMaySignIn(user);
      return true;
    } catch {
      return false;
    }
  }

  private async assertMaySignIn(user: User): Promise<void> {
    // A roster's delete is not an admin's decision to disable: say who removed the account and whom to ask.
    if (user.status === 'deleted') throw new AppError('ACCOUNT_REMOVED');
    if (user.status !== 'active') throw new AppError('ACCOUNT_DISABLED');
    if (user.customer_id) {
      const customer = await this.customers.findStatus(user.customer_id);
      if (customer !== 'active') throw new AppError('ACCOUNT_DISABLED', 'This organisation is disabled. Contact your administrator.');
    }
  }
}

/** Where a session was started from, as stored with it. */
export interface SessionClient {
  ip: string;
  userAgent: string;
}

// Expired sessions are swept at most this often per process, on whichever sign-in comes along: a
// sweep on every sign-in was a statement per launch (1.4% of a launch's server time) for rows that
// resolveSession already ignores.
const SESSION_SWEEP_EVERY_MS = 10 * 60_000;
let nextSessionSweepAt = 0;

/**
 * Creates a server-side session (stored as the digest of its cookie value) and, at most every ten
 * minutes, sweeps expired ones: the one way every sign-in path makes a session. `sessions` may be
 * bound to a transaction, so a sign-in that writes other rows (an LTI launch) commits once. The caller has checked that the
 * user may sign in, and sets the cookie with `setSessionCookie` and SESSION_TTL_MS.
 */
export async function createSession(sessions: SessionRepository, user: User, client: SessionClient): Promise<SignedIn> {
  const now = nowIso();
  const sessionToken = randomToken();
  const sessionId = tokenDigest(sessionToken);
  const csrfToken = randomToken();
  if (Date.parse(now) >= nextSessionSweepAt) {
    nextSessionSweepAt = Date.parse(now) + SESSION_SWEEP_EVERY_MS;
    await sessions.deleteExpiredSessions(now);
  }
  await sessions.insertSession({
    id: sessionId,
    user_id: user.id,
    csrf_token: csrfToken,
    created_at: now,
    expires_at: addMs(now, SESSION_TTL_MS),
    last_seen_at: now,
    ip: client.ip,
    user_agent: client.userAgent.slice(0, 300),
  });
  return { sessionToken, sessionId, csrfToken, user };
}

/** Fields for a new user record with the defaults every new account shares. */
export function newUserRecord(input: {
  role: Role;
  customerId: string | null;
  login: string;
  email: string;
  givenName: string;
  familyName: string;
  phone: string;
  passwordHash: string | null;
  mustChangePassword: boolean;
  source: User['source'];
}): User {
  const now = nowIso();
  return {
    id: crypto.randomUUID(),
    customer_id: input.customerId,
    role: input.role,
    login: input.login.toLowerCase(),
    email: input.email.toLowerCase(),
    given_name: input.givenName,
    family_name: input.familyName,
    phone: input.phone,
    password_hash: input.passwordHash,
    must_change_password: input.mustChangePassword ? 1 : 0,
    status: 'active',
    source: input.source,
    // Made by hand or by a launch; only the sync engine makes LMS-owned ('lms') accounts.
    sync_owner: 'oneroster',
    sourced_id: null,
    identifier: '',
    username: '',
    created_at: now,
    updated_at: now,
    deleted_at: null,
    middle_name: null,
    enabled_user: null,
    grades: null,
    user_ids: null,
    agent_sourced_ids: null,
    org_sourced_ids: null,
    sms: null,
    metadata: null,
    password_digest: null,
    match_rule: null,
    match_value: null,
    matched_run_id: null,
    created_run_id: null,
    updated_run_id: null,
    password_set_here_at: null,
  };
}
