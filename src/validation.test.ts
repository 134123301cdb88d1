import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ErrorObject } from 'ajv';
import { Type, type TSchema } from 'typebox';
import { CustomerCreateBody } from './customers/customer-schema.js';
import { AppError } from './errors.js';
import { assertMatches, compile, controlCharacterIssues, describeErrors } from './validation.js';
import { customerBody } from '../test/helpers/factories.js';

/** The field issues for `value` against `schema`. */
function issues(schema: TSchema, value: unknown, root = '') {
  const fn = compile(schema);
  assert.equal(fn(value), false, 'the value is invalid');
  return describeErrors(fn.errors ?? [], root);
}

describe('describeErrors: messages a person understands, addressed by field path', () => {
  const Sample = Type.Object(
    {
      name: Type.String({ minLength: 1, maxLength: 5 }),
      code: Type.String({ minLength: 2, pattern: '^[a-z]+$', 'x-message': 'Use lower-case letters.' }),
      plain: Type.Optional(Type.String({ pattern: '^[0-9]+$' })),
      port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
      low: Type.Optional(Type.Number({ minimum: 0 })),
      email: Type.Optional(Type.String({ format: 'email' })),
      site: Type.Optional(Type.String({ format: 'uri' })),
      day: Type.Optional(Type.String({ format: 'date' })),
      kind: Type.Optional(Type.Enum(['a', 'b'])),
      pick: Type.Optional(Type.Union([Type.Literal('x'), Type.Literal('y')])),
      nested: Type.Optional(Type.Object({ deep: Type.Object({ flag: Type.Boolean() }, { additionalProperties: false }) }, { additionalProperties: false })),
      list: Type.Optional(Type.Array(Type.Object({ n: Type.Integer() }))),
      'a/b': Type.Optional(Type.Integer()),
      'c~d': Type.Optional(Type.Integer()),
    },
    { additionalProperties: false },
  );

  it('names missing and unknown fields, nested by dots', () => {
    const byField = <T extends { field: string }>(list: T[]) => [...list].sort((x, y) => x.field.localeCompare(y.field));
    assert.deepEqual(
      byField(issues(Sample, { nested: { deep: { extra: 1 } }, bogus: true })),
      byField([
        { field: 'name', message: 'This field is required.', code: 'required' },
        { field: 'code', message: 'This field is required.', code: 'required' },
        { field: 'bogus', message: 'Unknown field.', code: 'unknown_field' },
        { field: 'nested.deep.flag', message: 'This field is required.', code: 'required' },
        { field: 'nested.deep.extra', message: 'Unknown field.', code: 'unknown_field' },
      ]),
    );
  });

  it('explains lengths, patterns, ranges, types, formats and choices', () => {
    const got = issues(Sample, {
      name: '',
      code: 'A',
      plain: 'abc',
      port: 70000,
      low: -1,
      email: 'nope',
      site: 'not a url',
      day: '2026-13-45',
      kind: 'c',
      pick: 'z',
      list: [{ n: 1.5 }],
    });
    const byField = Object.fromEntries(got.map((i) => [i.field, [i.code, i.message]]));
    assert.deepEqual(byField, {
      name: ['required', 'This field is required.'],
      code: ['too_short', 'Use lower-case letters.'],
      plain: ['pattern', 'Not in the expected format.'],
      port: ['out_of_range', 'Must be a number from 1 to 65535.'],
      low: ['out_of_range', 'Must be a number from 0 to ∞.'],
      email: ['format', 'Enter a valid email address.'],
      site: ['format', 'Enter a full URL, such as https://example.org/path.'],
      day: ['format', 'Must be a valid date.'],
      kind: ['enum', 'Must be one of: a, b.'],
      pick: ['enum', 'Must be one of: x, y.'],
      'list.0.n': ['type', 'Must be a whole number.'],
    });
    // `code` fails both minLength and pattern; both carry the same custom message, so it is said once.
    assert.equal(got.filter((i) => i.field === 'code').length, 1);
    assert.equal(got.length, 11);
  });

  it('says which type was expected', () => {
    const got = issues(Sample, { name: 5, code: 'ab', nested: 'x', list: {} });
    assert.deepEqual(
      got.map((i) => [i.field, i.message]),
      [
        ['name', 'Must be a string.'],
        ['nested', 'Must be an object.'],
        ['list', 'Must be an array.'],
      ],
    );
    assert.deepEqual(issues(Sample, []), [{ field: '(body)', message: 'Must be an object.', code: 'type' }]);
  });

  it('unescapes JSON-pointer characters in field names and prefixes a root', () => {
    assert.deepEqual(
      issues(Sample, { name: 'a', code: 'ab', 'a/b': 'x', 'c~d': 'y' }, 'query').map((i) => i.field),
      ['query.a/b', 'query.c~d'],
    );
  });

  it('reports the same problem of the same field once', () => {
    const e = { keyword: 'required', instancePath: '/profile', schemaPath: '#/required', params: { missingProperty: 'name' } } as ErrorObject;
    assert.deepEqual(describeErrors([e, { ...e }]), [{ field: 'profile.name', message: 'This field is required.', code: 'required' }]);
  });
});

