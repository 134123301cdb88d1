import { AppError } from '../errors.js';
import { addMs, nowIso } from '../time.js';
import type { SessionRepository } from './session-repository.js';

/** How many failed sign-ins a key may have in a window before it is locked out. */
export interface ThrottleLimits {
  perLogin: number;
  perIp: number;
  windowMs: number;
  lockoutMs: number;
}

export const defaultThrottleLimits: ThrottleLimits = { perLogin: 5, perIp: 50, windowMs: 15 * 60_000, lockoutMs: 15 * 60_000 };

/**
 * Counts failed sign-ins per login name and per IP address in the database, so the limit holds
 * across every server process behind a load balancer.
 */
export class LoginThrottle {
  constructor(
    private readonly repo: SessionRepository,
    private readonly limits: ThrottleLimits = defaultThrottleLimits,
  ) {}

  /**
   * Throws RATE_LIMITED (with Retry-After) when the login name, the account it names (if any) or
   * the IP address is locked out. The account key makes the limit hold however the account is named
   * (login name or email), so switching spellings does not buy more guesses.
   */
  async assertAllowed(login: string, ip: string, userId?: string): Promise<void> {
    const now = nowIso();
    for (const key of [loginKey(login), ...(userId ? [userKey(userId)] : []), ipKey(ip)]) {
      const row = await this.repo.findThrottle(key);
      if (row?.locked_until && row.locked_until > now) {
        const seconds = Math.max(1, Math.ceil((Date.parse(row.locked_until) - Date.parse(now)) / 1000));
        const minutes = Math.ceil(seconds / 60);
        throw new AppError('RATE_LIMITED', `Too many failed sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`, {
          headers: { 'retry-after': String(seconds) },
        });
      }
    }
  }

  /** Counts one failure against the login name, the account it names (if any) and the IP address. */
  async recordFailure(login: string, ip: string, userId?: string): Promise<void> {
    await this.bump(loginKey(login), this.limits.perLogin);
    if (userId) await this.bump(userKey(userId), this.limits.perLogin);
    await this.bump(ipKey(ip), this.limits.perIp);
  }

  /** Clears the counts of the account and of every name it was tried under after a successful sign-in. */
  async recordSuccess(logins: string[], userId: string): Promise<void> {
    for (const key of new Set([...logins.filter(Boolean).map(loginKey), userKey(userId)])) await this.repo.clearThrottle(key);
  }

  private async bump(key: string, limit: number): Promise<void> {
    const now = nowIso();
    const row = await this.repo.findThrottle(key);
    const fresh = !row || addMs(row.window_started_at, this.limits.windowMs) <= now;
    const failures = fresh ? 1 : row.failures + 1;
    await this.repo.saveThrottle({
      key,
      failures,
      window_started_at: fresh ? now : row.window_started_at,
      locked_until: failures >= limit ? addMs(now, this.limits.lockoutMs) : null,
    });
  }
}

function loginKey(login: string): string {
  return `login:${login.trim().toLowerCase()}`;
}

function userKey(userId: string): string {
  return `user:${userId}`;
}

function ipKey(ip: string): string {
  return `ip:${ip}`;
}
