/*
 * Benchmark of the OneRoster bundle reader (`npm run bench:reader [-- --district-only]`).
 *
 * Generates synthetic bundles into a temporary folder (streamed through yazl, never held in
 * memory), then for each one measures, each in a fresh child process so peak RSS is its own:
 *   floor        inflate every roster entry and count its lines (no decoding, no CSV parsing)
 *   validate     readBundle() as `lectern roster validate` runs it (no record sink; a bundle this
 *                big is inflated and tokenized in the reading thread while the rows are checked)
 *   validate-1t  the same on one thread (`thread: false`), for the ablation
 *   records      readBundle() with a sink that receives every typed record (what a sync does; on
 *                one thread, as imports read by default)
 *   records-2t   the same with the reading thread (`thread: true`), for the ablation
 *   papaparse, csv-parse  (district only) the same entries through those parsers, rows counted and
 *             nothing checked: the issue's two reference points for what its floor means
 * and prints wall time, the main thread's CPU time, rows/s and peak RSS, with each time's ratio to
 * the floor. The issue puts PapaParse at about 1.5× its floor and csv-parse at about 5.5×; the last
 * lines say which floor those points imply on this machine and how validate compares with it.
 * `--district-only` skips the large bundle; `--keep DIR` keeps the generated bundles in DIR;
 * `--compiled` measures the reader compiled in dist/ (as the product runs; `npm run build` first)
 * instead of the sources through tsx, whose worker threads start far slower.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parse as csvParse } from 'csv-parse';
import Papa from 'papaparse';
import { IssueCollector } from '../src/rostering/oneroster/issues.js';
import { readBundle, DEFAULT_LIMITS } from '../src/rostering/oneroster/reader.js';
import { BundleZip } from '../src/rostering/oneroster/zip.js';
import { SCENARIOS, floor, fmt, generate, printTable } from './district-bundle.js';

type Mode = 'floor' | 'validate' | 'validate-1t' | 'records' | 'records-2t' | 'papaparse' | 'csv-parse';

// The issue's reference points: how many of its floors each parser takes on the district.
const REFERENCE: Partial<Record<Mode, number>> = { papaparse: 1.5, 'csv-parse': 5.5 };

interface Measurement {
  ms: number;
  /** CPU time of the main thread (the reading thread and zlib's pool are not in it). */
  cpuMs: number;
  rows: number;
  maxRssMb: number;
  valid?: boolean;
  issues?: number;
}

// readBundle from the sources (as imported above), or compiled from dist/ with `--compiled`.
async function reader(compiled: boolean): Promise<typeof readBundle> {
  if (!compiled) return readBundle;
  const dist = new URL('../dist/rostering/oneroster/reader.js', import.meta.url);
  if (!fs.existsSync(dist)) throw new Error('dist/ is missing: run "npm run build" before --compiled');
  return ((await import(dist.href)) as { readBundle: typeof readBundle }).readBundle;
}

// One measurement, run in this (child) process.
async function measure(mode: Mode, file: string, compiled: boolean): Promise<Measurement> {
  const read = await reader(compiled);
  const start = performance.now();
  const cpu = process.threadCpuUsage();
  let rows: number;
  let extra: Partial<Measurement> = {};
  if (mode === 'floor') {
    rows = (await floor(file)).rows;
  } else if (mode === 'papaparse' || mode === 'csv-parse') {
    rows = await parseOnly(mode, file);
  } else {
    let records = 0;
    const sink = mode.startsWith('records');
    const thread = mode.endsWith('-1t') ? false : mode.endsWith('-2t') ? true : undefined;
    const report = await read(file, { thread, onRecords: sink ? (batch) => void (records += batch.length) : undefined });
    rows = report.files.reduce((sum, f) => sum + f.rows, 0);
    if (sink && records !== rows) throw new Error(`sink saw ${records} of ${rows} rows`);
    extra = { valid: report.valid, issues: report.errors + report.warnings };
  }
  const ms = performance.now() - start;
  const used = process.threadCpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000, rows, maxRssMb: process.resourceUsage().maxRSS / 1024, ...extra };
}

