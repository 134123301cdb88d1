import { createRequire } from 'node:module';

// NIST SP 800-63B (5.1.1.2) asks that a newly chosen password be checked against values known to be
// commonly used or compromised. The list is zxcvbn-ts's "passwords-common" (MIT licence): the
// ~49,000 passwords most frequent in public breach corpora, shipped inside the npm package
// @zxcvbn-ts/language-common, so the check needs no network. It is loaded on first use (~0.1 s,
// ~10 MB), through the package's CommonJS build so that the check stays synchronous.
const require = createRequire(import.meta.url);
let common: ReadonlySet<string> | null = null;

function commonPasswords(): ReadonlySet<string> {
  common ??= new Set((require('@zxcvbn-ts/language-common') as { dictionary: Record<'passwords-common', string[]> }).dictionary['passwords-common']);
  return common;
}

/**
 * True when the password, ignoring case, is on the shipped list of common and breached passwords,
 * or is one of them with only digits and symbols around it ("Baseball2024!"), the first
 * variations a password-guessing tool tries.
 */
export function isCommonPassword(password: string): boolean {
  const lower = password.toLowerCase();
  const core = lower.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
  return commonPasswords().has(lower) || (core.length >= 4 && commonPasswords().has(core));
}
