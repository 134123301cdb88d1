/*
 * A page of a OneRoster collection as bytes, with the byte range of each row: the body is scanned
 * once for its structure (strings, nesting) without building anything, and each row is parsed only
 * when it is read. Parsing a whole page at once would make one large string and a thousand objects
 * that outlive many young-generation collections; row by row, almost everything dies young.
 */

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;

/** The rows of one page, parsed on demand. */
export class PageRows {
  constructor(
    private readonly bytes: Buffer,
    /** Start and end (exclusive) of each row, in pairs. */
    private readonly ranges: number[],
    /** Where the collection's array is in `bytes` (its identity, to spot a repeated page). */
    readonly span: Buffer,
  ) {}

  get length(): number {
    return this.ranges.length / 2;
  }

  /** Row `i`, parsed; undefined when its JSON is malformed. */
  at(i: number): unknown {
    try {
      return JSON.parse(this.bytes.toString('utf8', this.ranges[2 * i], this.ranges[2 * i + 1]));
    } catch {
      return undefined;
    }
  }
}

/**
 * The rows of `{"<collection>": [ … ], …}` in `bytes`, or null when the body is not a JSON object
 * holding that list (an HTML error page, a status payload, a truncated body).
 */
export function scanPage(bytes: Buffer, collection: string): PageRows | null {
  const n = bytes.length;
  let i = skipWs(bytes, 0);
  if (bytes[i] !== OPEN_OBJECT) return null;
  i = skipWs(bytes, i + 1);
  let found: PageRows | null = null;
  if (bytes[i] === CLOSE_OBJECT) i++;
  else {
    for (;;) {
      if (bytes[i] !== QUOTE) return null;
      const keyEnd = skipValue(bytes, i);
      if (keyEnd < 0) return null;
      const key = decodeKey(bytes, i, keyEnd);
      i = skipWs(bytes, keyEnd);
      if (bytes[i] !== COLON) return null;
      i = skipWs(bytes, i + 1);
      if (key === collection && bytes[i] === OPEN_ARRAY) {
        const rows = scanArray(bytes, i);
        if (!rows) return null;
        found = rows.page;
        i = rows.end;
      } else {
        i = skipValue(bytes, i);
        if (i < 0) return null;
      }
      i = skipWs(bytes, i);
      if (bytes[i] === COMMA) {
        i = skipWs(bytes, i + 1);
        continue;
      }
      if (bytes[i] !== CLOSE_OBJECT) return null;
      i++;
      break;
    }
  }
  return skipWs(bytes, i) === n ? found : null;
}

function scanArray(bytes: Buffer, start: number): { page: PageRows; end: number } | null {
  const ranges: number[] = [];
  let i = skipWs(bytes, start + 1);
  if (bytes[i] !== CLOSE_ARRAY) {
    for (;;) {
      const end = skipValue(bytes, i);
      if (end < 0) return null;
      ranges.push(i, end);
      i = skipWs(bytes, end);
      if (bytes[i] === COMMA) {
        i = skipWs(bytes, i + 1);
        continue;
      }
      if (bytes[i] !== CLOSE_ARRAY) return null;
      break;
    }
  }
  return { page: new PageRows(bytes, ranges, bytes.subarray(start, i + 1)), end: i + 1 };
}

// The index just after the JSON value at `i`, or -1 when it never ends.
function skipValue(bytes: Buffer, i: number): number {
  const n = bytes.length;
  const first = bytes[i];
  if (first === QUOTE) {
    for (i++; i < n; i++) {
      const c = bytes[i];
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) return i + 1;
    }
    return -1;
  }
  if (first === OPEN_OBJECT || first === OPEN_ARRAY) {
    let depth = 0;
    for (; i < n; i++) {
      const c = bytes[i];
      if (c === QUOTE) {
        i = skipValue(bytes, i) - 1;
        if (i < 0) return -1;
      } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) depth++;
      else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        if (--depth === 0) return i + 1;
      }
    }
    return -1;
  }
  // A number, true, false or null: up to the next delimiter.
  const start = i;
  while (i < n) {
    const c = bytes[i] as number;
    if (c === COMMA || c === CLOSE_OBJECT || c === CLOSE_ARRAY || c <= 32) break;
    i++;
  }
  return i > start ? i : -1;
}

function skipWs(bytes: Buffer, i: number): number {
  while (i < bytes.length && (bytes[i] === 32 || bytes[i] === 10 || bytes[i] === 13 || bytes[i] === 9)) i++;
  return i;
}

function decodeKey(bytes: Buffer, start: number, end: number): string {
  try {
    return JSON.parse(bytes.toString('utf8', start, end)) as string;
  } catch {
    return '';
  }
}
