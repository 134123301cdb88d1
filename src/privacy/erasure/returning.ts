import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { PlanIssue } from '../../rostering/sync/planner.js';
import type { RunStage } from '../../rostering/sync/stage-tables.js';
import type { SecretBox } from '../../security/secret-box.js';
import { ErasureRepository } from './erasure-repository.js';

/** The run report's code for a row that makes a fresh account for someone erased before. */
export const ERASED_RETURNING = 'user.erased_returning';

const PAGE = 5000;

/**
 * The keyed digest that stands for an erased person's sourcedId: HMAC-SHA256 under a key derived from
 * the data key, bound to the customer. Without the data key it cannot be tested against guesses, and
 * the same sourcedId of another customer gives another digest.
 */
export function sourcedIdDigester(secrets: SecretBox, customerId: string): (sourcedId: string) => string {
  const key = secrets.deriveKey('erased-sourced-id');
  return (sourcedId) => crypto.createHmac('sha256', key).update(`${customerId}\n${sourcedId}`, 'utf8').digest('hex');
}

/**
 * After planning: the staged people a run creates whose sourcedId was erased from this customer
 * before. Each becomes an info finding of the run (the new account has nothing of the erased one),
 * so the run report says why someone known comes back as new. Costs one query for a customer with no
 * erasures; otherwise the run's creates are read a page at a time and hashed.
 */
export async function erasedReturning(db: Kysely<Database>, secrets: SecretBox, customerId: string, runId: string, stage: RunStage): Promise<PlanIssue[]> {
  const erased = await new ErasureRepository(db).erasedDigests(customerId);
  if (!erased.size) return [];
  const digestOf = sourcedIdDigester(secrets, customerId);
  const found: PlanIssue[] = [];
  for (let after = -1; ;) {
    const page = await sql<{ line: number; sourced_id: string }>`select line, sourced_id from ${stage.table('users')}
      where run_id = ${runId} and action = 'create' and line > ${after} order by line limit ${PAGE}`.execute(db);
    for (const row of page.rows) {
      if (erased.has(digestOf(row.sourced_id))) {
        found.push({
          entity: 'users',
          line: row.line,
          sourcedId: row.sourced_id,
          code: ERASED_RETURNING,
          severity: 'info',
          message: 'A person with this sourcedId was erased from Lectern earlier: this row makes a fresh account, with none of the erased account’s data.',
        });
      }
    }
    if (page.rows.length < PAGE) return found;
    after = page.rows[page.rows.length - 1]!.line;
  }
}