// The roster entries through a general CSV parser, inflated as the floor inflates them; data rows counted.
async function parseOnly(parser: 'papaparse' | 'csv-parse', file: string): Promise<number> {
  const zip = await BundleZip.open(file, DEFAULT_LIMITS, new IssueCollector(10));
  if (!zip) throw new Error('bench bundle did not open');
  let rows = 0;
  for (const entry of zip.entries) {
    if (entry.name === 'manifest.csv') continue;
    const input = Readable.from(zip.read(entry));
    if (parser === 'csv-parse') {
      for await (const _ of input.pipe(csvParse({ from_line: 2 }))) rows++;
    } else {
      await new Promise<void>((resolve, reject) => Papa.parse(input, { step: () => void rows++, complete: () => resolve(), error: reject }));
      rows--; // the header
    }
  }
  zip.close();
  return rows;
}

function runChild(mode: Mode, file: string, compiled: boolean): Measurement {
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', mode, file, ...(compiled ? ['--compiled'] : [])], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`${mode} child failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as Measurement;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const compiled = args.includes('--compiled');
  if (args[0] === '--child') {
    const result = await measure(args[1] as Mode, args[2] ?? '', compiled);
    process.stdout.write(JSON.stringify(result) + '\n');
    return;
  }
  const scenarios = args.includes('--district-only') ? SCENARIOS.slice(0, 1) : SCENARIOS;
  // --keep DIR leaves the generated bundles there (for profiling a child: --child validate DIR/district.zip).
  const keep = args.includes('--keep') ? args[args.indexOf('--keep') + 1] : undefined;
  const dir = keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-bench-'));
  fs.mkdirSync(dir, { recursive: true });
  console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, reader ${compiled ? 'compiled (dist/)' : 'from the sources (tsx)'}`);
  const notes: string[] = [];
  const table: string[][] = [['bundle', 'zip MB', 'inflated MB', 'mode', 'rows', 'wall s', 'main CPU s', 'rows/s', 'peak RSS MB', '× floor', 'valid']];
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
      const floor = runChild('floor', file, compiled);
      const modes: Mode[] = ['validate', 'validate-1t', 'records', 'records-2t', ...(s === SCENARIOS[0] ? (['papaparse', 'csv-parse'] as const) : [])];
      const measured: [Mode, Measurement][] = [['floor', floor], ...modes.map((mode): [Mode, Measurement] => [mode, runChild(mode, file, compiled)])];
      for (const [mode, m] of measured) {
        if (m.rows !== floor.rows) throw new Error(`${mode} counted ${m.rows} rows, the floor ${floor.rows}`);
        table.push([
          s.name,
          fmt(zipMb, 1),
          fmt(inflatedMb, 1),
          mode,
          fmt(m.rows),
          fmt(m.ms / 1000, 2),
          fmt(m.cpuMs / 1000, 2),
          fmt(m.rows / (m.ms / 1000)),
          fmt(m.maxRssMb),
          fmt(m.ms / floor.ms, 2),
          m.valid === undefined ? '' : String(m.valid),
        ]);
      }
      const implied = measured.filter(([mode]) => REFERENCE[mode]).map(([mode, m]) => m.ms / (REFERENCE[mode] ?? 1));
      if (implied.length) notes.push(impliedFloorNote(s.name, floor, measured, implied));
    }
  } finally {
    if (!keep) fs.rmSync(dir, { recursive: true, force: true });
  }
  printTable(table, [0, 3]);
  for (const note of notes) console.log(note);
}

// What the issue's reference points say its floor is here, and validate against that floor.
function impliedFloorNote(bundle: string, floor: Measurement, measured: [Mode, Measurement][], implied: number[]): string {
  const ms = implied.reduce((a, b) => a + b, 0) / implied.length;
  const validate = measured.find(([mode]) => mode === 'validate')?.[1];
  const papa = measured.find(([mode]) => mode === 'papaparse')?.[1];
  return [
    `${bundle}: PapaParse at 1.5× and csv-parse at 5.5× (the issue's reference points) imply a floor of ${fmt(ms / 1000, 2)} s here,`,
    `${fmt(ms / floor.ms, 1)}× the measured one; validate is ${fmt((validate?.ms ?? 0) / ms, 2)}× that implied floor and ${fmt((validate?.ms ?? 0) / (papa?.ms ?? 1), 2)}× PapaParse's bare parse.`,
  ].join(' ');
}

await main();
