import { sql } from 'kysely';
import type { Db } from './db/connection.js';
import { AppError } from './errors.js';
import { countStaleFeedsPlatformWide } from './rostering/scheduler-feeds.js';

/**
 * What /api/health reports: the database answers, and how many Auto customers have a stale roster
 * feed. A count only: the health check is public, so it names no customer (the console's list flags them).
 */
export async function checkHealth(db: Db): Promise<{ status: 'ok'; database: string; staleFeeds: number }> {
  let staleFeeds: number;
  try {
    await sql`select 1`.execute(db.kysely);
    staleFeeds = await countStaleFeedsPlatformWide(db.kysely, new Date());
  } catch {
    throw new AppError('UNAVAILABLE', 'The database is not reachable.');
  }
  return { status: 'ok', database: db.dialect, staleFeeds };
}
