import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import { describe, it } from 'node:test';
import { SpilledIdSet } from './spilled-ids.js';

const spills = () => fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('lectern-ids-'));

describe('SpilledIdSet', () => {
  it('finds duplicates of ids long written to its file, across growth, and leaves no file behind', () => {
    const before = spills();
    // 200,000 ids of 24 characters: 5.6 MB of records, five writes, and the table grows from 1,024 slots.
    const ids = new SpilledIdSet(1);
    const id = (i: number) => `en${i.toString(16).padStart(22, '0')}`;
    for (let i = 0; i < 200_000; i++) assert.equal(ids.add(id(i)), true);
    for (const i of [0, 1, 77_777, 199_999]) assert.equal(ids.add(id(i)), false, `${id(i)} is a duplicate`);
    assert.equal(ids.has(id(200_000)), false);
    assert.equal(ids.size, 200_000);
    assert.ok(ids.bytes <= 1024 * 1024 + 6 * 524_288, `${ids.bytes} bytes: 6 a slot and the pending MiB`);
    assert.deepEqual(spills(), before, 'the spill file is unlinked as soon as it is opened');
    ids.release();
    assert.deepEqual([ids.size, ids.has(id(0))], [0, false]);
  });
});
