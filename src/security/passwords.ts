import argon2 from 'argon2';
import { isCommonPassword } from './common-passwords.js';

// OWASP Password Storage Cheat Sheet minimum for argon2id: m=19 MiB, t=2, p=1.
const OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/** Hashes a password with argon2id into a PHC string. */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, OPTIONS);
}

// A real hash of a random value, so checking an unknown login costs the same as a known one.
const dummyHash = hashPassword(`dummy-${Math.random()}`);

/** Verifies a password against a PHC hash; with no hash, spends the same time and returns false. */
export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  if (!hash) {
    await argon2.verify(await dummyHash, password).catch(() => false);
    return false;
  }
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** Who the password is for, so that it cannot be their own login name or email address. */
export interface PasswordOwner {
  login?: string;
  email?: string;
}

/**
 * Rules for every password a person chooses (their own, or one an admin sets for someone): length,
 * a mix of characters, not a common or breached password (NIST SP 800-63B), and not the owner's
 * login or email. Returns a message for the field, or null when acceptable. Passwords a roster
 * supplies are the district's choice and are not checked here.
 */
export function passwordProblem(password: string, owner: PasswordOwner = {}): string | null {
  if (password.length < 10) return 'Use at least 10 characters.';
  if (password.length > 256) return 'Use at most 256 characters.';
  if (!/[A-Za-z]/.test(password) || !/[0-9\W_]/.test(password)) return 'Mix letters with digits or symbols.';
  if (isCommonPassword(password)) return 'This password is one of the most common or breached passwords. Choose one that is harder to guess.';
  const lower = password.toLowerCase();
  const names = [owner.login, owner.email].map((n) => n?.trim().toLowerCase() ?? '');
  const mailbox = names[1]?.split('@')[0] ?? '';
  if (names.some((n) => n && lower.includes(n)) || (mailbox && lower === mailbox)) {
    return 'Do not use the login name or email address in the password.';
  }
  return null;
}
