import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { district11, HEADERS, writeBytes, zipBuffer } from '../../../test/helpers/bundles.js';
import { readBundle } from './reader.js';

// Every run must end in a report, quickly: a hang or an exception fails the property.
async function readsToReport(bytes: Buffer): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('readBundle took longer than 5 s')), 5000);
  });
  try {
    const report = await Promise.race([readBundle(writeBytes(bytes), { limits: { maxRecordLength: 4096 } }), deadline]);
    assert.equal(typeof report.valid, 'boolean');
    assert.equal(report.valid, !report.unusable && report.errors === 0);
    for (const issue of report.issues) assert.ok(issue.code && issue.message, JSON.stringify(issue));
  } finally {
    clearTimeout(timer);
  }
}

describe('readBundle fuzzing (fast-check)', () => {
  it('always ends with a report for random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), (bytes) => readsToReport(Buffer.from(bytes))),
      { numRuns: 60 },
    );
  });

  it('always ends with a report for truncated and bit-flipped zips', async () => {
    const zip = await zipBuffer(district11());
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: zip.length }), fc.array(fc.tuple(fc.nat(zip.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), (cut, flips) => {
        const bytes = Buffer.from(zip.subarray(0, cut === zip.length ? zip.length : cut));
        for (const [at, value] of flips) if (at < bytes.length) bytes[at] = value;
        return readsToReport(bytes);
      }),
      { numRuns: 80 },
    );
  });

  it('always ends with a report for mutated CSV text and random headers', async () => {
    const files = district11();
    const names = Object.keys(files).filter((n) => n !== 'manifest.csv');
    const mutation = fc.record({
      file: fc.constantFrom(...names),
      at: fc.nat(),
      insert: fc.oneof(fc.constantFrom('"', '\r', '\n', ',', '\uFEFF', '""', '\u0000', 'é'), fc.string({ maxLength: 8 })),
      remove: fc.nat(4),
    });
    const header = fc.array(fc.oneof(fc.constantFrom(...HEADERS.users11, ...HEADERS.enrollments, 'metadata.x', ''), fc.string({ maxLength: 6 })), { maxLength: 20 });
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { maxLength: 5 }), header, fc.boolean(), async (mutations, randomHeader, dropManifest) => {
        const mutated: Record<string, string> = { ...files };
        for (const m of mutations) {
          const text = mutated[m.file] ?? '';
          const at = m.at % (text.length + 1);
          mutated[m.file] = text.slice(0, at) + m.insert + text.slice(at + m.remove);
        }
        const users = mutated['users.csv'] ?? '';
        mutated['users.csv'] = `${randomHeader.join(',')}\n${users.slice(users.indexOf('\n') + 1)}`;
        if (dropManifest) delete mutated['manifest.csv'];
        await readsToReport(await zipBuffer(mutated));
      }),
      { numRuns: 120 },
    );
  });
});
