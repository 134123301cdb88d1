import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isOneUserId, parseUserIds } from './fields.js';

describe('isOneUserId', () => {
  it('accepts only cells parseUserIds reads as one item (property)', () => {
    const cell = fc.array(fc.constantFrom('{', '}', ':', ',', ' ', '\t', 'a', 'é', '1'), { maxLength: 10 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(cell, (text) => {
        const bytes = Buffer.from(text);
        if (isOneUserId(bytes, 0, bytes.length)) assert.equal(parseUserIds(text)?.length, 1, text);
      }),
      { numRuns: 2000 },
    );
  });

  it('takes the plain one-item shape and leaves the rest to parseUserIds', () => {
    const check = (text: string) => isOneUserId(Buffer.from(text), 0, Buffer.byteLength(text));
    for (const yes of ['{SIS:1}', '{LDAP:a:b}', '{Kürz:é}']) assert.equal(check(yes), true, yes);
    for (const no of ['{SIS:1},{LTI:2}', ' {SIS:1}', '{:1}', '{SIS:}', '{SIS1}', 'SIS:1', '{SI{S:1}']) assert.equal(check(no), false, no);
  });
});
