/*
 * Benchmark of the OneRoster bundle reader (`npm run bench:reader [-- --district-only]`).
 *
 * Generates synthetic bundles into a temporary folder (streamed through yazl, never held in
 * memory), then for each one measures, each in a fresh child process so peak RSS is its own:
 *   floor     inflate every roster entry and count its lines (no decoding, no CSV parsing)
 *   validate  readBundle() as `lectern roster validate` runs it (no record sink)
 *   records   readBundle() with a sink that receives every typed record (what a sync does)
 * and prints wall time, rows/s and peak RSS, with each time's ratio to the floor.
 * `--district-only` skips the large bundle; `--keep DIR` keeps the generated bundles in DIR.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IssueCollector } from '../src/rostering/oneroster/issues.js';
import { readBundle, DEFAULT_LIMITS } from '../src/rostering/oneroster/reader.js';
import { BundleZip } from '../src/rostering/oneroster/zip.js';
import { SCENARIOS, floor, fmt, generate, printTable } from './district-bundle.js';

type Mode = 'floor' | 'validate' | 'records';

interface Measurement {
  ms: number;
  rows: number;
  maxRssMb: number;
  valid?: boolean;
  issues?: number;
}

// One measurement, run in this (child) process.
async function measure(mode: Mode, file: string): Promise<Measurement> {
  const start = performance.now();
  let rows: number;
  let extra: Partial<Measurement> = {};
  if (mode === 'floor') {
    rows = (await floor(file)).rows;
  } else {
    let records = 0;
    const report = await readBundle(file, mode === 'records' ? { onRecords: (batch) => void (records += batch.length) } : {});
    rows = report.files.reduce((sum, f) => sum + f.rows, 0);
    if (mode === 'records' && records !== rows) throw new Error(`sink saw ${records} of ${rows} rows`);
    extra = { valid: report.valid, issues: report.errors + report.warnings };
  }
  const ms = performance.now() - start;
  return { ms, rows, maxRssMb: process.resourceUsage().maxRSS / 1024, ...extra };
}

function runChild(mode: Mode, file: string): Measurement {
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', mode, file], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`${mode} child failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as Measurement;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const result = await measure(args[1] as Mode, args[2] ?? '');
    process.stdout.write(JSON.stringify(result) + '\n');
    return;
  }
  const scenarios = args.includes('--district-only') ? SCENARIOS.slice(0, 1) : SCENARIOS;
  // --keep DIR leaves the generated bundles there (for profiling a child: --child validate DIR/district.zip).
  const keep = args.includes('--keep') ? args[args.indexOf('--keep') + 1] : undefined;
  const dir = keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-bench-'));
  fs.mkdirSync(dir, { recursive: true });
  console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}`);
  const table: string[][] = [['bundle', 'zip MB', 'inflated MB', 'mode', 'rows', 'wall s', 'rows/s', 'peak RSS MB', '× floor', 'valid']];
  try {
    for (const s of scenarios) {
      const file = path.join(dir, `${s.name}.zip`);
      const t0 = performance.now();
      await generate(s, file);
      const zipMb = fs.statSync(file).size / 1024 ** 2;
      console.error(`generated ${s.name} (${fmt(zipMb, 1)} MB) in ${fmt((performance.now() - t0) / 1000, 1)} s`);
      const zip = await BundleZip.open(file, DEFAULT_LIMITS, new IssueCollector(10));
      const inflatedMb = (zip?.entries.reduce((sum, e) => sum + e.size, 0) ?? 0) / 1024 ** 2;
      zip?.close();
      const floor = runChild('floor', file);
      for (const [mode, m] of [['floor', floor], ['validate', runChild('validate', file)], ['records', runChild('records', file)]] as const) {
        table.push([
          s.name,
          fmt(zipMb, 1),
          fmt(inflatedMb, 1),
          mode,
          fmt(m.rows),
          fmt(m.ms / 1000, 2),
          fmt(m.rows / (m.ms / 1000)),
          fmt(m.maxRssMb),
          fmt(m.ms / floor.ms, 2),
          m.valid === undefined ? '' : String(m.valid),
        ]);
      }
    }
  } finally {
    if (!keep) fs.rmSync(dir, { recursive: true, force: true });
  }
  printTable(table, [0, 3]);
}

await main();
