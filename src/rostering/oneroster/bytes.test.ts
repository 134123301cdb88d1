import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HEADERS, issueLines, table, writeBundle } from '../../../test/helpers/bundles.js';
import type { AcceptedRecord, RosterRecord } from './records.js';
import { readBundle } from './reader.js';

// The reader works on raw bytes, checked as UTF-8 a chunk at a time: these pin what that must keep.
async function readOrgs(orgs: string | Buffer, store = false) {
  const records: RosterRecord[] = [];
  const report = await readBundle(await writeBundle({ 'orgs.csv': store ? { data: orgs, store } : orgs }), { onRecords: (batch) => void records.push(...batch) });
  return { report, records: records.filter((r): r is AcceptedRecord => r.ok), issues: issueLines(report) };
}

describe('readBundle: bytes', () => {
  for (const store of [false, true]) {
    it(`decodes characters cut by chunk boundaries and resolves non-ASCII ids (${store ? 'stored' : 'deflated'})`, async () => {
      // ~400 KB of rows full of 2-, 3- and 4-byte characters: many straddle a 64 KiB chunk boundary.
      const rows = [{ sourcedId: 'dé', name: 'Distrïct', type: 'district' }];
      for (let i = 0; i < 4000; i++) rows.push({ sourcedId: `o${i}`, name: `École ${i} — 😀 ${'ü'.repeat(i % 7)}, "q"`, type: 'school', parentSourcedId: 'dé' } as (typeof rows)[0]);
      const { report, records, issues } = await readOrgs(table(HEADERS.orgs, rows), store);
      assert.equal(report.unusable, false);
      // No manifest (a warning); 'dé' is not GUID-shaped: a warning on its row and on each row pointing at it.
      assert.deepEqual(new Set(issues.map((l) => l.split(' ').slice(0, 2).join(' '))), new Set(['warning manifest.missing', 'warning row.guid']));
      assert.equal(report.warnings, 1 + rows.length);
      assert.equal(records.length, rows.length);
      assert.deepEqual(
        records.map((r) => (r.values as { name: string }).name),
        rows.map((r) => r.name),
      );
    });
  }

  it('strips a BOM and rejects a character cut short by the end of the file', async () => {
    const ok = await readOrgs(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(table(HEADERS.orgs, [{ sourcedId: 'o1', name: 'Café', type: 'school' }]))]));
    assert.deepEqual(ok.issues, ['warning manifest.missing -:- -']);
    assert.equal((ok.records[0]?.values as { name: string } | undefined)?.name, 'Café');
    const cut = await readOrgs(Buffer.concat([Buffer.from(`${HEADERS.orgs.join(',')}\no1,,,Fine,school,,\no2,,,Caf`), Buffer.from([0xc3])]));
    assert.ok(cut.issues.includes('error csv.invalid_utf8 orgs.csv:3 -'), cut.issues.join('\n'));
  });
});
