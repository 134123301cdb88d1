/*
 * The value formats of OneRoster cells (reference §1.3), as small pure checks the row reader calls
 * millions of times: hand-written loops where a regular expression would dominate the profile.
 */
import type { UserId } from './records.js';

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

// The value of `count` ASCII digits at b[from], or -1.
function digits(b: Uint8Array, from: number, count: number): number {
  let v = 0;
  for (let i = from; i < from + count; i++) {
    const d = (b[i] ?? 0) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

// YYYY-MM-DD at b[s], a real calendar day.
function dateAt(b: Uint8Array, s: number, e: number): boolean {
  if (e - s < 10 || b[s + 4] !== 45 || b[s + 7] !== 45) return false;
  const y = digits(b, s, 4);
  const m = digits(b, s + 5, 2);
  const d = digits(b, s + 8, 2);
  if (y < 0 || m < 1 || m > 12 || d < 1 || d > (DAYS[m - 1] ?? 0)) return false;
  return m !== 2 || d < 29 || (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0));
}

/** Whether the UTF-8 bytes b[s, e) are an ISO 8601 calendar date `YYYY-MM-DD`. */
export function isDate(b: Uint8Array, s: number, e: number): boolean {
  return e - s === 10 && dateAt(b, s, e);
}

/** Whether the UTF-8 bytes b[s, e) are a four-digit year. */
export function isYear(b: Uint8Array, s: number, e: number): boolean {
  return e - s === 4 && digits(b, s, 4) >= 0;
}

const ZONES = ['Z', '+00:00', '-00:00'].map((z) => Buffer.from(z));

/**
 * Reads a OneRoster date-time in the UTF-8 bytes b[s, e): `YYYY-MM-DDTHH:MM:SS[.fraction]` in UTC
 * (`Z` or `+00:00`). Returns 'ok', 'date' for a bare date (accepted with a warning), or 'bad'.
 */
export function checkDateTime(b: Uint8Array, s: number, e: number): 'ok' | 'date' | 'bad' {
  if (!dateAt(b, s, e)) return 'bad';
  if (e - s === 10) return 'date';
  if (e - s < 20 || b[s + 10] !== 84 || b[s + 13] !== 58 || b[s + 16] !== 58) return 'bad';
  const h = digits(b, s + 11, 2);
  const min = digits(b, s + 14, 2);
  const sec = digits(b, s + 17, 2);
  if (h < 0 || h > 23 || min < 0 || min > 59 || sec < 0 || sec > 60) return 'bad';
  let i = s + 19;
  if (b[i] === 46) {
    const start = ++i;
    while (i < e && (b[i] ?? 0) >= 48 && (b[i] ?? 0) <= 57) i++;
    if (i === start) return 'bad';
  }
  const zone = b.subarray(i, e);
  return ZONES.some((z) => z.equals(zone)) ? 'ok' : 'bad';
}

/** Reads a boolean: exactly `true`/`false`, a tolerated spelling (`TRUE`, `1`…), or not a boolean. */
export function readBoolean(s: string): { value: boolean; exact: boolean } | null {
  if (s === 'true') return TRUE;
  if (s === 'false') return FALSE;
  const lower = s.toLowerCase();
  if (lower === 'true' || lower === '1' || lower === 'yes') return LOOSE_TRUE;
  if (lower === 'false' || lower === '0' || lower === 'no') return LOOSE_FALSE;
  return null;
}
const TRUE = { value: true, exact: true };
const FALSE = { value: false, exact: true };
const LOOSE_TRUE = { value: true, exact: false };
const LOOSE_FALSE = { value: false, exact: false };

/**
 * Splits a list cell (`"a,b,c"`). `tidy` is false when items had to be trimmed or blank items
 * dropped, which the reader reports rather than fixes silently.
 */
export function splitList(s: string): { items: string[]; tidy: boolean } {
  if (s === '') return { items: [], tidy: true };
  if (s.indexOf(',') < 0 && s.indexOf(' ') < 0) return { items: [s], tidy: true };
  const items: string[] = [];
  let tidy = true;
  for (const part of s.split(',')) {
    const item = part.trim();
    if (item !== part || item === '') tidy = false;
    if (item !== '') items.push(item);
  }
  return { items, tidy };
}

const USER_ID = /^([^{}:]+):([^{}]+)$/;

/** Parses a userIds cell (`{LDAP:12},{LTI:15}`); null when an item is not `{type:id}`. */
export function parseUserIds(s: string): UserId[] | null {
  if (s === '') return [];
  const text = s.trim();
  if (!text.startsWith('{') || !text.endsWith('}')) return null;
  const out: UserId[] = [];
  // Items are split at "},{" so an id may itself hold commas or colons.
  for (const part of text.slice(1, -1).split(/\}\s*,\s*\{/)) {
    const m = USER_ID.exec(part);
    if (!m?.[1] || !m[2]) return null;
    out.push({ type: m[1], id: m[2] });
  }
  return out;
}

/**
 * Whether the UTF-8 bytes b[s, e) are one `{type:id}` item as it stands (no spaces to trim, no
 * second item): what nearly every userIds cell holds, checked without decoding it. When true,
 * parseUserIds accepts the text; when false it may still (lists, spaces), so it decides.
 */
export function isOneUserId(b: Uint8Array, s: number, e: number): boolean {
  if (b[s] !== OPEN || b[e - 1] !== CLOSE) return false;
  let colon = -1;
  for (let i = s + 1; i < e - 1; i++) {
    const c = b[i];
    if (c === OPEN || c === CLOSE) return false;
    if (c === COLON && colon < 0) colon = i;
  }
  // A type before the first colon and an id after it (bytes of other characters are never these three).
  return colon > s + 1 && colon < e - 2;
}
const OPEN = 0x7b;
const CLOSE = 0x7d;
const COLON = 0x3a;

const EXT_TOKEN = /^ext:[a-zA-Z0-9.\-_]+$/;

/** Whether `s` is a 1.2 vocabulary extension token such as `ext:coach`. */
export function isExtensionToken(s: string): boolean {
  return EXT_TOKEN.test(s);
}

/** A short "did you mean" for a name that is one letter-case or a two-letter typo away from one of `names`. */
export function nearest(name: string, names: Iterable<string>): string | null {
  const wanted = name.trim().toLowerCase();
  let best: string | null = null;
  let bestDistance = 3;
  for (const candidate of names) {
    const d = distance(wanted, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

// Levenshtein distance, capped: names are short and compared only on the error path.
function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length] ?? 3;
}
