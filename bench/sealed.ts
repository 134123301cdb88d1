/*
 * What sealing roster bundles at rest costs (`npm run bench:sealed`).
 *
 * Generates the district bundle of the reader benchmark (100,000 users, 400,000 enrollments), then
 * measures, each in a fresh child process (peak RSS its own), alternating plain and sealed, `--reps`
 * times (default 3), and prints the medians and the sealed/plain ratio:
 *   store    the upload side: the zip streamed into the bundle store (plain: copied and hashed;
 *            sealed: hashed and sealed, as storeBundle does)
 *   inflate  every entry inflated and its lines counted (the reader's floor: the most sensitive to
 *            the cost of reading the file)
 *   records  readBundle() with a record sink, what a sync does
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { IssueCollector } from '../src/rostering/oneroster/issues.js';
import { DEFAULT_LIMITS, readBundle } from '../src/rostering/oneroster/reader.js';
import { BundleZip, type RandomAccessZip } from '../src/rostering/oneroster/zip.js';
import { SealedReader, sealer } from '../src/rostering/runs/sealed-bundle.js';
import { SCENARIOS, fmt, generate, printTable } from './district-bundle.js';

type Step = 'store' | 'inflate' | 'records';
type Variant = 'plain' | 'sealed';

interface Measurement {
  ms: number;
  rows: number;
  maxRssMb: number;
}

// The zip as the step reads it: the plain file, or the sealed one through its decrypting reader.
async function zipInput(variant: Variant, file: string, key: Buffer): Promise<{ input: string | RandomAccessZip; close: () => void }> {
  if (variant === 'plain') return { input: file, close: () => undefined };
  const reader = await SealedReader.open(file, key);
  return { input: { reader, size: reader.size }, close: () => reader.close(() => undefined) };
}

async function measure(step: Step, variant: Variant, file: string, key: Buffer): Promise<Measurement> {
  const start = performance.now();
  let rows = 0;
  if (step === 'store') {
    const hash = crypto.createHash('sha256');
    const meter = new Transform({ transform: (chunk: Buffer, _e, done) => (hash.update(chunk), done(null, chunk)) });
    const out = path.join(path.dirname(file), `stored-${variant}-${process.pid}`);
    await pipeline(fs.createReadStream(file), meter, variant === 'sealed' ? sealer(key) : new PassThrough(), fs.createWriteStream(out));
    rows = fs.statSync(out).size;
    fs.rmSync(out);
  } else {
    const { input, close } = await zipInput(variant, file, key);
    try {
      if (step === 'records') {
        const report = await readBundle(input, { onRecords: (batch) => void (rows += batch.length) });
        if (!report.valid) throw new Error(`bench bundle is not valid: ${JSON.stringify(report.issues.slice(0, 3))}`);
      } else {
        const zip = await BundleZip.open(input, DEFAULT_LIMITS, new IssueCollector(10));
        if (!zip) throw new Error('bench bundle did not open');
        for (const entry of zip.entries) for await (const chunk of zip.read(entry)) for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) rows++;
        zip.close();
      }
    } finally {
      close();
    }
  }
  return { ms: performance.now() - start, rows, maxRssMb: process.resourceUsage().maxRSS / 1024 };
}

function runChild(step: Step, variant: Variant, file: string, key: Buffer): Measurement {
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', step, variant, file], { encoding: 'utf8', env: { ...process.env, BENCH_KEY: key.toString('hex') } });
  if (child.status !== 0) throw new Error(`${step} ${variant} failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as Measurement;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const result = await measure(args[1] as Step, args[2] as Variant, args[3] ?? '', Buffer.from(process.env.BENCH_KEY ?? '', 'hex'));
    process.stdout.write(JSON.stringify(result) + '\n');
    return;
  }
  const reps = args.includes('--reps') ? Number(args[args.indexOf('--reps') + 1]) : 3;
  const key = crypto.randomBytes(32);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-bench-sealed-'));
  try {
    const district = SCENARIOS[0]!;
    const plain = path.join(dir, 'district.zip');
    await generate(district, plain);
    const sealed = path.join(dir, 'district.sealed');
    await pipeline(fs.createReadStream(plain), sealer(key), fs.createWriteStream(sealed));
    const [plainBytes, sealedBytes] = [fs.statSync(plain).size, fs.statSync(sealed).size];
    console.log(
      `node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}; ${district.name}: ${fmt(plainBytes / 1024 ** 2, 1)} MB zip, sealed +${fmt(sealedBytes - plainBytes)} bytes; median of ${reps}`,
    );
    const table: string[][] = [['step', 'plain s', 'sealed s', 'sealed/plain', 'plain RSS MB', 'sealed RSS MB']];
    for (const step of ['store', 'inflate', 'records'] as Step[]) {
      const runs: Record<Variant, Measurement[]> = { plain: [], sealed: [] };
      for (let i = 0; i < reps; i++) {
        for (const variant of ['plain', 'sealed'] as Variant[]) runs[variant].push(runChild(step, variant, step === 'store' || variant === 'plain' ? plain : sealed, key));
      }
      if (step !== 'store' && runs.plain[0]?.rows !== runs.sealed[0]?.rows) throw new Error(`${step}: sealed read ${runs.sealed[0]?.rows} rows, plain ${runs.plain[0]?.rows}`);
      const [p, s] = [median(runs.plain.map((m) => m.ms)), median(runs.sealed.map((m) => m.ms))];
      table.push([step, fmt(p / 1000, 2), fmt(s / 1000, 2), fmt(s / p, 2), fmt(median(runs.plain.map((m) => m.maxRssMb))), fmt(median(runs.sealed.map((m) => m.maxRssMb)))]);
    }
    printTable(table);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
