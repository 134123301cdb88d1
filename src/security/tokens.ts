import crypto from 'node:crypto';

/** A new unguessable token as URL-safe text (`bytes` of randomness). */
export function randomToken(bytes = 32): string {
  return crypto.randomBytes(bytes).toString('base64url');
}

/** The SHA-256 of a token, as stored: a leaked table does not yield usable tokens. */
export function tokenDigest(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

/** Compares two strings in time that does not depend on where they differ. */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  if (ab.length !== bb.length) {
    crypto.timingSafeEqual(ab, ab);
    return false;
  }
  return crypto.timingSafeEqual(ab, bb);
}

/** A password a person can type once: letters and digits without look-alikes, in groups. */
export function readablePassword(groups = 4): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const parts: string[] = [];
  for (let g = 0; g < groups; g++) {
    let part = '';
    for (let i = 0; i < 5; i++) part += alphabet[crypto.randomInt(alphabet.length)];
    parts.push(part);
  }
  return parts.join('-');
}
