import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { TSchema } from 'typebox';
import { validationError, type FieldIssue } from './errors.js';

// ajv-formats is CommonJS; under NodeNext its callable export is reached through .default.
const addFormats = addFormatsModule.default;

/**
 * The one JSON-schema validator of the app, used by Fastify for request bodies and by services for
 * input that arrives another way (CLI files), so both give the same field-level messages.
 * Unknown keys are errors (never silently dropped) and types are not coerced in bodies.
 */
export const ajv = new Ajv({ allErrors: true, removeAdditional: false, useDefaults: false, coerceTypes: false, verbose: true, strict: false });
addFormats(ajv, ['email', 'uri', 'date-time', 'date', 'uuid']);
ajv.addKeyword({ keyword: 'x-message', schemaType: 'string' });

/** The validator for query strings and path parameters, which arrive as text and are coerced. */
export const queryAjv = new Ajv({ allErrors: true, removeAdditional: false, useDefaults: true, coerceTypes: true, verbose: true, strict: false });
addFormats(queryAjv, ['email', 'uri', 'date-time', 'date', 'uuid']);
queryAjv.addKeyword({ keyword: 'x-message', schemaType: 'string' });

const cache = new WeakMap<object, ValidateFunction>();

/** Compiles (once per schema object) a body validator. */
export function compile(schema: TSchema): ValidateFunction {
  let fn = cache.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    cache.set(schema, fn);
  }
  return fn;
}

/** Validates `value` against `schema`, throwing VALIDATION_FAILED with one issue per bad field. */
export function assertMatches<T>(schema: TSchema, value: unknown, root = ''): asserts value is T {
  const controls = controlCharacterIssues(value, root, 'text');
  if (controls.length) throw validationError(controls);
  const fn = compile(schema);
  if (!fn(value)) throw validationError(describeErrors(fn.errors ?? [], root));
}

// PostgreSQL refuses NUL in text (the write fails), and no C0 control belongs in a name, a login or
// an id. Text may hold tab, CR and LF (a pasted key, a description); a URL part or a header may not.
/* eslint-disable no-control-regex -- finding control characters is their purpose */
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;
const CONTROL_IN_LINE = /[\u0000-\u0008\u000a-\u001f]/;
const CONTROL_IN_URL = /[\u0000-\u001f]/;
const EVERY_CONTROL = /[\u0000-\u001f]/g;
/* eslint-enable no-control-regex */
const CONTROL_PATTERNS = { text: CONTROL_IN_TEXT, line: CONTROL_IN_LINE, url: CONTROL_IN_URL } as const;
const MAX_CONTROL_ISSUES = 20;

/**
 * Which C0 control characters a string may hold: `text` (a body field) keeps tab, CR and LF,
 * `line` (a header value) keeps tab, `url` (a path or query parameter) none.
 */
export type TextKind = keyof typeof CONTROL_PATTERNS;

/**
 * One issue (code `control_character`) per string, or object key, in `value` that holds a C0
 * control character its kind forbids, addressed by its dotted path under `root`. Walks without
 * recursion, so no nesting depth can overflow the stack.
 */
export function controlCharacterIssues(value: unknown, root: string, kind: TextKind): FieldIssue[] {
  const pattern = CONTROL_PATTERNS[kind];
  const issues: FieldIssue[] = [];
  // Each entry knows its parent, so no path is copied per level: the walk stays linear at any depth.
  type Entry = { value: unknown; name: string; parent: Entry | null };
  const pathOf = (e: Entry): string => {
    const names: string[] = [];
    for (let at: Entry | null = e; at; at = at.parent) if (at.name) names.push(at.name);
    return names.reverse().join('.') || '(body)';
  };
  const stack: Entry[] = [{ value, name: root, parent: null }];
  while (stack.length && issues.length < MAX_CONTROL_ISSUES) {
    const entry = stack.pop()!;
    const v = entry.value;
    if (typeof v === 'string') {
      if (pattern.test(v)) issues.push({ field: pathOf(entry), message: 'Must not contain control characters (such as NUL).', code: 'control_character' });
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], name: String(i), parent: entry });
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>).reverse();
      for (const [key, child] of entries) {
        // A bad key is reported by a printable stand-in of its name, never the character itself.
        if (pattern.test(key)) stack.push({ value: key, name: key.replace(EVERY_CONTROL, '?'), parent: entry });
        else stack.push({ value: child, name: key, parent: entry });
      }
    }
  }
  return issues;
}

/** Turns ajv's errors into field issues with messages a person understands. */
export function describeErrors(errors: ErrorObject[], root = ''): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  // A failing anyOf also reports each branch; the anyOf error itself says it better.
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  for (const e of errors) {
    if (e.keyword !== 'anyOf' && anyOfPaths.has(e.instancePath)) continue;
    const issue = describe(e, root);
    const key = `${issue.field}|${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return issues;
}

function describe(e: ErrorObject, root: string): FieldIssue {
  const base = [
    root,
    ...e.instancePath
      .split('/')
      .slice(1)
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')),
  ].filter(Boolean);
  const field = (extra?: string) => [...base, ...(extra ? [extra] : [])].join('.') || '(body)';
  const custom = (e.parentSchema as { 'x-message'?: string } | undefined)?.['x-message'];
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { field: field(String(p.missingProperty)), message: 'This field is required.', code: 'required' };
    case 'additionalProperties':
      return { field: field(String(p.additionalProperty)), message: 'Unknown field.', code: 'unknown_field' };
    case 'enum':
      return { field: field(), message: `Must be one of: ${(p.allowedValues as unknown[]).join(', ')}.`, code: 'enum' };
    case 'const':
      return { field: field(), message: custom ?? `Must be ${JSON.stringify(p.allowedValue)}.`, code: 'const' };
    case 'anyOf': {
      const options = ((e.schema as { const?: unknown }[]) ?? []).map((s) => s.const).filter((c) => c !== undefined);
      return { field: field(), message: custom ?? (options.length ? `Must be one of: ${options.join(', ')}.` : 'Not a valid value.'), code: 'enum' };
    }
    case 'type':
      return { field: field(), message: `Must be ${article(String(p.type))}.`, code: 'type' };
    case 'format':
      return { field: field(), message: custom ?? formatMessage(String(p.format)), code: 'format' };
    case 'minLength':
      return p.limit === 1
        ? { field: field(), message: 'This field is required.', code: 'required' }
        : { field: field(), message: custom ?? `Must be at least ${p.limit} characters.`, code: 'too_short' };
    case 'maxLength':
      return { field: field(), message: `Must be at most ${p.limit} characters.`, code: 'too_long' };
    case 'minimum':
    case 'maximum': {
      const s = e.parentSchema as { minimum?: number; maximum?: number };
      return { field: field(), message: custom ?? `Must be a number from ${s.minimum ?? '-∞'} to ${s.maximum ?? '∞'}.`, code: 'out_of_range' };
    }
    case 'pattern':
      return { field: field(), message: custom ?? 'Not in the expected format.', code: 'pattern' };
    default:
      return { field: field(), message: custom ?? e.message ?? 'Not valid.', code: e.keyword };
  }
}

function formatMessage(format: string): string {
  switch (format) {
    case 'email':
      return 'Enter a valid email address.';
    case 'uri':
      return 'Enter a full URL, such as https://example.org/path.';
    default:
      return `Must be a valid ${format}.`;
  }
}

function article(type: string): string {
  if (type === 'integer') return 'a whole number';
  if (type === 'object' || type === 'array') return `an ${type}`;
  return `a ${type}`;
}