describe('assertMatches', () => {
  it('throws VALIDATION_FAILED (400) with every bad field of a customer body', () => {
    const body = customerBody({ administrator: { email: 'x' }, rostering: { sftp: { port: 0 } } }) as Record<string, unknown>;
    body.surprise = 1;
    try {
      assertMatches(CustomerCreateBody, body);
      assert.fail('expected a validation error');
    } catch (err) {
      assert.ok(err instanceof AppError);
      assert.equal(err.code, 'VALIDATION_FAILED');
      assert.equal(err.status, 400);
      assert.deepEqual(err.fields.map((f) => f.field).sort(), ['administrator.email', 'rostering.sftp.port', 'surprise']);
      assert.deepEqual(err.toJSON().error.fields, err.fields);
    }
  });

  it('passes a valid body through unchanged', () => {
    const body = customerBody();
    const copy = structuredClone(body);
    assertMatches(CustomerCreateBody, body);
    assert.deepEqual(body, copy, 'no defaults added, nothing removed or coerced');
  });
});

describe('controlCharacterIssues', () => {
  it('names each string holding a C0 control by its path; text keeps tab, CR and LF, a line keeps tab, a URL part nothing', () => {
    const value = { name: 'a\u0000b', note: 'line 1\r\n\tline 2', list: ['ok', 'bell\u0007'], nested: { deep: 'esc\u001b[31m' } };
    assert.deepEqual(
      controlCharacterIssues(value, '', 'text').map((i) => [i.field, i.code]),
      [
        ['name', 'control_character'],
        ['list.1', 'control_character'],
        ['nested.deep', 'control_character'],
      ],
    );
    assert.deepEqual(controlCharacterIssues('a\tb', 'headers.x', 'line'), []);
    assert.deepEqual(
      controlCharacterIssues('a\nb', 'headers.x', 'line').map((i) => i.field),
      ['headers.x'],
    );
    assert.deepEqual(
      controlCharacterIssues({ id: 'a\tb' }, 'params', 'url').map((i) => i.field),
      ['params.id'],
    );
    assert.deepEqual(controlCharacterIssues({ ok: 'plain text, ünïcödé and emoji 📚', n: 1, b: true, z: null }, '', 'url'), []);
  });

  it('reports a bad key by a printable stand-in, never the character itself', () => {
    const found = controlCharacterIssues({ 'bad\u0000key\u0001': 1 }, 'query', 'url');
    assert.deepEqual(
      found.map((i) => i.field),
      ['query.bad?key?'],
    );
  });

  it('walks any depth without recursion, and stops at 20 issues', () => {
    let deep: unknown = 'x\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    assert.equal(controlCharacterIssues(deep, '', 'text').length, 1);
    assert.equal(
      controlCharacterIssues(
        Array.from({ length: 1000 }, () => '\u0000'),
        '',
        'text',
      ).length,
      20,
    );
  });
});
