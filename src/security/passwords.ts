import argon2 from 'argon2';

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

/** Password rules for every password a person chooses; returns a message or null when acceptable. */
export function passwordProblem(password: string): string | null {
  if (password.length < 10) return 'Use at least 10 characters.';
  if (password.length > 256) return 'Use at most 256 characters.';
  if (!/[A-Za-z]/.test(password) || !/[0-9\W_]/.test(password)) return 'Mix letters with digits or symbols.';
  return null;
}
