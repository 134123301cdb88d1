import os from 'node:os';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { SecretBox } from '../../security/secret-box.js';
import { stagedPasswordContext } from '../sync/stage-writer.js';

/**
 * Turns roster passwords waiting in pending_passwords into argon2id hashes, outside any run's
 * transaction. argon2 hashes on libuv's thread pool, so running one hash per core keeps every core
 * busy. Each account can sign in as soon as its own hash is written. A changed roster password
 * ends a password an admin set in the console (password_set_here_at): the roster's wins again.
 */
export async function hashPendingPasswords(db: Kysely<Database>, secrets: SecretBox, opts: { customerId?: string; onProgress?: (done: number) => void; signal?: AbortSignal } = {}): Promise<number> {
  const parallel = Math.max(1, os.availableParallelism());
  let done = 0;
  for (;;) {
    if (opts.signal?.aborted) return done;
    let q = db
      .selectFrom('pending_passwords')
      .selectAll()
      .limit(parallel * 32);
    if (opts.customerId) q = q.where('customer_id', '=', opts.customerId);
    const batch = await q.execute();
    if (!batch.length) return done;
    // argon2 (a native module) loads only when there is something to hash: most runs carry no passwords.
    const { hashPassword } = await import('../../security/passwords.js');
    let next = 0;
    const worker = async () => {
      while (next < batch.length) {
        const row = batch[next++]!;
        const password = secrets.open(row.password_sealed, stagedPasswordContext(row.customer_id, row.run_id));
        const hash = await hashPassword(password);
        await db.transaction().execute(async (trx) => {
          await trx.updateTable('users').set({ password_hash: hash, password_set_here_at: null }).where('id', '=', row.user_id).execute();
          // Delete only the sealed value we hashed: a newer run may have queued another meanwhile.
          await trx.deleteFrom('pending_passwords').where('user_id', '=', row.user_id).where('password_sealed', '=', row.password_sealed).execute();
        });
        done++;
        opts.onProgress?.(done);
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
  }
}
