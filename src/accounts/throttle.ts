import { AppError } from '../errors.js';
import { addMs, nowIso } from '../time.js';
import type { SessionRepository } from './session-repository.js';

/** How many sign-in attempts a budget may spend in a window, and how long an address stays known. */
export interface ThrottleLimits {
  /** Wrong passwords checked per account (or unknown login name), per address the account knows. */
  perAccount: number;
  /** Wrong passwords checked per address, for accounts that do not know that address. */
  perIp: number;
  windowMs: number;
  /** How long after a successful sign-in an address counts as the account's own. */
  knownAddressMs: number;
}

export const defaultThrottleLimits: ThrottleLimits = { perAccount: 5, perIp: 50, windowMs: 15 * 60_000, knownAddressMs: 30 * 86_400_000 };

/** The attempts one sign-in has claimed; settle it with `passwordAccepted` when the password was right. */
export interface AttemptClaim {
  budgetKey: string;
  ipKey: string | null;
}

/**
 * The login throttle. Each attempt claims its budgets in the database BEFORE the password is
 * checked (one conditional upsert each), so however many attempts arrive at once, in however many
 * processes, at most `perAccount` wrong passwords per budget and `perIp` per address are checked in
 * a window. A right password gives its claims back and clears its budget.
 *
 * Budgets: an account has one budget for every address it has not signed in from in the last 30
 * days, and one per address it has (a "known address"). Guessing from elsewhere locks the account
 * only for addresses it does not know: its owner keeps signing in where they usually do, and the
 * known address's own budget keeps it from being used for unlimited guesses. Sign-ins to accounts
 * that know the address also skip the per-address limit, so a school's shared address locked by
 * one pupil's guessing still lets its regular users in. An unknown login name has a budget like an
 * account's, so the answers do not reveal which accounts exist.
 */
export class LoginThrottle {
  constructor(
    private readonly repo: SessionRepository,
    private readonly limits: ThrottleLimits = defaultThrottleLimits,
  ) {}

  /**
   * Claims an attempt for `login` (the account it names, if any) from `ip`, or throws RATE_LIMITED
   * with Retry-After. The account key makes the limit hold however the account is named.
   */
  async claim(login: string, ip: string, userId?: string): Promise<AttemptClaim> {
    const now = nowIso();
    const expiredBefore = addMs(now, -this.limits.windowMs);
    const known = userId ? await this.repo.isKnownAddress(userId, ip, addMs(now, -this.limits.knownAddressMs)) : false;
    const budgetKey = userId ? (known ? `addr:${userId}:${ip}` : `user:${userId}`) : `login:${login.trim().toLowerCase()}`;
    const ipKey = known ? null : `ip:${ip}`;
    if (ipKey && !(await this.repo.claimAttempt(ipKey, this.limits.perIp, now, expiredBefore))) throw await this.limited(ipKey, now);
    if (!(await this.repo.claimAttempt(budgetKey, this.limits.perAccount, now, expiredBefore))) {
      // Not checked, so not a guess this address made.
      if (ipKey) await this.repo.releaseAttempt(ipKey);
      throw await this.limited(budgetKey, now);
    }
    return { budgetKey, ipKey };
  }

  /** The password was right: its budget starts afresh and the address gets its claim back. */
  async passwordAccepted(claim: AttemptClaim): Promise<void> {
    await this.repo.clearThrottle(claim.budgetKey);
    if (claim.ipKey) await this.repo.releaseAttempt(claim.ipKey);
  }

  /** Remembers that the user signed in from `ip` (a known address from now on), and sweeps stale state. */
  async signedIn(userId: string, ip: string): Promise<void> {
    const now = nowIso();
    await this.repo.rememberAddress(userId, ip, now);
    await this.repo.sweepSignInState(addMs(now, -this.limits.windowMs), addMs(now, -this.limits.knownAddressMs));
  }

  private async limited(key: string, now: string): Promise<AppError> {
    const started = (await this.repo.throttleWindowStart(key)) ?? now;
    const seconds = Math.max(1, Math.ceil((Date.parse(addMs(started, this.limits.windowMs)) - Date.parse(now)) / 1000));
    const minutes = Math.ceil(seconds / 60);
    return new AppError('RATE_LIMITED', `Too many failed sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`, {
      headers: { 'retry-after': String(seconds) },
    });
  }
}
