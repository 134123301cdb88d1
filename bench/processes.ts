/*
 * Whole-process measurements for the benchmarks: `lectern` run as a user runs it (`node bin/lectern.js …`,
 * the compiled program), timed from spawn to exit, with its peak RSS; and the C floor every speed target
 * is a multiple of, `unzip -p BUNDLE | wc -l` (inflate and count the same bytes), in the same run.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PROBE = path.join(repo, 'bench', 'rss-probe.mjs');
const BIN = path.join(repo, 'bin', 'lectern.js');

/** One process: wall time from spawn to exit, peak RSS, exit status and output. */
export interface ProcessRun {
  ms: number;
  maxRssMb: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `lectern args…` once as its own process with `env` added to this one's. */
export function runLectern(args: string[], env: Record<string, string> = {}): ProcessRun {
  const rssFile = path.join(os.tmpdir(), `lectern-bench-rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const start = performance.now();
  const child = spawnSync(process.execPath, ['--import', PROBE, BIN, ...args], {
    cwd: repo,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: { ...process.env, ...env, BENCH_RSS_FILE: rssFile },
  });
  const ms = performance.now() - start;
  const kb = fs.existsSync(rssFile) ? Number(fs.readFileSync(rssFile, 'utf8')) : NaN;
  fs.rmSync(rssFile, { force: true });
  return { ms, maxRssMb: kb / 1024, status: child.status, stdout: child.stdout, stderr: child.stderr };
}

/** The fastest of several runs of one command, with the largest peak RSS any of them had. */
export function fastest(runs: ProcessRun[]): ProcessRun {
  const best = runs.reduce((a, b) => (b.ms < a.ms ? b : a));
  return { ...best, maxRssMb: Math.max(...runs.map((r) => r.maxRssMb)) };
}

/** `run`, which must pass `ok` (exit 0 by default), `n` times; the fastest, as `fastest` says. */
export function bestOf(n: number, run: () => ProcessRun, ok: (r: ProcessRun) => boolean = (r) => r.status === 0): ProcessRun {
  return fastest(Array.from({ length: n }, () => checked(run(), ok)));
}

/** `r` if it passes `ok` (exit 0 by default), else an error with the end of its stderr. */
export function checked(r: ProcessRun, ok: (r: ProcessRun) => boolean = (r) => r.status === 0): ProcessRun {
  if (!ok(r)) throw new Error(`lectern exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return r;
}

/** The C floor: best of 3 of `unzip -p BUNDLE | wc -l`, in ms, with the line count it saw. */
export function cFloor(bundle: string): { ms: number; lines: number } {
  let ms = Infinity;
  let lines = 0;
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    const out = spawnSync('sh', ['-c', 'unzip -p "$1" | wc -l', 'floor', bundle], { encoding: 'utf8' });
    const took = performance.now() - start;
    if (out.status !== 0 || out.stderr.trim()) throw new Error(`The C floor needs unzip (Debian package unzip): ${out.stderr.trim()}`);
    lines = Number(out.stdout.trim());
    ms = Math.min(ms, took);
  }
  return { ms, lines };
}

/** Where the benchmarks run: node version, CPU and cores, for the first line of a table. */
export function machine(): string {
  return `node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}`;
}
