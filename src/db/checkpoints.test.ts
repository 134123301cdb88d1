import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { BackgroundCheckpoints, type CheckpointSettings } from './checkpoints.js';
import { openDatabase, type Db } from './connection.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tempFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-checkpoints-'));
  dirs.push(dir);
  return path.join(dir, 'lectern.db');
}

/** A database as `serve` opens it (patient locks: BEGIN IMMEDIATE, a busy lock waited for on a timer). */
async function openServing(file: string, checkpoints: Partial<CheckpointSettings> | false): Promise<Db> {
  const db = openDatabase(`sqlite:${file}`, { patientLocks: true, checkpointInBackground: checkpoints });
  await sql`create table notes (id integer primary key, body text not null)`.execute(db.kysely);
  await sql`create index notes_body on notes (body)`.execute(db.kysely);
  return db;
}

// Frames in the log file: its length is its high-water mark, as SQLite writes a restarted log over the old one.
function logFrames(file: string): number {
  const wal = `${file}-wal`;
  return fs.existsSync(wal) ? Math.max(0, (fs.statSync(wal).size - 32) / (4096 + 24)) : 0;
}

// The log header's checkpoint sequence number: SQLite adds one each time a writer starts the log over.
function logRestarts(file: string): number {
  const header = Buffer.alloc(16);
  const fd = fs.openSync(`${file}-wal`, 'r');
  try {
    fs.readSync(fd, header, 0, 16, 0);
  } finally {
    fs.closeSync(fd);
  }
  return header.readUInt32BE(12);
}

/** Commits small transactions back to back for `ms` (a writer that never pauses); the log's largest size, its restarts and the rows written. */
async function steadyWrites(db: Db, file: string, ms: number): Promise<{ maxFrames: number; restarts: number; rows: number }> {
  let rows = 0;
  let maxFrames = 0;
  const firstRestart = logRestarts(file);
  const end = Date.now() + ms;
  while (Date.now() < end) {
    await db.kysely.transaction().execute(async (trx) => {
      for (let i = 0; i < 5; i++) await sql`insert into notes (body) values (${crypto.randomBytes(200).toString('hex')})`.execute(trx);
    });
    rows += 5;
    if (rows % 100 === 0) maxFrames = Math.max(maxFrames, logFrames(file));
  }
  return { maxFrames: Math.max(maxFrames, logFrames(file)), restarts: logRestarts(file) - firstRestart, rows };
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (const end = Date.now() + 10_000; !check(); await sleep(10)) {
    if (Date.now() > end) assert.fail(`timed out waiting until ${what}`);
  }
}

describe('checkpoints in a thread of their own', () => {
  const settings = { intervalMs: 10, restartFrames: 200, restartWaitMs: 50, restartBackoffMs: 50 };

  it('keep the log bounded under steady writes, the writing connection never checkpointing', async () => {
    // The control: with checkpoints neither on commit nor in a thread, the same writes grow the log without end.
    const control = tempFile();
    const unchecked = await openServing(control, false);
    unchecked.sqlite!.pragma('wal_autocheckpoint = 0');
    const grown = await steadyWrites(unchecked, control, 1500);
    await unchecked.close();

    const file = tempFile();
    const db = await openServing(file, settings);
    const sqlite = db.sqlite!;
    const checkpoints = db.checkpoints!;
    try {
      assert.equal(sqlite.pragma('wal_autocheckpoint', { simple: true }), 0, 'commits leave checkpoints to the thread');
      await checkpoints.started;
      const { maxFrames, restarts, rows } = await steadyWrites(db, file, 1500);
      assert.equal(checkpoints.onCommit, false);
      assert.equal(grown.restarts, 0, 'the control never starts its log over');
      assert.ok(grown.maxFrames > 10_000, `the control's log grew to ${grown.maxFrames} frames`);
      // The writer never pauses, yet steps aside when asked: each restart comes once PASSIVE has copied
      // past 200 frames, within a tick (10 ms of writes, some hundreds of frames here).
      assert.ok(restarts >= 20, `the log was started over ${restarts} times`);
      assert.ok(maxFrames < 3_000, `the log stayed at ${maxFrames} frames at most (unchecked: ${grown.maxFrames})`);
      assert.deepEqual(sqlite.prepare('select count(*) as n from notes').get(), { n: rows });
      assert.equal(sqlite.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      await db.close();
    }
  });

  it('leave checkpoints to commits again when their thread cannot start', async () => {
    const file = tempFile();
    const db = await openServing(file, false);
    const sqlite = db.sqlite!;
    const quiet = console.error;
    const said: string[] = [];
    console.error = (...args: unknown[]) => said.push(args.join(' '));
    try {
      // The thread cannot open a file in a folder that does not exist.
      const checkpoints = new BackgroundCheckpoints(sqlite, path.join(path.dirname(file), 'missing', 'lectern.db'), settings);
      await until('the thread has failed', () => checkpoints.onCommit);
      assert.equal(sqlite.pragma('wal_autocheckpoint', { simple: true }), 1000, "SQLite's own threshold is back");
      assert.match(said.join('\n'), /Checkpoint thread: .*commits checkpoint the database again/);
    } finally {
      console.error = quiet;
      await db.close();
    }
  });

  it('are what openDatabase gives the serving process: the thread copies the log into the file', async () => {
    const file = tempFile();
    const db = openDatabase(`sqlite:${file}`, { patientLocks: true, checkpointInBackground: true });
    try {
      assert.equal(db.sqlite!.pragma('wal_autocheckpoint', { simple: true }), 0);
      await sql`create table notes (id integer primary key, body text not null)`.execute(db.kysely);
      const before = fs.statSync(file).size;
      for (let i = 0; i < 50; i++) await sql`insert into notes (body) values (${crypto.randomBytes(400).toString('hex')})`.execute(db.kysely);
      // Only a checkpoint writes pages into the database file itself.
      await until('the database file has the rows', () => fs.statSync(file).size > before + 50 * 400);
    } finally {
      await db.close();
    }
    const reopened = openDatabase(`sqlite:${file}`);
    assert.deepEqual((await sql<{ n: number }>`select count(*) as n from notes`.execute(reopened.kysely)).rows, [{ n: 50 }]);
    await reopened.close();
  });
});
