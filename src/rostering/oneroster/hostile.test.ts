import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { district11, HEADERS, issueLines, patchBytes, setFlagBits, table, writeBundle, writeBytes, zipBuffer } from '../../../test/helpers/bundles.js';
import { readBundle, type ReadOptions } from './reader.js';

async function expectUnusable(file: string, code: string, options: ReadOptions = {}): Promise<string[]> {
  let delivered = 0;
  const report = await readBundle(file, { ...options, onRecords: (b) => void (delivered += b.length) });
  assert.equal(report.unusable, true, `${code}: ${issueLines(report).join('\n')}`);
  assert.equal(report.valid, false);
  assert.ok(
    report.issues.some((i) => i.code === code && i.severity === 'error'),
    `${code} expected in ${issueLines(report).join('\n')}`,
  );
  if (code.startsWith('zip.')) assert.equal(delivered, 0, 'nothing is read from a hostile zip');
  return issueLines(report);
}

describe('readBundle: hostile and broken files', () => {
  it('reports a missing file, a non-zip and a truncated zip', async () => {
    await expectUnusable(path.join(path.dirname(writeBytes(Buffer.alloc(0))), 'does-not-exist.zip'), 'zip.not_found');
    await expectUnusable(writeBytes(Buffer.from('sourcedId,name\n1,x\n')), 'zip.unreadable');
    const zip = await zipBuffer(district11());
    await expectUnusable(writeBytes(zip.subarray(0, zip.length - 30)), 'zip.unreadable');
  });

  it('refuses path traversal and absolute names before reading anything', async () => {
    const zip = await zipBuffer({ ...district11(), 'xx/evil.csv': 'x' });
    await expectUnusable(writeBytes(patchBytes(zip, 'xx/evil.csv', '../evil.csv')), 'zip.path_traversal');
    await expectUnusable(writeBytes(patchBytes(zip, 'xx/evil.csv', '/tmp/e.csvx')), 'zip.path_traversal');
  });

  it('refuses symlinks, encrypted entries and duplicate names', async () => {
    await expectUnusable(await writeBundle({ ...district11(), 'users.csv': { data: '/etc/passwd', mode: 0o120777 } }), 'zip.symlink');
    await expectUnusable(writeBytes(setFlagBits(await zipBuffer(district11()), 0x1)), 'zip.encrypted');
    await expectUnusable(await writeBundle([...Object.entries(district11()), ['users.csv', 'sourcedId\n']]), 'zip.duplicate_entry');
  });

  it('stops zip bombs by ratio, by entry size and by total size', async () => {
    const zeros = Buffer.alloc(8 * 1024 * 1024, 'a');
    await expectUnusable(await writeBundle({ 'users.csv': zeros }), 'zip.bomb');
    const small = { ...district11() };
    await expectUnusable(await writeBundle(small), 'zip.bomb', { limits: { maxEntryBytes: 100 } });
    await expectUnusable(await writeBundle(small), 'zip.bomb', { limits: { maxTotalBytes: 1000 } });
    await expectUnusable(await writeBundle(small), 'zip.too_many_entries', { limits: { maxEntries: 3 } });
  });

  it('stops an entry that inflates past its declared size', async () => {
    const users = district11()['users.csv'] ?? '';
    const zip = await zipBuffer({ 'users.csv': users });
    // Lower the declared uncompressed size in the central directory: the data inflates to more.
    const patched = Buffer.from(zip);
    const central = patched.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    patched.writeUInt32LE(20, central + 24);
    const lines = await expectUnusable(writeBytes(patched), 'zip.bomb');
    assert.ok(lines.includes('error zip.bomb users.csv:- -'), lines.join('\n'));
  });

  it('stops at bytes that are not UTF-8, on the right line', async () => {
    const orgs = Buffer.concat([Buffer.from(`${HEADERS.orgs.join(',')}\no1,,,Fine,school,,\no2,,,Caf`), Buffer.from([0xe9]), Buffer.from(',school,,\n')]);
    const lines = await expectUnusable(await writeBundle({ 'orgs.csv': orgs }), 'csv.invalid_utf8');
    assert.ok(lines.includes('error csv.invalid_utf8 orgs.csv:3 -'), lines.join('\n'));
  });

  it('stops at a carriage return inside a quoted field, an unterminated quote, or an over-long record', async () => {
    const head = HEADERS.orgs.join(',');
    const cr = await expectUnusable(await writeBundle({ 'orgs.csv': `${head}\no1,,,"Two\r\nlines",school,,\n` }), 'csv.cr_in_field');
    assert.ok(cr.includes('error csv.cr_in_field orgs.csv:2 -'), cr.join('\n'));
    const open = await expectUnusable(await writeBundle({ 'orgs.csv': `${head}\no1,,,Fine,school,,\no2,,,"Never closed,school,,\no3,,,X,school,,\n` }), 'csv.unterminated_quote');
    assert.ok(open.includes('error csv.unterminated_quote orgs.csv:3 -'), open.join('\n'));
    const long = await expectUnusable(await writeBundle({ 'orgs.csv': `${head}\no1,,,${'x'.repeat(5000)},school,,\n` }), 'csv.line_too_long', { limits: { maxRecordLength: 1000 } });
    assert.ok(long.includes('error csv.line_too_long orgs.csv:2 -'), long.join('\n'));
    const longQuoted = await expectUnusable(await writeBundle({ 'orgs.csv': `${head}\no1,,,"${'x\n'.repeat(3000)}` }), 'csv.line_too_long', { limits: { maxRecordLength: 1000 } });
    assert.ok(longQuoted.includes('error csv.line_too_long orgs.csv:2 -'), longQuoted.join('\n'));
  });

  it('reads the other files of an unusable bundle for the report but delivers no records from then on', async () => {
    const files = district11({ 'enrollments.csv': `${HEADERS.enrollments.join(',')}\ne1,,,"open\n` });
    const delivered: string[] = [];
    const report = await readBundle(await writeBundle(files), { onRecords: (b) => void delivered.push(...b.map((r) => r.file)) });
    assert.equal(report.unusable, true);
    assert.ok(!delivered.includes('enrollments'));
    assert.equal(report.files.find((f) => f.name === 'users.csv')?.rows, 4);
  });

  it('lets errors of the caller’s record sink propagate', async () => {
    const file = await writeBundle({ 'orgs.csv': table(HEADERS.orgs, [{ sourcedId: 'o1', name: 'S', type: 'school' }]) });
    await assert.rejects(
      readBundle(file, {
        onRecords: () => {
          throw new Error('database down');
        },
      }),
      /database down/,
    );
  });
});
