import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { IdSet, idKey, isGuidKey, type IdIndex } from './ids.js';
import { SpilledIdSet } from './spilled-ids.js';

// Both kinds of id index answer exactly as a Set<string> would.
for (const [name, make] of [
  ['IdSet', (n: number) => new IdSet(n)],
  ['SpilledIdSet', (n: number) => new SpilledIdSet(n)],
] as const) {
  it(`${name} behaves like Set<string> for any ids, growing as needed (property)`, () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('a', 'b', 'é', '😀', 'x'.repeat(300))), { maxLength: 400 }),
        fc.array(fc.string({ maxLength: 5 })),
        (adds, probes) => {
          const ids: IdIndex = make(1);
          const reference = new Set<string>();
          for (const id of adds) assert.equal(ids.add(id), !reference.has(id) && Boolean(reference.add(id)));
          for (const id of [...adds, ...probes]) assert.equal(ids.has(id), reference.has(id));
          assert.equal(ids.size, reference.size);
          ids.release();
        },
      ),
      { numRuns: 200 },
    );
  });
}

describe('IdSet', () => {
  it('gives its memory back at once when released, not at a later garbage collection', () => {
    const ids = new IdSet(100_000);
    for (let i = 0; i < 100_000; i++) ids.add(`en-${i}`);
    const arena = (ids as unknown as { arena: Uint8Array<ArrayBuffer> }).arena.buffer;
    assert.ok(ids.bytes > 4_000_000);
    ids.release();
    assert.equal(arena.detached, true, 'the old arena is detached: its memory is freed now');
    assert.deepEqual([ids.bytes <= 4, ids.size, ids.has('en-1')], [true, 0, false]);
  });

  it('holds a million 24-character ids in at most 42 MB, growth slack included', () => {
    const ids = new IdSet();
    for (let i = 0; i < 1_000_000; i++) ids.add(`us${i.toString(16).padStart(22, '0')}`);
    assert.equal(ids.size, 1_000_000);
    assert.ok(ids.has('us00000000000000000f423f') && !ids.has('us00000000000000000f4240'));
    assert.ok(ids.bytes <= 42 * 1024 * 1024, `${ids.bytes} bytes`);
  });

  it('keys tell GUID-shaped ids apart', () => {
    assert.equal(isGuidKey(idKey('abc-123_./@')), true);
    for (const bad of ['', 'has space', 'a,b', 'é', 'x'.repeat(256)]) assert.equal(isGuidKey(idKey(bad)), false, bad);
  });
});
